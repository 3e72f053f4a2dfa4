"""The interactive API docs (/api/docs/) run only this site's own scripts, under the site's
Content-Security-Policy: Swagger UI's files come with the app (drf-spectacular-sidecar), its
start-up script and the page's styles are same-origin files, not inline. So the page works
without internet and runs no third party's code on our origin. (In Chromium:
tests/frontend/test_api_docs_browser.py.)
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db


def directives(policy: str) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in policy.split(";"))


def test_the_docs_page_references_only_same_origin_scripts_and_styles(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    body = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert len(scripts) == 3  # Swagger UI, its preset, the start-up script
    for tag in scripts:
        src = re.search(r'\bsrc="([^"]+)"', tag)
        assert src, f"inline script: {tag}"
        assert not urlsplit(src[1]).netloc, src[1]
    assert [text.strip() for text in re.findall(r"<script\b[^>]*>(.*?)</script>", body, re.S)] == [
        ""
    ] * 3
    links = re.findall(r'<link\b[^>]*href="([^"]+)"', body)
    assert links and all(not urlsplit(href).netloc for href in links)
    assert "cdn." not in body and "https://" not in body


def test_the_docs_page_and_its_script_carry_the_sites_policy(client):
    page = client.get("/api/docs/")
    policy = directives(page["Content-Security-Policy"])

    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert "unsafe-eval" not in page["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"

    start = re.search(r'<script src="([^"]*script=[^"]*)"', page.content.decode())[1]
    script = client.get(start.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in script.content.decode()


def test_the_swagger_ui_files_come_with_the_app(client):
    from django.contrib.staticfiles import finders

    body = client.get("/api/docs/").content.decode()
    paths = re.findall(r'(?:src|href)="/static/([^"?]+)"', body)
    assert len(paths) == 5  # two scripts, two style sheets, the icon
    for path in paths:
        assert finders.find(path), path
