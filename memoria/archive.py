"""Assemble the whole archive from parsed files: the site model every page is drawn from."""

from __future__ import annotations

import copy
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import PurePosixPath
from typing import Any

from babel import Locale

from . import urls
from .config import SiteConfig, is_language_tag
from .dates import EDTFDate
from .errors import Problems, SourceError
from .frontmatter import escape
from .images import ImageProcessor
from .markup import unlink_urls
from .model import Article, Event, Mention, Page, Parsed, Person, is_hidden, read_article, read_page, read_person
from .people import link_people
from .slugs import name_key, slug_from_filename, term_slug

ARTICLES_DIR = "content/articles/"
PEOPLE_DIR = "content/people/"
PAGES_DIR = "content/pages/"


@dataclass
class Term:
    """A place or a tag, and what is filed under it."""

    kind: str
    slug: str
    name: str
    articles: list[Article] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Site-relative URL."""
        return urls.item(self.kind, self.slug)


@dataclass
class Entry:
    """One line of the timeline: an article's publication or an event."""

    date: EDTFDate
    title: str
    url: str
    article: Article
    event: Event | None = None

    @property
    def sort_key(self) -> tuple[object, ...]:
        """Earliest possible day first; an article after the events of the same day."""
        return (self.date.sort_key, self.event is None, self.title, self.url)


@dataclass
class Archive:
    """Everything the site shows."""

    config: SiteConfig
    articles: list[Article]
    people: list[Person]
    pages: list[Page]
    places: list[Term]
    tags: list[Term]
    timeline: list[Entry]
    intro: str = ""
    pictures: ImageProcessor | None = None  # what made the images, and their files to publish
    lang: str = ""  # the language of this view of the archive (memoria.languages)
    prefix: str = ""  # where its pages live: '' or 'az/'
    views: list[Archive] = field(default_factory=list)  # one per language; [] until memoria.languages made them
    # Each content file: the key it was parsed under and what a body edit must leave as it is (body_check).
    readings: dict[str, tuple[tuple[str, str], str | None]] = field(default_factory=dict)


@dataclass
class Reading:
    """What one file reads as before people and terms are linked, with the problems found in it.

    Made in the parse workers and kept with the file's parse result (and in the parse cache),
    so that a rebuild reads only the files that changed. Linking works on fresh copies when
    the readings are kept for another build (the dev server), else on these.
    """

    key: str  # the settings it was read with (reading_key)
    thing: Article | Person | Page | None = None
    hidden_keys: set[str] = field(default_factory=set)
    hidden_urls: set[str] = field(default_factory=set)
    errors: list[SourceError] = field(default_factory=list)
    warnings: list[SourceError] = field(default_factory=list)


def reading_key(config: SiteConfig, drafts: bool) -> str:
    """What a file's reading depends on besides the file: the site's languages and the drafts setting."""
    return f"{','.join(config.codes)}|{config.multilingual}|{drafts}"


# What a body edit changes in an article's reading; everything else must stay as it was (memoria.patch).
BODY_FIELDS = frozenset({"html", "summary", "digest"})


def body_check(reading: Reading) -> str | None:
    """A hash of everything of an article's reading but its body (memoria.patch); None for any other reading.

    Made as the file is read, before linking, and the same in every process (no set is shown unsorted).
    """
    thing = reading.thing
    if reading.errors or not isinstance(thing, Article):
        return None
    described: list[Any] = [reading.key, reading.warnings, sorted(reading.hidden_keys), sorted(reading.hidden_urls)]
    for item in fields(thing):
        if item.name in BODY_FIELDS:
            continue
        value = getattr(thing, item.name)
        if item.name == "events":
            value = [(e.date, e.title, e.place, e.people, e.number) for e in value]
        elif item.name in ("images", "inline_images"):  # as written (the build attaches what it made of them)
            value = [(i.src, i.alt, i.caption, i.credit, i.line) for i in value]
        described.append((item.name, value))
    return hashlib.blake2b(repr(described).encode(), digest_size=16).hexdigest()


