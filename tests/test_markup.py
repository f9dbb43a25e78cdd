"""Markdown to safe HTML: the allow-list, embeds, site-relative links, summaries."""

from __future__ import annotations

import pytest

from memoria.markup import Renderer, first_paragraph, sanitise, unlink_urls


def test_markdown_features() -> None:
    html = Renderer().render(
        '## A "quoted" head\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\nNote[^1]\n\n[^1]: Source -- Trend\n'
    )
    assert '<h2 id="a-quoted-head">A “quoted” head</h2>' in html
    assert '<th style="text-align:left">a</th>' in html
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert "Source – Trend" in html


def test_headings_in_other_scripts_get_ascii_ids() -> None:
    assert '<h2 id="rechi">Речи</h2>' in Renderer().render("## Речи\n")
    assert '<h2 id="section">!!!</h2>' in Renderer().render("## !!!\n")


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<style>body{display:none}</style>",
        '<form action="/x"><input name="q"></form>',
    ],
)
def test_dangerous_html_is_removed(dangerous: str) -> None:
    html = sanitise(dangerous)
    for word in ("script", "onerror", "javascript", "vbscript", "data:", "iframe", "style", "<form", "<input"):
        assert word not in html.lower(), html


def test_embeds_only_from_the_allow_list() -> None:
    allowed = '<iframe src="https://www.youtube-nocookie.com/embed/x" title="Video" onload="alert(1)"></iframe>'
    other = '<iframe src="https://youtube-nocookie.com.evil.example/embed/x"></iframe>'
    plain = '<iframe src="http://www.youtube-nocookie.com/embed/x"></iframe>'
    embeds = ("youtube-nocookie.com",)
    assert (
        sanitise(allowed, "/", embeds)
        == '<iframe src="https://www.youtube-nocookie.com/embed/x" title="Video"></iframe>'
    )
    assert sanitise(other, "/", embeds) == "<iframe></iframe>"
    assert sanitise(plain, "/", embeds) == "<iframe></iframe>"
    assert "iframe" not in sanitise(allowed)


def test_site_relative_links_follow_the_base_path() -> None:
    html = Renderer("/archive/").render(
        "[a](/people/x/) [b](#here) [c](https://example.org/) [d](//cdn.example/x) ![e](/assets/e.png)"
    )
    assert 'href="/archive/people/x/"' in html
    assert 'href="#here"' in html
    assert 'href="https://example.org/"' in html
    assert 'href="//cdn.example/x"' in html
    assert 'src="/archive/assets/e.png"' in html


def test_first_paragraph_is_plain_text() -> None:
    assert (
        first_paragraph('<h2>x</h2><p>One <em>two</em> &amp; three<sup id="fnref:1"><a>1</a></sup>.</p><p>Next</p>')
        == "One two & three."
    )


def test_unlink_keeps_the_text() -> None:
    html = '<p><a href="/people/a/">A</a>, <a href="/people/b/#x">B</a>, <a href="/people/c/">C</a></p>'
    assert unlink_urls(html, {"/people/a/", "/people/b/"}) == '<p>A, B, <a href="/people/c/">C</a></p>'


def test_no_javascript_url_survives_in_a_cite_attribute() -> None:
    html = Renderer().render('<blockquote cite="javascript:alert(1)">Q</blockquote> <q cite="javascript:x">q</q>')
    assert "javascript" not in html and "<blockquote>Q</blockquote>" in html


def test_the_text_cannot_take_the_ids_of_the_themes_own_parts() -> None:
    """A raw id, or a heading's, that the theme gives its skip link, sections, events or years is dropped."""
    html = Renderer().render(
        '<span id="main_content">a</span> <span id="event_1">b</span> <span id="own">c</span>\n\n## Events\n\n## Later'
    )
    assert 'id="main_content"' not in html and 'id="event_1"' not in html and 'id="events"' not in html
    assert '<span id="own">c</span>' in html and '<h2 id="later">Later</h2>' in html


INLINE_SAMPLES = [
    "A paragraph of prose with no mark-up at all, in two sentences. The second one.",
    "Code: `a * b` and ``a ` b`` and \\`not code\\` and \\\\`code after an escaped backslash`.",
    "Escapes: \\*not em\\*, \\_not em\\_, \\[not a link\\], 1\\. not a list, a \\\\ backslash.",
    "*em*, **strong**, ***both***, _em_, __strong__, a*b*c, snake_case_word, 2 * 3 * 4, ** not strong **.",
    'Links: [inline](https://example.org/a_b "Title"), [ref][r], [r], ![img](/a.png "t"), ![ref img][r].\n\n'
    "[r]: https://example.org/ref",
    "Autolinks <https://example.org/x_y> and <mailto:someone@example.org> and <someone@example.org>.",
    "Line one  \nline two\\\nline three.",
    'Inline <b>html</b>, <span lang="az">söz</span>, <!-- a comment -->, a < b > c, &amp; &copy; &#169; &#xA9; & alone.',
    "A footnote[^1] and another[^note], and [^missing].\n\n[^1]: The first.\n[^note]: The *second*.",
    "*[HTML]: HyperText Markup Language\n\nThe HTML spec.",
    "A paragraph with attributes.\n{: .lead #intro }",
    "| a | b |\n|---|---|\n| *x* | `y` |\n| [l](/l) | &amp; |",
    "\"Quotes\" and 'single' and -- dashes --- and ... ellipses, «guillemets».",
    "Unbalanced [brackets and (parens and `ticks and *stars and <tags and &ents",
    "# Heading with *em* and `code`\n\nText under it.\n\n## Əli Məmmədov — _xatirə_",
    "> A quote with **strong** and a [link](/x).\n\n- item *one*\n- item `two`\n\n1. first\n2. second",
    "Deep *nesting **of [links *in* em](/x)** here*.",
]


@pytest.mark.parametrize("text", INLINE_SAMPLES)
def test_inline_patterns_skipped_for_want_of_their_character_change_nothing(text: str) -> None:
    """markup._QuickInline tries a pattern only on text that has the character it needs: the same
    HTML as Python-Markdown's own inline processor, on every kind of inline mark-up."""
    from markdown.treeprocessors import InlineProcessor

    stock = Renderer()
    stock._md.treeprocessors.register(InlineProcessor(stock._md), "inline", 20)
    assert type(Renderer()._md.treeprocessors["inline"]) is not InlineProcessor
    assert Renderer().render(text) == stock.render(text)
