"""One archive, several languages: what each language's pages show.

Each language of the site gets a view of the archive, published under its prefix
('' for the first language, 'az/' for the others): its own index, timeline, book of
names, places and tags. An article or page stands in each view once: in that
language when it is translated (its translations share a `translation_key`, or a file
name such as `x.az.md`), else in the site's first language, else in the first language
it has, shown with a note that it is not translated. Nothing is left out of a language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from .archive import Archive, build_timeline, check_claims, collect_terms, newest_first
from .collation import sort_key
from .config import SiteConfig
from .errors import Problems
from .model import Article, Page, Person

Item = TypeVar("Item", Article, Page)


def language_views(archive: Archive, problems: Problems) -> list[Archive]:
    """The archive as each language shows it, the site's first language first."""
    config = archive.config
    if not config.multilingual:
        collate = sort_key(config.language)
        archive.people.sort(key=lambda p: (collate(p.name), p.slug))
        archive.lang = config.language
        return [archive]
    items: list[Article | Page] = [*archive.articles, *archive.pages]
    for item in items:
        item.prefix = config.prefix(item.lang)
    article_groups = _groups(archive.articles, problems)
    page_groups = _groups(archive.pages, problems)
    views = []
    for code in config.codes:
        articles = newest_first(_chosen(article_groups, code, config))
        pages = sorted(_chosen(page_groups, code, config), key=lambda p: p.slug)
        shown = {id(article) for article in articles}
        people = [_person_in(person, code, shown) for person in archive.people]
        collate = sort_key(code)
        people.sort(key=lambda p: (collate(p.name), p.slug))
        before = len(problems.errors)
        check_claims(articles, [], pages, problems)
        _drop_repeats(problems, before)
        places, tags = collect_terms(articles)
        view = replace(
            archive,
            config=config.for_language(code),
            articles=articles,
            people=people,
            pages=pages,
            places=places,
            tags=tags,
            timeline=build_timeline(articles),
            lang=code,
            prefix=config.prefix(code),
        )
        views.append(view)
    return views


def _groups(items: Sequence[Item], problems: Problems) -> dict[str, dict[str, Item]]:
    """Items by translation key, then by language (two versions in one language are an error)."""
    groups: dict[str, dict[str, Item]] = defaultdict(dict)
    for item in items:
        versions = groups[item.translation_key]
        if item.lang in versions:
            other = versions[item.lang].path
            problems.error(item.path, 1, f"{other} is the {item.lang} version of '{item.translation_key}' too")
        else:
            versions[item.lang] = item
    return groups


def _chosen(groups: dict[str, dict[str, Item]], code: str, config: SiteConfig) -> list[Item]:
    """One version of each item for a language: its own, else the default's, else the first; in the items' order."""
    rank = {c: n for n, c in enumerate(config.codes)}
    chosen = []
    for versions in groups.values():
        best = versions.get(code) or versions.get(config.language)
        chosen.append(best or min(versions.values(), key=lambda item: rank.get(item.lang, len(rank))))
    return chosen


def _person_in(person: Person, code: str, shown: set[int]) -> Person:
    """A person as one language's pages show them: their name there, the articles of that language's view."""
    translated = person.translations.get(code)
    name = person.name_in(code)
    return replace(
        person,
        name=name,
        aliases=[n for n in dict.fromkeys([person.name, *person.aliases]) if n != name],
        html=translated.html if translated else person.html,
        lang=translated.lang if translated else person.lang,
        mentions=[(article, role) for article, role in person.mentions if id(article) in shown],
        events=[event for event in person.events if id(event.article) in shown],
    )


def _drop_repeats(problems: Problems, since: int) -> None:
    """A clash between two untranslated items shows in every language: report it once."""
    seen = {(e.path, e.line, e.message) for e in problems.errors[:since]}
    fresh = []
    for error in problems.errors[since:]:
        key = (error.path, error.line, error.message)
        if key not in seen:
            seen.add(key)
            fresh.append(error)
    problems.errors[since:] = fresh
