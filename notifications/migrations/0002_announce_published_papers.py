"""The papers published before the inbox existed are not news: mark them announced, so the
first sweep (notifications.services.papers_announce) tells only of papers published from now
on."""

from django.db import migrations

CHUNK = 5000


def announce_published(apps, schema_editor):
    Paper = apps.get_model("papers", "Paper")
    PaperAnnouncement = apps.get_model("notifications", "PaperAnnouncement")
    ids = Paper.objects.filter(status="published").order_by("pk").values_list("pk", flat=True)
    chunk = []
    for pk in ids.iterator(chunk_size=CHUNK):
        chunk.append(PaperAnnouncement(paper_id=pk))
        if len(chunk) == CHUNK:
            PaperAnnouncement.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    PaperAnnouncement.objects.bulk_create(chunk, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(announce_published, migrations.RunPython.noop),
    ]
