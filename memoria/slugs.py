"""Slugs and name keys: lowercase ASCII, transliterated, never a path."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}-")


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """`Fikrət Əmirov` → `fikret-emirov`; '' when nothing is left."""
    ascii_text = anyascii(unicodedata.normalize("NFC", text)).lower()
    return _NOT_SLUG.sub("-", ascii_text).strip("-")


def name_key(text: str) -> str:
    """The key two spellings of a name must share to meet: its slug form."""
    return slugify(text)


def is_valid_slug(slug: str) -> bool:
    """Lowercase ASCII letters, digits and single hyphens: nothing that can be a path."""
    return bool(_SLUG.match(slug)) and len(slug) <= 200


def slug_from_filename(stem: str) -> str:
    """`2023-02-25-paris-ceremony` → `paris-ceremony`; a bare date keeps the date."""
    trimmed = _DATED.sub("", stem)
    return shortened(slugify(trimmed or stem))


# A slug made from a name or a file name is cut to this: a file name has at most 255 bytes, and a
# long tag or a name of 80 Chinese characters (400 letters in ASCII) must not make a longer one.
MADE_SLUG_MAX = 100


def shortened(slug: str) -> str:
    """A slug made from a name, cut at a hyphen to at most MADE_SLUG_MAX characters."""
    if len(slug) <= MADE_SLUG_MAX:
        return slug
    cut = slug[: MADE_SLUG_MAX + 1]
    return (cut.rsplit("-", 1)[0] if "-" in cut else cut[:MADE_SLUG_MAX]).strip("-")


def term_slug(name: str) -> str:
    """The slug of a place or a tag: '' when the name has no letter or digit."""
    return shortened(slugify(name))
