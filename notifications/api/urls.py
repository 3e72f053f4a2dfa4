from django.urls import path

from notifications.api import views

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="api-inbox"),
    path("inbox/unread-count/", views.InboxUnreadCountView.as_view(), name="api-inbox-unread"),
    path("inbox/read-all/", views.InboxReadAllView.as_view(), name="api-inbox-read-all"),
    path("inbox/<int:pk>/read/", views.InboxItemReadView.as_view(), name="api-inbox-item-read"),
    path("follows/", views.FollowCollectionView.as_view(), name="api-follow-list"),
    path("follows/<int:pk>/", views.FollowDetailView.as_view(), name="api-follow-detail"),
    path(
        "notification-settings/",
        views.DeliverySettingsView.as_view(),
        name="api-notification-settings",
    ),
    path("notification-settings/feed/", views.InboxFeedView.as_view(), name="api-inbox-feed"),
    path("webhooks/", views.WebhookCollectionView.as_view(), name="api-webhook-list"),
    path("webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="api-webhook-detail"),
]
