from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_papers(apps, schema_editor):
    Tag = apps.get_model("curation", "Tag")
    PaperTag = apps.get_model("curation", "PaperTag")
    published = (
        PaperTag.objects.filter(tag=OuterRef("pk"), paper__status="published")
        .order_by()
        .values("tag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Tag.objects.update(
        paper_count=Coalesce(Subquery(published, output_field=IntegerField()), 0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0002_moderators_group"),
        ("papers", "0003_paper_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="tag",
            name="paper_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count_papers, migrations.RunPython.noop),
    ]