def read_file(item: Parsed, config: SiteConfig, drafts: bool) -> Reading:
    """One parsed file read into an article, a person or a page (or what hides it)."""
    problems = Problems()
    reading = Reading(reading_key(config, drafts))
    path = item.doc.path
    stem, lang = split_language(PurePosixPath(path).stem, config)
    try:
        readers: dict[str, Callable[[Parsed, str, str, Problems], Article | Person | Page]] = {
            ARTICLES_DIR: read_article,
            PEOPLE_DIR: read_person,
            PAGES_DIR: read_page,
        }
        read = next((reader for folder, reader in readers.items() if path.startswith(folder)), None)
        if is_hidden(item.doc, problems, drafts):
            if path.startswith(PEOPLE_DIR):
                reading.hidden_keys = _hidden_keys(item, stem)
            reading.hidden_urls = _hidden_urls(item, stem)
            if read is not None:  # not built, but its own problems are told, to be fixed before it is
                unbuilt = Problems()
                read(item, stem, lang, unbuilt)
                for error in unbuilt.errors:
                    problems.warn(
                        error.path, error.line, f"{error.message} (in a file not built: draft or unpublished)"
                    )
        elif read is not None:
            reading.thing = read(item, stem, lang, problems)
        thing = reading.thing
        if thing is not None:
            _check_language(thing, item, lang, config, problems)
            if not isinstance(thing, Person):
                thing.translation_key = thing.translation_key or f"{PurePosixPath(path).parent}/{stem}"
    except Exception as err:  # a bug of ours: say which file it met, and go on to the others
        reading.thing = None
        problems.error(
            path, 0, f"internal error while reading this file ({type(err).__name__}: {err}); please report it"
        )
    reading.errors, reading.warnings = problems.errors, problems.warnings
    return reading


def fresh(thing: Article | Person | Page) -> Article | Person | Page:
    """A copy of a read file that linking may change, leaving the kept reading as it was."""
    new = copy.copy(thing)
    if isinstance(new, Article):
        new.people = [Mention(m.ref, m.role, m.line, name=m.name) for m in new.people]
        new.events = [
            Event(
                e.date, e.title, e.place, [Mention(m.ref, m.role, m.line, name=m.name) for m in e.people], new, e.number
            )
            for e in new.events
        ]
    elif isinstance(new, Person):
        new.mentions, new.events, new.companions = [], [], []
        # Merging translations (_merge_translations) adds to these: never to the kept reading's.
        new.names, new.aliases, new.translations = dict(new.names), list(new.aliases), {}
    return new


def build_archive(
    config: SiteConfig, parsed: list[Parsed], problems: Problems, drafts: bool = False, keep: bool = True
) -> Archive:
    """Link what every parsed file reads as (parsing.parse_files reads them) into the archive;
    problems are recorded, not raised.

    `keep`: link copies of the readings, leaving them as they were for the next build (the dev
    server keeps them); without, the readings themselves are linked and are good for nothing else.
    """
    articles: list[Article] = []
    people: list[Person] = []
    pages: list[Page] = []
    hidden: set[str] = set()
    hidden_urls: set[str] = set()
    key = reading_key(config, drafts)
    for item in sorted(parsed, key=lambda p: p.doc.path):
        reading = item.reading
        if not isinstance(reading, Reading):  # parsed without being read (parsing.parse_files reads)
            reading = item.reading = read_file(item, config, drafts)
        elif reading.key != key:
            # parse_files keeps only what a reading needs: the front matter is gone, it cannot be read again.
            raise ValueError(f"{item.doc.path} was read with the settings {reading.key!r}, not {key!r}")
        problems.errors.extend(reading.errors)
        problems.warnings.extend(reading.warnings)
        hidden.update(reading.hidden_keys)
        hidden_urls.update(reading.hidden_urls)
        if reading.thing is None:
            continue
        thing = fresh(reading.thing) if keep else reading.thing
        if isinstance(thing, Article):
            articles.append(thing)
        elif isinstance(thing, Person):
            people.append(thing)
        else:
            pages.append(thing)
    if hidden_urls:
        _unlink(hidden_urls, config.base_path, [*articles, *people, *pages])
    articles = newest_first(articles)
    if config.multilingual:
        people = _merge_translations(people, config)
        # Translations share slugs: each language's pages are checked on their own (memoria.languages).
        check_claims([], people, [], problems)
    else:
        check_claims(articles, people, pages, problems)
    everyone = link_people(people, articles, hidden, problems)
    everyone.sort(key=lambda p: (name_key(p.name), p.slug))
    places, tags = collect_terms(articles)
    return Archive(
        config=config,
        articles=articles,
        people=everyone,
        pages=sorted(pages, key=lambda p: p.slug),
        places=places,
        tags=tags,
        timeline=build_timeline(articles),
    )


