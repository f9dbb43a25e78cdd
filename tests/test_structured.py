"""Structured data: JSON-LD on every page, share cards (OpenGraph, Twitter) and canonical URLs."""

from __future__ import annotations

import datetime
import fnmatch
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from memoria.dates import parse_edtf
from memoria.structured import date_range, dump_jsonld, schema_date
from tests.conftest import copy_example, jpeg, make_site, run_cli

BASE = "https://example.org/archive/"


class Head(HTMLParser):
    """The JSON-LD, meta properties and links of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self._in_ld = values.get("type") == "application/ld+json"
            if self._in_ld:
                self.scripts.append("")
        elif tag == "meta" and ("property" in values or "name" in values):
            key = values.get("property") or values["name"]
            self.meta.setdefault(key, []).append(values.get("content", ""))
        elif tag == "link":
            self.links.append(values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.scripts[-1] += data


def read_head(path: Path) -> Head:
    head = Head()
    head.feed(path.read_text(encoding="utf-8"))
    return head


def graph(path: Path) -> list[dict[str, Any]]:
    head = read_head(path)
    assert len(head.scripts) == 1, f"{path}: one JSON-LD script"
    data = json.loads(head.scripts[0])
    assert data["@context"] == "https://schema.org"
    nodes: list[dict[str, Any]] = data["@graph"]
    return nodes


def of_type(nodes: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [node for node in nodes if node["@type"] == kind]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_example(tmp_path_factory.mktemp("structured") / "example")
    run = run_cli(project, "--base-url", BASE)
    assert run.code == 0, run.err
    return project / "output"


def test_json_ld_cannot_end_its_script_element() -> None:
    data = {"headline": "</script><script>alert(1)</script> & <!-- \u2028"}
    text = str(dump_jsonld(data))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == data


@pytest.mark.parametrize(
    ("edtf", "expected"),
    [
        ("1992-02-26", "1992-02-26"),
        ("1992-02", "1992-02"),
        ("1992", "1992"),
        ("1905~", None),
        ("1905?", None),
        ("199X", None),
        ("-0043-03-15", None),
        ("1992-02-25/1992-02-26", None),
    ],
)
def test_only_plain_dates_become_schema_dates(edtf: str, expected: str | None) -> None:
    assert schema_date(parse_edtf(edtf)) == expected


def test_dates_of_events() -> None:
    assert schema_date(datetime.date(2023, 2, 25)) == "2023-02-25"
    assert date_range(parse_edtf("1992-02-25/1992-02-26")) == ("1992-02-25", "1992-02-26")
    assert date_range(parse_edtf("1990/1992~")) == ("1990", None)
    assert date_range(parse_edtf("2008")) == ("2008", None)


def test_every_page_has_one_valid_json_ld_document(example: Path) -> None:
    pages = sorted(example.rglob("*.html"))
    assert len(pages) >= 30
    for page in pages:
        assert graph(page), page


def test_the_article_is_a_news_article_with_its_people_source_and_events(example: Path) -> None:
    nodes = graph(example / "articles/khojaly-commemoration-paris/index.html")
    (article,) = of_type(nodes, "NewsArticle")
    assert article["headline"] == "Paris event marks the 31st anniversary of Khojaly"
    assert article["datePublished"] == "2023-02-25"
    assert article["url"] == BASE + "articles/khojaly-commemoration-paris/"
    about = {person["name"]: person["url"] for person in article["about"]}
    assert about["Soltan Mammadov"] == BASE + "people/soltan-mammadov/"
    assert article["isBasedOn"]["publisher"]["name"] == "Trend"
    assert article["publisher"]["name"] == "Trend"
    events = of_type(nodes, "Event")
    assert [(e["startDate"], e.get("endDate")) for e in events] == [("1992-02-25", "1992-02-26"), ("2008", None)]
    assert events[0]["location"]["name"] == "Khojaly"
    (crumbs,) = of_type(nodes, "BreadcrumbList")
    assert [item["item"] for item in crumbs["itemListElement"]] == [BASE, article["url"]]


def test_a_person_has_every_name_and_only_plain_dates(tmp_path: Path) -> None:
    files = {
        "content/people/ada.md": "---\nname: Ada Lovelace\naliases: [Ada King, Augusta Ada Byron]\n"
        "born: 1815-12-10\ndied: 1852~\nphoto: /assets/ada.jpg\nlinks: [https://example.org/ada]\n---\nA life.\n",
        "assets/ada.jpg": jpeg(1400, 1000),
    }
    project = make_site(tmp_path / "site", files, f"title: T\nbase_url: {BASE}\n")
    assert run_cli(project).code == 0
    nodes = graph(project / "output/people/ada/index.html")
    (page,) = of_type(nodes, "ProfilePage")
    person = page["mainEntity"]
    assert person["@type"] == "Person"
    assert person["alternateName"] == ["Ada King", "Augusta Ada Byron"]
    assert person["birthDate"] == "1815-12-10"
    assert "deathDate" not in person, "an approximate date is no schema.org Date"
    assert person["sameAs"] == ["https://example.org/ada"]
    head = read_head(project / "output/people/ada/index.html")
    assert head.meta["og:type"] == ["profile"]
    assert re.fullmatch(re.escape(BASE) + r"images/[0-9a-f]{12}/ada-1400\.jpg", head.meta["og:image"][0])
    assert person["image"] == head.meta["og:image"][0]
    assert head.meta["twitter:card"] == ["summary_large_image"]
    (crumbs,) = of_type(nodes, "BreadcrumbList")
    assert [item["name"] for item in crumbs["itemListElement"]] == ["T", "People", "Ada Lovelace"]


def test_timeline_entries_are_events(example: Path) -> None:
    nodes = graph(example / "timeline/index.html")
    names = [e["name"] for e in of_type(nodes, "Event")]
    assert len(names) == 2 and names[0].startswith("The Khojaly massacre")
    assert of_type(nodes, "BreadcrumbList")


def test_the_home_page_describes_the_site_and_its_search(example: Path) -> None:
    (site,) = of_type(graph(example / "index.html"), "WebSite")
    assert site["url"] == BASE
    assert site["potentialAction"]["target"] == BASE + "search/?q={search_term_string}"


def test_share_cards_and_canonical_urls(example: Path) -> None:
    head = read_head(example / "articles/khojaly-commemoration-paris/index.html")
    assert head.meta["og:type"] == ["article"]
    assert head.meta["og:title"] == ["Paris event marks the 31st anniversary of Khojaly"]
    assert head.meta["og:url"] == [BASE + "articles/khojaly-commemoration-paris/"]
    assert head.meta["og:description"][0].startswith("Trend reported from Baku")
    assert head.meta["twitter:card"] in (["summary"], ["summary_large_image"])
    assert head.meta["article:published_time"] == ["2023-02-25"]
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [BASE + "articles/khojaly-commemoration-paris/"]


def test_an_article_image_is_its_share_image_only_where_a_full_url_can_be_given(tmp_path: Path) -> None:
    files = {
        "content/articles/a.md": "---\ntitle: A\ndate: 2020-01-01\n"
        "images: [{src: /assets/a.jpg, alt: A candle}, {src: /assets/b.jpg, alt: B}]\n---\nText.\n",
        "assets/a.jpg": jpeg(2000, 1000),
        "assets/b.jpg": jpeg(300, 200, "black"),
    }
    for base, image in ((BASE, BASE + "images/*/a-1600.jpg"), ("/archive/", None)):
        project = make_site(
            tmp_path / base.strip("/").replace(":", "").replace("/", "-"), files, f"title: T\nbase_url: {base}\n"
        )
        assert run_cli(project).code == 0
        head = read_head(project / "output/articles/a/index.html")
        shared = head.meta.get("og:image")
        assert (shared and fnmatch.fnmatch(shared[0], image)) if image else shared is None
        assert head.meta.get("og:image:alt") == (["A candle"] if image else None)
        assert head.meta["twitter:card"] == (["summary_large_image"] if image else ["summary"])
        assert not any(link.get("rel") == "canonical" for link in head.links) or image


def test_a_hostile_title_stays_inside_its_script(tmp_path: Path) -> None:
    title = "</script><script>alert(1)</script>"
    files = {"content/articles/a.md": f"---\ntitle: '{title}'\ndate: 2020-01-01\n---\nText.\n"}
    project = make_site(tmp_path / "site", files)
    assert run_cli(project).code == 0
    page = project / "output/articles/a/index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count("<script") == 1, "the title made no script element of its own"
    (article,) = of_type(graph(page), "Article")
    assert article["headline"] == title
