"""Redirects: every `aliases:` entry of an article or page leads on to its new URL; bad aliases are errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from memoria.errors import SourceError
from memoria.model import Page
from memoria.redirects import AliasError, alias_url, plan_redirects
from tests.browser_support import BASE_PATH, CHROMIUM, CHROMIUM_ARGS, VNU_JAR, require, serve_site
from tests.conftest import make_site, run_cli, snapshot


@pytest.mark.parametrize(
    ("alias", "url"),
    [
        ("/old/path/", "old/path/"),
        ("/old/path", "old/path/"),
        ("old/page.html", "old/page.html"),
        ("/old/PAGE.HTM", "old/PAGE.HTM"),
        ("/caf%C3%A9/", "café/"),
        ("/2019/03/a report/", "2019/03/a report/"),
        ("/v1.2/", "v1.2/"),
    ],
)
def test_an_alias_names_a_url_of_the_site(alias: str, url: str) -> None:
    assert alias_url(alias) == url


@pytest.mark.parametrize(
    "alias",
    [
        "https://example.org/old/",
        "//example.org/old/",
        "javascript:alert(1)",
        "mailto:a@example.org",
        "/a/../../etc/",
        "/a/./b/",
        "/a//b/",
        "/%2e%2e/x/",
        "/.git/config.html",
        "/old/?page=2",
        "/old/#part",
        "\\windows\\path",
        "/old\x00/",
        "/",
        "",
        "/old.php",
        "/feed.xml",
        "/assets/css/x/",
        "/pagefind/x.html",
        "/_memoria_events/a-1.html",
        "CNAME",
    ],
)
def test_an_unsafe_alias_is_refused(alias: str) -> None:
    with pytest.raises(AliasError):
        alias_url(alias)


def page(path: str, slug: str, aliases: list[str]) -> Page:
    return Page(path=path, slug=slug, title=slug.title(), summary="", html="", aliases=aliases)


def test_aliases_never_overwrite_another_file() -> None:
    written = {"about/index.html": "content/pages/about.md", "feed.xml": "the site's own page /feed.xml"}
    things = [
        page("content/pages/a.md", "a", ["/about/", "/old-a/", "/Old-A/", "/feed.xml/x.html", "/a/"]),
        page("content/pages/b.md", "b", ["/old-a", "/old-b/"]),
    ]
    redirects, errors = plan_redirects(things, {**written, "a/index.html": "content/pages/a.md"})
    assert [(r.url, r.target) for r in redirects] == [("old-a/", "a/"), ("old-b/", "b/")]
    assert sorted(errors) == [
        SourceError(
            "content/pages/a.md",
            1,
            'alias "/Old-A/" and the alias "/old-a/" differ only in case or Unicode form: '
            "the output folder cannot hold both on every file system",
        ),
        SourceError("content/pages/a.md", 1, 'alias "/a/" is /a/, this file\'s own URL'),
        SourceError("content/pages/a.md", 1, 'alias "/about/" is /about/, already written by content/pages/about.md'),
        SourceError(
            "content/pages/a.md",
            1,
            'alias "/feed.xml/x.html" needs a folder /feed.xml/ where the site\'s own page /feed.xml writes a file',
        ),
        SourceError("content/pages/a.md", 1, 'alias "/old-a/" is also an alias in content/pages/b.md'),
        SourceError("content/pages/b.md", 1, 'alias "/old-a" is also an alias in content/pages/a.md'),
    ]


ARTICLE = (
    "---\ntitle: The report\ndate: 2020-01-01\naliases: [/2020/01/report.html, /old/report/, old/raw]\n---\nText.\n"
)
PAGE = "---\ntitle: About us\naliases: [/about-us/]\n---\nAbout.\n"


def test_each_alias_becomes_a_page_that_leads_on(tmp_path: Path) -> None:
    files = {"content/articles/report.md": ARTICLE, "content/pages/about.md": PAGE}
    project = make_site(tmp_path / "site", files, "title: T\nbase_url: https://example.org/archive/\n")
    run = run_cli(project)
    assert run.code == 0, run.err
    site = project / "output"
    for rel, target in [
        ("2020/01/report.html", "articles/report/"),
        ("old/report/index.html", "articles/report/"),
        ("old/raw/index.html", "articles/report/"),
        ("about-us/index.html", "about/"),
    ]:
        html = (site / rel).read_text(encoding="utf-8")
        assert f'<meta http-equiv="refresh" content="0; url=/archive/{target}">' in html, rel
        assert f'<link rel="canonical" href="https://example.org/archive/{target}">' in html, rel
        assert f'<a href="/archive/{target}">' in html, rel
        assert '<meta name="robots" content="noindex">' in html
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "old/report" not in sitemap and "articles/report/" in sitemap


def test_bad_aliases_are_reported_for_the_file_and_nothing_is_written(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {"content/articles/report.md": ARTICLE, "content/pages/about.md": PAGE})
    assert run_cli(project).code == 0
    before = snapshot(project / "output")
    other = "---\ntitle: Other\ndate: 2020-01-02\naliases:\n  - /old/report/\n  - /timeline/\n  - ../x/\n---\nT.\n"
    (project / "content/articles/other.md").write_text(other, encoding="utf-8")
    run = run_cli(project)
    assert run.code == 1
    assert "Traceback" not in run.err
    # Each error names the line of its alias: in the list of other.md, on the one line of report.md's.
    assert run.error_lines == [
        'content/articles/other.md:5: alias "/old/report/" is also an alias in content/articles/report.md',
        'content/articles/other.md:6: alias "/timeline/" is /timeline/, already written by the site\'s own page /timeline/',
        "content/articles/other.md:7: alias \"../x/\" may not contain '..', '.', hidden or empty parts",
        'content/articles/report.md:4: alias "/old/report/" is also an alias in content/articles/other.md',
    ]
    assert snapshot(project / "output") == before
    assert run_cli(project, "check").code == 1


def test_an_alias_onto_another_article_names_both_files(tmp_path: Path) -> None:
    files = {
        "content/articles/a.md": "---\ntitle: A\ndate: 2020-01-01\n---\nA.\n",
        "content/articles/b.md": "---\ntitle: B\ndate: 2020-01-01\naliases: [/articles/a]\n---\nB.\n",
    }
    run = run_cli(make_site(tmp_path / "site", files))
    assert run.code == 1 and "Traceback" not in run.err
    assert run.error_lines == [
        'content/articles/b.md:4: alias "/articles/a" is /articles/a/, already written by content/articles/a.md'
    ]


@pytest.fixture(scope="module")
def redirecting_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {"content/articles/report.md": ARTICLE, "content/pages/about.md": PAGE}
    project = make_site(tmp_path_factory.mktemp("redirects") / "site", files)
    run = run_cli(project, "--base-url", BASE_PATH)
    assert run.code == 0, run.err
    return project / "output"


def test_redirect_pages_are_valid_html(redirecting_site: Path) -> None:
    require("java", "vnu")
    pages = [redirecting_site / "2020/01/report.html", redirecting_site / "old/report/index.html"]
    proc = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report: dict[str, Any] = json.loads(proc.stdout)
    assert report["messages"] == []


@pytest.mark.browser
def test_an_old_url_leads_to_the_new_page_in_a_browser(redirecting_site: Path) -> None:
    require("chromium", "playwright")
    from playwright.sync_api import sync_playwright

    with serve_site(redirecting_site) as origin, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for old, new in [
                ("2020/01/report.html", "articles/report/"),
                ("old/report/", "articles/report/"),
                ("old/raw", "articles/report/"),
                ("about-us/", "about/"),
            ]:
                page.goto(origin + BASE_PATH + old)
                page.wait_for_url(origin + BASE_PATH + new, timeout=10_000)
                assert page.locator("h1").first.inner_text() in ("The report", "About us")
        finally:
            browser.close()
