"""What machines read of a page: schema.org JSON-LD, and the image of share cards.

The theme calls these as Jinja filters (see render.py); each returns plain data
that `jsonld` turns into the text of a `<script type="application/ld+json">`.
Only what the page's own context holds is used, so a page's fingerprint covers it.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup

from .archive import Entry
from .config import SiteConfig
from .dates import DateError, EDTFDate, parse_edtf
from .model import Article, Event, Mention, Page, Person
from .urls import Linker

Data = dict[str, Any]
SCHEMA = "https://schema.org"

# JSON may hold '</script>' or '<!--' in a title; in a script element those would end it early.
# (str.translate with a table of strings took a third of an article page's time: replace() is quicker.)
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def dump_jsonld(data: Data) -> Markup:
    """JSON for a script element: compact, deterministic, and unable to close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _SCRIPT_SAFE:
        if char in text:
            text = text.replace(char, escaped)
    return Markup(text)


def schema_date(value: EDTFDate | datetime.date | None) -> str | None:
    """An ISO 8601 date schema.org can take: a plain day, month or year of the common era; else None."""
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value.precision in ("year", "month", "day") and not (value.uncertain or value.approximate) and value.year >= 1:
        return value.iso
    return None


def date_range(value: EDTFDate) -> tuple[str | None, str | None]:
    """startDate and endDate of an event: both ends of a plain interval, or one plain date."""
    if value.precision != "interval":
        return schema_date(value), None
    try:
        first, last = (parse_edtf(side) for side in value.text.split("/"))
    except DateError:
        return None, None
    return schema_date(first), schema_date(last)


