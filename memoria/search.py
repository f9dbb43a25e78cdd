"""Full-text search with no server: a Pagefind index of the new site, written with the rest of it.

Pagefind (from PyPI, `pagefind[extended]`, which carries the binary) reads the site's
HTML: the theme marks what to index with `data-pagefind-body` and gives each page its
kind, date, year and language as Pagefind filters and metadata. Events have no page of
their own, so each is indexed from a small record (memoria/records.py) whose result
leads to the event on its article's page.

The index is built from the site as it will be after this build — in a folder of links
to the new and kept pages, in memory or beside the output (indexer.work_folder) — and its files go through the
writer like every other file: unchanged ones are kept, and in an incremental build the
new index is committed together with the pages. An incremental build that changed no
HTML keeps the previous index without running Pagefind.

Pagefind has no incremental mode, and its memory grows with what one run indexes (about
2.8 GB for 12,000 pages). A large site's index is therefore made in parts: each searched
page goes, by a hash of its path, into one of K parts (K for each language: one per
SHARD_PAGES of its searched pages), each part is indexed by its own Pagefind run into its
own bundle (/pagefind/ for part 0, /pagefind/1/, /pagefind/2/ ... for the others), and the
search page merges them (Pagefind's `mergeIndex`). A build re-runs Pagefind only for the
parts whose pages or events changed, found from a small record of the last index kept in
the build's cache folder; the other parts' files are kept as they are. A site of one part
is indexed as a whole, as it always was.
"""

from __future__ import annotations

import glob
import hashlib
import math
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import GENERATOR, records, urls
from .archive import Archive
from .errors import BuildError, SourceError
from .indexer import (
    INDEX_DIR,
    is_searched,
    link,
    run_pagefind,
    run_pagefinds,
    searched_digest,
    settle_filters,
    work_folder,
)
from .model import Article
from .parallel import workers
from .records import Records
from .sources import LAYOUTS_DIR
from .stored import load_pickle, save_pickle
from .writer import Writer, discard_tree, remove_tree

if TYPE_CHECKING:
    from .pages import Output


ALL = "all"  # in INDEX_DIR on a site of several languages: the index of all of them together
_SHOW_FROM = 200  # pages; fewer are indexed too quickly to say so
# Searched pages of one language in one part of the index: Pagefind took 3 s and 245 MB for 1,000.
SHARD_PAGES = 1000
# Pagefind runs at once: each uses mostly one core, and a few hundred MB.
_RUNS_AT_ONCE = 2
_INTERFACE = re.compile(r"pagefind-(?:[a-z]+-)?ui\.(?:js|css)|pagefind-highlight\.js")
_MANIFEST_VERSION = f"{GENERATOR}/search-parts/2"
_PAGEFIND_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")  # the names of the index's files and folders


def index_site(
    project: Path,
    archive: Archive,
    writer: Writer,
    previous: Sequence[str],
    quiet: bool = False,
    force: bool = False,
    outputs: Sequence[Output] = (),
    manifest: Path | None = None,
) -> None:
    """Index the pages the writer holds, and the archive's events, into /pagefind/ (BuildError if Pagefind fails).

    `previous` lists the files of the build the writer updates, to see whether any page changed.
    `outputs` (the site's plan) say each page's language and how many parts the index has;
    `manifest` is where the parts' contents are remembered between builds (None: nowhere).
    """
    # Beside the output, like the writer's own folder ('.output.memoria-new'), one for each process: a
    # Pagefind that outlived a killed build can write only into its own, removed here with the others.
    prefix = writer.root.name.rsplit("-", 1)[0] + "-search-"
    for stale in writer.root.parent.glob(glob.escape(prefix) + "*"):
        remove_tree(stale)
    pages = [rel for rel in writer.paths() if rel.endswith(".html")]
    if not force and writer.in_place and not _pages_changed(writer, pages, previous) and _keep_index(writer, previous):
        return
    counts = shard_counts(outputs, archive.config.multilingual)
    # What Pagefind reads (links to the pages, the events' records): in memory when there is room. What it
    # writes too, when the previous build's index is there to compare with (its files are then mostly
    # the same, and kept); else beside the output, to be renamed into the site (a copy would write it twice).
    beside = writer.root.with_name(f"{prefix}{os.getpid()}")
    work = work_folder(beside, len(pages) + sum(len(article.events) for article in archive.articles))
    made = work if writer.previous is not None else beside
    try:
        if max(counts.values(), default=1) == 1:
            _index_whole(project, archive, writer, pages, work, made, quiet)
            return
        old = None if force or not writer.in_place else _load_manifest(manifest, previous, counts)
        parts = _Parts(counts, outputs)
        _index_parts(project, archive, writer, previous, pages, parts, old, work, made, quiet)
        if manifest is not None:
            _save_manifest(manifest, writer, counts, parts)
    finally:
        for folder in {work, made}:
            discard_tree(folder)  # tens of thousands of files at scale: removed in the background


