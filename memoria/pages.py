"""Plan the pages of the site: every URL, its template and what it shows."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import urls
from .archive import Archive, Entry, Term
from .collation import index_letter, sort_key
from .errors import BuildError
from .export import ARTICLE_COLUMNS, EVENT_COLUMNS, PERSON_COLUMNS
from .model import Article, Page, Person
from .redirects import plan_redirects
from .search import search_page_parts, shard_counts

SEARCH = "search/"
FEED = "feed.xml"
DATA = "data/"
DATA_FILES = ("data/archive.json", "data/articles.csv", "data/people.csv", "data/events.csv")
CITE_FILES = (("cite.bib", "cite.bib"), ("cite.json", "cite.json"))
# Pages that are in the sitemap: what a reader may land on from a search engine.
_LISTED = frozenset(
    {"index.html", "article.html", "timeline.html", "people.html", "person.html", "terms.html", "term.html"}
    | {"page.html", "data.html"}
)
DATA_COLUMNS = {"articles.csv": ARTICLE_COLUMNS, "people.csv": PERSON_COLUMNS, "events.csv": EVENT_COLUMNS}

T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """Where one page of a long list stands among the others."""

    number: int
    count: int
    first_url: str

    def url(self, number: int) -> str:
        """The URL of page `number`."""
        return urls.paged(self.first_url, number)

    @property
    def previous(self) -> str | None:
        """The URL of the page before, if any."""
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        """The URL of the page after, if any."""
        return self.url(self.number + 1) if self.number < self.count else None


@dataclass
class Output:
    """One file of the built site, before rendering."""

    url: str  # within its language's pages: 'people/x/'
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    lang: str = ""  # the language it is rendered in ('' for the site's files that have none)
    prefix: str = ""  # where that language's pages are: '' or 'az/'
    large: bool = False  # rendered and written a piece at a time (the data files: 60 MB at 10,000 articles)

    @property
    def path(self) -> str:
        """Its URL in the site: 'az/people/x/'."""
        return self.prefix + self.url


def paginate(items: Sequence[T], size: int, first_url: str) -> list[tuple[Sequence[T], Pager]]:
    """Split a list into pages; an empty list still has one page."""
    count = max(1, math.ceil(len(items) / size))
    return [(items[(n - 1) * size : n * size], Pager(n, count, first_url)) for n in range(1, count + 1)]


def plan_site(archive: Archive) -> list[Output]:
    """Every file of the site, in a fixed order; BuildError for an alias that cannot be written."""
    views = archive.views or [archive]
    outputs: list[Output] = []
    for view in views:
        pages = plan_language(view)
        for output in pages:
            output.lang, output.prefix = view.lang or archive.config.language, view.prefix
        outputs.extend(pages)
    if len(views) > 1:
        link_translations(views, outputs)
    outputs.append(Output(DATA, "data.html", {"columns": DATA_COLUMNS}, archive.config.language))
    data = {"articles": archive.articles, "people": archive.people}
    outputs.extend(Output(url, url.rsplit("/", 1)[-1], data, large=True) for url in DATA_FILES)
    listed = [o.path for o in outputs if o.template in _LISTED]
    outputs.append(Output("sitemap.xml", "sitemap.xml", {"pages": listed}))
    outputs.append(Output("robots.txt", "robots.txt", {}))
    outputs.append(Output("404.html", "404.html", {}, archive.config.language))
    outputs.extend(plan_aliases(archive, outputs))
    # A large archive's search index is in parts: each search page lists the ones it merges.
    counts = shard_counts(outputs, archive.config.multilingual)
    for output in outputs:
        if output.template == "search.html":
            output.context.update(search_page_parts(counts, output.lang, archive.config.multilingual))
    return outputs


def plan_language(archive: Archive) -> list[Output]:
    """The pages of one language: index, articles, timeline, people, places, tags, free pages, feed, search."""
    config = archive.config
    outputs: list[Output] = []
    for chunk, pager in paginate(archive.articles, config.per_page, ""):
        context = {"articles": chunk, "pager": pager, "intro": archive.intro}
        outputs.append(Output(pager.url(pager.number), "index.html", context))
    for article in archive.articles:
        outputs.append(Output(article.url, "article.html", {"article": article, "known_as": known_as(article)}))
        outputs.extend(plan_citations(article))
    outputs.extend(plan_timeline(archive.timeline, config.timeline_split, config.list_size * 5))
    outputs.append(
        Output(urls.section(urls.PEOPLE), "people.html", {"letters": group_by_letter(archive.people, archive.lang)})
    )
    for person in archive.people:
        for mentions, pager in paginate(person.mentions, config.list_size, person.url):
            context = {"person": person, "mentions": mentions, "pager": pager}
            outputs.append(Output(pager.url(pager.number), "person.html", context))
        named = [article for article, _ in person.mentions[: config.feed_size]]
        outputs.append(plan_feed(person.url, named, person.name, urls.PEOPLE))
        outputs.extend(plan_citations(person))
    for kind, terms in ((urls.PLACES, archive.places), (urls.TAGS, archive.tags)):
        outputs.append(Output(urls.section(kind), "terms.html", {"kind": kind, "terms": terms}))
        for term in terms:
            outputs.extend(plan_term_pages(term, config.list_size))
            outputs.append(plan_feed(term.url, term.articles[: config.feed_size], term.name, kind))
    for page in archive.pages:
        outputs.append(Output(page.url, "page.html", {"page": page}))
    outputs.append(plan_feed("", archive.articles[: config.feed_size]))
    outputs.append(Output(SEARCH, "search.html", {}))
    return outputs


def link_translations(views: list[Archive], outputs: list[Output]) -> None:
    """Give each page of a language its counterparts in the others: (code, path, translated) in `alternates`.

    A page of articles' lists exists in every language. An article or a free page is the same
    page in another language when that language shows a version of it; `translated` says
    whether that version is written in the language (what `hreflang` may claim).
    """
    by_page: dict[tuple[str, str], dict[str, Output]] = defaultdict(dict)
    for output in outputs:
        by_page[_page_key(output)][output.lang] = output
    codes = [view.lang for view in views]
    for output in outputs:
        if output.template.endswith((".html",)) and output.template != "redirect.html":
            found = by_page[_page_key(output)]
            output.context["alternates"] = tuple(
                (code, found[code].path, _written_in(found[code], code)) for code in codes if code in found
            )


def _page_key(output: Output) -> tuple[str, str]:
    """What a page is, whatever its language: an article or page by translation key, else its URL."""
    item = output.context.get("article") or output.context.get("page")
    if output.template in ("article.html", "page.html") and item is not None:
        return output.template, item.translation_key
    return output.template, output.url


def _written_in(output: Output, code: str) -> bool:
    item = output.context.get("article") or output.context.get("page")
    return item is None or output.template not in ("article.html", "page.html") or item.lang == code


def plan_feed(page_url: str, articles: Sequence[Article], subject: str = "", kind: str = "") -> Output:
    """The Atom feed beside a page: the whole archive's (full text), or a person's or term's (summaries)."""
    context = {"articles": list(articles), "home": page_url, "subject": subject, "kind": kind, "full": not subject}
    return Output(page_url + FEED, "feed.xml", context)


