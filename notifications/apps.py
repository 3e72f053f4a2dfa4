from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Follows and inbox"

    def ready(self) -> None:
        # The apps below may not import this one: it listens to their hooks (config.hooks).
        from curation.events import curation_events
        from lists.events import list_events
        from notifications import handlers
        from readinggroup.events import session_events

        curation_events.listen(handlers.curation_events_committed)
        list_events.listen(handlers.list_events_committed)
        session_events.listen(handlers.session_events_committed)
