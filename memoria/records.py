"""The events' records for search: events have no page of their own, so each is indexed from a small
record (the theme's search-event.html), written where Pagefind reads, whose result leads to the event
on its article's page."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .archive import Archive
from .errors import BuildError, SourceError
from .model import Article, Person
from .parallel import map_forked, slices, workers
from .render import is_theme_error, make_environment, render, template_error
from .sources import LAYOUTS_DIR

EVENT_TEMPLATE = "search-event.html"
EVENTS_DIR = "_memoria_events"  # in the folder Pagefind reads, never in the site
# Event records rendered by forked workers past this many: forking a large build costs about a second.
FORK_EVENTS = 2000
# An article's events key (events_key) → its events' records, as (file name, page).
Records = dict[str, list[tuple[str, str]]]


def _person_key(person: Person | None) -> Any:
    return (person.url, person.name, sorted(person.names.items()), person.aliases) if person else None


def events_key(article: Article) -> str:
    """A hash of what the records of an article's events show (the article by its file's digest).

    Their part is indexed again when it changes, even if the article's page did not.
    """
    described = (
        article.digest, article.url, article.lang, article.title,
        [
            (e.number, e.date.text, e.title, e.place, [(m.ref, m.role, _person_key(m.person)) for m in e.people])
            for e in article.events
        ],
    )  # fmt: skip
    return hashlib.blake2b(repr(described).encode(), digest_size=12).hexdigest()


def has_event_template(project: Path) -> bool:
    """A theme without the template: events are found on their articles' pages only."""
    return (project / LAYOUTS_DIR / EVENT_TEMPLATE).is_file()


def write_events(project: Path, archive: Archive, todo: list[tuple[Article, str, str]], kept: Records) -> Records:
    """The records of each article's events: small pages, for Pagefind only, written into the folder given
    with the article. A record is the theme's search-event.html, rendered on every core, unless `kept`
    has the article's under its events key (events_key). Returns the records by events key."""
    config = archive.config
    envs = {code: make_environment(project / LAYOUTS_DIR, config, code) for code in config.codes}
    made: Records = {}
    fresh: list[int] = []
    files: list[tuple[str, str, str]] = []  # (folder, name, record)
    for index, (_, events_key, folder) in enumerate(todo):
        records = kept.get(events_key) if events_key else None
        if records is None:
            fresh.append(index)
            continue
        made[events_key] = records
        files += [(folder, name, page) for name, page in records]

    def render_slice(part: Sequence[int]) -> list[tuple[int, list[tuple[str, str]]]] | SourceError:
        # Indices, not articles: workers are sent their work by pickle, and an article pickles the whole archive.
        done = []
        for i in part:
            article = todo[i][0]
            # An event leads to its article's page in the article's own language.
            env = envs.get(article.lang, envs[config.language])
            records = []
            for event in article.events:
                try:
                    page = render(env, EVENT_TEMPLATE, {"event": event, "page_url": f"{article.url}#{event.anchor}"})
                except Exception as err:
                    if not is_theme_error(err):
                        raise
                    return template_error(err, project)
                records.append((f"{article.lang}-{article.slug}-{event.number}.html", page))
            done.append((i, records))
        return done

    events = sum(len(todo[i][0].events) for i in fresh)
    parts = slices(fresh, workers() * 4) if events > FORK_EVENTS else [fresh]
    for result in map_forked(render_slice, parts):
        if isinstance(result, SourceError):
            raise BuildError([result])
        for i, records in result:
            _, events_key, folder = todo[i]
            if events_key:
                made[events_key] = records
            files += [(folder, name, page) for name, page in records]
    # Written in one order, whatever the order the workers finished in (see _link_pages).
    for folder in sorted({folder for _, _, folder in todo}):
        os.makedirs(folder, exist_ok=True)
    for folder, name, page in sorted(files):
        with open(f"{folder}/{name}", "w", encoding="utf-8") as handle:
            handle.write(page)
    return made