def _index_whole(
    project: Path, archive: Archive, writer: Writer, pages: list[str], work: Path, made: Path, quiet: bool
) -> None:
    """The index of a site of one part: every page and event, in /pagefind/ (and /pagefind/all/).
    Pagefind reads the site from `work` and writes its index into `made`."""
    site, index = work / "site", made / INDEX_DIR
    _link_pages(writer, pages, site)
    if records.has_event_template(project):
        folder = f"{site}/{records.EVENTS_DIR}"
        records.write_events(project, archive, [(a, "", folder) for a in archive.articles if a.events], {})
    _say(quiet, f"indexing {len(pages)} pages for search ...", len(pages))
    config = archive.config
    if config.multilingual:
        # An index for each language (by each page's <html lang>), searched from its pages; and
        # one of every page in one index, in pagefind/all/, to search all languages at once.
        run_pagefind(site, index, None)
        run_pagefind(site, made / ALL, config.language)
        settle_filters(made / ALL)
        (made / ALL).rename(index / ALL)
    else:
        run_pagefind(site, index, config.language)
    settle_filters(index)
    for path in sorted(index.rglob("*")):
        rel = path.relative_to(index).as_posix()
        if path.is_file() and not (rel.startswith(ALL + "/") and _is_interface(rel)):
            writer.move(f"{INDEX_DIR}/{rel}", os.fspath(path), "pagefind")


def _say(quiet: bool, message: str, pages: int) -> None:
    """Tell a person at a terminal that indexing takes a while."""
    if not quiet and pages >= _SHOW_FROM and sys.stderr.isatty() and not os.environ.get("CI"):
        print(message, file=sys.stderr)


# --- an index in parts -----------------------------------------------------------------------------


def shard_counts(outputs: Iterable[Output], multilingual: bool) -> dict[str, int]:
    """How many parts each language's index has: one for each SHARD_PAGES of its searched pages.

    Known when the site is planned, so that the search page can list the parts it merges: the
    pages counted are those the default theme marks `data-pagefind-body` (an article or a free
    page in the language of its place in the site, the first page of a person). Another theme
    only makes the parts larger or smaller.
    """
    searched: Counter[str] = Counter()
    for output in outputs:
        if output.template == "person.html":
            pager = output.context.get("pager")
            searched[output.lang] += pager is None or pager.number == 1
        elif output.template in ("article.html", "page.html"):
            item = output.context.get("article") or output.context.get("page")
            searched[output.lang] += not multilingual or item is None or item.lang == output.lang
    return {lang: max(1, math.ceil(count / SHARD_PAGES)) for lang, count in sorted(searched.items())}


def search_page_parts(counts: dict[str, int], language: str, multilingual: bool) -> dict[str, list[str]]:
    """What the search page of a language merges with /pagefind/ (or with /pagefind/all/ for ?all=1)."""
    everything = max(counts.values(), default=1)
    return {
        "search_parts": [_part_folder(n) for n in range(1, counts.get(language, 1))],
        "search_all_parts": [_part_folder(n, True) for n in range(1, everything)] if multilingual else [],
    }


def _part_folder(number: int, together: bool = False) -> str:
    """Where a part of the index is in the site: 'pagefind/', 'pagefind/2/', 'pagefind/all/2/'.

    Digits, which are never the name of Pagefind's own folders nor 'all'.
    """
    return f"{INDEX_DIR}/{ALL + '/' if together else ''}{f'{number}/' if number else ''}"


def _part_of_file(rel: str) -> int:
    """The part of the index an index file of the site belongs to."""
    rest = rel.split("/")[1:]
    if len(rest) > 1 and rest[0] == ALL:
        rest = rest[1:]
    return int(rest[0]) if len(rest) > 1 and rest[0].isdigit() else 0