def undo_links(archive: Archive) -> None:
    """Undo the links of a model no longer used (the dev server's, replaced by a full build): its
    articles, events and people refer to one another, so that only the cyclic collector, paused while a
    build runs, would free them; unlinked, they go as soon as nothing holds them, before the new model
    is made (the dev server's largest process was 23 MB smaller at 10,000 articles).

    Only what linking made is let go, by rebinding: the lists a linked copy shares with the reading
    kept in the parse cache (archive.fresh) are left as they are.
    """
    for view in {id(view): view for view in [archive, *archive.views]}.values():
        for article in view.articles:
            article.events, article.people = [], []
        for person in view.people:
            person.mentions, person.events, person.companions, person.translations = [], [], [], {}
        view.views = []


def newest_first(articles: list[Article]) -> list[Article]:
    """Articles in the order of the site's lists: newest first, then by title and slug."""
    return sorted(articles, key=lambda a: (a.date, a.title, a.slug), reverse=True)


def split_language(stem: str, config: SiteConfig) -> tuple[str, str]:
    """A file name's stem without its language ('x.az' → ('x', 'az')), and the language it is in by default."""
    base, dot, code = stem.rpartition(".")
    if dot and base and code in config.codes:
        return base, code
    return stem, config.language


def _check_language(
    thing: Article | Person | Page, item: Parsed, named: str, config: SiteConfig, problems: Problems
) -> None:
    """Content is in a language a tag names; on a multilingual site, one of the site's languages, which
    agrees with its file name."""
    if not config.multilingual:
        if not is_language_tag(thing.lang):
            message = f"'lang' must be a language tag such as en, az or pt-BR, not \"{escape(thing.lang)}\""
            problems.error(thing.path or "", item.doc.line("lang"), message)
        return
    if isinstance(thing, Page) and thing.slug in config.codes:
        where = item.doc.line("slug" if "slug" in item.doc.meta else "title")
        language = Locale.parse(thing.slug.replace("-", "_")).english_name
        problems.error(
            thing.path, where, f"the URL /{thing.slug}/ belongs to the {language} pages; choose another slug"
        )
    line = item.doc.line("lang")
    if thing.lang not in config.codes:
        problems.error(
            thing.path or "",
            line,
            f"'lang' must be one of the site's languages ({', '.join(config.codes)}), not \"{escape(thing.lang)}\"",
        )
    elif named != config.language and thing.lang != named:
        problems.error(
            thing.path or "", line, f"'lang: {escape(thing.lang)}' contradicts the file name, which says {named}"
        )


def _merge_translations(people: list[Person], config: SiteConfig) -> list[Person]:
    """People with one slug in several languages are one person: `x.md` and its translation `x.az.md`.

    The file in the site's first language (else the first listed) holds the person; the others give
    their name and biography in their own language.
    """
    rank = {code: n for n, code in enumerate(config.codes)}
    by_slug: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        by_slug[person.slug].append(person)
    merged = []
    for versions in by_slug.values():
        versions.sort(key=lambda p: rank.get(p.lang, len(rank)))
        main, others = versions[0], versions[1:]
        if len({p.lang for p in versions}) < len(versions):
            merged.extend(versions)  # two files in one language: the claims check names them
            continue
        for other in others:
            main.translations[other.lang] = other
            main.names.setdefault(other.lang, other.name)
            main.aliases.extend(a for a in other.aliases if a not in main.aliases)
            main.digest += ":" + other.digest
        merged.append(main)
    return merged


