"""Comment Markdown rendered safe: exact output for a few, properties for a hostile corpus."""

from html.parser import HTMLParser

import pytest

from curation.markdown import ALLOWED_TAGS, render_markdown


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "Read [the paper](https://arxiv.org/abs/1706.03762).",
            '<p>Read <a href="https://arxiv.org/abs/1706.03762" rel="nofollow ugc">'
            "the paper</a>.</p>\n",
        ),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
        ('<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror="alert(1)"&gt;</p>\n'),
        (
            "![tracker](https://evil.example/p.png)",
            '<p>!<a href="https://evil.example/p.png" rel="nofollow ugc">tracker</a></p>\n',
        ),
        ("`<b>code</b>`", "<p><code>&lt;b&gt;code&lt;/b&gt;</code></p>\n"),
        (
            "- one\n- two\n\n> quoted",
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n",
        ),
        (
            '[t](https://e.org "a title")',
            '<p><a href="https://e.org" title="a title" rel="nofollow ugc">t</a></p>\n',
        ),
    ],
)
def test_exact_output(text, html):
    assert render_markdown(text) == html


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6A%61%76%61%73%63%72%69%70%74:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    '[x](https://ok.example" onmouseover="alert(1))',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="position:fixed;top:0">overlay</div>',
    "<iframe src=https://evil.example></iframe>",
    "<object data=x></object><embed src=x>",
    "<form action=https://evil.example><input name=p></form>",
    "<!-- <script>alert(1)</script> -->",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    "<a href=https://ok.example onclick=alert(1)>x</a>",
    "[x](file:///etc/passwd)",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "**bold [x](javascript:alert(1)) _it_**",
    "\u0000<script>alert(1)</script>",
    "[x](<javascript:alert(1)>)",
    "[x](\\javascript:alert(1))",
]


class _Audit(HTMLParser):
    """Collects what a browser would build from the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_rendered_harmless(text):
    html = render_markdown(text)
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered and "<svg" not in lowered and "<iframe" not in lowered
    audit = _Audit()
    audit.feed(html)
    assert set(audit.tags) <= ALLOWED_TAGS
    for name, value in audit.attributes:
        assert name in {"href", "title", "rel", "start"}, name
        assert not name.startswith("on")
        if name == "href":
            scheme = value.split(":", 1)[0].lower() if ":" in value else ""
            assert scheme in {"http", "https", "mailto"}, value
    # No "javascript:", "onerror" and the like where they could act: inside a tag.
    for tag_text in _tags_of(lowered):
        for word in ("javascript:", "vbscript:", "data:", "onerror", "onload", "style="):
            assert word not in tag_text


def _tags_of(html: str) -> list[str]:
    parts = []
    start = html.find("<")
    while start != -1:
        end = html.find(">", start)
        parts.append(html[start : end + 1 if end != -1 else None])
        start = html.find("<", start + 1)
    return parts


def test_every_link_gets_nofollow_ugc():
    html = render_markdown("[a](https://a.example) <https://b.example> [c](mailto:c@example.com)")
    assert html.count('rel="nofollow ugc"') == 3
