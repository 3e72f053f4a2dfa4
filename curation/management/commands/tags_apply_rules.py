"""Put tags on the published papers by keyword rules (curation.services.tag_rules says the
file's shape): `manage.py tags_apply_rules RULES.json --moderator NAME`."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from curation.services import tag_rules_apply, tag_rules_parse


class Command(BaseCommand):
    help = (
        "Tag the published papers by keyword rules (JSON: tags with keywords matched in the "
        "title, or several times in the abstract), as a moderator; every tag put is logged."
    )

    def add_arguments(self, parser):
        parser.add_argument("rules", help="the rules file (JSON)")
        parser.add_argument(
            "--moderator", required=True, help="the username the tags are put as (a moderator)"
        )

    def handle(self, *args, **options):
        path = Path(options["rules"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}.") from None
        moderator = get_user_model().objects.filter(username=options["moderator"]).first()
        if moderator is None:
            raise CommandError(f'No account is named "{options["moderator"]}".')
        try:
            rules = tag_rules_parse(text)
            counts = tag_rules_apply(
                rules=rules, moderator=moderator, reason=f"Keyword rules of {path.name}"
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        for slug, (matched, added) in counts.items():
            self.stdout.write(f"{slug}: {matched} papers match, {added} tagged now")