def _hidden_keys(item: Parsed, stem: str) -> set[str]:
    meta = item.doc.meta
    spellings = [meta.get("name"), meta.get("slug"), stem, *(meta.get("aliases") or [])]
    return {name_key(s) for s in spellings if isinstance(s, str) and s}


def _hidden_urls(item: Parsed, stem: str) -> set[str]:
    """The URLs a hidden file would have had, so that links to it can be taken out."""
    kind = next((k for d, k in _KINDS.items() if item.doc.path.startswith(d)), None)
    if kind is None:
        return set()
    given = item.doc.meta.get("slug")
    slug = (given if isinstance(given, str) else "") or slug_from_filename(stem)
    if kind == "":
        return {urls.free_page(slug)}
    keys = _hidden_keys(item, stem) if kind == urls.PEOPLE else set()
    return {urls.item(kind, s) for s in {slug, *keys}}


_KINDS = {ARTICLES_DIR: urls.ARTICLES, PEOPLE_DIR: urls.PEOPLE, PAGES_DIR: ""}


def _unlink(hidden: set[str], base_path: str, things: list[Article | Person | Page]) -> None:
    """Links to what is not published become plain text; a changed text gets a new digest."""
    for thing in things:
        if thing.html and "<a " in thing.html:
            html = unlink_urls(thing.html, {base_path + url for url in hidden})
            if html != thing.html:
                thing.html = html
                thing.digest += ":" + hashlib.blake2b(html.encode(), digest_size=8).hexdigest()


def check_claims(articles: list[Article], people: list[Person], pages: list[Page], problems: Problems) -> None:
    """Two files may not claim one URL (compared as lowercase ASCII slugs)."""
    claims: dict[str, list[str]] = defaultdict(list)
    things: list[Article | Person | Page] = [*articles, *people, *pages]
    for thing in things:
        if thing.slug:
            claims[thing.url].append(thing.path or "")
    for url, paths in claims.items():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(p for p in paths if p != path)
                problems.error(path, 1, f"the URL /{url} is also claimed by {others}")


def collect_terms(articles: list[Article]) -> tuple[list[Term], list[Term]]:
    """The places and the tags of these articles and of their events."""
    places = _terms(urls.PLACES, articles, lambda a: a.places, lambda e: [e.place] if e.place else [])
    return places, _terms(urls.TAGS, articles, lambda a: a.tags, lambda e: [])


def _terms(kind: str, articles: list[Article], of_article, of_event) -> list[Term]:  # type: ignore[no-untyped-def]
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    terms: dict[str, Term] = {}
    for article in articles:
        for name in dict.fromkeys(of_article(article)):
            slug = term_slug(name)
            if slug:
                spellings[slug][name] += 1
                term = terms.setdefault(slug, Term(kind, slug, name))
                if not term.articles or term.articles[-1] is not article:
                    term.articles.append(article)
        for event in article.events:
            for name in of_event(event):
                slug = term_slug(name)
                if slug:
                    spellings[slug][name] += 1
                    terms.setdefault(slug, Term(kind, slug, name)).events.append(event)
    for slug, term in terms.items():
        term.name = min(spellings[slug].items(), key=lambda pair: (-pair[1], pair[0]))[0]
        term.events.sort(key=lambda e: e.date.sort_key)
    return sorted(terms.values(), key=lambda t: (t.slug, t.name))


def build_timeline(articles: list[Article]) -> list[Entry]:
    """Every article and every event, in date order."""
    entries = []
    for article in articles:
        entries.append(Entry(article.edtf, article.title, article.url, article))
        for event in article.events:
            entries.append(Entry(event.date, event.title, f"{article.url}#{event.anchor}", article, event))
    entries.sort(key=lambda e: e.sort_key)
    return entries
