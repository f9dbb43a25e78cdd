"""Alphabetical order as each language has it: the book of names sorted for its readers.

Azerbaijani puts `ç` after `c`, `ə` after `e`, `ı` before `i`, `x` after `h` and `q` after
`k`; Russian sorts Cyrillic first, with `ё` beside `е`; French ignores accents unless
all else is equal. ICU's collators (CLDR's tailorings) know all of this, so they are used
whenever PyICU is installed. Without it, a small fallback follows the same rules for the
languages of the theme — each alphabet in its order, accents and case as tie-breaks, spaces
and punctuation before digits and digits before letters — and the tests hold it to ICU's
answers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

try:
    import icu
except ImportError:  # pragma: no cover - PyICU is a pinned dependency; the fallback is tested on its own
    icu = None

SortKey = Callable[[str], object]

# Each alphabet in its order (the official alphabets, as CLDR's index characters list them),
# with letters outside it put where CLDR's collation puts them (Azerbaijani `w` after `z`).
_LATIN = "abcdeəfghiıjklmnopqrstuvwxyz"  # root order: `ə` after `e`, `ı` after `i`
_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
_ALPHABETS = {
    "az": ("abcçdeəfgğhxıijkqlmnoöprsştuüvyzw", _CYRILLIC),
    "ru": (_CYRILLIC, _LATIN),
}
_DEFAULT = (_LATIN, _CYRILLIC)
# Letters written as two at the first level, told apart only by case and form ('Æsir' after 'Aesir').
_EXPANSIONS = {"æ": "ae", "œ": "oe", "ß": "ss", "ĳ": "ij"}
# Letters with a stroke, which Unicode does not decompose: the letter and an accent, as CLDR weighs them.
_STROKED = {"ø": "o\u0338", "đ": "d\u0335", "ł": "l\u0337", "ħ": "h\u0335"}
# Accents in the order CLDR's root collation weighs them at the second level.
_MARKS = "\u0301\u0300\u0306\u0302\u030c\u030a\u0308\u030b\u0303\u0307\u0327\u0328\u0304"


def sort_key(language: str, use_icu: bool = True) -> SortKey:
    """A key function that sorts text in the order of a language (BCP 47 tag: 'az', 'ru-RU')."""
    if use_icu and icu is not None:
        return _icu_key(language)
    return _fallback_key(_primary(language))


def index_letter(language: str, use_icu: bool = True) -> Callable[[str], str]:
    """The letter a name is filed under in a language's book of names ('Əliyev': 'Ə' in az, 'E' in en); '#' if none."""
    if use_icu and icu is not None:
        return _icu_letter(_primary(language))
    return _fallback_letter(_primary(language))


def has_icu() -> bool:
    """Whether ICU's collators are available (PyICU imported)."""
    return icu is not None


@lru_cache(maxsize=32)
def _icu_key(language: str) -> SortKey:
    try:
        locale = icu.Locale.forLanguageTag(language.replace("_", "-"))
    except icu.ICUError:  # site.yaml's languages are checked: this is only a last guard, in the root order
        locale = icu.Locale.getRoot()
    collator = icu.Collator.createInstance(locale)
    key: SortKey = collator.getSortKey
    return key


@lru_cache(maxsize=32)
def _icu_letter(language: str) -> Callable[[str], str]:
    builder = icu.AlphabeticIndex(icu.Locale(language))
    # The other script's letters too, so a Latin name in a Russian book gets its own letter.
    builder.addLabels(icu.Locale("en" if language == "ru" else "ru"))
    index = builder.buildImmutableIndex()
    labels = [index.getBucket(i) for i in range(index.bucketCount)]

    def letter(name: str) -> str:
        label, kind = labels[index.getBucketIndex(name)]
        return str(label) if kind == icu.UAlphabeticIndexLabelType.NORMAL else "#"

    return letter


@lru_cache(maxsize=32)
def _fallback_letter(language: str) -> Callable[[str], str]:
    order = _order(language)
    alphabet = list(order)
    # Letters that head no section of their own: filed with the letter before ('ə' under 'E' in English).
    unlisted = set("ъь" if language == "az" else "əıъь")
    dotless = language == "az"  # I and İ are the capitals of ı and i

    def letter(name: str) -> str:
        first = _letters(name[:1], order, dotless)
        if not first or first[0][0] not in order:
            return "#"
        base = first[0][0]
        while base in unlisted:
            base = alphabet[order[base] - 1]
        return {"i": "İ", "ı": "I"}.get(base, base.upper()) if dotless else base.upper()

    return letter


def _primary(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=32)
def _order(language: str) -> dict[str, int]:
    order: dict[str, int] = {}
    for script in _ALPHABETS.get(language, _DEFAULT):
        for letter in script:
            order.setdefault(letter, len(order))
    return order


def _letters(text: str, order: dict[str, int], dotless: bool) -> list[tuple[str, str, int]]:
    """Each character as (letter of the alphabet or other character, its accents, its case and form)."""
    found: list[tuple[str, str, int]] = []
    for char in unicodedata.normalize("NFC", text):
        upper = int(char != char.lower() or char == "İ")
        lower = ("ı" if char == "I" else "i") if dotless and char in "Iİ" else char.lower()[:1]
        if lower in order:
            base, marks = lower, ""
        else:
            decomposed = _STROKED.get(lower) or unicodedata.normalize("NFD", lower)
            base, marks = decomposed[:1], decomposed[1:]
        expanded = _EXPANSIONS.get(base, base)
        found.extend((part, marks, upper + 2 * (part != base)) for part in expanded)
    return found


@lru_cache(maxsize=32)
def _fallback_key(language: str) -> SortKey:
    order = _order(language)
    dotless = language == "az"  # I and İ are the capitals of ı and i

    def key(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...]]:
        letters = _letters(text, order, dotless)
        return (
            tuple(_weight(base, order) for base, _, _ in letters),
            tuple(_accents(marks) for _, marks, _ in letters),
            tuple(form for _, _, form in letters),
        )

    return key


def _accents(marks: str) -> int:
    """The second-level weight of a letter's accents: none first, then in CLDR's order."""
    weight = 0
    for mark in marks:
        weight = weight * 1024 + (_MARKS.index(mark) + 1 if mark in _MARKS else 32 + ord(mark) % 992)
    return weight


def _weight(char: str, order: dict[str, int]) -> tuple[int, int]:
    """Where a character sorts at the first level: spaces, punctuation, symbols, digits, letters."""
    if char in order:
        return (4, order[char])
    category = unicodedata.category(char)
    if category.startswith("Z") or char.isspace():
        return (0, ord(char))
    if category.startswith("P"):
        return (1, ord(char))
    if category.startswith("N"):
        return (3, unicodedata.digit(char, 10))
    if category.startswith("L"):
        return (5, ord(char))
    return (2, ord(char))
