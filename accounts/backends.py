"""The log-in backend: Django's ModelBackend, whose get_user (run on every request signed in
by session) also reads whether the user is a moderator (accounts.roles) and the time zone
they chose (accounts.time_zones), in the same query. A signed-in page asked the database for
the session, the user and the group, and pages that show times for the zone: those are
saved on every signed-in request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.roles import with_moderator_flag
from accounts.time_zones import with_time_zone

# Its dotted path: the backend a new member is signed in with (no password check to name one).
ROLES_BACKEND = "accounts.backends.RolesModelBackend"


class RolesModelBackend(ModelBackend):
    def get_user(self, user_id):
        users = with_time_zone(with_moderator_flag(get_user_model()._default_manager.all()))
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
