from django.urls import path

from lists.api import views

urlpatterns = [
    path("lists/", views.ListCollectionView.as_view(), name="api-list-list"),
    path("lists/<int:pk>/", views.ListDetailView.as_view(), name="api-list-detail"),
    path("lists/<int:pk>/items/", views.ListItemsView.as_view(), name="api-list-items"),
    path(
        "lists/<int:pk>/items/<int:item_pk>/",
        views.ListItemDetailView.as_view(),
        name="api-list-item",
    ),
    path("lists/<int:pk>/editors/", views.ListEditorsView.as_view(), name="api-list-editors"),
    path(
        "lists/<int:pk>/editors/<str:username>/",
        views.ListEditorDetailView.as_view(),
        name="api-list-editor",
    ),
]
