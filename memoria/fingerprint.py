"""What each output was made from, so a rebuild renders only what changed.

Every page gets a fingerprint: a hash of the site-wide inputs (generator,
templates, site.yaml, options) and of a signature of what its template is
given. A page whose fingerprint is unchanged, and whose file the previous
build left, is linked from there instead of rendered again.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

from .archive import Entry, Term
from .dates import EDTFDate
from .model import Article, Event, Mention, Page, Person
from .pages import Output, Pager

# The model objects' hashes by the objects' ids, each with its object.
Memo = dict[int, tuple[Any, str]]


def _person_ref(person: Person | None) -> Any:
    return (person.url, person.name, tuple(person.names.items())) if person else None


def _mention(mention: Mention) -> Any:
    return (mention.ref, mention.role, _person_ref(mention.person))


def _event(event: Event) -> Any:
    return (event.article.url, event.anchor, event.date.text, event.title, event.place)


def signature(value: Any, memo: Memo | None = None) -> Any:
    """A plain, hashable description of everything a template can show of a value."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return tuple([signature(item, memo) for item in value])
    if kind is dict:
        return tuple([(key, signature(item, memo)) for key, item in sorted(value.items())])
    describe = _DESCRIBE.get(kind)
    if describe is None:
        raise TypeError(f"no signature for {kind.__name__}")
    if memo is None:
        return describe(value)
    found = memo.get(id(value))
    if found is None:
        # A model object stands for the short hash of its description: pages that show the
        # same person or term hash a few bytes each, not the whole description again. The
        # object is kept with it, so that its id stays its own (and the memo can be pickled).
        found = memo[id(value)] = (value, hashlib.blake2b(repr(describe(value)).encode(), digest_size=12).hexdigest())
    return found[1]


_PLAIN = frozenset({str, int, float, bool, type(None)})
_DESCRIBE: dict[type, Callable[[Any], Any]] = {
    Article: lambda a: (
        "A", a.url, a.digest, tuple(_mention(m) for m in [*a.people, *(m for e in a.events for m in e.people)])
    ),
    Person: lambda p: (
        "P", p.url, p.name, p.digest, len(p.mentions), tuple(_event(e) for e in p.events),
        tuple((_person_ref(o), n) for o, n in p.companions),
    ),
    Page: lambda g: ("G", g.url, g.digest),
    Term: lambda t: ("T", t.url, t.name, len(t.articles), tuple(_event(e) for e in t.events)),
    Entry: lambda e: (
        "E", e.url, e.date.text, e.title, e.article.url, e.article.title, e.event.place if e.event else None
    ),
    Pager: lambda n: ("N", n.number, n.count, n.first_url),
    EDTFDate: lambda d: d.text,
    datetime.date: lambda d: d.isoformat(),
}  # fmt: skip


def fingerprint(site_key: str, output: Output, memo: Memo | None = None) -> str:
    """The hash of everything one output is made from (`memo` shares work between outputs of one build)."""
    described = repr((site_key, output.path, output.lang, output.template, signature(output.context, memo)))
    return hashlib.blake2b(described.encode(), digest_size=16).hexdigest()


# The objects whose hashes outlive a build (kept with the model for the next one): not a page's pager.
_KEPT = frozenset({Article, Person, Page, Term, Entry})


def held_objects(value: Any, found: list[Any] | None = None) -> list[Any]:
    """The model objects a context holds (in its lists, tuples and dicts), in an order that is the same
    in every process forked from the one that made it: those `signature` gives a hash in the memo."""
    found = [] if found is None else found
    kind = type(value)
    if kind in _KEPT:
        found.append(value)
    elif kind is list or kind is tuple:
        for item in value:
            held_objects(item, found)
    elif kind is dict:
        for item in value.values():
            held_objects(item, found)
    return found


def hashes_of(context: dict[str, Any], memo: Memo) -> list[str]:
    """In a worker, after a context's fingerprint: the hashes of the objects it holds (held_objects)."""
    return [memo[id(value)][1] for value in held_objects(context)]


def remember(context: dict[str, Any], hashes: list[str], memo: Memo) -> None:
    """In the process that forked the worker: its hashes (hashes_of) put in this memo, so that a later
    build on the same model (a body edit) makes only those of what changed."""
    for value, digest in zip(held_objects(context), hashes, strict=True):
        memo.setdefault(id(value), (value, digest))
