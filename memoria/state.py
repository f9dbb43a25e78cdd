"""What each output was made from, so a rebuild renders only what changed.

Every page gets a fingerprint: a hash of the site-wide inputs (generator,
templates, site.yaml, options) and of a signature of what its template is
given. A page whose fingerprint is unchanged, and whose file the previous
build left, is linked from there instead of rendered again.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import __version__
from .archive import Entry, Term
from .dates import EDTFDate
from .errors import SourceError
from .model import Article, Event, Mention, Page, Person
from .pages import Output, Pager
from .stored import load_pickle, save_pickle


def _person_ref(person: Person | None) -> Any:
    return (person.url, person.name, tuple(person.names.items())) if person else None


def _mention(mention: Mention) -> Any:
    return (mention.ref, mention.role, _person_ref(mention.person))


def _event(event: Event) -> Any:
    return (event.article.url, event.anchor, event.date.text, event.title, event.place)


def signature(value: Any, memo: dict[int, Any] | None = None) -> Any:
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
    key = id(value)
    if key not in memo:
        # A model object stands for the short hash of its description: pages that show the
        # same person or term hash a few bytes each, not the whole description again.
        memo[key] = hashlib.blake2b(repr(describe(value)).encode(), digest_size=12).hexdigest()
    return memo[key]


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


def fingerprint(site_key: str, output: Output, memo: dict[int, Any] | None = None) -> str:
    """The hash of everything one output is made from (`memo` shares work between outputs of one build)."""
    described = repr((site_key, output.path, output.lang, output.template, signature(output.context, memo)))
    return hashlib.blake2b(described.encode(), digest_size=16).hexdigest()


def hash_files(paths: list[Path], extra: str = "") -> str:
    """One hash of several files' names and bytes."""
    digest = hashlib.blake2b(extra.encode(), digest_size=16)
    for path in paths:
        digest.update(f"\0{path.as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


Stamps = dict[str, tuple[int, int]]


def stamp_files(paths: list[Path]) -> Stamps:
    """Each input's modification time and size: enough to see that nothing changed."""
    stamps = {}
    for path in paths:
        info = os.stat(path)
        stamps[path.as_posix()] = (info.st_mtime_ns, info.st_size)
    return stamps


@dataclass
class BuildState:
    """What the last good build of an output folder was made from."""

    site_key: str = ""
    inputs: Stamps = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    warnings: list[SourceError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    index_current: bool = True


# Saved states of another shape (an older or newer generator) are ignored, never half-read.
STATE_VERSION = f"{__version__}/state/" + ",".join(f.name for f in fields(BuildState))


def state_file(cache_dir: Path, output: Path) -> Path:
    """Where the state of one output folder is kept."""
    key = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir / f"state-{key}.pickle"


def load_state(path: Path) -> BuildState:
    """The saved state, or an empty one (a full build)."""
    state = load_pickle(path, STATE_VERSION)
    return state if isinstance(state, BuildState) else BuildState()


def save_state(path: Path, state: BuildState) -> None:
    """Save the state atomically."""
    save_pickle(path, STATE_VERSION, state)