def plan_citations(item: Article | Person) -> list[Output]:
    """The BibTeX and CSL-JSON files beside an article's or a person's page."""
    return [Output(item.url + name, template, {"item": item}) for name, template in CITE_FILES]


def known_as(article: Article) -> dict[str, list[str]]:
    """The other spellings of each person an article names, by their URL: found by search under any."""
    people = [m.person for m in [*article.people, *(m for e in article.events for m in e.people)] if m.person]
    return {person.url: person.aliases for person in people if person.aliases}


def plan_aliases(archive: Archive, outputs: list[Output]) -> list[Output]:
    """A redirecting page at each old URL of an article or page, or BuildError naming the files that clash."""
    if not any(a.aliases for a in archive.articles) and not any(p.aliases for p in archive.pages):
        return []  # the map of every file the site writes is needed only to check aliases against it
    owners: dict[str, str] = {}
    things: list[Article | Person | Page] = [*archive.articles, *archive.people, *archive.pages]
    for thing in things:
        if thing.path:
            owners[thing.site_url if isinstance(thing, (Article, Page)) else thing.url] = thing.path
    written = {urls.output_file(o.path): owners.get(o.path, f"the site's own page /{o.path}") for o in outputs}
    redirects, errors = plan_redirects([*archive.articles, *archive.pages], written)
    if errors:
        raise BuildError(errors)
    return [Output(r.url, "redirect.html", {"target": r.target, "title": r.title}) for r in redirects]


def plan_term_pages(term: Term, size: int) -> list[Output]:
    """Every page of a place or a tag."""
    return [
        Output(pager.url(pager.number), "term.html", {"term": term, "articles": chunk, "pager": pager})
        for chunk, pager in paginate(term.articles, size, term.url)
    ]


def group_by_letter(people: list[Person], language: str = "en") -> list[tuple[str, list[Person]]]:
    """The book of names: people under their name's first letter, in the alphabet of the language."""
    letter_of, key = index_letter(language), sort_key(language)
    letters: dict[str, list[Person]] = defaultdict(list)
    for person in sorted(people, key=lambda p: (key(p.name), p.slug)):
        letters[letter_of(person.name)].append(person)
    return sorted(letters.items(), key=lambda pair: (pair[0] == "#", key(pair[0])))


def group_by_year(entries: Sequence[Entry]) -> list[tuple[int, list[Entry]]]:
    """Timeline entries under their year, in order."""
    years: dict[int, list[Entry]] = {}
    for entry in entries:
        years.setdefault(entry.date.year, []).append(entry)
    return list(years.items())


def plan_timeline(timeline: list[Entry], split: int, year_size: int) -> list[Output]:
    """One timeline page, or an overview with a page per year when there is much."""
    years = group_by_year(timeline)
    nav = [(year, len(entries)) for year, entries in years]
    first = urls.section(urls.TIMELINE)
    if len(timeline) <= split:
        return [Output(first, "timeline.html", {"years": years, "nav": nav, "split": False, "pager": None})]
    outputs = [Output(first, "timeline.html", {"years": [], "nav": nav, "split": True, "pager": None})]
    for year, entries in years:
        for chunk, pager in paginate(entries, year_size, urls.timeline_year(year)):
            context = {"years": [(year, chunk)], "nav": nav, "split": True, "pager": pager, "year": year}
            outputs.append(Output(pager.url(pager.number), "timeline.html", context))
    return outputs
