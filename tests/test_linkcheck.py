"""Tests for memoria.linkcheck: broken links, images, stylesheets, scripts and #anchors in a built site."""

from __future__ import annotations

from pathlib import Path

import pytest

from memoria import linkcheck
from memoria.linkcheck import check_site, parse_page


def write_site(root: Path, files: dict[str, str]) -> Path:
    """A built site made by hand: each page is wrapped in a minimal HTML document."""
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = body if not rel.endswith(".html") else f"<!doctype html><title>t</title>{body}"
        path.write_text(text, encoding="utf-8")
    return root


def test_a_site_whose_links_all_work_has_no_problem(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {
            "index.html": (
                '<link rel="stylesheet" href="/archive/assets/site.css">'
                '<script src="/archive/assets/app.js"></script>'
                '<a href="/archive/people/">people</a> <a href="/archive/people/ada/#bio">Ada</a>'
                '<a href="people/ada/">relative</a> <a href="#top">top</a> <a href="#">nowhere</a>'
                '<img src="/archive/assets/photo.jpg" srcset="/archive/assets/photo.jpg 1x, assets/photo.jpg 2x" alt="">'
            ),
            "people/index.html": '<a href="ada/">Ada</a> <a href="../">home</a> <a href="/archive/">home</a>',
            "people/ada/index.html": '<h2 id="bio">Life</h2><a href="../../people">redirected</a><a name="old"></a>',
            "assets/site.css": "body {}",
            "assets/app.js": "",
            "assets/photo.jpg": "",
        },
    )
    assert check_site(root, "/archive/") == []


def test_each_broken_link_is_one_line_naming_the_page_and_the_link(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {
            "index.html": (
                '<a href="/archive/people/nobody/">x</a> <a href="/archive/people/nobody/">again</a>'
                '<img src="/archive/assets/missing.jpg" alt="">'
                '<link rel="stylesheet" href="/archive/assets/gone.css">'
                '<script src="/archive/assets/gone.js"></script>'
            ),
            "articles/x/index.html": '<a href="/archive/people/nobody/">x</a>',
        },
    )
    assert check_site(root, "/archive/") == [
        "articles/x/index.html: /archive/people/nobody/",
        "index.html: /archive/people/nobody/",
        "index.html: /archive/assets/missing.jpg",
        "index.html: /archive/assets/gone.css",
        "index.html: /archive/assets/gone.js",
    ]


def test_an_anchor_must_name_an_id_or_a_name_in_the_target_page(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {
            "index.html": (
                '<p id="here">x</p><a href="#here">ok</a> <a href="#nowhere">broken</a>'
                '<a href="/archive/a/#event-1">ok</a> <a href="/archive/a/#event-2">broken</a>'
                '<a href="/archive/a/#old">ok, a name</a> <a href="/archive/a/#caf%C3%A9">ok, encoded</a>'
            ),
            "a/index.html": '<li id="event-1">x</li><a name="old"></a><h2 id="café">x</h2>',
        },
    )
    assert check_site(root, "/archive/") == ["index.html: #nowhere", "index.html: /archive/a/#event-2"]


def test_a_link_outside_the_base_path_is_broken(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {"index.html": '<a href="/people/">root</a> <a href="../../elsewhere/">up</a> <a href="/archive">ok</a>'},
    )
    assert check_site(root, "/archive/") == ["index.html: /people/", "index.html: ../../elsewhere/"]


def test_the_same_site_works_at_the_root(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.html": '<a href="/about/">a</a>', "about/index.html": '<a href="/">home</a>'})
    assert check_site(root, "/") == []
    assert check_site(root, "/archive/") == ["about/index.html: /", "index.html: /about/"]


def test_external_links_and_other_schemes_are_not_checked(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {
            "index.html": (
                '<a href="https://example.org/missing/">x</a> <a href="http://example.org/#nowhere">x</a>'
                '<a href="//cdn.example.org/x.js">x</a> <a href="mailto:someone@example.org">x</a>'
                '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">'
            )
        },
    )
    assert check_site(root, "/archive/") == []


def test_a_page_at_a_file_url_resolves_its_relative_links_from_its_folder(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {
            "404.html": '<p id="x"></p><a href="#x">ok</a> <a href="about/">ok</a> <a href="about.html">gone</a>',
            "about/index.html": "",
        },
    )
    assert check_site(root, "/archive/") == ["404.html: about.html"]


def test_parse_page_reads_anchors_and_every_kind_of_url() -> None:
    page = parse_page(
        '<a id="a" href="/x?y=1&amp;z=2">x</a><a name="b"></a><p name="not-an-anchor"></p>'
        '<img src=" /i.png " srcset="/i.png 1x, /j.png 2x"><video poster="/p.jpg"><source src="/v.mp4"></video>'
        '<object data="/o.pdf"></object><br/>'
    )
    assert page.anchors == {"a", "b"}
    assert page.links == ["/x?y=1&z=2", "/i.png", "/i.png", "/j.png", "/p.jpg", "/v.mp4", "/o.pdf"]


def test_a_large_site_is_parsed_in_worker_processes_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        f"p{n}/index.html": f'<h2 id="h{n}">x</h2><a href="/archive/p{n + 1}/#h{n + 1}">next</a>' for n in range(40)
    }
    root = write_site(tmp_path, files)
    serial = check_site(root, "/archive/")
    monkeypatch.setattr(linkcheck, "_PARALLEL_FROM", 2)
    assert check_site(root, "/archive/") == serial == ["p39/index.html: /archive/p40/#h40"]


def test_links_after_a_script_are_still_checked(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(
        '<script>var x = "<a>";</script><a href="/archive/missing/">x</a>', encoding="utf-8"
    )
    assert check_site(root, "/archive/") == ["index.html: /archive/missing/"]
