"""Count every tag's published papers again (Tag.paper_count).

The services keep the counts exact as they write; this is for data changed behind their back
(a restore from a backup, rows written by hand in SQL)."""

from django.core.management.base import BaseCommand

from curation.selectors import tags_list
from curation.services import tag_counts_refresh


class Command(BaseCommand):
    help = "Count every tag's published papers again (after data was changed outside the app)."

    def handle(self, *args, **options):
        tag_counts_refresh()
        for tag in tags_list():
            self.stdout.write(f"{tag.slug}: {tag.paper_count}")
