"""The data files' items: encoded once and kept between builds (Fragments), written in pieces (Pieces)."""

from __future__ import annotations

import hashlib
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
    only what changed. With a `store` (a file under .memoria/) they are kept between builds,
    and read from it for each rendering, not held; without, they stay in memory. Each data
    file has its own, as the data files may be rendered in different processes. As with the
    parse cache, the store is a large base and a small file of what was made since, rewritten
    whole only when that grows. An item is known by a short hash of what it is made from.
    """

    def __init__(self, store: Path | None, version: str, hold: bool = False):
        """`hold`: keep the items in memory for the next rendering (the dev server) even with a store."""
        self.store = store
        self.version = version
        self.hold = hold or store is None
        self.kept: dict[bytes, bytes] | None = None
        self.base: set[bytes] = set()  # the keys in the store's base file

    def encode(self, items: Iterable[T], key: Callable[[T], bytes], make: Callable[[T], str]) -> list[bytes]:
        """Each item's text in UTF-8: the one kept for the same key (a hash of what the item is made
        from: made_of), or made anew.

        Kept as bytes, half the memory of text outside ASCII; each is decoded as it is written.
        """
        if self.kept is None:
            self.kept = self._load()
        kept = self.kept
        used: dict[bytes, bytes] = {}
        texts: list[bytes] = []
        for item in items:
            made_of = key(item)
            text = used.get(made_of)
            if text is None:
                text = kept.get(made_of)
                used[made_of] = text = make(item).encode("utf-8") if text is None else text
            texts.append(text)
        if self.store and used.keys() != kept.keys():
            self._save(self.store, used)
        self.kept = used if self.hold else None
        return texts

    def _load(self) -> dict[bytes, bytes]:
        if self.store is None:
            return {}
        base, made = (load_pickle(path, self.version) for path in (self.store, _since(self.store)))
        if not isinstance(base, dict):
            return {}
        self.base = set(base)
        if isinstance(made, dict):
            base.update(made)
        return base

    def _save(self, store: Path, used: dict[bytes, bytes]) -> None:
        # Keys are what an item is made from: an entry of the base no longer used is never wrong, only kept.
        made = {made_of: text for made_of, text in used.items() if made_of not in self.base}
        if len(made) * 5 > len(self.base) or len(self.base) > 2 * len(used):
            save_pickle(store, self.version, used)
            save_pickle(_since(store), self.version, {})
            self.base = set(used)
        else:
            save_pickle(_since(store), self.version, made)


def made_of(description: Any) -> bytes:
    """The key of an item described by a plain value (its repr is hashed)."""
    return hashlib.blake2b(repr(description).encode(), digest_size=16).digest()


def _since(store: Path) -> Path:
    """The file of what was made since a store's base was written."""
    return store.with_name(store.stem + "-since" + store.suffix)
