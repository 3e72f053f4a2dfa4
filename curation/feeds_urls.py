"""RSS and Atom feeds, mounted under /feeds/ by config.urls."""

from django.urls import path

from curation import feeds

urlpatterns = [
    path("rss/", feeds.PapersRssFeed(), name="feed-rss"),
    path("atom/", feeds.PapersAtomFeed(), name="feed-atom"),
    path("tags/<slug:slug>/rss/", feeds.TagRssFeed(), name="feed-tag-rss"),
    path("tags/<slug:slug>/atom/", feeds.TagAtomFeed(), name="feed-tag-atom"),
]
