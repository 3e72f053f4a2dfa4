from django.urls import include, path

from frontend import form_pages, inbox_pages, list_pages, session_pages, views

urlpatterns = [
    path("", views.feed, name="home"),
    path("papers/<int:pk>/", views.paper_page, name="paper"),
    path(
        "papers/<int:pk>/cite.bib",
        views.paper_citation,
        {"fmt": "bibtex"},
        name="paper-cite-bibtex",
    ),
    path("papers/<int:pk>/cite.ris", views.paper_citation, {"fmt": "ris"}, name="paper-cite-ris"),
    path("tags/<slug:slug>/", views.tag_page, name="tag"),
    path(
        "tags/<slug:slug>/suggestions/<int:paper_id>/",
        form_pages.tag_suggestion,
        name="tag-suggestion",
    ),
    path("search/", views.search, name="search"),
    path("signup/", views.signup, name="signup"),
    path("me/", views.me, name="me"),
    path("me/time-zone/", session_pages.member_time_zone_page, name="me-time-zone"),
    path("sessions/", include("frontend.session_urls")),
    path("me/settings/", form_pages.reading_settings, name="me-settings"),
    path("lists/", list_pages.my_lists, name="lists"),
    path("lists/<int:pk>/", list_pages.list_page, name="list"),
    path("inbox/", inbox_pages.inbox, name="inbox"),
    path("inbox/delivery/", inbox_pages.inbox_delivery, name="inbox-delivery"),
    path("inbox/webhooks/", inbox_pages.webhooks, name="webhooks"),
    path("inbox/feed/<str:token>.atom", inbox_pages.inbox_feed, name="inbox-feed"),
    path(
        "inbox/unsubscribe/<str:token>/",
        inbox_pages.digest_unsubscribe,
        name="digest-unsubscribe",
    ),
    path("submit/", form_pages.submit, name="submit"),
    path("moderation/", views.moderation_queue_page, name="moderation-queue"),
    path("moderation/log/", views.moderation_log_page, name="moderation-log"),
    path("moderation/tags/", form_pages.tags_manage, name="moderation-tags"),
    path("uploads/", views.uploads, name="uploads"),
]
