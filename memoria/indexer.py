"""The Pagefind program: finding it, running it (several at a time), and making what it writes the same each time."""

from __future__ import annotations

import ctypes
import ctypes.util
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from . import cbor
from .errors import BuildError, SourceError

INDEX_DIR = "pagefind"  # in the site: the index and Pagefind's interface
_PR_SET_PDEATHSIG = 1
# Where Pagefind reads the site from and writes its index, when there is room: memory (tmpfs). On a
# disk, making each of the folders and files it reads took up to a millisecond of the kernel's time
# (measured on this project's machine), and as long to remove it.
MEMORY = Path("/dev/shm")
_ROOM_PER_FILE = 16384  # bytes of memory, at most, for a page (its link and its part of the index) or a record


def pagefind_binary() -> str:
    """The Pagefind program that the pagefind package installed, or BuildError saying how to get it."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = None
    else:
        found = get_executable()
    if found is None or not Path(found).is_file():
        message = "search needs Pagefind: python3 -m pip install -r requirements.txt (pagefind[extended])"
        raise BuildError([SourceError("requirements.txt", 0, message)])
    return str(found)


def work_folder(work: Path, files: int) -> Path:
    """The folder where Pagefind reads `files` pages and records and writes their index: in memory when
    there is room, else `work` (beside the output). Any left in memory by a killed build of the same
    output is removed."""
    if not MEMORY.is_dir() or not os.access(MEMORY, os.W_OK | os.X_OK):
        return work
    stem, _, pid = work.name.rpartition("-")  # one folder for each process, as beside the output
    key = hashlib.blake2b(os.fsencode(work.parent.resolve() / stem), digest_size=8).hexdigest()
    for stale in MEMORY.glob(f"memoria-{key}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    try:
        stats = os.statvfs(MEMORY)
    except OSError:
        return work
    if stats.f_bavail * stats.f_frsize < 2 * files * _ROOM_PER_FILE:  # half of what is free, at most
        return work
    return MEMORY / f"memoria-{key}-{pid}"


def link(source: str, target: str) -> None:
    """`target` made to be `source`: a hard link, else (another file system) a symbolic one, else a copy."""
    try:
        os.link(source, target)
    except OSError:
        try:
            os.symlink(os.path.abspath(source), target)
        except OSError:
            shutil.copyfile(source, target)


def _with_parent() -> Callable[[], None] | None:
    """What a child runs before Pagefind starts, on Linux: end when the build that started it ends."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl  # looked up before the fork
    return lambda: prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run_pagefind(site: Path, index: Path, language: str | None) -> None:
    """Pagefind over a folder of pages, written to `index`: one index in `language`, or one per page language."""
    run_pagefinds([(site, index, language)], 1)


def run_pagefinds(runs: Sequence[tuple[Path, Path, str | None]], at_once: int) -> None:
    """Pagefind over each (folder of pages, index, language), `at_once` at a time; BuildError for the first that fails.

    Processes started and polled from this thread (a child set up by `preexec_fn` must not be
    started from several threads); their output goes to files, which never fill up as a pipe can.
    """
    binary = pagefind_binary()
    pending = list(reversed(runs))
    running: list[_Run] = []
    try:
        while pending or running:
            while pending and len(running) < at_once:
                running.append(_Run(binary, *pending.pop()))
            finished = [run for run in running if run.proc.poll() is not None]
            if not finished:
                time.sleep(0.02)
            for run in finished:
                running.remove(run)
                run.finish()
    finally:
        for run in running:
            run.proc.kill()
            run.proc.wait()
            run.said.close()


class _Run:
    """One Pagefind process, started at once."""

    def __init__(self, binary: str, site: Path, index: Path, language: str | None):
        command = [binary, "--site", str(site), "--output-path", str(index), "--silent"]
        if language:
            command += ["--force-language", language.split("-")[0].lower() or "en"]
        self.index = index
        self.said = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the process has ended)
        self.proc = subprocess.Popen(command, stdout=self.said, stderr=subprocess.STDOUT, preexec_fn=_with_parent())

    def finish(self) -> None:
        """After the process ended: BuildError, with the end of what Pagefind said, unless it wrote an index."""
        self.said.seek(0)
        said = " ".join(self.said.read().decode("utf-8", "replace").split())[-500:]
        self.said.close()
        if self.proc.returncode != 0 or not (self.index / "pagefind-entry.json").is_file():
            message = f"Pagefind could not index the site: {said or self.proc.returncode}"
            raise BuildError([SourceError(INDEX_DIR, 0, message)])


# Pagefind's data files: gzip of this magic and CBOR.
_MAGIC = b"pagefind_dcd"


