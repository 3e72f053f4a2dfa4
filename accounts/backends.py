"""The log-in backend: Django's ModelBackend, whose get_user (run on every request signed in
by session) also reads whether the user is a moderator, in the same query (accounts.roles).
A signed-in page asked the database for the session, the user and the group: one query of
three is saved on every signed-in request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.roles import with_moderator_flag

# Its dotted path: the backend a new member is signed in with (no password check to name one).
ROLES_BACKEND = "accounts.backends.RolesModelBackend"


class RolesModelBackend(ModelBackend):
    def get_user(self, user_id):
        users = with_moderator_flag(get_user_model()._default_manager.all())
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
