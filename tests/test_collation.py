"""Alphabetical order per language (memoria/collation.py): ICU's collators, and the fallback held to the same answers."""

from __future__ import annotations

import pytest

from memoria.collation import has_icu, index_letter, sort_key
from memoria.model import Person
from memoria.pages import group_by_letter

# Each case: names in the order the language's readers expect.
ORDERS = {
    "az": [
        ["Cəfərov", "Cəlilov", "Çələbi", "Dadaşov"],  # ç after c, before d
        ["Eyvazov", "Əliyev", "Fərzəliyev"],  # ə after e
        ["Qasımov", "Quliyev"],  # ı before u, as in any alphabet
        ["Hüseynov", "Xəlilov", "Ismayılov", "İbrahimov", "Jalə"],  # x after h; ı (I) before i (İ)
        ["ılıq", "ilham"],
        ["Gülnur", "Ğəni", "Həsənov"],  # ğ after g
        ["Kamal", "Qarayev", "Ləman"],  # q after k
        ["Orucov", "Ömərov", "Paşazadə"],  # ö after o
        ["Sadıqov", "Şirinov", "Talıbov"],  # ş after s
        ["Usubov", "Ülvi", "Vəliyev"],  # ü after u
        ["Zeynalov", "Wilson"],  # w is not in the alphabet: after z
    ],
    "ru": [
        ["Абрамов", "Ежов", "Елизаров", "Ёлкин", "Жуков"],  # ё with е
        ["Иванов", "Йодко", "Каримов"],  # й its own letter, after и
        ["Эльдаров", "Юсупов", "Яковлев", "Abbasov", "Zeynalov"],  # Cyrillic first, then Latin
        ["алиев", "Алиев", "Алиева"],  # case decides only between equal letters, lower case first
    ],
    "fr": [
        ["Ebrard", "Édith", "Eliane", "Émile", "Eric"],  # é with e at the first level
        ["cote", "coté", "côte", "côté"],  # accents decide only then, from the left
        ["Cécile", "Çelik", "Cyril", "Dupont"],
        ["Oeuvre", "Œuvre", "Olivier"],
        ["Zoé", "Алиев"],  # Latin before Cyrillic
    ],
    "en": [
        ["Aliyev", "Amirov", "Aybet", "Garayev", "Mammadov", "Məmmədov", "Mirzazada"],  # ə after e
        ["Ali Oner", "Aliyev"],  # a space sorts before letters
        ["O'Brien", "Obrien", "Oner"],
        ["zoe", "Zoe", "Zoë"],
        ["Zeynalov", "Алиев"],
    ],
}

KINDS = [pytest.param(True, id="icu"), pytest.param(False, id="fallback")]


def _sorted(names: list[str], language: str, use_icu: bool) -> list[str]:
    if use_icu and not has_icu():
        pytest.skip("PyICU is not installed")
    return sorted(reversed(names), key=sort_key(language, use_icu=use_icu))


@pytest.mark.parametrize("use_icu", KINDS)
@pytest.mark.parametrize(("language", "expected"), [(lang, case) for lang, cases in ORDERS.items() for case in cases])
def test_order_per_language(language: str, expected: list[str], use_icu: bool) -> None:
    assert _sorted(expected, language, use_icu) == expected


@pytest.mark.parametrize("use_icu", KINDS)
def test_azerbaijani_alphabet(use_icu: bool) -> None:
    alphabet = list("abcçdeəfgğhxıijkqlmnoöprsştuüvyz")
    assert _sorted(alphabet, "az", use_icu) == alphabet
    capitals = list("ABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ")
    assert _sorted(capitals, "az", use_icu) == capitals


@pytest.mark.parametrize("use_icu", KINDS)
def test_russian_alphabet(use_icu: bool) -> None:
    alphabet = list("абвгдежзийклмнопрстуфхцчшщъыьэюя")
    assert _sorted(alphabet, "ru", use_icu) == alphabet
    assert _sorted(["ёж", "еж", "ежи"], "ru", use_icu) == ["еж", "ёж", "ежи"]


