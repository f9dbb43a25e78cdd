"""The example archive in a real browser: served under /archive/ as GitHub Pages serves a project site.

Every page is visited in headless Chromium: nothing answers 404, nothing logs an error, every page
has its stylesheet, and every internal link and #anchor leads somewhere. axe-core checks each kind
of page against WCAG 2.2 A/AA in light and dark, at phone and desktop widths, and the same pass
takes the screenshots of docs/screenshots/ (rewritten there only with MEMORIA_UPDATE_SCREENSHOTS=1:
a test run leaves the repository as it found it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from memoria.linkcheck import check_site
from tests.browser_support import (
    AXE_JS,
    BASE_PATH,
    REPO,
    example_site,
    features_site,
    html_pages,
    page_url,
    require,
    serve_site,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("MEMORIA_UPDATE_SCREENSHOTS") == "1"
SCREENSHOT_HEIGHT = 2500
WIDTHS = {390: 844, 1280: 900}  # width: viewport height (a phone, a laptop)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MISSING = "no/such/page/"

# What the page reports about itself once loaded: its stylesheets, whether they apply, its anchors, its URLs.
INSPECT = """() => ({
  sheets: [...document.styleSheets].map(s => { try { return s.cssRules.length } catch (e) { return -1 } }),
  bodyMargin: getComputedStyle(document.body).marginTop,
  anchors: [...document.querySelectorAll('[id]')].map(e => e.id)
    .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
  links: [...document.querySelectorAll('a[href], area[href], link[href]')].map(e => e.href)
    .concat([...document.querySelectorAll('img[src], script[src], source[src]')].map(e => e.src)),
  h1: document.querySelector('h1') ? document.querySelector('h1').textContent.trim() : '',
})"""


@dataclass
class Visit:
    """What the browser saw on one page."""

    status: int
    url: str
    info: dict[str, Any]
    failed: list[str] = field(default_factory=list)  # requests answered >= 400, or not at all
    console: list[str] = field(default_factory=list)  # console errors and uncaught exceptions

    @property
    def styled(self) -> bool:
        """The page's stylesheets loaded and apply (the browser's default body margin is 8px)."""
        sheets = self.info["sheets"]
        return bool(sheets) and all(count > 0 for count in sheets) and self.info["bodyMargin"] == "0px"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory)


@pytest.fixture(scope="module")
def origin(site: Path) -> Iterator[str]:
    with serve_site(site) as origin:
        yield origin


def visit(page: Any, url: str) -> Visit:
    """Open a URL in a page, recording failed requests and console errors until it has loaded."""
    failed: list[str] = []
    console: list[str] = []
    handlers = {
        "response": lambda response: (
            failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
        # Leaving a page cancels what it still loads (the icon): that is no failure.
        "requestfailed": lambda request: (
            None if request.failure == "net::ERR_ABORTED" else failed.append(f"{request.failure} {request.url}")
        ),
        "console": lambda message: console.append(message.text) if message.type == "error" else None,
        "pageerror": lambda error: console.append(str(error)),
    }
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        response = page.goto(url, wait_until="load")
        info = page.evaluate(INSPECT)
    finally:
        for event, handler in handlers.items():
            page.remove_listener(event, handler)
    return Visit(response.status, page.url, info, failed, console)


@pytest.fixture(scope="module")
def crawl(browser: Any, origin: str, site: Path) -> dict[str, Visit]:
    """Every HTML page of the site (except 404.html), visited once in one browser context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    visits = {}
    try:
        page = context.new_page()
        for rel in html_pages(site):
            if rel != "404.html":
                visits[page_url(rel)] = visit(page, origin + page_url(rel))
    finally:
        context.close()
    return visits


def test_the_crawl_covers_every_page_of_the_example(crawl: dict[str, Visit]) -> None:
    for path in ("/archive/", "/archive/timeline/", "/archive/people/", "/archive/about/", "/archive/tags/"):
        assert path in crawl
    assert len(crawl) >= 30


def test_every_page_answers_200_and_no_request_fails(crawl: dict[str, Visit]) -> None:
    problems = [f"{path}: {line}" for path, v in crawl.items() for line in ([str(v.status)] if v.status != 200 else [])]
    problems += [f"{path}: {line}" for path, v in crawl.items() for line in v.failed]
    assert problems == []


def test_no_page_logs_a_console_error(crawl: dict[str, Visit]) -> None:
    assert [f"{path}: {line}" for path, v in crawl.items() for line in v.console] == []


def test_every_page_loads_its_stylesheet(crawl: dict[str, Visit]) -> None:
    assert [path for path, v in crawl.items() if not v.styled] == []


def test_every_internal_link_and_anchor_resolves_in_the_browser(
    crawl: dict[str, Visit], origin: str, browser: Any
) -> None:
    anchors = {urlsplit(v.url).path: set(v.info["anchors"]) for v in crawl.values()}
    others: dict[str, int] = {}  # feeds, stylesheets, icons: fetched once each
    context = browser.new_context()
    problems = []
    try:
        for path, v in crawl.items():
            for link in v.info["links"]:
                if not link.startswith(origin + "/"):
                    continue
                target, fragment = urldefrag(link)
                target_path = urlsplit(target).path
                if target_path in anchors:
                    if fragment and unquote(fragment) not in anchors[target_path]:
                        problems.append(f"{path}: {link} (no such anchor)")
                    continue
                if target not in others:
                    others[target] = context.request.get(target).status
                if others[target] != 200 or not target_path.startswith(BASE_PATH):
                    problems.append(f"{path}: {link} ({others[target]})")
    finally:
        context.close()
    assert problems == []
    assert any(link.endswith("/feed.xml") for link in others)


