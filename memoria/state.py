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
import pickle
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import __version__
from .archive import Entry, Term
from .dates import EDTFDate
from .errors import SourceError
from .model import Article, Event, Mention, Page, Person
from .pages import Output, Pager


def _person_ref(person: Person | None) -> Any:
    return (person.url, person.name) if person else None


def _mention(mention: Mention) -> Any:
    return (mention.ref, mention.role, _person_ref(mention.person))


def _event(event: Event) -> Any:
    return (event.article.url, event.anchor, event.date.text, event.title, event.place)


def signature(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """A plain, hashable description of everything a template can show of a value."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return tuple(signature(item, memo) for item in value)
    if isinstance(value, dict):
        return tuple((key, signature(item, memo)) for key, item in sorted(value.items()))
    if memo is None:
        return _signature(value)
    key = id(value)
    if key not in memo:
        memo[key] = _signature(value)
    return memo[key]


def _signature(value: Any) -> Any:
    if isinstance(value, Article):
        mentions = [*value.people, *(m for e in value.events for m in e.people)]
        return ("A", value.url, value.digest, tuple(_mention(m) for m in mentions))
    if isinstance(value, Person):
        return (
            "P",
            value.url,
            value.name,
            value.digest,
            len(value.mentions),
            tuple(_event(e) for e in value.events),
            tuple((p.url, p.name, n) for p, n in value.companions),
        )
    if isinstance(value, Page):
        return ("G", value.url, value.digest)
    if isinstance(value, Term):
        return ("T", value.url, value.name, len(value.articles), tuple(_event(e) for e in value.events))
    if isinstance(value, Entry):
        return ("E", value.url, value.date.text, value.title, value.article.url, value.article.title,
                value.event.place if value.event else None)  # fmt: skip
    if isinstance(value, Pager):
        return ("N", value.number, value.count, value.first_url)
    if isinstance(value, EDTFDate):
        return value.text
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"no signature for {type(value).__name__}")


def fingerprint(site_key: str, output: Output, memo: dict[int, Any] | None = None) -> str:
    """The hash of everything one output is made from (`memo` shares work between outputs of one build)."""
    described = repr((site_key, output.url, output.template, signature(output.context, memo)))
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


# Saved states of another shape (an older or newer generator) are ignored, never half-read.
STATE_VERSION = f"{__version__}/state/" + ",".join(f.name for f in fields(BuildState))


def state_file(cache_dir: Path, output: Path) -> Path:
    """Where the state of one output folder is kept."""
    key = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir / f"state-{key}.pickle"


def load_state(path: Path) -> BuildState:
    """The saved state, or an empty one (a full build)."""
    try:
        with path.open("rb") as handle:
            version, state = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
        return BuildState()
    return state if version == STATE_VERSION and isinstance(state, BuildState) else BuildState()


def save_state(path: Path, state: BuildState) -> None:
    """Save the state atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as handle:
        pickle.dump((STATE_VERSION, state), handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)
