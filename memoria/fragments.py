"""The data files' items: encoded once and kept between builds (Fragments), written in pieces (Pieces)."""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from .stored import load_pickle, save_pickle

T = TypeVar("T")


class Pieces:
    """A data file's text in pieces: looped over in a template, they are written one after the
    other; shown whole (`{{ articles | archive_json(people) }}`, as themes had it), it is the text."""

    def __init__(self, pieces: Iterable[str]):
        self._pieces = pieces

    def __iter__(self) -> Iterator[str]:
        return iter(self._pieces)

    def __str__(self) -> str:
        return "".join(self._pieces)


class Fragments:
    """The encoded items of one data file, by what each is made from, kept from one rendering to the next.

    The articles' text is most of archive.json (60 MB at 10,000 articles): an edit re-encodes
    only what changed. With a `store` (a file under .memoria/) the items are kept between builds
    in segment files beside it, and each item is read from there as it is written: neither this
    process nor the dev server's holds them (they were 50 to 80 MB of a build's largest process).
    Without a store they stay in memory. Each data file has its own, as the data files may be
    rendered in different processes. An item is known by a short hash of what it is made from.
    """

    def __init__(self, store: Path | None, version: str):
        self.store = store
        self.version = f"{version}\0segments/1"
        self.kept: dict[bytes, bytes] = {}  # without a store: the items of the last rendering

    def encode(self, items: Iterable[T], key: Callable[[T], bytes], make: Callable[[T], str]) -> Iterator[bytes]:
        """Each item's text in UTF-8, in order, as it is needed: the one kept for the same key (a hash
        of what the item is made from: made_of), or made anew. What is kept is updated once the
        last item has been given."""
        if self.store is None:
            return self._in_memory(items, key, make)
        return _stored(self.store, self.version, items, key, make)

    def _in_memory(self, items: Iterable[T], key: Callable[[T], bytes], make: Callable[[T], str]) -> Iterator[bytes]:
        kept, used = self.kept, dict[bytes, bytes]()
        for item in items:
            made_of = key(item)
            text = used.get(made_of) or kept.get(made_of)
            if text is None:
                text = make(item).encode("utf-8")
            used[made_of] = text
            yield text
        self.kept = used


# Where an item is: the name of its segment file, the offset of its record there, its text's length.
_Place = tuple[str, int, int]
_KEY = 16  # bytes of an item's key, before its text in a segment (made_of)
SEGMENTS = 8  # segment files of one store, at most: past them, the items in use are written into one


def _stored(
    store: Path, version: str, items: Iterable[T], key: Callable[[T], bytes], make: Callable[[T], str]
) -> Iterator[bytes]:
    """The items of a store, read one at a time from its segments; those made anew are appended to a
    segment of this rendering's own, and the store's index (a small pickle) is replaced at the end.

    A segment is written once, by one process, and never changed: builds into different output
    folders may render at once, and whichever index is saved last names only whole segments.
    A record that cannot be read back as it was written (a segment removed or cut short) is made anew.
    """
    found = load_pickle(store, version)
    index: dict[bytes, _Place] = found if isinstance(found, dict) else {}
    used: dict[bytes, _Place] = {}
    segments = _Segments(store)
    try:
        for item in items:
            made_of = key(item)
            place = used.get(made_of) or index.get(made_of)
            text = segments.read(place, made_of) if place else None
            if place is None or text is None:
                text = make(item).encode("utf-8")
                place = segments.append(made_of, text)
            used[made_of] = place
            yield text
        if used != index:
            if len({name for name, _, _ in used.values()}) > SEGMENTS:
                used = segments.compact(used)
            save_pickle(store, version, used)
            segments.prune({name for name, _, _ in used.values()})
    finally:
        segments.close()


class _Segments:
    """The segment files of one store: read by position, and one new file for the items made now."""

    def __init__(self, store: Path):
        self.store = store
        self.folder = store.parent
        self.prefix = f"{store.stem}.segment."
        self.files: dict[str, int] = {}
        self.own: str | None = None
        self.size = 0

    def _open(self, name: str) -> int | None:
        fd = self.files.get(name)
        if fd is None:
            try:
                fd = self.files[name] = os.open(self.folder / name, os.O_RDONLY)
            except OSError:
                return None
        return fd

    def read(self, place: _Place, made_of: bytes) -> bytes | None:
        """The text at `place`, if the record there is the item's."""
        name, offset, length = place
        fd = self._open(name)
        if fd is None:
            return None
        try:
            record = os.pread(fd, _KEY + length, offset)
        except OSError:
            return None
        return record[_KEY:] if len(record) == _KEY + length and record[:_KEY] == made_of else None

    def append(self, made_of: bytes, text: bytes) -> _Place:
        """Write an item into this rendering's own segment; where it is."""
        if self.own is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.own = f"{self.prefix}{os.getpid()}.{os.urandom(6).hex()}"
            self.files[self.own] = os.open(self.folder / self.own, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        offset = self.size
        os.pwrite(self.files[self.own], made_of + text, offset)
        self.size += _KEY + len(text)
        return self.own, offset, len(text)

    def compact(self, used: dict[bytes, _Place]) -> dict[bytes, _Place]:
        """The items in use, all written into one new segment, one at a time (the one written so far
        is read like the others, and removed with them)."""
        self.own, self.size = None, 0
        moved: dict[bytes, _Place] = {}
        for made_of, place in used.items():
            text = self.read(place, made_of)
            if text is None:
                return used  # unreadable meanwhile: left as it is
            moved[made_of] = self.append(made_of, text)
        return moved

    def prune(self, live: set[str]) -> None:
        """Remove the store's segments that no index names (a build still writing one keeps its own)."""
        for path in self.folder.glob(glob.escape(self.prefix) + "*"):
            pid = path.name[len(self.prefix) :].split(".", 1)[0]
            if path.name in live or (pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid))):
                continue
            path.unlink(missing_ok=True)
        # What an earlier version kept beside the store.
        _since(self.store).unlink(missing_ok=True)

    def close(self) -> None:
        for fd in self.files.values():
            os.close(fd)
        self.files.clear()


def made_of(description: Any) -> bytes:
    """The key of an item described by a plain value (its repr is hashed)."""
    return hashlib.blake2b(repr(description).encode(), digest_size=16).digest()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # alive under another user, or no such number
        return True
    return True


def _since(store: Path) -> Path:
    """Where an earlier version kept what was made since a store was written."""
    return store.with_name(store.stem + "-since" + store.suffix)