@dataclass
class _Parts:
    """The parts of the index of one build: which part each searched page, and each article's events, is in."""

    counts: dict[str, int]
    outputs: Sequence[Output]
    pages: dict[str, int] = field(default_factory=dict)  # searched page → part
    events: dict[str, tuple[int, str]] = field(default_factory=dict)  # article's page → (part, what its events show)
    bodies: set[str] = field(default_factory=set)  # the pages marked data-pagefind-body
    records: Records = field(default_factory=dict)  # the event records of the index (records.write_events)

    def __post_init__(self) -> None:
        self.languages = {urls.output_file(o.path): o.lang for o in self.outputs}

    def place(self, searched: Iterable[str]) -> None:
        """Put each searched page in a part of its language's: by a stable hash of its path.

        Each part of a language must hold some of its pages (else Pagefind searches that part in
        another language, and a part of no page cannot be indexed): the language's pages with the
        smallest hashes go one into each part first. Only when one of those few comes or goes
        do other pages change parts.
        """
        by_language: dict[str, list[tuple[int, str]]] = {}
        for rel in searched:
            by_language.setdefault(self.languages.get(rel, ""), []).append((_hash(rel), rel))
        for language, count in self.counts.items():
            found = len(by_language.get(language, ()))
            if count > 1 and found < count:  # a theme that marks far fewer pages than the default one
                message = f"{count} parts of the search index in '{language}', but only {found} pages to search"
                raise BuildError([SourceError(LAYOUTS_DIR, 0, f"{message}: mark more pages data-pagefind-body")])
        for language, hashed in by_language.items():
            count = self.counts.get(language, 1)
            for rank, (number, rel) in enumerate(sorted(hashed)):
                self.pages[rel] = rank if rank < count else number % count

    def part(self, rel: str) -> int:
        """The part of a page: where it was placed, or else by the hash of its path."""
        found = self.pages.get(rel)
        return found if found is not None else _hash(rel) % self.counts.get(self.languages.get(rel, ""), 1)


def _hash(rel: str) -> int:
    return int.from_bytes(hashlib.blake2b(rel.encode(), digest_size=8).digest(), "big")


@dataclass
class _Manifest:
    """What the last sharded index held, saved beside the build's state; `key` names its index files."""

    key: str
    counts: dict[str, int]
    pages: dict[str, int]
    events: dict[str, tuple[int, str]]
    bodies: set[str]
    records: Records


def _index_parts(
    project: Path,
    archive: Archive,
    writer: Writer,
    previous: Sequence[str],
    pages: list[str],
    parts: _Parts,
    old: _Manifest | None,
    work: Path,
    made: Path,
    quiet: bool,
) -> None:
    """Index the site in parts, running Pagefind again only for the parts whose content changed
    (reading each part from `work`, writing its index into `made`)."""
    config = archive.config
    # Which pages are searched: a page's attribute is read where it was written, else the last index says.
    for rel in pages:
        if rel in writer.wrote or old is None:
            if is_searched(_read(_source(writer, rel))):
                parts.bodies.add(rel)
        elif rel in old.bodies:
            parts.bodies.add(rel)
    # Pagefind indexes every page whole on a site where no page is marked: so do its parts.
    parts.place(sorted(parts.bodies) or pages)
    with_events = [a for a in archive.articles if a.events] if records.has_event_template(project) else []
    placed: list[tuple[Article, str, int]] = []  # an article with events, their key, and their part
    for article in with_events:
        page = _article_page(article, config.prefix(article.lang))
        parts.events[page] = found = (parts.part(page), records.events_key(article))
        placed.append((article, found[1], found[0]))
    count = max(parts.counts.values())
    dirty = set(range(count)) if old is None else _changed_parts(parts, old, _records_changed(writer, parts.pages))
    # The records of the parts that stay are carried over; a part whose records are not all known is made again.
    kept = old.records if old is not None else {}
    dirty.update(number for _, events_key, number in placed if events_key not in kept)
    by_part: dict[int, list[str]] = {}
    for rel in previous:
        if rel.startswith(INDEX_DIR + "/"):
            by_part.setdefault(_part_of_file(rel), []).append(rel)
    for number in range(count):
        if number not in dirty and not _keep_files(writer, by_part.get(number, [])):
            dirty.add(number)
    parts.records = {events_key: kept[events_key] for _, events_key, n in placed if n not in dirty}
    if not dirty:
        return
    todo = sorted(dirty)
    runs: list[tuple[Path, Path, str | None]] = []
    for number in todo:
        site = work / str(number) / "site"
        _link_pages(writer, [rel for rel, n in parts.pages.items() if n == number], site)
        (site / records.EVENTS_DIR).mkdir(parents=True, exist_ok=True)
        if config.multilingual:
            runs += [(site, made / str(number) / INDEX_DIR, None), (site, made / str(number) / ALL, config.language)]
        else:
            runs.append((site, made / str(number) / INDEX_DIR, config.language))
    todo_events = [
        (a, events_key, f"{work}/{n}/site/{records.EVENTS_DIR}") for a, events_key, n in placed if n in dirty
    ]
    parts.records.update(records.write_events(project, archive, todo_events, kept))
    searched = sum(1 for n in parts.pages.values() if n in dirty)
    _say(quiet, f"indexing {searched} pages for search, in {len(todo)} of {count} parts ...", searched)
    run_pagefinds(runs, max(1, min(workers(), _RUNS_AT_ONCE)))
    for _, index, _ in runs:
        settle_filters(index)
        number = int(index.parent.name)
        folder = _part_folder(number, index.name == ALL)
        for path in sorted(index.rglob("*")):
            rel = path.relative_to(index).as_posix()
            if path.is_file() and (_is_data(rel) if number else not (index.name == ALL and _is_interface(rel))):
                writer.move(folder + rel, os.fspath(path), "pagefind")