def _clean(data: Data) -> Data:
    """Leave out empty values: schema.org readers take a missing property better than an empty one."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


class Structured:
    """Builds the JSON-LD of each kind of page for one site (its name, language and links)."""

    def __init__(self, config: SiteConfig, linker: Linker):
        self.config = config
        self.linker = linker

    def link(self, url: str) -> str:
        """A full URL where the site's origin is known, else a path from the root ('/archive/people/x/')."""
        return self.linker.absolute(url)

    def share_image(self, src: str) -> str:
        """An image URL a share card can use: absolute, or '' when the site's origin is unknown."""
        if not src:
            return ""
        if src.startswith(("http://", "https://")):
            return src
        return self.linker.absolute(src) if self.config.origin else ""

    def website(self) -> Data:
        """The site itself, with the search it offers."""
        return _clean(
            {
                "@type": "WebSite",
                "@id": self.link("") + "#website",
                "name": self.config.title,
                "description": self.config.description,
                "url": self.link(""),
                "inLanguage": self.config.language,
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": self.link("search/") + "?q={search_term_string}",
                    "query-input": "required name=search_term_string",
                },
            }
        )

    def breadcrumbs(self, trail: Sequence[tuple[str, str]]) -> Data:
        """Home, then each (name, URL) of the trail."""
        steps = [(self.config.title, ""), *trail]
        items = [
            {"@type": "ListItem", "position": n, "name": name, "item": self.link(url)}
            for n, (name, url) in enumerate(steps, start=1)
        ]
        return {"@type": "BreadcrumbList", "itemListElement": items}

    def graph(self, *nodes: Data) -> Data:
        """One JSON-LD document of several nodes."""
        return {"@context": SCHEMA, "@graph": list(nodes)}

    def _person_ref(self, mention: Mention) -> Data:
        person = mention.person
        if person is None:
            return {"@type": "Person", "name": mention.ref}
        return {
            "@type": "Person",
            "@id": self.link(person.url) + "#person",
            "name": person.name,
            "url": self.link(person.url),
        }

    def _place(self, name: str) -> Data:
        return {"@type": "Place", "name": name}

    def _source(self, article: Article) -> Data | None:
        source = article.source
        if not (source.name or source.url):
            return None
        publisher = _clean({"@type": "Organization", "name": source.name, "address": source.place})
        return _clean(
            {
                "@type": "CreativeWork",
                "name": source.name or source.url,
                "url": source.url,
                "author": _clean({"@type": "Person", "name": source.author}) if source.author else None,
                "publisher": publisher if source.name else None,
                "datePublished": schema_date(source.date),
                "locationCreated": self._place(source.place) if source.place else None,
            }
        )

    def event(self, event: Event) -> Data:
        """An event of an article, as on its page."""
        start, end = date_range(event.date)
        return _clean(
            {
                "@type": "Event",
                "@id": self.link(event.article.url) + "#" + event.anchor,
                "name": event.title,
                "startDate": start,
                "endDate": end,
                "location": self._place(event.place) if event.place else None,
                "about": [self._person_ref(m) for m in event.people],
                "url": self.link(event.article.url) + "#" + event.anchor,
                "subjectOf": {"@id": self.link(event.article.url) + "#article"},
            }
        )

    def article(self, article: Article) -> Data:
        """An article's page: the article, its events, where it sits."""
        source = self._source(article)
        node = _clean(
            {
                "@type": "NewsArticle" if article.source.name else "Article",
                "@id": self.link(article.url) + "#article",
                "headline": article.title,
                "name": article.title,
                "description": article.summary,
                "url": self.link(article.url),
                "mainEntityOfPage": self.link(article.url),
                "datePublished": schema_date(article.date),
                "inLanguage": article.lang,
                "image": [self.link(image.url) for image in [*article.images, *article.inline_images] if image.url],
                "author": _clean({"@type": "Person", "name": article.source.author}) if article.source.author else None,
                "publisher": source.get("publisher") if source else None,
                "isBasedOn": source,
                "about": [self._person_ref(m) for m in article.people],
                "contentLocation": [self._place(place) for place in article.places],
                "keywords": ", ".join(article.tags),
                "isPartOf": {"@id": self.link("") + "#website"},
            }
        )
        events = [self.event(event) for event in article.events]
        return self.graph(node, *events, self.breadcrumbs([(article.title, article.url)]))

    def person(self, person: Person, page_url: str) -> Data:
        """A person's page: who they are, under every name."""
        node = _clean(
            {
                "@type": "Person",
                "@id": self.link(person.url) + "#person",
                "name": person.name,
                "alternateName": person.aliases,
                "jobTitle": person.role,
                "birthDate": schema_date(person.born),
                "deathDate": schema_date(person.died),
                "image": self.link(person.photo.url) if person.photo and person.photo.url else None,
                "url": self.link(person.url),
                "sameAs": [link.url for link in person.links if link.url.startswith(("http://", "https://"))],
            }
        )
        page = _clean(
            {
                "@type": "ProfilePage",
                "url": self.link(page_url),
                "name": person.name,
                "inLanguage": person.lang or self.config.language,
                "mainEntity": node,
                "isPartOf": {"@id": self.link("") + "#website"},
            }
        )
        trail = [("People", "people/"), (person.name, person.url)]
        return self.graph(page, self.breadcrumbs(trail))

    def page(self, page: Page) -> Data:
        """A free page."""
        node = _clean(
            {
                "@type": "WebPage",
                "name": page.title,
                "description": page.summary,
                "url": self.link(page.url),
                "inLanguage": page.lang,
                "isPartOf": {"@id": self.link("") + "#website"},
            }
        )
        return self.graph(node, self.breadcrumbs([(page.title, page.url)]))

    def collection(self, page_url: str, name: str, trail: Sequence[tuple[str, str]] = ()) -> Data:
        """A page that lists others: the index, the book of names, places, tags."""
        node = _clean(
            {
                "@type": "CollectionPage",
                "name": name,
                "url": self.link(page_url),
                "inLanguage": self.config.language,
                "isPartOf": {"@id": self.link("") + "#website"},
            }
        )
        nodes = [node, self.breadcrumbs(trail)] if trail else [self.website(), node]
        return self.graph(*nodes)

    def timeline(
        self, page_url: str, name: str, years: Sequence[tuple[int, Sequence[Entry]]], trail: Sequence[tuple[str, str]]
    ) -> Data:
        """A page of the timeline: its events as schema.org Events."""
        collection = self.collection(page_url, name, trail)
        events = [self._entry(entry) for _, entries in years for entry in entries if entry.event]
        return self.graph(*collection["@graph"], *events)

    def _entry(self, entry: Entry) -> Data:
        start, end = date_range(entry.date)
        return _clean(
            {
                "@type": "Event",
                "@id": self.link(entry.url),
                "name": entry.title,
                "startDate": start,
                "endDate": end,
                "location": self._place(entry.event.place) if entry.event and entry.event.place else None,
                "url": self.link(entry.url),
                "subjectOf": {"@id": self.link(entry.article.url) + "#article", "name": entry.article.title},
            }
        )

    def plain(self, page_url: str, name: str) -> Data:
        """Any other page (search, page not found)."""
        return self.graph(
            _clean({"@type": "WebPage", "name": name, "url": self.link(page_url) if page_url else None}),
        )

    def filters(self) -> dict[str, Callable[..., Any]]:
        """The Jinja filters of structured data."""
        return {
            "jsonld": dump_jsonld,
            "share_image": self.share_image,
            "ld_article": self.article,
            "ld_person": self.person,
            "ld_page": self.page,
            "ld_collection": self.collection,
            "ld_timeline": self.timeline,
            "ld_plain": self.plain,
        }
