"""Find broken internal links, images, stylesheets, scripts and #anchors in a built site.

Every HTML file is parsed once; links are then resolved the way GitHub Pages serves the
site: under the base path, 'dir/' is 'dir/index.html', 'dir' redirects to 'dir/' and
'name' may be served from 'name.html'. Links with a scheme (http:, mailto:, ...) or to
another host are not checked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .parallel import map_forked

# Below this many pages, starting worker processes costs more than it saves.
_PARALLEL_FROM = 500

# The attributes that make the browser fetch or navigate to a URL.
_URL_ATTRIBUTES = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "object": ("data",),
}


# The inside of a start tag: quoted values may hold '>'.
_INSIDE = r"""[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*"""
# Comments and script or style bodies (skipped), and start tags with attributes.
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|(<(script|style)\b" + _INSIDE + r">).*?</\2\s*>"
    r"|<([a-zA-Z][^\s/>]*)\s" + _INSIDE + ">",
    re.DOTALL | re.IGNORECASE,
)
_ANCHOR = re.compile(r"\b(?:id|name)\s*=", re.IGNORECASE)


@dataclass
class ParsedPage:
    """What one HTML file holds: the targets of its anchors and the URLs it uses."""

    anchors: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = _URL_ATTRIBUTES.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.page.anchors.add(value)
            elif name in wanted:
                if name == "srcset":
                    self.page.links.extend(_srcset_urls(value))
                else:
                    self.page.links.append(value.strip())

    handle_startendtag = handle_starttag


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset: 'a.jpg 1x, b.jpg 2x' → ['a.jpg', 'b.jpg']."""
    return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


def parse_page(text: str) -> ParsedPage:
    """The anchors and links of one HTML document."""
    parser = _PageParser()
    parser.feed("".join(_relevant_tags(text)))
    parser.close()
    return parser.page


def _relevant_tags(text: str) -> Iterator[str]:
    """The start tags that can hold a URL or an anchor, in order.

    html.parser spends most of its time on text, end tags and plain tags like <p>; only
    these few tags reach it, which makes a large site three times faster to check.
    """
    for match in _MARKUP.finditer(text):
        raw_text_tag, raw_name, name = match.group(1, 2, 3)
        if raw_text_tag:
            # Close it too: the parser would otherwise read the rest of the page as script text.
            yield f"{raw_text_tag}</{raw_name}>"
        elif name and (name.lower() in _URL_ATTRIBUTES or _ANCHOR.search(match.group(0))):
            yield match.group(0)


def _normal_base(base_path: str) -> str:
    path = urlsplit(base_path).path or "/"
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def _page_url(base: str, relpath: str) -> str:
    """The URL a file is served at: 'a/index.html' → '/base/a/'."""
    if relpath == "index.html" or relpath.endswith("/index.html"):
        relpath = relpath[: -len("index.html")]
    return base + relpath


def _site_files(root: Path) -> set[str]:
    """Every file of the site, as POSIX paths relative to the root."""
    files: set[str] = set()
    for folder, _dirs, names in os.walk(root):
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        files.update(prefix + name for name in names)
    return files


def _target_file(path: str, base: str, files: set[str]) -> str | None:
    """The site file served at a URL path, or None when the path answers 404."""
    if path + "/" == base:
        path = base
    if not path.startswith(base):
        return None
    rel = path[len(base) :]
    if rel == "" or rel.endswith("/"):
        return rel + "index.html" if rel + "index.html" in files else None
    return next((name for name in (rel, rel + "/index.html", rel + ".html") if name in files), None)


def check_site(root: Path, base_path: str) -> list[str]:
    """One 'page: link' line for each broken internal link, image, stylesheet, script or #anchor."""
    base = _normal_base(base_path)
    files = _site_files(root)
    html_files = sorted(rel for rel in files if rel.endswith(".html"))

    def read(rel: str) -> ParsedPage:
        return parse_page((root / rel).read_text(encoding="utf-8", errors="replace"))

    pages = dict(zip(html_files, map_forked(read, html_files, minimum=_PARALLEL_FROM), strict=True))
    resolved: dict[tuple[str, str], tuple[str | None, str] | None] = {}
    problems: list[str] = []
    for rel, page in pages.items():
        url = _page_url(base, rel)
        reported: set[str] = set()
        for link in page.links:
            # An absolute path leads to the same place from every page: resolve it once.
            key = ("", link) if link.startswith("/") else (url, link)
            if key not in resolved:
                resolved[key] = _resolve(link, url, base, files)
            target = resolved[key]
            if target is None or link in reported:
                continue
            if not _reaches(target, pages):
                reported.add(link)
                problems.append(f"{rel}: {link}")
    return problems


def _resolve(link: str, page_url: str, base: str, files: set[str]) -> tuple[str | None, str] | None:
    """The file a link leads to (None if none) and its fragment; None for a link not checked."""
    parts = urlsplit(urljoin(page_url, link))
    if parts.scheme or parts.netloc:
        return None
    return _target_file(unquote(parts.path), base, files), parts.fragment


def _reaches(target: tuple[str | None, str], pages: dict[str, ParsedPage]) -> bool:
    """Whether a resolved link finds its file and, in an HTML file, its #anchor."""
    file, fragment = target
    if file is None:
        return False
    if not fragment or fragment == "top" or file not in pages:
        return True
    anchors = pages[file].anchors
    return fragment in anchors or unquote(fragment) in anchors
