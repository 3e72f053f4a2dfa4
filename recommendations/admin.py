"""The fitted versions, read-only: they are written by the fit (manage.py recommendations_fit,
the beat schedule), never by hand."""

from django.contrib import admin

from recommendations.models import FeatureVersion


@admin.register(FeatureVersion)
class FeatureVersionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "status",
        "started_at",
        "finished_at",
        "paper_count",
        "vector_count",
        "text_features",
        "author_features",
        "neighbour_method",
    )
    list_filter = ("status",)
    exclude = ("model",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("model")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
