"""Create, or reset, the superuser of the demo (`make run`)."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
DEFAULT_PASSWORD = "paperboard-demo"
MSG_LOGIN = "Demo admin: {site}/admin/ user {username}, password {password}"
DEFAULT_SITE = "http://127.0.0.1:8000"
MSG_NOT_DEBUG = (
    "demo_admin makes a superuser with a known password, so it runs only with DEBUG on; "
    "pass --force to run it anyway."
)


class Command(BaseCommand):
    help = (
        f"Create or reset the demo superuser '{USERNAME}'. The password comes from --password, "
        f"else DEMO_ADMIN_PASSWORD, else '{DEFAULT_PASSWORD}'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", help="The password to set.")
        parser.add_argument(
            "--site",
            default=DEFAULT_SITE,
            help=f"Where the site is served (default {DEFAULT_SITE}).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (not for production)."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(MSG_NOT_DEBUG)
        password = options["password"] or os.environ.get("DEMO_ADMIN_PASSWORD") or DEFAULT_PASSWORD
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(
            **{user_model.USERNAME_FIELD: USERNAME}, defaults={"email": "admin@example.com"}
        )
        user.is_active = True
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            MSG_LOGIN.format(site=options["site"].rstrip("/"), username=USERNAME, password=password)
        )
