from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Follows and inbox"

    def ready(self) -> None:
        # The apps below may not import this one: it records their events in their own
        # transactions through their hooks (config.hooks; notifications.services.outbox).
        from curation.events import curation_events
        from lists.events import list_events
        from notifications import handlers
        from readinggroup.events import session_events

        curation_events.record(handlers.curation_events_recorded)
        list_events.record(handlers.list_events_recorded)
        session_events.record(handlers.session_events_recorded)
