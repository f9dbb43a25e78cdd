"""memoria.assets: which files of assets/ are published under their own names, and their clashes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from memoria.assets import asset_clashes, published_asset
from memoria.errors import Problems

PICTURES: Any = SimpleNamespace(sources={"assets/images/shown.jpg"})


def test_published_assets() -> None:
    assert published_asset("assets/css/site.css", None)
    assert published_asset("assets/images/background.jpg", PICTURES)  # re-encoded, under its name
    assert not published_asset("assets/images/shown.jpg", PICTURES)  # published as /images/ variants
    assert not published_asset("assets/images/scan.tif", PICTURES)  # not a format it cleans
    assert not published_asset("assets/images/background.jpg", None)


def test_clashes_by_case_and_unicode_form_among_published_assets_only() -> None:
    inputs = [
        (rel, Path(rel))
        for rel in (
            "assets/css/X.css", "assets/css/x.css", "assets/caf\u00e9.txt", "assets/cafe\u0301.txt",
            "assets/images/Shown.JPG", "assets/images/shown.jpg", "content/x.css", "assets/y.css",
        )
    ]  # fmt: skip
    problems = Problems()
    asset_clashes(inputs, PICTURES, problems)
    assert [str(error) for error in problems.errors] == [
        "assets/css/x.css: writes assets/css/x.css, which assets/css/X.css writes too",
        "assets/cafe\u0301.txt: writes assets/cafe\u0301.txt, which assets/caf\u00e9.txt writes too",
    ]