def test_the_link_checker_agrees(site: Path) -> None:
    assert check_site(site, BASE_PATH) == []


@pytest.mark.parametrize("path", ["/archive/nope", "/archive/a/b/c/", "/archive/people/nobody/photo.jpg"])
def test_a_missing_page_shows_the_styled_404_page_with_working_links(browser: Any, origin: str, path: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        v = visit(page, origin + path)
        assert v.status == 404
        assert v.info["h1"] == "Page not found"
        assert v.styled
        # The page itself answers 404, and Chromium logs that; nothing else may fail.
        assert [line for line in v.failed if not line.endswith(path)] == []
        assert [line for line in v.console if "404" not in line] == []
        links = {urldefrag(link) for link in v.info["links"] if link.startswith(origin)}
        assert len(links) >= 4
        for target, fragment in links:
            if target == v.url:  # the skip link
                assert fragment in v.info["anchors"]
            else:
                assert (target, context.request.get(target).status) == (target, 200)
    finally:
        context.close()


def test_the_print_stylesheet_hides_navigation(browser: Any, origin: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(origin + BASE_PATH + "people/", wait_until="load")
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header nav')).display") == "none"
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    finally:
        context.close()


def page_kinds(site: Path) -> dict[str, str]:
    """One page of each kind: the richest person, place and tag, so that the checks see the most."""

    def richest(pattern: str) -> str:
        files = sorted(site.glob(pattern), key=lambda p: (-p.stat().st_size, p.as_posix()))
        assert files, f"the example archive has no {pattern}"
        return files[0].parent.relative_to(site).as_posix() + "/"

    return {
        "index": "",
        "article": richest("articles/*/index.html"),
        "timeline": "timeline/",
        "people": "people/",
        "person": richest("people/*/index.html"),
        "place": richest("places/*/index.html"),
        "tag": richest("tags/*/index.html"),
        "page": "about/",
        "404": MISSING,
    }


def format_violations(where: str, violations: list[dict[str, Any]]) -> list[str]:
    """One line per axe violation: the page, the rule, what it says, and the first elements it names."""
    lines = []
    for rule in violations:
        targets = ", ".join(" ".join(node["target"]) for node in rule["nodes"][:3])
        lines.append(f"{where}: {rule['id']} ({rule['impact']}): {rule['help']} — {len(rule['nodes'])} × {targets}")
    return lines


def save_screenshot(page: Any, path: Path, width: int, max_height: int) -> None:
    """The page from its top, at most max_height pixels high; the file is rewritten only when it changed."""
    height = min(max_height, page.evaluate("document.documentElement.scrollHeight"))
    png = page.screenshot(
        full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}, animations="disabled", caret="hide"
    )
    assert png.startswith(b"\x89PNG")
    if UPDATE_SCREENSHOTS and (not path.is_file() or path.read_bytes() != png):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A and AA violations on the page as it is now."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violation_on_any_kind_of_page(
    browser: Any, origin: str, site: Path, scheme: str, width: int
) -> None:
    require("axe")
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, color_scheme=scheme)
    problems = []
    try:
        page = context.new_page()
        for kind, path in page_kinds(site).items():
            page.goto(origin + BASE_PATH + path, wait_until="load")
            problems += format_violations(f"{kind} ({scheme}, {width}px)", run_axe(page))
            if scheme == "light":
                save_screenshot(page, SCREENSHOTS / f"{kind}-{width}.png", width, SCREENSHOT_HEIGHT)
            elif width == min(WIDTHS):  # dark: the first screen of a phone, to keep the folder small
                save_screenshot(page, SCREENSHOTS / f"{kind}-{width}-dark.png", width, WIDTHS[width])
    finally:
        context.close()
    assert problems == []


# Pages of the theme the example archive does not have, from the made-up archive of browser_support.
FEATURE_PAGES = [
    "page/2/",  # the index, paginated
    "articles/a01/",  # events with decade, interval, approximate and BC dates
    "articles/a02/",  # an image, a source with a URL and an author
    "people/ada-example/",  # portrait, lifespan, variants, links
    "people/ada-example/page/2/",  # a person's articles, paginated
    "people/nobody-filed/",  # named, but with no file
    "timeline/",  # the overview of a timeline split by year
    "timeline/-0043/",  # one year
    "notes/",  # a free page with a table
]


@pytest.mark.parametrize(("scheme", "width"), [("light", 390), ("dark", 390), ("light", 1280)])
def test_axe_finds_no_wcag_violation_on_the_rest_of_the_theme(
    browser: Any, tmp_path_factory: pytest.TempPathFactory, scheme: str, width: int
) -> None:
    require("axe")
    site = features_site(tmp_path_factory)
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, color_scheme=scheme)
    problems = []
    try:
        with serve_site(site) as features_origin:
            page = context.new_page()
            for path in FEATURE_PAGES:
                response = page.goto(features_origin + BASE_PATH + path, wait_until="load")
                assert response.status == 200, path
                problems += format_violations(f"{path} ({scheme}, {width}px)", run_axe(page))
    finally:
        context.close()
    assert problems == []
