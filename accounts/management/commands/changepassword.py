"""Django's `changepassword`, with the new password set by the account services: the API
token is revoked and the user's sessions end, as with every other change."""

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword
from django.core.management.base import CommandError

from accounts.services import password_set
from config.errors import DomainError

MAX_TRIES = 3


class Command(changepassword.Command):
    def ask_password(self, prompt: str = "Password: ") -> str:
        password = getpass.getpass(prompt=prompt)
        if not password:
            raise CommandError("aborted")
        return password

    def handle(self, *args, **options):
        User = get_user_model()
        username = options["username"] or getpass.getuser()
        try:
            user = User._default_manager.using(options["database"]).get(
                **{User.USERNAME_FIELD: username}
            )
        except User.DoesNotExist:
            raise CommandError(f"user '{username}' does not exist") from None
        self.stdout.write(f"Changing password for user '{user}'")
        for _ in range(MAX_TRIES):
            first = self.ask_password()
            if first != self.ask_password("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                password_set(user=user, new_password=first)
            except DomainError as error:
                self.stderr.write("\n".join(error.extra.get("fields", {}).get("new_password", [])))
                continue
            return f"Password changed successfully for user '{user}'"
        raise CommandError(f"Aborting password change for user '{user}' after {MAX_TRIES} attempts")
