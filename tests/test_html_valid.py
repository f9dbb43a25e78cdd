"""The Nu HTML Checker (vnu.jar from the npm registry, run by the machine's Java) on every generated page.

One Java run checks every HTML page of the example archive and of a made-up archive that uses the
rest of the theme (pages of lists, a timeline split by year, images, unusual dates), the theme's
CSS and SVG, and one page that must fail, which proves the checker really ran.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from memoria.linkcheck import check_site
from tests.browser_support import BASE_PATH, VNU_JAR, example_site, features_site, html_pages, require

pytestmark = pytest.mark.slow

CANARY = '<!doctype html><html lang="en"><title>canary</title><p><time datetime="1992/1993">x</time></p></html>\n'


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {"example": example_site(tmp_path_factory), "features": features_site(tmp_path_factory)}


@pytest.fixture(scope="module")
def messages(sites: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """vnu's errors, by file ('example/people/index.html'), for every page, stylesheet and icon."""
    require("java", "vnu")
    canary = tmp_path_factory.mktemp("canary") / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    names = {str(canary.resolve()): "canary.html"}
    for name, root in sites.items():
        for path in [*(root / rel for rel in html_pages(root)), *root.glob("assets/**/*.css"), *root.glob("**/*.svg")]:
            names[str(path.resolve())] = f"{name}/{path.relative_to(root).as_posix()}"
    options = ["--errors-only", "--also-check-css", "--also-check-svg", "--format", "json", "--stdout"]
    proc = subprocess.run(
        ["java", "-jar", str(VNU_JAR), *options, *names],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report: dict[str, Any] = json.loads(proc.stdout)
    found: dict[str, list[str]] = {}
    for message in report["messages"]:
        path = message.get("url", "").removeprefix("file:")
        where = names.get(str(Path(path).resolve()), path) if path else "(vnu)"
        found.setdefault(where, []).append(f"{where}:{message.get('lastLine', 0)}: {message['message']}")
    return found


def test_the_checker_runs_and_reports_errors(messages: dict[str, list[str]]) -> None:
    assert len(messages.get("canary.html", [])) == 1, messages


def test_every_page_of_the_example_archive_is_valid_html(
    messages: dict[str, list[str]], sites: dict[str, Path]
) -> None:
    assert len(html_pages(sites["example"])) >= 30
    assert [line for where, lines in messages.items() if where.startswith("example/") for line in lines] == []


def test_every_page_of_the_theme_is_valid_html(messages: dict[str, list[str]], sites: dict[str, Path]) -> None:
    root = sites["features"]
    for rel in ("page/2/index.html", "timeline/1990/index.html", "people/ada-example/page/2/index.html"):
        assert (root / rel).is_file()
    assert [line for where, lines in messages.items() if where.startswith("features/") for line in lines] == []


def test_nothing_else_failed(messages: dict[str, list[str]]) -> None:
    assert set(messages) <= {"canary.html"} | {w for w in messages if w.startswith(("example/", "features/"))}


def test_the_made_up_archive_has_no_broken_link(sites: dict[str, Path]) -> None:
    assert check_site(sites["features"], BASE_PATH) == []