@pytest.mark.parametrize("use_icu", KINDS)
def test_region_and_unknown_tags(use_icu: bool) -> None:
    names = ["Çələbi", "Cəlilov", "Dadaşov"]
    assert _sorted(names, "az-AZ", use_icu) == ["Cəlilov", "Çələbi", "Dadaşov"]
    assert _sorted(["b", "a", "é"], "de", use_icu) == ["a", "b", "é"]


NAMES = [
    "Əliyev", "Çələbi", "İlham", "Ilıq", "ılıq", "ilham", "Ёлкин", "Émile", "Abbas", "Ялта", "Øster", "Æsir",
    "Œuvre", "Xocalı", "Qarayev", "Йодко", "Иса", "Şuşa", "Ğəni", "Ümid", "Wilson", "Zoë", "123", "«Vətən»",
]  # fmt: skip
LETTERS = {
    "az": ["Ə", "Ç", "İ", "I", "I", "İ", "Е", "E", "A", "Я", "O", "A", "O", "X", "Q", "Й", "И", "Ş", "Ğ", "Ü", "W", "Z", "#", "#"],
    "ru": ["E", "C", "I", "I", "I", "I", "Е", "E", "A", "Я", "O", "A", "O", "X", "Q", "Й", "И", "S", "G", "U", "W", "Z", "#", "#"],
    "en": ["E", "C", "I", "I", "I", "I", "Е", "E", "A", "Я", "O", "A", "O", "X", "Q", "Й", "И", "S", "G", "U", "W", "Z", "#", "#"],
}  # fmt: skip


@pytest.mark.parametrize("use_icu", KINDS)
@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_index_letters(language: str, use_icu: bool) -> None:
    if use_icu and not has_icu():
        pytest.skip("PyICU is not installed")
    letter = index_letter(language, use_icu=use_icu)
    assert [letter(name) for name in NAMES] == LETTERS[language]


@pytest.mark.skipif(not has_icu(), reason="PyICU is not installed")
@pytest.mark.parametrize("language", ["az", "ru", "fr", "en"])
def test_fallback_agrees_with_icu(language: str) -> None:
    names = NAMES + [name for cases in ORDERS.values() for case in cases for name in case]
    names += ["Ali-Oner", "alî", "Aesir", "Łukasz", "Lukas", "Đorđe", "Dora", "COTE", "Côte", "  x"]
    assert sorted(names, key=sort_key(language, use_icu=False)) == sorted(names, key=sort_key(language))
    fallback, icu = index_letter(language, use_icu=False), index_letter(language)
    assert [fallback(name) for name in names] == [icu(name) for name in names]


# The book of names (memoria/pages.py): letters and names in the order of the site's language.
BOOK = {
    "az": "C: Cəlilov; Ç: Çələbi; E: Eyvazov; Ə: Ələkbərov, Əliyev; Q: Qarayev; Ö: Ömərov; Ş: Şirinov; А: Алиев",
    "ru": "А: Алиев; C: Çələbi, Cəlilov; E: Eyvazov, Ələkbərov, Əliyev; O: Ömərov; Q: Qarayev; S: Şirinov",
    "en": "C: Çələbi, Cəlilov; E: Eyvazov, Ələkbərov, Əliyev; O: Ömərov; Q: Qarayev; S: Şirinov; А: Алиев",
}


@pytest.mark.parametrize("language", BOOK)
def test_book_of_names_per_language(language: str) -> None:
    names = ["Şirinov", "Ömərov", "Əliyev", "Qarayev", "Алиев", "Çələbi", "Ələkbərov", "Cəlilov", "Eyvazov"]
    people = [Person(slug=f"p{n}", name=name) for n, name in enumerate(names)]
    letters = group_by_letter(people, language)
    assert "; ".join(f"{letter}: {', '.join(p.name for p in group)}" for letter, group in letters) == BOOK[language]
