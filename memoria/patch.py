"""A body edit in the dev server: the kept model patched in place, only the pages that show the article rendered.

The dev server keeps its last good build in memory (`Built`). When every file that changed
since is an article whose new reading differs from the old one only in its body (its HTML,
the summary made from it, its hash), nothing else in the model can have changed: no link,
list, order or URL. The articles are patched where the model holds them, and only the outputs
that show them are fingerprinted and rendered again (their fingerprints are what a full build
would compute, so the output is the same as a full build's). Anything else — a front matter
change, a new problem, a person or a page — is left to the full build.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .archive import Archive, Reading
from .config import SiteConfig
from .model import Article, Parsed
from .pages import Output
from .parsing import CacheKey, ParseCache, cache_key, parse_one
from .state import Stamps

# What a body edit changes in an article's reading; everything else must stay as it was.
BODY_FIELDS = frozenset({"html", "summary", "digest"})


@dataclass
class Built:
    """What the dev server keeps of its last good build."""

    key: str  # the site key it was made with
    stamps: Stamps
    archive: Archive
    outputs: list[Output]
    memo: dict[int, object]  # the model objects' hashes, as fingerprint.signature made them
    # An article's file → the indices of the outputs that show it (found on the first patch).
    shown: dict[str, list[int]] | None = None
    articles: dict[str, list[Article]] = field(default_factory=dict)  # its file → the model's objects of it


def patch_bodies(
    built: Built,
    sources: list[tuple[str, Path]],
    stamps: Stamps,
    config: SiteConfig,
    drafts: bool,
    parsed: ParseCache,
    key: str,
) -> list[int] | None:
    """Patch the kept model for articles whose body alone changed; the indices of the outputs to render again.

    `sources` are the project's files as (name in the project, path), stamped in `stamps`.
    None (and nothing changed) when anything else changed: then a full build is needed.
    `parsed` (the session's parse cache) gets the new parse results.
    """
    if key != built.key or stamps.keys() != built.stamps.keys():
        return None
    by_path = {item_key[0]: item_key for item_key in parsed}
    fresh: list[tuple[CacheKey, CacheKey, Parsed]] = []
    for rel, path in sources:
        if built.stamps[path.as_posix()] == stamps[path.as_posix()]:
            continue
        old_key = by_path.get(rel)
        if old_key is None or not rel.endswith(".md"):
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        new_key = cache_key(rel, data, config, drafts)
        if new_key == old_key:
            continue  # touched, not changed
        new = parse_one(new_key, data, config, drafts)
        if not isinstance(new, Parsed) or not _body_only(parsed[old_key].reading, new.reading):
            return None
        fresh.append((old_key, new_key, new))
    if built.shown is None:
        built.shown, built.articles = _shown(built.outputs)
    indices: set[int] = set()
    for old_key, new_key, new in fresh:
        thing = new.reading.thing
        for article in built.articles.get(old_key[0], []):
            article.html, article.summary, article.digest = thing.html, thing.summary, thing.digest
            built.memo.pop(id(article), None)  # its hash is made anew (no other object's depends on it)
        indices.update(built.shown.get(old_key[0], []))
        del parsed[old_key]
        parsed[new_key] = new
    built.stamps = stamps
    return sorted(indices)


def _body_only(old: Any, new: Any) -> bool:
    """Whether two readings of an article differ in its body alone (and neither has an error)."""
    if not isinstance(old, Reading) or not isinstance(new, Reading) or new.errors or old.errors:
        return False
    if not isinstance(old.thing, Article) or not isinstance(new.thing, Article):
        return False
    if (old.key, old.warnings, old.hidden_keys, old.hidden_urls) != (
        new.key,
        new.warnings,
        new.hidden_keys,
        new.hidden_urls,
    ):
        return False
    return _shape(old.thing) == _shape(new.thing)


def _shape(article: Article) -> str:
    """Everything of an article's reading but its body, as text (its events without their article)."""
    described = []
    for item in fields(article):
        if item.name in BODY_FIELDS:
            continue
        value = getattr(article, item.name)
        if item.name == "events":
            value = [(e.date, e.title, e.place, e.people, e.number) for e in value]
        elif item.name in ("images", "inline_images"):  # as written (the build attaches what it made of them)
            value = [(i.src, i.alt, i.caption, i.credit, i.line) for i in value]
        described.append((item.name, value))
    return repr(described)


def _shown(outputs: list[Output]) -> tuple[dict[str, list[int]], dict[str, list[Article]]]:
    """Which outputs show each article (hold it in their context, as fingerprint.signature sees it)."""
    shown: dict[str, list[int]] = defaultdict(list)
    objects: dict[str, dict[int, Article]] = defaultdict(dict)
    for index, output in enumerate(outputs):
        found: dict[int, Article] = {}
        _find_articles(output.context, found)
        for article in found.values():
            shown[article.path].append(index)
            objects[article.path][id(article)] = article
    return dict(shown), {path: list(found.values()) for path, found in objects.items()}


def _find_articles(value: Any, found: dict[int, Article]) -> None:
    kind = type(value)
    if kind is Article:
        found[id(value)] = value
    elif kind is list or kind is tuple:
        for item in value:
            _find_articles(item, found)
    elif kind is dict:
        for item in value.values():
            _find_articles(item, found)
