"""The URL of every page of the built site, and the file that holds it.

URLs are kept site-relative without a leading slash ('articles/x/'); `href`
adds the base path, so the same build works at '/' and at '/archive/'.
"""

from __future__ import annotations

from dataclasses import dataclass

ARTICLES = "articles"
PEOPLE = "people"
PLACES = "places"
TAGS = "tags"
TIMELINE = "timeline"

# What all languages share, at one URL: the theme's files, photographs, the search index, open data.
SHARED = ("assets/", "images/", "pagefind", "data/")

RESERVED = frozenset(
    {ARTICLES, PEOPLE, PLACES, TAGS, TIMELINE, "page", "search", "assets", "data", "feeds", "images", "pagefind"}
)


def section(kind: str) -> str:
    """The index page of a kind: 'people/'."""
    return f"{kind}/"


def item(kind: str, slug: str) -> str:
    """One item's page: 'people/leyla-abdullayeva/'."""
    return f"{kind}/{slug}/"


def free_page(slug: str) -> str:
    """A free page at the root: 'about/'."""
    return f"{slug}/"


def paged(url: str, number: int) -> str:
    """Page `number` of a paginated list: 'people/x/page/2/' (page 1 is the list itself)."""
    return url if number <= 1 else f"{url}page/{number}/"


def timeline_year(year: int) -> str:
    """A year of the timeline: 'timeline/1992/'; years before 1 as '-0044'."""
    return f"{TIMELINE}/{year:04d}/" if year >= 0 else f"{TIMELINE}/-{-year:04d}/"


def output_file(url: str) -> str:
    """The file behind a URL: 'articles/x/' → 'articles/x/index.html'."""
    if url == "" or url.endswith("/"):
        return f"{url}index.html"
    return url


@dataclass(frozen=True)
class Linker:
    """Turns site-relative URLs into links for a given base path and origin."""

    base_path: str = "/"
    origin: str = ""
    prefix: str = ""  # the language of the pages that link: '' or 'az/'

    def href(self, url: str) -> str:
        """A link usable in any page of the site: '/archive/people/x/' ('/archive/az/people/x/' from Azerbaijani pages)."""
        if "://" in url or url.startswith(("#", "mailto:", "//")):
            return url
        url = url.lstrip("/")
        if self.prefix and not url.startswith(SHARED):
            return self.base_path + self.prefix + url
        return self.base_path + url

    def absolute(self, url: str) -> str:
        """A full URL for feeds, sitemaps and canonical links (origin-less when unknown); outside URLs as they are."""
        if "://" in url or url.startswith("//"):
            return url
        return self.origin + self.href(url)
