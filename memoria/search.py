"""Full-text search with no server: a Pagefind index of the new site, written with the rest of it.

Pagefind (from PyPI, `pagefind[extended]`, which carries the binary) reads the site's
HTML: the theme marks what to index with `data-pagefind-body` and gives each page its
kind, date, year and language as Pagefind filters and metadata. Events have no page of
their own, so each is indexed from a small record (the theme's `search-event.html`)
whose result leads to the event on its article's page.

The index is built from the site as it will be after this build — in a folder of hard
links to the new and kept pages beside the output — and its files go through the
writer like every other file: unchanged ones are kept, and in an incremental build the
new index is committed together with the pages. An incremental build that changed no
HTML keeps the previous index without running Pagefind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from . import cbor
from .archive import Archive
from .errors import BuildError, SourceError
from .parallel import map_forked, slices, workers
from .render import make_environment, render
from .writer import Writer, discard_tree, remove_tree

LAYOUTS_DIR = "layouts"
INDEX_DIR = "pagefind"
ALL = "all"  # in INDEX_DIR on a site of several languages: the index of all of them together
EVENT_TEMPLATE = "search-event.html"
EVENTS_DIR = "_memoria_events"  # in the folder Pagefind reads, never in the site
_SHOW_FROM = 200  # pages; fewer are indexed too quickly to say so
_PR_SET_PDEATHSIG = 1


def index_site(
    project: Path, archive: Archive, writer: Writer, previous: Sequence[str], quiet: bool = False, force: bool = False
) -> None:
    """Index the pages the writer holds, and the archive's events, into /pagefind/ (BuildError if Pagefind fails).

    `previous` lists the files of the build the writer updates, to see whether any page changed.
    """
    # Beside the output, like the writer's own folder ('.output.memoria-new'), one for each process: a
    # Pagefind that outlived a killed build can write only into its own, removed here with the others.
    prefix = writer.root.name.rsplit("-", 1)[0] + "-search-"
    for stale in writer.root.parent.glob(glob.escape(prefix) + "*"):
        remove_tree(stale)
    work = writer.root.with_name(f"{prefix}{os.getpid()}")
    pages = [rel for rel in writer.paths() if rel.endswith(".html")]
    if not force and writer.in_place and not _pages_changed(writer, pages, previous) and _keep_index(writer, previous):
        return
    try:
        site, index = work / "site", work / INDEX_DIR
        _link_pages(writer, pages, site)
        _write_events(project, archive, site / EVENTS_DIR)
        if not quiet and len(pages) >= _SHOW_FROM and sys.stderr.isatty() and not os.environ.get("CI"):
            print(f"indexing {len(pages)} pages for search ...", file=sys.stderr)
        config = archive.config
        if config.multilingual:
            # An index for each language (by each page's <html lang>), searched from its pages; and
            # one of every page in one index, in pagefind/all/, to search all languages at once.
            run_pagefind(site, index, None)
            run_pagefind(site, work / ALL, config.language)
            settle_filters(work / ALL)
            (work / ALL).rename(index / ALL)
        else:
            run_pagefind(site, index, config.language)
        settle_filters(index)
        for path in sorted(index.rglob("*")):
            if path.is_file():
                writer.write(f"{INDEX_DIR}/{path.relative_to(index).as_posix()}", path.read_bytes(), "pagefind")
    finally:
        discard_tree(work)  # tens of thousands of files at scale: removed in the background


def _pages_changed(writer: Writer, pages: list[str], previous: Sequence[str]) -> bool:
    """In an incremental build: a page was added, removed or rewritten."""
    if set(pages) != {rel for rel in previous if rel.endswith(".html")}:
        return True
    return any(rel in writer.wrote for rel in pages)


def keep_index(writer: Writer, previous: Sequence[str]) -> bool:
    """Carry the previous index over unchanged (the dev server does not re-index on every save)."""
    return _keep_index(writer, previous)


def _keep_index(writer: Writer, previous: Sequence[str]) -> bool:
    """Keep the previous build's index as it is; False (and nothing claimed) when it is not all there."""
    old = [rel for rel in previous if rel.startswith(INDEX_DIR + "/")]
    if not old or writer.previous is None or not all((writer.previous / rel).is_file() for rel in old):
        return False
    for rel in old:
        writer.keep(rel, writer.claim(rel, "pagefind"))
        writer.kept += 1
    return True


def _link_pages(writer: Writer, pages: list[str], site: Path) -> None:
    """The new site's pages in one folder: each one just written, or else the previous build's."""
    made: set[str] = set()
    previous = os.fspath(writer.previous) if writer.in_place and writer.previous is not None else ""
    for rel in pages:
        source = f"{previous}/{rel}" if previous and rel not in writer.wrote else writer.targets[rel]
        target = f"{site}/{rel}"
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)


def _write_events(project: Path, archive: Archive, folder: Path) -> None:
    """One small page per event, for Pagefind only: the theme's search-event.html, rendered on every core."""
    config = archive.config
    envs = {code: make_environment(project / LAYOUTS_DIR, config, code) for code in config.codes}
    folder.mkdir(parents=True)
    if not (project / LAYOUTS_DIR / EVENT_TEMPLATE).is_file():
        return  # a theme without the template: events are found on their articles' pages
    events = [event for article in archive.articles for event in article.events]

    def write_slice(part: Sequence[int]) -> SourceError | None:
        # Indices, not events: workers are sent their work by pickle, and an event pickles the whole archive.
        for event in (events[i] for i in part):
            article = event.article
            url = article.url
            # An event leads to its article's page in the article's own language.
            env = envs.get(article.lang, envs[config.language])
            try:
                page = render(env, EVENT_TEMPLATE, {"event": event, "page_url": f"{url}#{event.anchor}"})
            except jinja2.TemplateError as err:
                return SourceError(f"{LAYOUTS_DIR}/{EVENT_TEMPLATE}", getattr(err, "lineno", 0) or 0, str(err))
            name = f"{article.lang}-{article.slug}-{event.number}.html"
            with open(f"{folder}/{name}", "w", encoding="utf-8") as handle:
                handle.write(page)
        return None

    everything = range(len(events))
    parts = slices(everything, workers() * 4) if len(events) > 200 else [everything]
    errors = [error for error in map_forked(write_slice, parts) if error]
    if errors:
        raise BuildError(errors[:1])


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


def _with_parent() -> Callable[[], None] | None:
    """What a child runs before Pagefind starts, on Linux: end when the build that started it ends."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl  # looked up before the fork
    return lambda: prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run_pagefind(site: Path, index: Path, language: str | None) -> None:
    """Pagefind over a folder of pages, written to `index`: one index in `language`, or one per page language."""
    command = [pagefind_binary(), "--site", str(site), "--output-path", str(index), "--silent"]
    if language:
        command += ["--force-language", language.split("-")[0].lower() or "en"]
    proc = subprocess.run(command, capture_output=True, text=True, check=False, preexec_fn=_with_parent())
    if proc.returncode != 0 or not (index / "pagefind-entry.json").is_file():
        said = " ".join((proc.stderr or proc.stdout).split())[-500:]
        raise BuildError([SourceError(INDEX_DIR, 0, f"Pagefind could not index the site: {said or proc.returncode}")])


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
