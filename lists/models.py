"""Lists of papers: a member's personal lists (theirs alone) and team lists (every member
reads them; their owner and the editors the owner adds change them).

Every write goes through lists.services and every read through lists.selectors, which keep
the two rules: who may see a list, and that a list never shows a paper its reader may not
open (curation.selectors.papers_visible_to). Nothing here has side effects.
"""

from django.conf import settings
from django.db import models

from papers.models import Paper

LIST_NAME_MAX_LENGTH = 120


class ListVisibility(models.TextChoices):
    PERSONAL = "personal", "Personal (only me)"
    TEAM = "team", "Team (every member)"


class PaperList(models.Model):
    # No index of its own: (owner, -id) below serves lookups by owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="paper_lists",
        db_index=False,
    )
    name = models.CharField(max_length=LIST_NAME_MAX_LENGTH)
    visibility = models.CharField(
        max_length=16, choices=ListVisibility.choices, default=ListVisibility.PERSONAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved by the services on every change of the list or its items.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # "My lists" and the API's list, newest first: mine, and the team's.
            models.Index(fields=["owner", "-id"], name="paperlist_owner_idx"),
            models.Index(fields=["visibility", "-id"], name="paperlist_visibility_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_team(self) -> bool:
        return self.visibility == ListVisibility.TEAM


class ListEditor(models.Model):
    """A member the owner of a team list lets change its papers."""

    # No index of its own: the unique (paper_list, user) index serves lookups by list.
    paper_list = models.ForeignKey(
        PaperList, on_delete=models.CASCADE, related_name="editors", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper_list", "user"], name="listeditor_unique_user"),
        ]

    def __str__(self) -> str:
        return f"editor {self.user_id} of list {self.paper_list_id}"


class ListItem(models.Model):
    """A paper on a list, at its place, with a note (Markdown, sanitized when written).

    `position` runs 1, 2, 3... in the list's order; the services keep it so (dense, no two
    alike) under the list's row lock. It carries no unique constraint: moving an item shifts
    a run of its neighbours by one in a single UPDATE, which a unique index would refuse
    half-way on PostgreSQL (it checks each row as it is written)."""

    # No index of its own: the unique (paper_list, paper) index serves lookups by list.
    paper_list = models.ForeignKey(
        PaperList, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="list_items")
    position = models.PositiveIntegerField()
    note = models.TextField(blank=True, help_text="Markdown, as written.")
    note_html = models.TextField(blank=True, help_text="Sanitized HTML, rendered when written.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paper_list", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["paper_list", "paper"], name="listitem_unique_paper"),
        ]
        # A list's page, in its order (the keyset of its pages).
        indexes = [
            models.Index(fields=["paper_list", "position", "id"], name="listitem_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} at {self.position} on list {self.paper_list_id}"
