"""Markdown to safe HTML: Python-Markdown for the text, nh3 for the allow-list."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

import markdown
import nh3
from markdown import inlinepatterns
from markdown.blockparser import State
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

from . import mdguard
from .frontmatter import NOT_TEXT
from .mdguard import NESTED, Unrenderable
from .slugs import slugify
from .typography import SmartPunctuation

# Python-Markdown's own, and smarty's rules for quotes, dashes and ellipses made fast (memoria.typography).
EXTENSIONS = ["extra", "toc", "sane_lists"]

_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp",
    "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir", "class"},
    "a": {"href", "hreflang", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "data": {"value"},
    "del": {"datetime"},
    "ins": {"datetime"},
}
_IFRAME_ATTRIBUTES = {"src", "title", "width", "height", "allow", "allowfullscreen", "loading", "referrerpolicy"}
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")
_FOOTNOTE_REF = re.compile(r'<sup id="fnref[^"]*">.*?</sup>', re.S)


# The ids the default theme gives its own parts (skip link, sections, events, years, letters): the text
# of an article or a biography may not take them, or a link to one would land in the text.
_THEME_ID = re.compile(
    r'\sid="(?:main_content|site_search|search_setup|search_scope|search|images_gallery|cite_this|events|articles'
    r'|event_\d+|y-?\d+|letter-\d+)"'
)


def _heading_id(value: str, separator: str) -> str:
    return slugify(value) or "section"


@lru_cache(maxsize=8)
def _cleaner(base_path: str, embeds: tuple[str, ...]) -> nh3.Cleaner:
    def rebase(url: str) -> str:
        # Site-relative links in Markdown follow the site to its sub-path.
        if url.startswith("/") and not url.startswith("//"):
            return base_path + url[1:]
        return url

    def allow_embed(tag: str, attribute: str, value: str) -> str | None:
        if tag == "iframe" and attribute == "src":
            return value if _embed_allowed(value, embeds) else None
        return value

    tags, attributes = set(_TAGS), dict(_ATTRIBUTES)
    if embeds:
        tags.add("iframe")
        attributes["iframe"] = _IFRAME_ATTRIBUTES
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes=attributes,
        attribute_filter=allow_embed if embeds else None,
        link_rel=None,
        url_schemes={"http", "https", "mailto", "tel"},
        filter_style_properties={"text-align"},
        url_relative=rebase,
    )


def _embed_allowed(url: str, embeds: tuple[str, ...]) -> bool:
    match = re.match(r"^https://([^/?#:]+)(?:[/?#]|$)", url)
    if not match:
        return False
    host = match.group(1).lower()
    return any(host == allowed or host.endswith("." + allowed) for allowed in embeds)


# A character without which an inline pattern of Python-Markdown cannot match, by its regular expression.
_NEEDS = {
    inlinepatterns.BACKTICK_RE: "`",
    inlinepatterns.ESCAPE_RE: "\\",
    inlinepatterns.LINK_RE: "[",  # and REFERENCE_RE, the same
    inlinepatterns.IMAGE_LINK_RE: "[",  # and IMAGE_REFERENCE_RE
    inlinepatterns.AUTOLINK_RE: "<",
    inlinepatterns.AUTOMAIL_RE: "<",
    inlinepatterns.LINE_BREAK_RE: "\n",
    inlinepatterns.HTML_RE: "<",
    inlinepatterns.ENTITY_RE: "&",
    r"\[\^([^\]]*)\]": "[",  # the footnotes extension's
}


class _QuickInline(InlineProcessor):
    """Python-Markdown's inline processor, which tries each pattern on each piece of text: here a pattern
    is not tried on a piece that lacks the character it needs (most of a prose paragraph needs none).
    The output is the same (tests/test_markup.py); a third of Markdown's time was spent trying."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.needs: list[str | None] = []

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self.needs = [_needs(pattern) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString):
            return data
        if patternIndex == 0 and len(data) > mdguard.LONG:
            return "".join(self._InlineProcessor__handleInline(piece) for piece in mdguard.pieces(data))
        patterns, needs = self.inlinePatterns, self.needs
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        start = 0
        while patternIndex < len(needs):
            need = needs[patternIndex]
            if need is not None and not any(char in data for char in need):
                patternIndex, start = patternIndex + 1, 0
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def _needs(pattern: Any) -> str | None:
    """The characters one of which `pattern` cannot match without; None when not known."""
    if isinstance(pattern, inlinepatterns.DelimiterProcessor):
        return "".join(token[0] for token in pattern.tokens)
    regex = getattr(pattern, "pattern", None)
    return _NEEDS.get(regex) if isinstance(regex, str) and type(pattern).__module__.startswith("markdown.") else None


# Elements one inside another that the text's HTML may open: the sanitiser's HTML parser takes time
# growing faster than the square of the depth (64,000 unclosed <div>s: 44 s), and no text needs more.
MAX_DEPTH = 512
_TAG_OPEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?=[\s/>])")  # not an autolink <https://…>
# Elements that contain nothing, or that the next of their kind closes without an end tag.
_NOT_NESTED = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rt", "rp",
    "colgroup", "caption",
}  # fmt: skip