def _is_data(rel: str) -> bool:
    """A file of the index itself; the other parts search with part 0's program, so need no other."""
    return "/" in rel or rel == "pagefind-entry.json" or rel.endswith(".pf_meta")


def _is_interface(rel: str) -> bool:
    """One of Pagefind's interfaces (its scripts and styles): the search page loads them from /pagefind/
    only, so the index of all languages (/pagefind/all/) needs none of its own."""
    return _INTERFACE.fullmatch(rel.rsplit("/", 1)[-1]) is not None


def _records_changed(writer: Writer, searched: dict[str, int]) -> set[str]:
    """The searched pages this build wrote whose record in the index changes (indexer.searched_digest):
    a page new to the site, or one whose searched part differs from the previous build's."""
    changed = set()
    for rel in writer.wrote:
        if rel not in searched:
            continue
        old = f"{writer.previous}/{rel}" if writer.in_place and writer.previous is not None else None
        try:
            same = old is not None and searched_digest(_read(old)) == searched_digest(_read(writer.targets[rel]))
        except OSError:
            same = False
        if not same:
            changed.add(rel)
    return changed


def _changed_parts(parts: _Parts, old: _Manifest, wrote: set[str]) -> set[int]:
    """The parts a page or an article's events came into, left, or changed in."""
    dirty: set[int] = set()
    for rel in parts.pages.keys() | old.pages.keys():
        if rel in wrote or parts.pages.get(rel) != old.pages.get(rel):
            dirty.update(n for n in (parts.pages.get(rel), old.pages.get(rel)) if n is not None)
    for page in parts.events.keys() | old.events.keys():
        new, was = parts.events.get(page), old.events.get(page)
        if new != was:
            dirty.update(found[0] for found in (new, was) if found is not None)
    return dirty


def _article_page(article: Article, prefix: str) -> str:
    """The file of an article's page in its own language, where its events' results lead."""
    return urls.output_file(prefix + article.url)


def _manifest_key(files: Iterable[str]) -> str:
    """A name for an index: Pagefind names its files by their content, so their names are enough."""
    listed = "\n".join(sorted(rel for rel in files if rel.startswith(INDEX_DIR + "/")))
    return hashlib.blake2b(listed.encode(), digest_size=16).hexdigest()


def _load_manifest(path: Path | None, previous: Sequence[str], counts: dict[str, int]) -> _Manifest | None:
    """The record of the previous build's index, if it is the one in the output and has the same parts."""
    found = load_pickle(path, _MANIFEST_VERSION) if path is not None else None
    if not isinstance(found, _Manifest) or found.counts != counts or found.key != _manifest_key(previous):
        return None
    return found


