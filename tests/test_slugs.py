"""Slugs: transliterated lowercase ASCII, never a path."""

from __future__ import annotations

import pytest

from memoria.slugs import is_valid_slug, name_key, slug_from_filename, slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Gülnur Aybet", "gulnur-aybet"),
        ("Xocalı", "xocali"),
        ("Şuşa", "susa"),
        ("Fikrət Əmirov", "fikret-emirov"),
        ("Soltan Məmmədov", "soltan-memmedov"),
        ("Солтан Мамедов", "soltan-mamedov"),
        ("Oradour-sur-Glane", "oradour-sur-glane"),
        ("  ../../etc/passwd ", "etc-passwd"),
        ("Justice for Khojaly!", "justice-for-khojaly"),
        ("!!!", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_nfd_and_nfc_meet() -> None:
    assert slugify("Gu\u0308lnur") == slugify("G\u00fclnur") == "gulnur"


def test_name_keys_meet_across_spellings() -> None:
    assert name_key("Soltan Mammadov") == name_key("soltan-mammadov") == name_key("SOLTAN  MAMMADOV")


@pytest.mark.parametrize("slug", ["a", "leyla-abdullayeva", "1992", "a1-b2"])
def test_valid_slugs(slug: str) -> None:
    assert is_valid_slug(slug)


@pytest.mark.parametrize("slug", ["", "A", "a/b", "..", "a..b", "-a", "a-", "a--b", "a b", "ş", "a\\b", "x" * 201])
def test_invalid_slugs(slug: str) -> None:
    assert not is_valid_slug(slug)


def test_slug_from_filename_drops_the_date() -> None:
    assert slug_from_filename("2023-02-25-khojaly-commemoration-paris") == "khojaly-commemoration-paris"
    assert slug_from_filename("2023-02-25") == "2023-02-25"
    assert slug_from_filename("Jane-Doe") == "jane-doe"
