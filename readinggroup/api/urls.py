from django.urls import path

from readinggroup.api import views

urlpatterns = [
    path("sessions/", views.SessionListView.as_view(), name="api-session-list"),
    path("sessions/calendar/", views.CalendarFeedView.as_view(), name="api-session-calendar"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="api-session-detail"),
    path("sessions/<int:pk>/papers/", views.SessionPapersView.as_view(), name="api-session-papers"),
    path(
        "sessions/<int:pk>/papers/<int:paper_id>/",
        views.SessionPaperView.as_view(),
        name="api-session-paper",
    ),
    path(
        "sessions/<int:pk>/papers/<int:paper_id>/confirm/",
        views.SessionPaperConfirmView.as_view(),
        name="api-session-paper-confirm",
    ),
    path(
        "sessions/<int:pk>/papers/<int:paper_id>/presented/",
        views.SessionPaperPresentedView.as_view(),
        name="api-session-paper-presented",
    ),
    path(
        "sessions/<int:pk>/papers/<int:paper_id>/presenter/",
        views.SessionPaperPresenterView.as_view(),
        name="api-session-paper-presenter",
    ),
    path(
        "sessions/<int:pk>/papers/<int:paper_id>/volunteer/",
        views.SessionPaperVolunteerView.as_view(),
        name="api-session-paper-volunteer",
    ),
]
