"""The archive as data: citations (BibTeX, CSL-JSON) and open data (archive.json, CSV).

The theme calls these as Jinja filters (see render.py). Every function is pure and
deterministic: the same archive gives the same bytes, rows in the site's own order.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from . import GENERATOR
from .config import SiteConfig
from .dates import EDTFDate
from .fragments import Fragments, Pieces, made_of
from .model import Article, Event, Person
from .urls import Linker

T = TypeVar("T")
LIST_SEPARATOR = "|"  # between the items of a list in one CSV cell: slugs, names, tags
ARTICLE_COLUMNS = (
    "slug", "url", "date", "title", "summary", "lang", "source_name", "source_place", "source_date",
    "source_author", "source_url", "people", "places", "tags", "events", "images", "aliases",
)  # fmt: skip
PERSON_COLUMNS = (
    "slug", "url", "name", "aliases", "role", "born", "born_earliest", "born_latest", "died", "died_earliest",
    "died_latest", "place", "photo", "has_file", "articles", "events",
)  # fmt: skip
EVENT_COLUMNS = ("id", "url", "date", "earliest", "latest", "title", "place", "people", "article")
_BIB_SPECIAL = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "%": r"\%",
        "&": r"\&",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def day(value: tuple[int, int, int]) -> str:
    """An (astronomical) year, month and day as ISO 8601: '1992-02-25', '-0043-03-15'."""
    year, month, dom = value
    sign = "-" if year < 0 else ""
    return f"{sign}{abs(year):04d}-{month:02d}-{dom:02d}"


def event_id(event: Event) -> str:
    """An event's stable name in the data: its article's name and its number ('paris-event#event_1')."""
    return f"{article_id(event.article)}#{event.anchor}"


def article_id(article: Article) -> str:
    """An article's stable name in the data: its slug, after its language's prefix ('fr/paris-event')."""
    return article.prefix + article.slug


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# What an item of archive.json is made from: its file (path and digest) and the links made to it.
# Each key is made once for a model object and kept on it (a body edit forgets its article's: forget_keys).
_KEY = "_data_key"


def _article_key(a: Article) -> bytes:
    found: bytes | None = a.__dict__.get(_KEY)
    if found is None:
        found = a.__dict__[_KEY] = made_of(
            ("a", a.path, a.digest, a.prefix, tuple((m.person.slug, m.role) for m in a.people if m.person))
        )
    return found


def _person_key(p: Person) -> bytes:
    found: bytes | None = p.__dict__.get(_KEY)
    if found is None:
        articles = tuple((article_id(a), role) for a, role in p.mentions)
        found = p.__dict__[_KEY] = made_of(
            ("p", p.path, p.digest, p.slug, p.name, articles, tuple(event_id(e) for e in p.events))
        )
    return found


def _event_key(e: Event) -> bytes:
    found: bytes | None = e.__dict__.get(_KEY)
    if found is None:
        found = e.__dict__[_KEY] = made_of((
            "e", e.article.path, e.article.digest, e.article.prefix, e.number,
            tuple(m.person.slug for m in e.people if m.person),
        ))  # fmt: skip
    return found


def make_keys(articles: Iterable[Article], people: Iterable[Person]) -> None:
    """Make the keys of every item now (the kept model's writer does, so that the next build need not)."""
    for article in articles:
        _article_key(article)
        for event in article.events:
            _event_key(event)
    for person in people:
        _person_key(person)


def forget_keys(article: Article) -> None:
    """An article changed in place (a body edit): its key and its events' are made again."""
    for item in (article, *article.events):
        item.__dict__.pop(_KEY, None)


def _json_of(make: Callable[[T], Any]) -> Callable[[T], str]:
    return lambda item: _json(make(item))


def _edtf(value: EDTFDate | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {"edtf": value.text, "earliest": day(value.start), "latest": day(value.end)}


def _date_parts(value: EDTFDate | datetime.date | None) -> list[list[int]] | None:
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return [[value.year, value.month, value.day]]
    if value.precision == "day":
        return [list(value.start)]
    if value.precision == "month":
        return [list(value.start[:2])]
    if value.precision == "year":
        return [[value.start[0]]]
    return None


class Exporter:
    """Citations and data files for one site: its name and its links."""

    def __init__(self, config: SiteConfig, linker: Linker, store: Path | None = None):
        """`store`: a folder to keep the data files' encoded items in between builds."""
        self.config = config
        self.linker = linker
        # Items take the site's defaults (an article's language is the site's unless it says): any
        # change of site.yaml starts them anew.
        version = f"{GENERATOR}\0{linker!r}\0{config!r}\0utf-8, hashed keys"
        self._fragments = {
            name: Fragments(
                store / f"data-{name}-{linker.prefix.strip('/') or 'root'}.pickle" if store else None, version
            )
            for name in ("articles", "people", "events", "articles.csv", "people.csv", "events.csv")
        }

    def link(self, url: str) -> str:
        """A full URL where the site's origin is known, else a path from the root."""
        return self.linker.absolute(url)

    # Citations

    def csl(self, item: Article | Person) -> str:
        """CSL-JSON (Citation Style Language): one item, as reference managers import it."""
        if isinstance(item, Person):
            record: dict[str, Any] = {
                "id": item.slug,
                "type": "webpage",
                "title": item.name,
                "container-title": self.config.title,
                "URL": self.link(item.url),
                "language": item.lang or self.config.language,
            }
        else:
            source = item.source
            record = {
                "id": item.slug,
                "type": "article-newspaper" if source.name else "webpage",
                "title": item.title,
                "author": [{"literal": source.author}] if source.author else None,
                "container-title": source.name or self.config.title,
                "publisher": source.name,
                "publisher-place": source.place,
                "issued": {"date-parts": _date_parts(source.date or item.date)},
                "archive": self.config.title,
                "URL": self.link(item.url),
                "source": source.url,
                "abstract": item.summary,
                "language": item.lang,
            }
        clean = {key: value for key, value in record.items() if value not in (None, "", [])}
        return json.dumps([clean], ensure_ascii=False, indent=2) + "\n"

    def bibtex(self, item: Article | Person) -> str:
        """A BibTeX @misc entry (fields BibTeX and biblatex both read), UTF-8."""
        if isinstance(item, Person):
            fields = [
                ("title", "{" + _bib(item.name) + "}"),
                ("howpublished", _bib(self.config.title)),
                ("url", self.link(item.url)),
            ]
        else:
            source, date = item.source, item.date
            published = [part for part in (source.name, source.place) if part]
            fields = [
                ("author", "{" + _bib(source.author) + "}" if source.author else ""),
                ("title", "{" + _bib(item.title) + "}"),
                ("howpublished", _bib(", ".join(published))),
                ("year", str(date.year)),
                ("month", _MONTHS[date.month - 1]),
                ("date", date.isoformat()),
                ("url", self.link(item.url)),
                ("note", _bib(f"In: {self.config.title}")),
            ]
        body = ",\n".join(f"  {name} = {_bib_value(name, value)}" for name, value in fields if value)
        return f"@misc{{{item.slug},\n{body}\n}}\n"

    # Open data

    def archive_json(self, articles: Sequence[Article], people: Sequence[Person]) -> Pieces:
        """Every article, person and event, linked by slug and URL, in pieces (each item encoded once: fragments.Fragments).

        The same bytes as one compact json.dumps of the whole. The pieces are written one after
        the other when the template loops over them: at 10,000 articles the file is 60 MB, and a
        copy of it held whole was most of a build's memory.
        """
        return Pieces(self._archive_json(articles, people))

    def _archive_json(self, articles: Sequence[Article], people: Sequence[Person]) -> Iterator[str]:
        site = {
            "site": {
                "title": self.config.title,
                "description": self.config.description,
                "url": self.link(""),
                "language": self.config.language,
            }
        }
        parts: tuple[tuple[str, str, Iterable[Any], Callable[[Any], bytes], Callable[[Any], str]], ...] = (
            (',"articles":[', "articles", articles, _article_key, _json_of(self._article)),
            ('],"people":[', "people", people, _person_key, _json_of(self._person)),
            ('],"events":[', "events", all_events(articles), _event_key, _json_of(self._event)),
        )
        yield _json(site)[:-1]
        for opening, name, items, key, make in parts:
            yield opening
            for number, text in enumerate(self._fragments[name].encode(items, key, make)):
                if number:
                    yield ","
                yield text.decode("utf-8")
        yield "]}\n"

    def _article(self, a: Article) -> dict[str, Any]:
        s = a.source
        return {
            "slug": article_id(a),
            "url": self.link(a.site_url),
            "date": a.date.isoformat(),
            "title": a.title,
            "summary": a.summary,
            "lang": a.lang,
            "source": {
                "name": s.name,
                "place": s.place,
                "date": _edtf(s.date),
                "author": s.author,
                "url": s.url,
            },
            "people": [{"slug": m.person.slug, "role": m.role} for m in a.people if m.person],
            "places": a.places,
            "tags": a.tags,
            "events": [event_id(e) for e in a.events],
            "images": [
                {"url": self.link(i.url), "alt": i.alt, "caption": i.caption, "credit": i.credit} for i in a.images
            ],
            "aliases": a.aliases,
            "html": a.html,
        }

    def _person(self, p: Person) -> dict[str, Any]:
        return {
            "slug": p.slug,
            "url": self.link(p.url),
            "name": p.name,
            "aliases": p.aliases,
            "role": p.role,
            "born": _edtf(p.born),
            "died": _edtf(p.died),
            "place": p.place,
            "photo": self.link(p.photo.url) if p.photo else "",
            "links": [{"title": link.title, "url": link.url} for link in p.links],
            "has_file": p.path is not None,
            "articles": [{"slug": article_id(a), "role": role} for a, role in p.mentions],
            "events": [event_id(e) for e in p.events],
            "html": p.html,
        }

    def _event(self, e: Event) -> dict[str, Any]:
        return {
            "id": event_id(e),
            "url": self.link(f"{e.article.site_url}#{e.anchor}"),
            "date": _edtf(e.date),
            "title": e.title,
            "place": e.place,
            "people": [m.person.slug for m in e.people if m.person],
            "article": e.article.slug,
        }

    def articles_csv(self, articles: Sequence[Article]) -> Pieces:
        """articles.csv: one row per article, newest first (in pieces, as archive.json)."""
        return _csv(ARTICLE_COLUMNS, self._fragments["articles.csv"].encode(articles, _article_key, self._article_row))

    def people_csv(self, people: Sequence[Person]) -> Pieces:
        """people.csv: one row per person, A to Z as in the book of names."""
        return _csv(PERSON_COLUMNS, self._fragments["people.csv"].encode(people, _person_key, self._person_row))

    def events_csv(self, articles: Sequence[Article]) -> Pieces:
        """events.csv: one row per event, in the order of the timeline."""
        rows = self._fragments["events.csv"].encode(all_events(articles), _event_key, self._event_row)
        return _csv(EVENT_COLUMNS, rows)

    def _article_row(self, a: Article) -> str:
        return _csv_row((
            article_id(a), self.link(a.site_url), a.date.isoformat(), _text(a.title), _text(a.summary), a.lang,
            _text(a.source.name), _text(a.source.place), a.source.date.text if a.source.date else "",
            _text(a.source.author), _text(a.source.url),
            _join(m.person.slug for m in a.people if m.person), _text(_join(a.places)), _text(_join(a.tags)),
            _join(event_id(e) for e in a.events), _join(self.link(i.url) for i in a.images), _join(a.aliases),
        ))  # fmt: skip

    def _person_row(self, p: Person) -> str:
        return _csv_row((
            p.slug, self.link(p.url), _text(p.name), _text(_join(p.aliases)), _text(p.role),
            *_edtf_cells(p.born), *_edtf_cells(p.died), _text(p.place), self.link(p.photo.url) if p.photo else "",
            "true" if p.path is not None else "false",
            _join(article_id(a) for a, _ in p.mentions), _join(event_id(e) for e in p.events),
        ))  # fmt: skip

    def _event_row(self, e: Event) -> str:
        return _csv_row((
            event_id(e), self.link(f"{e.article.site_url}#{e.anchor}"), e.date.text, day(e.date.start),
            day(e.date.end), _text(e.title), _text(e.place), _join(m.person.slug for m in e.people if m.person), article_id(e.article),
        ))  # fmt: skip

    def filters(self) -> dict[str, Callable[..., Any]]:
        """The Jinja filters of citations and data."""
        return {
            "bibtex": self.bibtex,
            "csl_json": self.csl,
            "archive_json": self.archive_json,
            "articles_csv": self.articles_csv,
            "people_csv": self.people_csv,
            "events_csv": self.events_csv,
        }


def all_events(articles: Iterable[Article]) -> list[Event]:
    """Every event of the archive in timeline order: earliest first, then by article and number."""
    events = [e for a in articles for e in a.events]
    return sorted(events, key=lambda e: (e.date.sort_key, e.article.slug, e.number))


def _edtf_cells(value: EDTFDate | None) -> tuple[str, str, str]:
    return (value.text, day(value.start), day(value.end)) if value else ("", "", "")


def _text(cell: str) -> str:
    """A cell of free text, with an apostrophe before a first character a spreadsheet reads as
    the start of a formula (OWASP's advice on CSV injection). Dates, ids and the site's own links are never free text."""
    return "'" + cell if cell[:1] in _FORMULA else cell


_FORMULA = frozenset("=+-@\t\r")


def _join(items: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(items)


_LINE = io.StringIO()
_ROW = csv.writer(_LINE, lineterminator="\r\n")


def _csv_row(cells: Sequence[str]) -> str:
    """One line of CSV (RFC 4180: quoted where needed, CRLF)."""
    _LINE.seek(0)
    _LINE.truncate()
    _ROW.writerow(cells)
    return _LINE.getvalue()


def _csv(header: Sequence[str], rows: Iterable[bytes]) -> Pieces:
    return Pieces(itertools.chain([_csv_row(header)], (row.decode("utf-8") for row in rows)))


def _bib(text: str) -> str:
    """Text with BibTeX's special characters escaped."""
    return " ".join(text.translate(_BIB_SPECIAL).split())


def _bib_value(name: str, value: str) -> str:
    if name == "month":
        return value  # a BibTeX macro: jan, feb, ...
    if name == "url":
        return "{" + value.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C") + "}"
    return "{" + value + "}"
