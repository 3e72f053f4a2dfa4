"""Serializers of the papers API: plain input serializers, read-only output serializers."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.schema import ErrorBodySerializer
from papers.models import Dump
from papers.selectors import dump_progress, progress_percent


def dump_absolute_url(*, dump: Dump, request) -> str:
    path = reverse("dump-detail", kwargs={"pk": dump.pk})
    return request.build_absolute_uri(path) if request is not None else path


class DumpUploadInputSerializer(serializers.Serializer):
    # An empty file is accepted here so that the parser refuses it with its own sentence,
    # recorded on the dump like any other file that is not a digest.
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    date = serializers.DateField(
        required=False,
        allow_null=True,
        input_formats=["%Y-%m-%d"],
        help_text="The digest day of the file (YYYY-MM-DD), when the file does not say it.",
    )
    publish = serializers.BooleanField(
        required=False, default=False, help_text="Publish the new papers the file brings."
    )


class DumpProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text="Bytes of the file ingested so far.")
    total = serializers.IntegerField(help_text="Bytes of the file.")
    percent = serializers.IntegerField()


class DumpWarningSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()


class DumpStatsSerializer(serializers.Serializer):
    digests = serializers.IntegerField()
    entries = serializers.IntegerField()
    new_entries = serializers.IntegerField()
    new_papers = serializers.IntegerField()
    existing_papers = serializers.IntegerField()
    warnings = serializers.IntegerField()


class DumpOutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    uploaded_by = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    stats = serializers.SerializerMethodField()
    warnings = DumpWarningSerializer(many=True, read_only=True)
    digests = serializers.SerializerMethodField()

    class Meta:
        model = Dump
        fields = [
            "id",
            "url",
            "original_name",
            "sha256",
            "size",
            "uploaded_by",
            "uploaded_at",
            "digest_date",
            "publish",
            "status",
            "progress",
            "stats",
            "warnings",
            "warning_count",
            "error",
            "started_at",
            "finished_at",
            "digests",
        ]
        read_only_fields = fields

    def get_url(self, dump: Dump) -> str:
        return dump_absolute_url(dump=dump, request=self.context.get("request"))

    def get_uploaded_by(self, dump: Dump) -> str | None:
        return dump.uploaded_by.get_username() if dump.uploaded_by else None

    @extend_schema_field(DumpProgressSerializer)
    def get_progress(self, dump: Dump) -> dict:
        done, total = dump_progress(dump)
        return {
            "done": done,
            "total": total,
            "percent": progress_percent(done=done, total=total, status=dump.status),
        }

    @extend_schema_field(DumpStatsSerializer(allow_null=True))
    def get_stats(self, dump: Dump) -> dict | None:
        # Stats exist once a dump is done; before that there is nothing to count yet.
        return dump.stats or None

    @extend_schema_field(serializers.ListField(child=serializers.DateField()))
    def get_digests(self, dump: Dump) -> list[str]:
        # .all() reads the prefetched digests of dumps_list(); sorted here, not in SQL, so the
        # prefetch stays one plain query.
        return sorted(d.date.isoformat() for d in dump.digests.all())


class DuplicateErrorBodySerializer(ErrorBodySerializer):
    dump = serializers.IntegerField(help_text="The id of the earlier upload of the same file.")
    url = serializers.URLField(help_text="The earlier upload.")


class DuplicateErrorSerializer(serializers.Serializer):
    error = DuplicateErrorBodySerializer()
