"""Shared by the browser and validator tests: the tools, one build of the example archive, a Pages-like server.

A plain module, imported by the test modules that need it (not a conftest): the build is
made once per test session, in a temporary folder, under the sub-path /archive/.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
BASE_PATH = "/archive/"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
NODE_MODULES = REPO / "tests" / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
SETUP = "run `bash tests/setup.sh` to install it"


def require(*what: str) -> None:
    """Fail (never skip) when a tool the test needs is missing: 'chromium', 'java', 'vnu', 'axe', 'playwright'."""
    missing = []
    for tool in what:
        if tool == "chromium" and not CHROMIUM.is_file():
            missing.append(f"Chromium ({CHROMIUM})")
        elif tool == "java" and shutil.which("java") is None:
            missing.append("Java (java)")
        elif tool == "vnu" and not VNU_JAR.is_file():
            missing.append(f"the Nu HTML Checker ({VNU_JAR.relative_to(REPO)})")
        elif tool == "axe" and not AXE_JS.is_file():
            missing.append(f"axe-core ({AXE_JS.relative_to(REPO)})")
        elif tool == "playwright":
            try:
                import playwright.sync_api  # noqa: F401
            except ImportError:
                missing.append("Playwright for Python")
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: {SETUP}", pytrace=False)


def _build(folder: str, project: Path = REPO) -> Path:
    output = Path(folder) / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "build.py",
            "--project",
            str(project),
            "--output",
            str(output),
            "--base-url",
            BASE_PATH,
            "--quiet",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"{project} did not build:\n{proc.stderr}"
    return output


def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example archive built for /archive/, once per test session, shared by every module that asks."""
    return _build_example(str(tmp_path_factory.getbasetemp() / "example-archive"))


@functools.cache
def _build_example(folder: str) -> Path:
    return _build(folder)


FEATURES_CONFIG = """\
title: Theme test archive
description: A made-up archive that uses every part of the default theme.
base_url: /
language: en
per_page: 4
list_size: 10
timeline_split: 10
menu:
  - {title: Timeline, url: /timeline/}
  - {title: People, url: /people/}
  - {title: Places, url: /places/}
  - {title: Tags, url: /tags/}
  - {title: Notes, url: /notes/}
"""
PHOTO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30" width="400" height="300">'
    '<rect width="40" height="30" fill="#8a8f98"/><circle cx="20" cy="13" r="6" fill="#d9d5cc"/></svg>\n'
)


def features_project() -> dict[str, str | bytes]:
    """The content of a made-up archive with what the example lacks: pages of lists, a timeline split
    by year, a gallery, a Markdown image and a portrait, uncertain, approximate, decade and BC dates,
    a person with no file."""
    from tests.conftest import jpeg

    files: dict[str, str | bytes] = {
        "content/people/portrait.jpg": jpeg(900, 1200, "sienna"),
        "content/articles/ceremony.jpg": jpeg(2400, 1600),
        "content/articles/wreath.jpg": jpeg(1200, 800, "darkolivegreen"),
        "assets/images/photo.svg": PHOTO,
        "content/people/ada-example.md": """\
            ---
            name: Ada Example
            aliases: [Ada Exämple]
            role: Archivist
            born: "1815-12-10"
            died: "1852?"
            place: London
            photo: {src: portrait.jpg, alt: "Ada Example at her desk", credit: "Photo: a made-up credit"}
            links:
              - {title: "An external page", url: "https://example.org/ada"}
            ---
            A made-up person who is named in every article.

            ## Events

            Headings named like the theme's own sections must not repeat their ids.

            ## Named with
            """,
        "content/pages/notes.md": """\
            ---
            title: Notes
            ---
            A free page with a [link to the timeline](/timeline/), a list and a table.

            | Year | What |
            |------|------|
            | 1905 | Something |
            """,
    }
    extra = {
        1: [
            "events:",
            '  - {date: "199X", title: "A decade", place: "Place 1"}',
            '  - {date: "-0043-03-15", title: "Before the common era"}',
            '  - {date: "1905~", title: "About 1905", people: [ada-example]}',
            '  - {date: "1992-02-25/1992-03-04", title: "An interval", people: ["Nobody Filed"]}',
        ],
        2: [
            "images:",
            '  - {src: ceremony.jpg, alt: "A white circle on blue", caption: "The ceremony", credit: "Photo: A. Writer"}',
            '  - {src: wreath.jpg, alt: "A white circle on green", caption: "A wreath"}',
            '  - {src: assets/images/photo.svg, alt: "A grey square", caption: "A caption", credit: "A credit"}',
            'source: {name: "Example Herald", url: "https://example.org/herald", place: "Paris", author: "A. Writer"}',
        ],
    }
    for n in range(1, 13):
        front = [
            f'title: "Article {n}: a made-up report"',
            f"date: {2000 + n}-01-15",
            'people: [ada-example, {name: "Nobody Filed", role: "witness"}]',
            f'places: ["Place {n % 3}"]',
            f'tags: ["tag {n % 2}"]',
            *extra.get(n, []),
        ]
        body = f"The first paragraph of article {n}, with *emphasis* and a footnote.[^1]\n\n> A quotation.\n\n[^1]: A note."
        if n == 3:
            body += '\n\n![A white circle on green, in the text](wreath.jpg "The wreath again")\n'
        if n == 2:  # headings named like the theme's own sections
            body += "\n\n## Main\n\nText.\n\n## Images\n\nText.\n\n## Events\n\nText.\n"
        files[f"content/articles/a{n:02d}.md"] = "---\n" + "\n".join(front) + "\n---\n" + body + "\n"
    return files


def features_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The made-up archive of features_project, built for /archive/ once per test session."""
    return _build_features(str(tmp_path_factory.getbasetemp() / "features-archive"))


@functools.cache
def _build_features(folder: str) -> Path:
    from tests.conftest import make_site

    project = make_site(Path(folder), features_project(), FEATURES_CONFIG)
    return _build(folder, project)


def html_pages(root: Path) -> list[str]:
    """Every HTML file of a built site, as sorted POSIX paths relative to it."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))


def page_url(rel: str) -> str:
    """The path a file is served at under the base path: 'people/index.html' → '/archive/people/'."""
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return BASE_PATH + rel


class PagesHandler(SimpleHTTPRequestHandler):
    """Serves a built site under BASE_PATH the way GitHub Pages serves a project site.

    Anything else, and any missing file, answers 404 with the site's own 404.html;
    a folder without its trailing slash redirects to it.
    """

    site_root: Path

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(self.site_root), **kwargs)

    def _route(self) -> bool:
        path = urlsplit(self.path).path
        if not (path + "/").startswith(BASE_PATH):
            self.send_error(HTTPStatus.NOT_FOUND)
            return False
        if not path.endswith("/") and Path(self.translate_path("/" + path[len(BASE_PATH) :])).is_dir():
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        self.path = "/" + self.path[len(BASE_PATH) :]
        return True

    def do_GET(self) -> None:
        if self._route():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._route():
            super().do_HEAD()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self.site_root / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the tests record what the browser saw; the server stays quiet


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that drops a connection it no longer needs (a page left mid-load) is no error of the site."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextmanager
def serve_site(root: Path) -> Iterator[str]:
    """Serve a built site on a free port of 127.0.0.1; yields the origin ('http://127.0.0.1:PORT')."""
    handler = type("SiteHandler", (PagesHandler,), {"site_root": root})
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
