"""Atom feeds: the whole archive's, and one for each person, place and tag, valid per RFC 4287."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import copy_example, make_site, run_cli

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
BASE = "https://example.org/archive/"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_example(tmp_path_factory.mktemp("feeds") / "example")
    run = run_cli(project, "--base-url", BASE)
    assert run.code == 0, run.err
    return project / "output"


def feed_files(site: Path) -> list[Path]:
    return [site / "feed.xml", *sorted(site.glob("*/*/feed.xml"))]


def check_atom(path: Path, site: Path) -> ET.Element:
    """Parse a feed and check what RFC 4287 requires of it; the root element."""
    root = ET.parse(path).getroot()
    where = path.relative_to(site).as_posix()
    assert root.tag == f"{ATOM}feed", where
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, f"{where}: one atom:{name}"
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), f"{where}: empty atom:{name}"
    assert RFC3339.match(root.findtext(f"{ATOM}updated") or ""), where
    self_links = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert [link.get("href") for link in self_links] == [BASE + where], where
    entries = root.findall(f"{ATOM}entry")
    feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"{where}: entry needs one atom:{name}"
        assert RFC3339.match(entry.findtext(f"{ATOM}updated") or ""), where
        alternate = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert alternate or entry.find(f"{ATOM}content") is not None, f"{where}: entry needs a link or content"
        assert feed_author or entry.find(f"{ATOM}author/{ATOM}name") is not None, f"{where}: no author"
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids)), f"{where}: entry ids repeat"
    if entries:
        newest = max(entry.findtext(f"{ATOM}updated") or "" for entry in entries)
        assert (root.findtext(f"{ATOM}updated") or "") >= newest, where
    return root


def test_every_feed_of_the_example_is_valid_atom(example: Path) -> None:
    feeds = feed_files(example)
    kinds = {path.relative_to(example).parts[0] for path in feeds[1:]}
    assert kinds == {"people", "places", "tags"}
    ids = [check_atom(path, example).findtext(f"{ATOM}id") for path in feeds]
    assert len(ids) == len(set(ids)), "two feeds share an id"


def test_a_person_feed_holds_the_articles_that_name_them(example: Path) -> None:
    root = check_atom(example / "people/soltan-mammadov/feed.xml", example)
    assert root.findtext(f"{ATOM}title", "").startswith("Soltan Mammadov — ")
    links = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]  # type: ignore[union-attr]
    assert links == [BASE + "articles/khojaly-commemoration-paris/"]
    entry = root.find(f"{ATOM}entry")
    assert entry is not None and entry.find(f"{ATOM}summary") is not None
    assert entry.find(f"{ATOM}content") is None, "feeds of a person or a term carry summaries"
    full = ET.parse(example / "feed.xml").getroot().find(f"{ATOM}entry/{ATOM}content")
    assert full is not None and "Khojaly" in (full.text or ""), "the archive's feed carries the whole text"


def test_pages_link_their_feeds(example: Path) -> None:
    for page, feed in [
        ("people/soltan-mammadov/index.html", "people/soltan-mammadov/feed.xml"),
        ("tags/concert/index.html", "tags/concert/feed.xml"),
        ("places/paris/index.html", "places/paris/feed.xml"),
        ("index.html", "feed.xml"),
    ]:
        html = (example / page).read_text(encoding="utf-8")
        link = '<link rel="alternate" type="application/atom+xml" title="'
        assert link in html and f'href="/archive/{feed}">' in html, page
        assert (example / feed).is_file()


FILES = {
    "content/people/ann-smith.md": "---\nname: Ann Smith\n---\nA life.\n",
    "content/people/nobody.md": "---\nname: No Body\n---\nNamed nowhere.\n",
    **{
        f"content/articles/a{n}.md": (
            f"---\ntitle: Article {n} & <more>\ndate: 2020-0{n}-01\npeople: [{'ann-smith' if n != 2 else 'Carl Stub'}]\n"
            f"tags: [t{n % 2}]\nsource: {{author: Writer {n}}}\n---\nText {n}.\n"
        )
        for n in range(1, 5)
    },
}


def test_feeds_follow_people_and_tags_newest_first(tmp_path: Path) -> None:
    project = make_site(
        tmp_path / "site", FILES, "title: Feeds\nbase_url: https://example.org/archive/\nfeed_size: 2\n"
    )
    assert run_cli(project).code == 0
    site = project / "output"
    for path in feed_files(site):
        check_atom(path, site)
    ann = ET.parse(site / "people/ann-smith/feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in ann.findall(f"{ATOM}entry")]
    assert titles == ["Article 4 & <more>", "Article 3 & <more>"], "newest first, at most feed_size"
    assert ann.findtext(f"{ATOM}updated") == "2020-04-01T00:00:00Z"
    tag = ET.parse(site / "tags/t1/feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in tag.findall(f"{ATOM}entry")] == [
        "Article 3 & <more>",
        "Article 1 & <more>",
    ]


def test_a_person_named_nowhere_has_an_empty_valid_feed(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES, "title: Feeds\nbase_url: https://example.org/archive/\n")
    assert run_cli(project, env={"SOURCE_DATE_EPOCH": "86400"}).code == 0
    root = check_atom(project / "output/people/nobody/feed.xml", project / "output")
    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}updated") == "1970-01-02T00:00:00Z"
