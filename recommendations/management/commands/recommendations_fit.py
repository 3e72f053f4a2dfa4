"""Fit the recommendations' features on the published papers now (the beat schedule does it
daily), then bring every paper's vector and related papers up to date.

    .venv/bin/python manage.py recommendations_fit
"""

from django.core.management.base import BaseCommand, CommandError

from recommendations.models import FeatureVersionStatus
from recommendations.services import features_fit, recommendations_refresh

MSG_RUNNING = "A fit is already running, or no paper is published yet: nothing was fitted."


class Command(BaseCommand):
    help = "Fit the recommendations' features on the published papers and make them current."

    def handle(self, *args, **options):
        version = features_fit()
        if version is None:
            raise CommandError(MSG_RUNNING)
        if version.status != FeatureVersionStatus.READY:
            raise CommandError(f"Features v{version.pk} failed: {version.error}")
        timings = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in version.timings.items())
        self.stdout.write(
            f"Features v{version.pk}: fitted on {version.paper_count} published papers, "
            f"{version.vector_count} vectors, {version.text_features} terms and "
            f"{version.author_features} authors, neighbours {version.neighbour_method} "
            f"({timings})."
        )
        result = recommendations_refresh()
        if result.transformed:
            self.stdout.write(f"{result.transformed} papers written meanwhile transformed.")
