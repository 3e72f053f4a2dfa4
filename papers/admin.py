"""The admin of the papers app. Dumps are read-only here and come in through `upload_view`,
which hands every file to papers.services.dump_create like the API and the command do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from config.errors import DomainError
from config.middleware import UploadLimits, declare_upload_limits, too_many_files
from papers import selectors
from papers.models import Digest, DigestEntry, Dump, DumpStatus, Paper
from papers.services import dump_create

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MSG_UPLOADED = "{name}: uploaded as dump #{id} ({status})."
MSG_UPLOAD_FAILED = "{name}: dump #{id} failed: {error}"
MSG_UPLOAD_REFUSED = "{name}: {message}"
MSG_TOO_MANY_FILES = "Upload at most {limit} files at once."
MSG_REQUEST_TOO_LARGE = "These files make {size} but one upload is limited to {limit}."
MSG_NO_FILES = "Choose at least one file to upload."


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only services write: to look at, not to edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# What the source says of a paper, as ingestion keeps it: shown on its page, never edited.
PAPER_SOURCE_FIELDS = (
    "upvotes",
    "source_comment_count",
    "github_stars",
    "github_repo",
    "project_page",
    "thumbnail_url",
    "ai_summary",
    "ai_keywords",
    "organization",
    "source_submitted_by",
)


class SearchIndexFilter(admin.SimpleListFilter):
    title = "search index"
    parameter_name = "search_index"

    def lookups(self, request, model_admin):
        return [("waiting", "waiting"), ("not_indexable", "not indexable")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(search__isnull=True)
        if self.value() == "not_indexable":
            return queryset.filter(search__error__gt="")
        return queryset


@admin.register(Paper)
class PaperAdmin(ReadOnlyAdmin):
    """Papers, read-only here; curation.admin, installed with this app, registers the admin
    that edits, moves and deletes them through the services."""

    list_display = ["title", "status", "first_digest_on", "upvotes", "arxiv_id"]
    list_filter = ["status", SearchIndexFilter]
    search_fields = ["title", "arxiv_id"]
    # Shown on the change page (every other field is, the admin being read-only).
    readonly_fields = ["search_index"]
    date_hierarchy = "first_digest_on"

    @admin.display(description="search index")
    def search_index(self, paper: Paper) -> str:
        error = selectors.paper_search_error(paper_id=paper.pk)
        if error is None:
            return "waiting to be indexed"
        return f"not indexable: {error}" if error else "indexed"


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["date", "entry_count", "dump_list"]
    date_hierarchy = "date"

    def get_queryset(self, request):
        return selectors.digests_list()

    @admin.display(description="entries", ordering="entry_count")
    def entry_count(self, digest: WithAnnotations[Digest, selectors.DigestCounts]) -> int:
        return digest.entry_count

    @admin.display(description="dumps")
    def dump_list(self, digest: Digest) -> str:
        return ", ".join(f"#{dump.pk} {dump.original_name}" for dump in digest.dumps.all())


@admin.register(DigestEntry)
class DigestEntryAdmin(ReadOnlyAdmin):
    list_display = ["digest", "position", "paper", "upvotes", "dump"]
    list_select_related = ["digest", "paper", "dump"]
    list_filter = ["digest__date"]
    search_fields = ["paper__title"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files and cleans to a list of them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            if self.required:
                raise forms.ValidationError(MSG_NO_FILES, code="required")
            return []
        single_file_clean = super().clean
        return [single_file_clean(f, initial) for f in files]


class DumpUploadForm(forms.Form):
    # Empty files pass: the parser refuses them with its own sentence on the dump.
    # The metaclass takes declared fields off the class: this does not shadow BaseForm.files
    # (the bound files) as the stubs believe.
    files = MultipleFileField(  # type: ignore[assignment]
        allow_empty_file=True, label="Digest files"
    )
    digest_date = forms.DateField(
        required=False,
        label="Digest day",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only for files that do not say their day.",
    )
    publish = forms.BooleanField(
        required=False, help_text="Publish the new papers these files bring."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.DUMP_MAX_FILES_PER_UPLOAD
        self.fields["files"].help_text = f"Text page copies or JSON dumps; at most {limit} files."

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = settings.DUMP_MAX_FILES_PER_UPLOAD
        if len(files) > limit:
            raise forms.ValidationError(MSG_TOO_MANY_FILES.format(limit=limit))
        return files


@admin.register(Dump)
class DumpAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "status",
        "progress",
        "stat_digests",
        "stat_entries",
        "stat_new",
        "stat_existing",
        "stat_warnings",
        "uploaded_by",
        "uploaded_at",
        "short_error",
    ]
    list_filter = ["status", "publish"]
    search_fields = ["original_name", "sha256"]
    date_hierarchy = "uploaded_at"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "original_name",
                    "file",
                    "sha256",
                    "size",
                    "uploaded_by",
                    "uploaded_at",
                    "digest_date",
                    "publish",
                ]
            },
        ),
        (
            "Ingestion",
            {
                "fields": [
                    "status",
                    "progress",
                    "attempts",
                    "started_at",
                    "finished_at",
                    "stats_block",
                    "warnings_block",
                    "error",
                ]
            },
        ),
    ]
    readonly_fields = [
        "original_name",
        "file",
        "sha256",
        "size",
        "uploaded_by",
        "uploaded_at",
        "digest_date",
        "publish",
        "status",
        "progress",
        "attempts",
        "started_at",
        "finished_at",
        "stats_block",
        "warnings_block",
        "error",
    ]

    def get_queryset(self, request):
        return selectors.dumps_list()

    # A dump is made by dump_create (the upload view) and changed only by its ingestion; and
    # there is no service to delete one with its stored file.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_upload_permission(self, request) -> bool:
        return request.user.has_perm("papers.add_dump")

    # --- columns -----------------------------------------------------------------------------
    @admin.display(description="progress")
    def progress(self, dump: Dump) -> str:
        done, total = selectors.dump_progress(dump)
        return f"{done}/{total}"

    def _stat(self, dump: Dump, key: str):
        return dump.stats.get(key, "-") if dump.stats else "-"

    @admin.display(description="digests")
    def stat_digests(self, dump: Dump):
        return self._stat(dump, "digests")

    @admin.display(description="entries")
    def stat_entries(self, dump: Dump):
        return self._stat(dump, "entries")

    @admin.display(description="new")
    def stat_new(self, dump: Dump):
        return self._stat(dump, "new_papers")

    @admin.display(description="existing")
    def stat_existing(self, dump: Dump):
        return self._stat(dump, "existing_papers")

    @admin.display(description="warnings", ordering="warning_count")
    def stat_warnings(self, dump: Dump):
        return dump.warning_count

    @admin.display(description="error")
    def short_error(self, dump: Dump) -> str:
        return dump.error if len(dump.error) <= 80 else dump.error[:79] + "…"

    @admin.display(description="stats")
    def stats_block(self, dump: Dump) -> str:
        if not dump.stats:
            return "-"
        return format_html(
            '<pre style="margin:0;white-space:pre-wrap">{}</pre>',
            "\n".join(f"{key}: {value}" for key, value in dump.stats.items()),
        )

    @admin.display(description="warnings")
    def warnings_block(self, dump: Dump) -> str:
        if not dump.warnings:
            return "-"
        lines = format_html_join(
            "\n", "line {}: {}", ((w.get("line"), w.get("message")) for w in dump.warnings)
        )
        more = dump.warnings_unlisted
        tail = format_html("\n… and {} more", more) if more > 0 else ""
        return format_html(
            '<pre style="margin:0;white-space:pre-wrap;max-height:30em;overflow:auto">{}{}</pre>',
            lines,
            tail,
        )

    # --- upload ------------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view(self.upload_view)
        # Read before the body is (config.middleware): as many files as one upload may hold,
        # each up to the dump limit, from those who may upload here, known by their session.
        # Never below what any request may send: within it, a file over the limit is refused
        # by dump_create with its own sentence, and the other files go on.
        declare_upload_limits(
            view,
            UploadLimits(
                limit=lambda: max(
                    settings.REQUEST_MAX_BODY_BYTES,
                    settings.DUMP_MAX_UPLOAD_BYTES * settings.DUMP_MAX_FILES_PER_UPLOAD,
                ),
                allows=self.may_send_an_upload,
                message=MSG_REQUEST_TOO_LARGE,
                max_files=lambda: settings.DUMP_MAX_FILES_PER_UPLOAD,
            ),
        )
        upload = path("upload/", view, name=f"{self.opts.app_label}_{self.opts.model_name}_upload")
        return [upload, *super().get_urls()]

    def may_send_an_upload(self, request) -> bool:
        return self.admin_site.has_permission(request) and self.has_upload_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_upload_permission": self.has_upload_permission(request),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def upload_view(self, request):
        if not self.has_upload_permission(request):
            raise PermissionDenied
        changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        if request.method == "POST":
            form = DumpUploadForm(request.POST, request.FILES)
            if too_many_files(request):
                # The upload was read only up to one file over the limit (see get_urls).
                limit = settings.DUMP_MAX_FILES_PER_UPLOAD
                form.add_error("files", MSG_TOO_MANY_FILES.format(limit=limit))
            elif form.is_valid():
                for file in form.cleaned_data["files"]:
                    self._upload_one(request, file, form.cleaned_data)
                return HttpResponseRedirect(changelist)
        else:
            form = DumpUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload dumps",
            "opts": self.opts,
            "form": form,
            "changelist_url": changelist,
            "max_upload": settings.DUMP_MAX_UPLOAD_BYTES,
        }
        return TemplateResponse(request, "admin/papers/dump/upload.html", context)

    def _upload_one(self, request, file, data: dict) -> None:
        try:
            dump = dump_create(
                file=file,
                original_name=file.name,
                uploaded_by=request.user,
                digest_date=data.get("digest_date"),
                publish=data.get("publish", False),
            )
        except DomainError as exc:
            self.message_user(
                request,
                MSG_UPLOAD_REFUSED.format(name=file.name, message=exc.message),
                messages.ERROR,
            )
            return
        # In-process tasks may have run the ingestion already: say where it stands now.
        dump.refresh_from_db()
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[dump.pk])
        if dump.status == DumpStatus.FAILED:
            text = MSG_UPLOAD_FAILED.format(name=file.name, id=dump.pk, error=dump.error)
            level = messages.ERROR
        else:
            text = MSG_UPLOADED.format(name=file.name, id=dump.pk, status=dump.get_status_display())
            level = messages.SUCCESS
        self.message_user(request, format_html('<a href="{}">{}</a>', url, text), level)
