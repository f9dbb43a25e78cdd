"""Parse content files (front matter and Markdown), in parallel, reusing earlier results."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import markdown

from . import GENERATOR
from .archive import body_check, read_file, reading_key
from .config import SiteConfig
from .errors import Problems, SourceError, every
from .frontmatter import Document, parse_document
from .markup import Renderer, local_images
from .mdguard import Unrenderable
from .model import Parsed
from .parallel import map_forked, slices, workers
from .progress import Progress
from .stored import load_pickle, save_pickle

CacheKey = tuple[str, str]
ParseCache = dict[CacheKey, Parsed]
CACHE_VERSION = f"{GENERATOR}/{markdown.__version__}/11"


@lru_cache(maxsize=4)
def _renderer(base_path: str, embeds: tuple[str, ...]) -> Renderer:
    return Renderer(base_path, embeds)


def parse_one(key: CacheKey, data: bytes, config: SiteConfig, drafts: bool) -> Parsed | SourceError:
    """One file: its body as safe HTML and what it reads as (archive.Reading), or the error that stops it.

    Only what linking needs is kept: the body's source and the front matter are dropped once
    read (the cache key covers the settings they were read with), which halved what the parse
    cache holds and what a build's memory keeps of it.
    """
    path, digest = key
    try:
        doc = parse_document(path, data)
    except SourceError as err:
        return err
    try:
        html = _renderer(config.base_path, config.embeds).render(doc.body)
    except Unrenderable as err:
        return SourceError(path, doc.body_line, str(err))
    images = local_images(doc.body, html, config.base_path, doc.body_line) if "<img" in html else []
    parsed = Parsed(doc, html, digest, images)
    parsed.reading = read_file(parsed, config, drafts)
    parsed.check = body_check(parsed.reading)
    parsed.doc = Document(path, {}, "", doc.body_line)
    return parsed


def cache_key(path: str, data: bytes, config: SiteConfig, drafts: bool = False) -> CacheKey:
    """What a parse result depends on: the file's bytes, the site's link settings and what it is read with."""
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(f"\0{config.base_path}\0{config.embeds}\0{reading_key(config, drafts)}\0{CACHE_VERSION}".encode())
    return path, digest.hexdigest()


def parse_files(
    files: Sequence[tuple[str, bytes | None]],
    config: SiteConfig,
    problems: Problems,
    cache: ParseCache | None = None,
    quiet: bool = True,
    drafts: bool = False,
    known: dict[str, CacheKey] | None = None,
) -> list[Parsed]:
    """Every content file parsed and read (with or without its drafts); results are taken from and added to `cache`.

    A file given without its bytes (None) is one whose key `known` has, and `cache` its result.
    """
    cache = {} if cache is None else cache
    known = known or {}
    keys = [known[path] if data is None else cache_key(path, data, config, drafts) for path, data in files]
    todo = [(key, data) for key, (_, data) in zip(keys, files, strict=True) if key not in cache and data is not None]

    def parse_slice(part: Sequence[tuple[CacheKey, bytes]]) -> list[Parsed | SourceError]:
        return [parse_one(key, data, config, drafts) for key, data in part]

    parts = slices(todo, workers() * 4) if len(todo) >= 64 else [todo]
    progress = Progress("reading", len(todo), quiet=quiet)
    chunks = map_forked(parse_slice, parts, done=lambda part: progress.step(len(part)))
    progress.done()
    results = [result for chunk in chunks for result in chunk]
    fresh: dict[CacheKey, Parsed | SourceError] = {key: result for (key, _), result in zip(todo, results, strict=True)}
    parsed = []
    for key in keys:
        result = cache.get(key) or fresh[key]
        if isinstance(result, SourceError):
            problems.errors += every(result)
        else:
            cache[key] = result
            parsed.append(result)
    live = set(keys)
    for stale in [key for key in cache if key not in live]:
        del cache[stale]
    return parsed


class CacheStore:
    """The parse cache on disk: a large base file, and a small file of what changed since.

    Editing one article rewrites only the small file; the base is rewritten when
    the changes grow past a fifth of it.
    """

    def __init__(self, folder: Path):
        self.base = folder / "parsed.pickle"
        self.delta = folder / "parsed-changes.pickle"
        self.base_keys: set[CacheKey] = set()
        self.changed: set[CacheKey] = set()  # entries of the base changed since it was written

    def load(self) -> ParseCache:
        """What earlier builds parsed, or nothing."""
        base = _load(self.base)
        self.base_keys = set(base)
        delta = _load(self.delta)
        self.changed = self.base_keys & set(delta)
        base.update(delta)
        return base

    def save(self, cache: ParseCache, touched: set[CacheKey] | frozenset[CacheKey] = frozenset()) -> None:
        """Save atomically (a killed build leaves the previous files); `touched` entries changed in place."""
        self.changed |= touched & self.base_keys
        changed = {key: value for key, value in cache.items() if key not in self.base_keys or key in self.changed}
        if len(changed) * 5 > len(self.base_keys) or len(self.base_keys) > 2 * len(cache):
            _dump(self.base, cache)
            _dump(self.delta, {})
            self.base_keys = set(cache)
            self.changed = set()
        else:
            _dump(self.delta, changed)


def _load(path: Path) -> ParseCache:
    cache = load_pickle(path, CACHE_VERSION)
    return cache if isinstance(cache, dict) else {}


def _dump(path: Path, cache: ParseCache) -> None:
    save_pickle(path, CACHE_VERSION, cache)
