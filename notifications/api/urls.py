from django.urls import path

from notifications.api import views

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="api-inbox"),
    path("inbox/unread-count/", views.InboxUnreadCountView.as_view(), name="api-inbox-unread"),
    path("inbox/read-all/", views.InboxReadAllView.as_view(), name="api-inbox-read-all"),
    path("inbox/<int:pk>/read/", views.InboxItemReadView.as_view(), name="api-inbox-item-read"),
    path("follows/", views.FollowCollectionView.as_view(), name="api-follow-list"),
    path("follows/<int:pk>/", views.FollowDetailView.as_view(), name="api-follow-detail"),
]
