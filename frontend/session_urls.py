"""The reading group's pages, under /sessions/ (frontend/session_pages.py)."""

from django.urls import path

from frontend import session_pages

urlpatterns = [
    path("", session_pages.sessions_page, name="sessions"),
    path("new/", session_pages.session_new, name="session-new"),
    path("propose/", session_pages.session_propose_from_paper, name="session-propose"),
    path(
        "calendar/<slug:token>.ics",
        session_pages.session_calendar_feed,
        name="session-calendar",
    ),
    path("<int:pk>/", session_pages.session_page, name="session"),
    path("<int:pk>/edit/", session_pages.session_edit, name="session-edit"),
]
