"""RSS 2.0 and Atom feeds of published papers, overall and per tag (Django's syndication
framework).

The papers come from curation.selectors.papers_list (published only, newest digest day first,
tags prefetched), so a feed follows the same rules as the API's list and costs the same
constant number of queries whatever it holds: the papers, their tags, and the tag itself for
a tag's feed.

Escaping: the framework's XML writer escapes every text node, so any title parses. Beyond
that, an RSS <description> and an Atom <summary type="html"> are read as HTML by feed
readers, and many readers render an RSS <title> as HTML too (why Django's default
item_title escapes, ticket #6533); an abstract or title is plain text, so it is HTML-escaped
once more there, and so is a tag's name in the title and description of its RSS channel.
An Atom <title> or <subtitle> is declared text, so it goes out as it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape

from curation.models import Tag
from curation.selectors import papers_list
from papers.models import Paper

FEED_SIZE = 50
FEED_ORDER = "new"  # latest digest day first, then newest id (selectors.FEED_ORDERINGS)


def paper_link(paper: Paper) -> str:
    """Where a feed item points: the paper's web page (the framework makes it absolute with
    the request's host)."""
    return reverse("paper", args=[paper.pk])


def papers_link(tag: Tag | None = None) -> str:
    """Where a feed as a whole points: the web page of the list it mirrors."""
    return reverse("tag", args=[tag.slug]) if tag is not None else reverse("home")


class PapersRssFeed(Feed):
    """The newest published papers."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    # Text here, a method of the tag in a tag's feed (the framework takes either).
    title: str | Callable[[Tag], str] = "Paperboard: new papers"
    description: str | Callable[[Tag], str] = "The newest published papers on Paperboard."

    def link(self, obj=None) -> str:
        return papers_link(obj)

    def items(self, obj=None):
        tags = [obj.slug] if obj is not None else []
        return papers_list(order=FEED_ORDER, tags=tags)[:FEED_SIZE]

    def as_html(self, text: str) -> str:
        """Plain text for a field that RSS readers read as HTML (see the module doc)."""
        return text if issubclass(self.feed_type, Atom1Feed) else escape(text)

    def item_title(self, paper: Paper) -> str:
        return self.as_html(paper.title)

    def item_description(self, paper: Paper) -> str:
        return escape(paper.abstract)

    def item_link(self, paper: Paper) -> str:
        return paper_link(paper)

    def item_pubdate(self, paper: Paper) -> datetime.datetime:
        # A paper is published from its digest day on; midnight UTC of that day.
        assert paper.first_digest_on is not None  # papers_list lists none without it
        return datetime.datetime.combine(
            paper.first_digest_on, datetime.time.min, tzinfo=datetime.UTC
        )

    def item_categories(self, paper: Paper) -> list[str]:
        # Prefetched by papers_list (selectors.with_tags): no query per item.
        return [paper_tag.tag.name for paper_tag in paper.paper_tags.all()]


class PapersAtomFeed(PapersRssFeed):
    feed_type = Atom1Feed
    subtitle = PapersRssFeed.description


class TagRssFeed(PapersRssFeed):
    """The newest published papers with one tag; 404 for a slug not in the vocabulary."""

    def get_object(self, request, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag: Tag) -> str:
        return self.as_html(f"Paperboard: papers tagged {tag.name}")

    def description(self, tag: Tag) -> str:
        return self.as_html(f"The newest published papers tagged {tag.name} on Paperboard.")


class TagAtomFeed(TagRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, tag: Tag) -> str:
        return self.description(tag)
