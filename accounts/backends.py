"""The log-in backend: Django's ModelBackend, whose get_user (run on every request signed in
by session) also reads whether the user is a moderator (accounts.roles) and the time zone
they chose (accounts.time_zones), in the same query. A signed-in page asked the database for
the session, the user and the group, and pages that show times for the zone: those are
saved on every signed-in request, and the statement is written out once
(accounts.signed_in) rather than built by the ORM on each."""

from django.contrib.auth.backends import ModelBackend

from accounts.signed_in import user_signed_in

# Its dotted path: the backend a new member is signed in with (no password check to name one).
ROLES_BACKEND = "accounts.backends.RolesModelBackend"


class RolesModelBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = user_signed_in(int(user_id))
        except (TypeError, ValueError, OverflowError):
            return None  # a session holding something else than a user's id
        return user if user is not None and self.user_can_authenticate(user) else None
