"""Who is who: resolve every mention to one person, and link people to what names them."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from itertools import permutations

from .errors import Problems
from .frontmatter import escape
from .model import Article, Mention, Person
from .slugs import name_key, shortened

MAX_COMPANIONS = 12


class Directory:
    """Finds a person by slug, then by any name or alias after transliteration."""

    def __init__(self, people: list[Person], hidden: set[str]):
        self.by_slug = {person.slug: person for person in people}
        self.by_key: dict[str, list[Person]] = defaultdict(list)
        for person in people:
            for spelling in {person.name, person.slug, *person.aliases, *person.names.values()}:
                key = name_key(spelling)
                if key and person not in self.by_key[key]:
                    self.by_key[key].append(person)
        self.hidden = hidden
        self.stubs: dict[str, Person] = {}
        self.stub_slugs: dict[str, tuple[str, str]] = {}  # a page-only person's slug → (name, where first named)

    def resolve(self, mention: Mention, path: str, problems: Problems) -> Person | None:
        """The person a mention means; a new page-only person when nobody matches."""
        if mention.ref in self.by_slug:
            return self.by_slug[mention.ref]
        key = name_key(mention.ref)
        if not key:
            problems.error(path, mention.line, f'cannot make a URL from the name "{escape(mention.ref)}"')
            return None
        matches = self.by_key.get(key, [])
        if len(matches) > 1:
            slugs = ", ".join(sorted(p.slug for p in matches))
            problems.error(
                path, mention.line, f'"{escape(mention.ref)}" matches more than one person ({slugs}); give the slug'
            )
            return None
        if matches:
            return matches[0]
        if key in self.hidden or mention.ref in self.hidden:
            return None
        if key not in self.stubs:
            slug, name = shortened(key), mention.name or mention.ref
            # Names that differ only past the length a URL keeps share one: the page would be written twice.
            taken = self.by_slug.get(slug)
            other = (taken.name, taken.path or "") if taken else self.stub_slugs.get(slug)
            if other is not None:
                problems.error(
                    path,
                    mention.line,
                    f'"{escape(mention.ref)}" would have the page /people/{slug}/ of "{escape(other[0])}"'
                    f"{f' ({other[1]})' if other[1] else ''}: give the person a file with a slug of their own",
                )
                return None
            self.stub_slugs[slug] = (name, path)
            self.stubs[key] = Person(slug=slug, name=name)
        return self.stubs[key]


def _once(mentions: list[Mention], path: str, problems: Problems) -> list[Mention]:
    """The mentions that found a person, each person once (a warning for another way of naming them)."""
    first: dict[str, Mention] = {}
    for mention in mentions:
        if mention.person is None:
            continue
        if mention.person.slug in first:
            earlier = first[mention.person.slug]
            problems.warn(
                path,
                mention.line,
                f'"{escape(mention.ref)}" is {escape(mention.person.name)}, named already at line {earlier.line}',
            )
            continue
        first[mention.person.slug] = mention
    return list(first.values())


def link_people(people: list[Person], articles: list[Article], hidden: set[str], problems: Problems) -> list[Person]:
    """Resolve all mentions; fill each person's articles, events and companions.

    `articles` must be newest first; returns every person, those without a file included.
    """
    directory = Directory(people, hidden)
    pairs: Counter[tuple[str, str]] = Counter()
    for article in articles:
        named: dict[str, Person] = {}
        for mention in article.people:
            mention.person = directory.resolve(mention, article.path, problems)
            if mention.person and mention.person.slug not in named:
                named[mention.person.slug] = mention.person
                mention.person.mentions.append((article, mention.role))
        for event in article.events:
            listed: set[str] = set()
            for mention in event.people:
                mention.person = directory.resolve(mention, article.path, problems)
                if mention.person and mention.person.slug not in listed:
                    listed.add(mention.person.slug)
                    mention.person.events.append(event)
        if len(named) > 1:
            pairs.update(permutations(named, 2))
        # Whoever resolved to nobody is unpublished (or an error stops the build): leave them out.
        article.people = _once(article.people, article.path, problems)
        for event in article.events:
            event.people = _once(event.people, article.path, problems)
    everyone = people + list(directory.stubs.values())
    by_slug = {person.slug: person for person in everyone}
    together: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for (slug, other), count in pairs.items():
        together[slug].append((-count, by_slug[other].name, other))
    for person in everyone:
        ranked = heapq.nsmallest(MAX_COMPANIONS, together.get(person.slug, []))
        person.companions = [(by_slug[other], -count) for count, _, other in ranked]
        person.events.sort(key=lambda event: event.date.sort_key, reverse=True)
    return everyone