def settle_filters(index: Path) -> None:
    """Put Pagefind's filters in a fixed order, so that the same site gives the same index.

    Pagefind 1.5 keeps filters in hash maps and writes their values, and the list of
    filters in its metadata file, in an order that changes from run to run. Values are
    sorted here, filters by name, and the files renamed for what they then hold.
    """
    entry_path = index / "pagefind-entry.json"
    entry = entry_path.read_text(encoding="utf-8")
    for language, info in sorted(json.loads(entry)["languages"].items()):
        meta_path = index / f"pagefind.{info['hash']}.pf_meta"
        meta = _load(meta_path)
        try:
            filters = meta[3]
            settled = []
            for name, old in filters:
                values = _load(index / "filter" / f"{old}.pf_filter")
                values[1].sort(key=lambda value: value[0])
                settled.append([name, _store(index / "filter", old, language, 7, values, ".pf_filter")])
            meta[3] = sorted(settled)
        except (TypeError, ValueError, IndexError, KeyError) as err:
            raise _format_error(f"unexpected metadata ({err})") from None
        new = _store(index, info["hash"], language, 10, meta, ".pf_meta", prefix="pagefind.")
        entry = entry.replace(f'"hash":"{info["hash"]}"', f'"hash":"{new}"')
    # The languages too, in a fixed order (Pagefind writes them in its hash map's).
    settled_entry = json.loads(entry)
    settled_entry["languages"] = dict(sorted(settled_entry["languages"].items()))
    entry_path.write_text(json.dumps(settled_entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _load(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_MAGIC):
        raise _format_error(f"{path.name} is not a Pagefind data file")
    try:
        value = cbor.loads(data[len(_MAGIC) :])
    except cbor.CBORError as err:
        raise _format_error(f"{path.name}: {err}") from None
    if cbor.dumps(value) != data[len(_MAGIC) :]:
        raise _format_error(f"{path.name} does not read back as written")
    return value


def _store(folder: Path, old: str, language: str, size: int, value: Any, suffix: str, prefix: str = "") -> str:
    """Replace a data file by one named for its content; its new name (without prefix and suffix)."""
    payload = _MAGIC + cbor.dumps(value)
    name = f"{language}_{hashlib.sha256(payload).hexdigest()[:size]}"
    (folder / f"{prefix}{old}{suffix}").unlink()
    (folder / f"{prefix}{name}{suffix}").write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    return name


def _format_error(message: str) -> BuildError:
    return BuildError([SourceError(INDEX_DIR, 0, f"Pagefind wrote an index this Memoria cannot read: {message}")])


# The pages Pagefind indexes carry this attribute (else Pagefind indexes every page whole).
_BODY = re.compile(rb"<[A-Za-z][^<>]*\sdata-pagefind-body[\s=/>]")


def is_searched(html: bytes) -> bool:
    """Whether a page has an element marked data-pagefind-body. The regular expression is tried from the tag
    the attribute's name is in: tried on the whole page, it took 3 s for the 13,800 pages of 10,000 articles."""
    at = html.find(b"data-pagefind-body")
    return at != -1 and _BODY.search(html, max(0, html.rfind(b"<", 0, at))) is not None


def searched_digest(html: bytes) -> str:
    """A hash of what Pagefind reads of a page: the page but the elements marked data-pagefind-ignore,
    inside which only data-pagefind-* attributes (filters, metadata) and the text they take count.

    Two versions of a page with the same digest give the same record: a person's page whose list of
    articles changed (a section Pagefind ignores) need not be indexed again. When in doubt, more counts.
    The first image of the page and of its data-pagefind-body count even where ignored: Pagefind takes
    a record's image (src and alt) from it.
    """
    reader = _Searched()
    try:
        reader.feed(html.decode("utf-8"))
        reader.close()
    except (UnicodeDecodeError, AssertionError):  # not what a theme writes: all of it counts
        return hashlib.blake2b(html, digest_size=16).hexdigest()
    return reader.digest.hexdigest()


_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
)


class _Searched(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.digest = hashlib.blake2b(digest_size=16)
        # Open elements: (tag, inside an ignored element, inside one whose text is a filter or metadata)
        self.open: list[tuple[str, bool, bool]] = []
        self.images = 0  # the first image of the page and of its body counted: 1, then 2

    def _state(self) -> tuple[bool, bool]:
        return self.open[-1][1:] if self.open else (False, False)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ignored, taken = self._state()
        marks = [(name, value) for name, value in attrs if name.startswith("data-pagefind")]
        if not ignored or marks:
            self.digest.update(repr(("<", tag, attrs if not ignored else marks)).encode())
        if any(name == "data-pagefind-body" for name, _ in marks):
            self.images = min(self.images, 1)
        if tag == "img" and self.images < 2:
            self.images += 1
            values = dict(attrs)
            self.digest.update(repr(("img", values.get("src"), values.get("alt"))).encode())
        ignored = ignored or any(name == "data-pagefind-ignore" for name, _ in marks)
        taken = taken or any(
            name in ("data-pagefind-filter", "data-pagefind-meta", "data-pagefind-sort") for name, _ in marks
        )
        if tag not in _VOID:
            self.open.append((tag, ignored, taken))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.open and self.open[-1][0] == tag:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        ignored, _ = self._state()
        if not ignored:
            self.digest.update(repr(("/", tag)).encode())
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                break

    def handle_data(self, data: str) -> None:
        ignored, taken = self._state()
        if not ignored or taken:
            self.digest.update(repr(("t", data)).encode())