# HTML's elements that hold others: what the depth of a Markdown text's own HTML counts (not the
# `<String>` of `Vec<String>` in its code, which Python-Markdown escapes).
_ELEMENTS = frozenset(_TAGS) | {
    "address", "article", "aside", "audio", "body", "button", "canvas", "dialog", "fieldset", "footer",
    "form", "header", "hgroup", "html", "iframe", "label", "legend", "main", "map", "math", "menu", "nav",
    "noscript", "object", "picture", "section", "select", "svg", "template", "textarea", "video",
}  # fmt: skip


def _depth(raw_html: str, names: frozenset[str] | None = None) -> int:
    """How many elements deep `raw_html` goes at most, counting their start and end tags (of the
    elements `names`, or any)."""
    if raw_html.count("<") <= MAX_DEPTH:
        return 0  # cannot be deeper than it has tags
    depth = deepest = 0
    for match in _TAG_OPEN.finditer(raw_html):
        name = match.group(2).lower()
        if name in _NOT_NESTED or (names is not None and name not in names):
            continue
        if match.group(1):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


class Renderer:
    """Renders Markdown for one site; keep one per process (Markdown objects are reused)."""

    def __init__(self, base_path: str = "/", embeds: tuple[str, ...] = ()):
        self.base_path = base_path
        self.embeds = embeds
        config: dict[str, Any] = {"toc": {"slugify": _heading_id}}
        extensions: list[str | Extension] = [*EXTENSIONS, SmartPunctuation()]
        self._md = markdown.Markdown(extensions=extensions, extension_configs=config, output_format="html")
        self._md.treeprocessors.register(_QuickInline(self._md), "inline", 20)
        self._budget = mdguard.install(self._md)

    def render(self, text: str) -> str:
        """Markdown text to sanitised HTML; mdguard.Unrenderable past a limit (nested too deeply, …)."""
        self._budget.reset(text)
        if _depth(text, _ELEMENTS) > MAX_DEPTH:  # the HTML blocks' parser takes long on it too
            raise Unrenderable(NESTED.format("HTML elements"))
        self._md.parser.state = State()  # which a rendering stopped by an error leaves set
        try:
            raw = self._md.reset().convert(text)
        except RecursionError:
            raise Unrenderable(NESTED.format("lists or quotes")) from None
        if _depth(raw) > MAX_DEPTH:
            raise Unrenderable(NESTED.format("HTML elements"))
        # What a character reference (&#1;, &#xFFFE;) makes that neither HTML nor XML (the feeds) takes is
        # shown as U+FFFD, the replacement character (a raw one in the file is refused: frontmatter.decode).
        clean = NOT_TEXT.sub("\ufffd", sanitise(raw, self.base_path, self.embeds))
        return _THEME_ID.sub("", clean) if ' id="' in clean else clean


def sanitise(raw_html: str, base_path: str = "/", embeds: tuple[str, ...] = ()) -> str:
    """Keep only allowed tags, attributes and URL schemes; rebase site-relative links."""
    return _cleaner(base_path, embeds).clean(raw_html)


def first_paragraph(rendered: str) -> str:
    """The first paragraph of rendered HTML, as plain text (a default summary)."""
    match = _PARAGRAPH.search(rendered)
    return plain_text(_FOOTNOTE_REF.sub("", match.group(1))) if match else ""


def plain_text(fragment: str) -> str:
    """HTML fragment to text, tags dropped and white space folded."""
    text = html.unescape(_TAG.sub("", fragment))
    return " ".join(text.split())


IMG = re.compile(r"<img\b[^>]*>")
# What a Markdown image must end with to be taken as a file of the project (others are left as written).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".avif", ".svg")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def attributes(tag: str) -> dict[str, str]:
    """The attributes of one tag of sanitised HTML (always double-quoted there), unescaped."""
    return {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}


def is_local(src: str) -> bool:
    """True for a link to a file of the site rather than to another site or a data: URL."""
    return bool(src) and not src.startswith(("//", "#")) and ":" not in src.split("/")[0]


def local_images(body: str, rendered: str, base_path: str, first_line: int) -> list[tuple[str, str, int]]:
    """(src as written, alt, line) of each image of rendered Markdown that is a file of the project.

    The renderer has already rebased '/assets/x.jpg' to the base path; it is given back as written.
    The line is that of the first place the body mentions the src (the image, or its reference).
    """
    found = []
    for tag in IMG.findall(rendered):
        attrs = attributes(tag)
        src = attrs.get("src", "")
        if not is_local(src) or not src.lower().endswith(IMAGE_SUFFIXES):
            continue
        if src.startswith(base_path) and base_path != "/":
            src = "/" + src[len(base_path) :]
        at = body.find(src)
        found.append((src, attrs.get("alt", ""), first_line + body.count("\n", 0, max(at, 0))))
    return found


_ANCHOR = re.compile(r'<a\b[^>]*?\bhref="([^"#]*)(?:#[^"]*)?"[^>]*>(.*?)</a>', re.S)


def unlink_urls(fragment: str, hrefs: set[str]) -> str:
    """Replace links to any of `hrefs` (with or without a #fragment) by their text."""
    return _ANCHOR.sub(lambda m: m.group(2) if m.group(1) in hrefs else m.group(0), fragment)