def _save_manifest(path: Path, writer: Writer, counts: dict[str, int], parts: _Parts) -> None:
    """Remember what this build's index holds. Saved before the build is committed: if it then fails, the
    key names an index that is not in the output, and the next build indexes every part again."""
    files = [rel for rel in writer.targets if rel.startswith(INDEX_DIR + "/")]
    save_pickle(
        path,
        _MANIFEST_VERSION,
        _Manifest(_manifest_key(files), counts, parts.pages, parts.events, parts.bodies, parts.records),
    )


def _pages_changed(writer: Writer, pages: list[str], previous: Sequence[str]) -> bool:
    """In an incremental build: a page was added, removed or rewritten."""
    if set(pages) != {rel for rel in previous if rel.endswith(".html")}:
        return True
    return any(rel in writer.wrote for rel in pages)


def keep_index(writer: Writer, previous: Sequence[str]) -> bool:
    """Carry the previous index over unchanged (--no-search; the dev server does not re-index on every save).

    With no record of the last build's files (it kept no state: --no-cache, or .memoria/ removed), the
    index found in the output folder is the one kept.
    """
    return _keep_files(writer, index_files(previous) or _found_index(writer))


def index_files(previous: Sequence[str]) -> list[str]:
    """The files of the search index among a build's files."""
    return [rel for rel in previous if rel.startswith(INDEX_DIR + "/")]


def carried_index(writer: Writer, previous: Sequence[str]) -> list[str]:
    """The previous build's index files, to leave in place (an in-place build without search): none
    unless every one is still there (an index removed by hand is not recorded as kept)."""
    old = index_files(previous)
    return old if _all_there(writer, old) else []


def _found_index(writer: Writer) -> list[str]:
    """The files under the previous output's index folder, by their paths in the site; none when any of
    them is not what Pagefind writes (a link, an odd name, a folder that cannot be read): that index is
    not kept."""
    if writer.previous is None:
        return []
    root = os.fspath(writer.previous)
    top = f"{root}/{INDEX_DIR}"
    if not _is(top, stat.S_ISDIR):
        return []
    found = []
    unread: list[OSError] = []
    for folder, folders, files in os.walk(top, onerror=unread.append):  # links to folders are listed as files
        for name in files + folders:
            path = f"{folder}/{name}"
            if not _PAGEFIND_NAME.fullmatch(name) or os.path.islink(path):
                return []
            if name in files:
                found.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return [] if unread else sorted(found)


def _is(path: str, kind: Callable[[int], bool]) -> bool:
    """Whether `path` itself (not what a link at it leads to) is of a kind (stat.S_ISREG, S_ISDIR)."""
    try:
        return kind(os.lstat(path).st_mode)
    except OSError:
        return False


def _all_there(writer: Writer, old: list[str]) -> bool:
    """Whether each of the previous build's files is still there, a file (not a link)."""
    previous = os.fspath(writer.previous) if writer.previous is not None else ""
    intact = writer.intact
    return bool(old and previous) and all(rel in intact or _is(f"{previous}/{rel}", stat.S_ISREG) for rel in old)


def _keep_index(writer: Writer, previous: Sequence[str]) -> bool:
    """Keep the previous build's index as it is; False (and nothing claimed) when it is not all there."""
    return _keep_files(writer, index_files(previous))


def _keep_files(writer: Writer, old: list[str]) -> bool:
    """Keep files of the previous build as they are; False (and nothing claimed) when they are not all there."""
    if not _all_there(writer, old):
        return False
    if writer.in_place:  # left where they are: claimed as a whole (25,000 files at 10,000 articles)
        writer.carry(old, "pagefind")
    else:
        for rel in old:
            target = writer.claim(rel, "pagefind")
            if not writer.keep(rel, target):  # a link refused (another owner, file system): a copy
                writer.put(rel, target, _read(f"{writer.previous}/{rel}"))
    writer.kept += len(old)
    return True


def _source(writer: Writer, rel: str) -> str:
    """Where a page of the new site is now: just written, or else the previous build's."""
    if writer.in_place and writer.previous is not None and rel not in writer.wrote:
        return f"{writer.previous}/{rel}"
    return writer.targets[rel]


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _link_pages(writer: Writer, pages: list[str], site: Path) -> None:
    """The new site's pages in one folder: each one just written, or else the previous build's.

    Made in the order of their paths: Pagefind numbers pages in the order it finds them, which on
    some file systems (tmpfs) is the order they were made in.
    """
    made: set[str] = set()
    for rel in sorted(pages):
        source = _source(writer, rel)
        target = f"{site}/{rel}"
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        link(source, target)
