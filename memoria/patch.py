"""A body edit: the last build's model patched in place, only the pages that show the article rendered.

The last good build's model (`Built`) is kept: in memory by the dev server, and on disk
beside the build's state for the next `build.py` (written by a forked process after the build
has ended, so that no build waits for it). When every file that changed since is an article
whose new reading differs from the old one only in its body (its HTML, the summary made from
it, its hash; archive.body_check), nothing else in the model can have changed: no link, list,
order or URL. The articles are patched where the model holds them, and only the outputs that
show them are fingerprinted and rendered again (their fingerprints are what a full build would
compute, so the output is the same as a full build's). Anything else — a front matter change,
a new problem, a person or a page — is left to the full build.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import re
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import GENERATOR
from .archive import Archive
from .config import SiteConfig
from .export import forget_keys, make_keys
from .fingerprint import Memo, held_objects
from .model import Article, Parsed
from .pages import Output, Pager, plan_site
from .parallel import give_back_memory
from .parsing import CacheKey, ParseCache, cache_key, parse_one
from .state import Stamps
from .stored import save_pickle

# A linked model is deep (article → person → their articles → ...): pickled on a large stack.
_STACK = 512 * 1024 * 1024
_WAIT = 60.0  # seconds a build waits for the model a previous one is still writing


@dataclass
class Built:
    """What is kept of the last good build, to patch."""

    key: str  # the site key it was made with
    stamps: Stamps
    archive: Archive
    outputs: list[Output]
    memo: Memo  # the model objects' hashes, as fingerprint.signature made them
    # An article's file → the indices of the outputs that show it (found when first needed).
    shown: dict[str, list[int]] | None = None
    articles: dict[str, list[Article]] = field(default_factory=dict)  # its file → the model's objects of it


Edit = tuple[CacheKey, CacheKey, Parsed]
Readings = dict[
    str, tuple[CacheKey, str | None]
]  # Archive.readings: a file → its parse key, and its body check  # an article's old parse key, its new one, and what it now reads as


def body_edits(
    readings: Readings,
    since: Stamps,
    sources: list[tuple[str, Path]],
    stamps: Stamps,
    config: SiteConfig,
    drafts: bool,
) -> list[Edit] | None:
    """The articles whose body alone changed since the files were as `since` saw them; None when
    anything else changed (a full build is needed).

    `readings` are what each file read as then (Archive.readings); `sources` the project's files
    as (name in the project, path), stamped now in `stamps`.
    """
    if stamps.keys() != since.keys():
        return None
    edits: list[Edit] = []
    for rel, path in sources:
        if since[rel] == stamps[rel]:
            continue
        old_key, old_check = readings.get(rel, (None, None))
        if old_key is None or old_check is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        new_key = cache_key(rel, data, config, drafts)
        if new_key == old_key:
            continue  # touched, not changed
        new = parse_one(new_key, data, config, drafts)
        if not isinstance(new, Parsed) or new.check != old_check or _linked(new.html):
            return None
        edits.append((old_key, new_key, new))
    return edits


# An image (made a figure when linked), or a link to a page of the site (which may be a draft's, made
# plain text when linked): a body with either is left to the full build.
_LINKED = re.compile(r'<img\b|\shref="(?![a-zA-Z][a-zA-Z0-9+.-]*:|//|#)')


def _linked(html: str) -> bool:
    return _LINKED.search(html) is not None


def patch_bodies(built: Built, edits: list[Edit], stamps: Stamps, parsed: ParseCache | None = None) -> list[int]:
    """Patch the model for the edits (body_edits); the indices of the outputs to render again.

    `parsed` (a parse cache kept in memory) gets the new parse results.
    """
    if built.shown is None:
        built.shown, built.articles = _shown(built.outputs)
    readings = built.archive.readings
    indices: set[int] = set()
    for old_key, new_key, new in edits:
        thing = new.reading.thing
        for article in built.articles.get(old_key[0], []):
            article.html, article.summary, article.digest = thing.html, thing.summary, thing.digest
            built.memo.pop(id(article), None)  # its hash is made anew (no other object's depends on it)
            forget_keys(article)  # and its data files' items
        indices.update(built.shown.get(old_key[0], []))
        readings[old_key[0]] = (new_key, new.check)
        if parsed is not None:
            parsed.pop(old_key, None)
            parsed[new_key] = new
    built.stamps = stamps
    return sorted(indices)


def built_file(state_path: Path) -> Path:
    """Where the model of the build whose state is at `state_path` is kept."""
    return state_path.with_name(state_path.stem + "-built.pickle")


def save_built(path: Path, built: Built) -> None:
    """Keep the model on disk for the next build, written by a forked process once this one has let go.

    The writer holds a lock on the file until it is in place; a build that wants it waits for that.
    Where no model can be kept (no fork, a folder that cannot be written), none is: the next build is a full one.
    """
    if not hasattr(os, "fork"):
        return
    try:
        lock = _locked(path, fcntl.LOCK_EX)
    except OSError:
        return
    try:
        path.unlink(missing_ok=True)
        child = os.fork()
        if child == 0:  # a child that starts the writer and ends, so that no process is left to wait for
            code = 0
            try:
                if os.fork() == 0:
                    code = _write_detached(path, built, lock)
            finally:
                os._exit(code)
        os.waitpid(child, 0)
    except OSError:
        pass  # not kept
    finally:
        os.close(lock)  # the writer holds the lock still


def load_readings(path: Path, key: str, stamps: Stamps) -> Readings | None:
    """What each file read as in the last build (Archive.readings), if it kept a model made with `key`
    from the files as `stamps` saw them: enough to tell a body edit without reading the model."""
    found = _load(path, key, stamps, whole=False)
    return found if isinstance(found, dict) else None


def load_built(path: Path, key: str, stamps: Stamps) -> Built | None:
    """The model kept by the last build, if it was made with `key` from the files as `stamps` saw them."""
    found = _load(path, key, stamps, whole=True)
    if not isinstance(found, tuple):
        return None
    archive, shown, articles, hashes = found
    memo = {id(value): (value, digest) for value, digest in hashes}
    # The pages are planned again: as many, in the same order, from the same objects.
    return Built(key, stamps, archive, plan_site(archive), memo, shown, articles)


def _load(path: Path, key: str, stamps: Stamps, whole: bool) -> Any:
    """The readings (the file's first part), or the model too (its second); None if they are not these."""
    if not path.with_name(path.name + ".lock").exists():
        return None
    try:
        lock = _locked(path, fcntl.LOCK_SH, _WAIT)
    except OSError:
        return None
    if lock < 0:
        return None
    try:
        with path.open("rb") as handle:  # anything wrong with what it holds: not read, a full build
            if pickle.load(handle) != _version():
                return None
            made_with, seen, readings = pickle.load(handle)
            if (made_with, seen) != (key, stamps):
                return None
            return pickle.load(handle) if whole else readings
    except Exception:  # a damaged pickle can raise almost anything
        return None
    finally:
        os.close(lock)


def _write_detached(path: Path, built: Built, lock: int) -> int:
    """In the forked writer: nothing of the build's open files kept (a pipe read to its end would wait)."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, lock)
    os.closerange(lock + 1, 1 << 16)
    try:
        _write(path, built)
    except BaseException:
        return 1
    return 0


def _write(path: Path, built: Built) -> None:
    """In the forked writer (it changes `built`, its own copy)."""
    if built.shown is None:
        built.shown, built.articles = _shown(built.outputs)
    # The pages are planned anew when the model is read: their hashes are of no use then.
    hashes = [(value, digest) for value, digest in built.memo.values() if not isinstance(value, Pager)]
    built.outputs, built.memo = [], {}
    make_keys(built.archive.articles, built.archive.people)  # the data files' items, for the next build
    give_back_memory()
    readings = (built.key, built.stamps, built.archive.readings)
    model = (built.archive, built.shown, built.articles, hashes)
    failed: list[BaseException] = []

    def write() -> None:
        try:
            save_pickle(path, _version(), readings, model)
        except BaseException as err:
            failed.append(err)

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1_000_000))
    threading.stack_size(_STACK)
    writer = threading.Thread(target=write)
    writer.start()
    writer.join()
    if failed:
        raise failed[0]


def _locked(path: Path, kind: int, wait: float | None = None) -> int:
    """A lock on the model's file (a file beside it), held by the returned descriptor; -1 if `wait` ran out."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    if wait is None:
        fcntl.flock(fd, kind)
        return fd
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                return -1
            time.sleep(0.01)


def _version() -> str:
    """The model's classes are this Memoria's: its code, file by file, names what it pickled."""
    return GENERATOR


def _shown(outputs: list[Output]) -> tuple[dict[str, list[int]], dict[str, list[Article]]]:
    """Which outputs show each article (hold it in their context, as fingerprint.signature sees it)."""
    shown: dict[str, list[int]] = defaultdict(list)
    objects: dict[str, dict[int, Article]] = defaultdict(dict)
    for index, output in enumerate(outputs):
        found = {id(value): value for value in held_objects(output.context) if type(value) is Article}
        for article in found.values():
            shown[article.path].append(index)
            objects[article.path][id(article)] = article
    return dict(shown), {path: list(found.values()) for path, found in objects.items()}
