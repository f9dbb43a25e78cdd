"""Cite this page (BibTeX, CSL-JSON) and the open data (archive.json, CSV): the archive as data."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from memoria import fragments
from memoria.export import ARTICLE_COLUMNS, EVENT_COLUMNS, LIST_SEPARATOR, PERSON_COLUMNS, day
from memoria.fragments import Fragments, made_of
from tests.conftest import copy_example, make_site, run_cli

BASE = "https://example.org/archive/"
ARTICLE = "articles/khojaly-commemoration-paris/"
SLUG = "khojaly-commemoration-paris"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_example(tmp_path_factory.mktemp("export") / "example")
    run = run_cli(project, "--base-url", BASE)
    assert run.code == 0, run.err
    return project / "output"


def rows(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.endswith(b"\r\n") and not data.startswith(b"\xef\xbb\xbf"), "RFC 4180 lines, no byte-order mark"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def bibtex_fields(text: str) -> dict[str, str]:
    """The fields of one @misc entry (values in braces, or a bare macro)."""
    assert text.startswith("@misc{") and text.rstrip().endswith("}")
    return {m[0]: m[1] or m[2] for m in re.findall(r"^  (\w+) = (?:\{(.*)\}|(\w+)),?$", text, re.M)}


def test_astronomical_days() -> None:
    assert day((1992, 2, 5)) == "1992-02-05"
    assert day((-43, 3, 15)) == "-0043-03-15"
    assert day((0, 1, 1)) == "0000-01-01"


def test_an_article_page_offers_its_citation(example: Path) -> None:
    html = (example / ARTICLE / "index.html").read_text(encoding="utf-8")
    citation = re.search(r'<p class="citation">(.*?)</p>', html, re.S)
    assert citation is not None
    text = re.sub(r"<[^>]+>", "", citation.group(1))
    for part in ("Paris event marks the 31st anniversary of Khojaly", "Trend (Baku)", "25 February 2023"):
        assert part in text
    assert "Khojaly Remembrance — an example archive" in text
    assert BASE + ARTICLE in text and "Accessed [date]" in text
    assert f'href="/archive/{ARTICLE}cite.bib"' in html and f'href="/archive/{ARTICLE}cite.json"' in html


def test_bibtex_of_an_article_and_a_person(example: Path) -> None:
    fields = bibtex_fields((example / ARTICLE / "cite.bib").read_text(encoding="utf-8"))
    assert fields["title"] == "{Paris event marks the 31st anniversary of Khojaly}"
    assert fields["year"] == "2023" and fields["month"] == "feb" and fields["date"] == "2023-02-25"
    assert fields["howpublished"] == "Trend, Baku"
    assert fields["url"] == BASE + ARTICLE
    assert fields["note"] == "In: Khojaly Remembrance — an example archive"
    person = bibtex_fields((example / "people/soltan-mammadov/cite.bib").read_text(encoding="utf-8"))
    assert person["title"] == "{Soltan Mammadov}" and person["url"] == BASE + "people/soltan-mammadov/"


def test_csl_json_of_an_article_and_a_person(example: Path) -> None:
    (item,) = json.loads((example / ARTICLE / "cite.json").read_text(encoding="utf-8"))
    assert item["type"] == "article-newspaper"
    assert item["title"] == "Paris event marks the 31st anniversary of Khojaly"
    assert item["container-title"] == "Trend" and item["publisher-place"] == "Baku"
    assert item["issued"] == {"date-parts": [[2023, 2, 25]]}
    assert item["URL"] == BASE + ARTICLE and item["archive"] == "Khojaly Remembrance — an example archive"
    assert "accessed" not in item, "the reader adds when they read it"
    (person,) = json.loads((example / "people/soltan-mammadov/cite.json").read_text(encoding="utf-8"))
    assert person["type"] == "webpage" and person["title"] == "Soltan Mammadov"


def test_bibtex_escapes_what_tex_would_read(tmp_path: Path) -> None:
    files = {
        "content/articles/a.md": "---\ntitle: '50% of {all} costs & $5 #1 under_score ~x^2 \\'\ndate: 1999-12-31\n"
        "source: {name: 'A & B', author: 'Jo {Jr}'}\n---\nText.\n",
    }
    project = make_site(tmp_path / "site", files)
    assert run_cli(project).code == 0
    fields = bibtex_fields((project / "output/articles/a/cite.bib").read_text(encoding="utf-8"))
    assert fields["title"] == (
        r"{50\% of \{all\} costs \& \$5 \#1 under\_score \textasciitilde{}x\textasciicircum{}2 \textbackslash{}}"
    )
    assert fields["author"] == r"{Jo \{Jr\}}" and fields["howpublished"] == r"A \& B"
    assert fields["month"] == "dec" and fields["url"] == "/articles/a/"


def test_archive_json_links_articles_people_and_events(example: Path) -> None:
    data: dict[str, Any] = json.loads((example / "data/archive.json").read_text(encoding="utf-8"))
    assert data["site"]["url"] == BASE
    people = {p["slug"]: p for p in data["people"]}
    events = {e["id"]: e for e in data["events"]}
    # The article in English, and its French and Russian summaries, each under its own name and URL.
    by_slug = {a["slug"]: a for a in data["articles"]}
    assert sorted(by_slug) == ["fr/" + SLUG, SLUG, "ru/" + SLUG]
    assert {s: a["url"] for s, a in by_slug.items()} == {
        SLUG: BASE + ARTICLE,
        "fr/" + SLUG: BASE + "fr/" + ARTICLE,
        "ru/" + SLUG: BASE + "ru/" + ARTICLE,
    }
    article = by_slug[SLUG]
    assert article["date"] == "2023-02-25" and article["lang"] == "en"
    assert article["source"]["name"] == "Trend" and article["source"]["date"]["edtf"] == "2023-02-25"
    assert "Soltan Mammadov" in article["html"]
    for mention in article["people"]:
        assert article["slug"] in [a["slug"] for a in people[mention["slug"]]["articles"]]
    assert set(article["events"]) == {e for e in events if e.startswith(SLUG)}
    assert "fr/khojaly-commemoration-paris#event_1" in events
    first = events["khojaly-commemoration-paris#event_1"]
    assert first["date"] == {"edtf": "1992-02-25/1992-02-26", "earliest": "1992-02-25", "latest": "1992-02-26"}
    assert first["url"] == BASE + ARTICLE + "#event_1"
    for event in events.values():
        assert all(slug in people for slug in event["people"])
    soltan = people["soltan-mammadov"]
    assert soltan["aliases"] == ["Soltan Məmmədov", "Солтан Мамедов"] and soltan["has_file"] is True
    roles = {a["slug"]: a["role"] for a in soltan["articles"]}
    assert roles[SLUG].startswith("speaker") and roles["fr/" + SLUG].startswith("orateur")


def test_csv_files_have_their_columns_and_a_row_for_each_item(example: Path) -> None:
    articles = rows(example / "data/articles.csv")
    people = rows(example / "data/people.csv")
    events = rows(example / "data/events.csv")
    assert list(articles[0]) == list(ARTICLE_COLUMNS)
    assert list(people[0]) == list(PERSON_COLUMNS)
    assert list(events[0]) == list(EVENT_COLUMNS)
    assert len(articles) == 3 and len(people) == 12 and len(events) == 6
    article = next(a for a in articles if a["slug"] == SLUG)
    assert "soltan-mammadov" in article["people"].split(LIST_SEPARATOR)
    assert article["places"].split(LIST_SEPARATOR) == ["Paris", "Khojaly", "Baku", "Oradour-sur-Glane"]
    soltan = next(p for p in people if p["slug"] == "soltan-mammadov")
    assert soltan["aliases"] == f"Soltan Məmmədov{LIST_SEPARATOR}Солтан Мамедов"
    assert sorted(soltan["articles"].split(LIST_SEPARATOR)) == ["fr/" + SLUG, SLUG, "ru/" + SLUG]
    english = [e for e in events if e["article"] == SLUG]
    assert [e["date"] for e in english] == ["1992-02-25/1992-02-26", "2008"]
    assert english[1]["earliest"] == "2008-01-01" and english[1]["latest"] == "2008-12-31"
    assert english[1]["people"] == "leyla-aliyeva"


def test_data_of_people_with_unusual_dates_and_no_file(tmp_path: Path) -> None:
    files = {
        "content/people/ada.md": "---\nname: Ada\nborn: '1815~'\ndied: 1852-11\n---\n",
        "content/articles/b.md": "---\ntitle: B\ndate: 2001-01-01\npeople: [ada, Bob Filed-Nowhere]\n"
        "events: [{date: '-0043-03-15', title: Ides, people: [Bob Filed-Nowhere]}, {date: 199X, title: Decade}]\n---\nT.\n",
    }
    project = make_site(tmp_path / "site", files)
    assert run_cli(project).code == 0
    people = {p["slug"]: p for p in rows(project / "output/data/people.csv")}
    assert (people["ada"]["born"], people["ada"]["born_earliest"], people["ada"]["born_latest"]) == (
        "1815~",
        "1815-01-01",
        "1815-12-31",
    )
    assert people["ada"]["died_latest"] == "1852-11-30" and people["ada"]["has_file"] == "true"
    assert people["bob-filed-nowhere"]["has_file"] == "false"
    assert people["bob-filed-nowhere"]["events"] == "b#event_1"
    events = rows(project / "output/data/events.csv")
    assert [(e["date"], e["earliest"], e["latest"]) for e in events] == [
        ("-0043-03-15", "-0043-03-15", "-0043-03-15"),
        ("199X", "1990-01-01", "1999-12-31"),
    ]


def test_csv_text_that_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe(tmp_path: Path) -> None:
    files = {
        "content/people/p.md": "---\nname: '@Ann'\nrole: '+1 helper'\nplace: '-Somewhere'\n---\n",
        "content/articles/f.md": "---\ntitle: '=HYPERLINK(\"http://evil.example\")'\ndate: 2001-01-01\npeople: [p]\n"
        "source: {name: '=cmd|calc', author: '=1+1'}\nplaces: ['+Town']\n"
        "events: [{date: '-0043-03-15', title: '-Ides', place: '@Rome'}]\n---\nA normal body.\n",
    }
    project = make_site(tmp_path / "site", files)
    assert run_cli(project).code == 0
    data = project / "output/data"
    (article,) = rows(data / "articles.csv")
    assert article["title"] == '\'=HYPERLINK("http://evil.example")'
    assert (article["source_name"], article["source_author"], article["places"]) == ("'=cmd|calc", "'=1+1", "'+Town")
    assert article["summary"] == "A normal body." and article["date"] == "2001-01-01"
    person = next(p for p in rows(data / "people.csv") if p["slug"] == "p")
    assert (person["name"], person["role"], person["place"]) == ("'@Ann", "'+1 helper", "'-Somewhere")
    (event,) = rows(data / "events.csv")
    assert (event["date"], event["earliest"], event["title"], event["place"]) == (
        "-0043-03-15",
        "-0043-03-15",
        "'-Ides",
        "'@Rome",
    )
    # archive.json holds the text as written
    archive = json.loads((data / "archive.json").read_text(encoding="utf-8"))
    assert archive["articles"][0]["title"] == '=HYPERLINK("http://evil.example")'


def test_the_data_page_lists_every_file(example: Path) -> None:
    html = (example / "data/index.html").read_text(encoding="utf-8")
    for name in ("archive.json", "articles.csv", "people.csv", "events.csv"):
        assert f'href="/archive/data/{name}"' in html
    for column in (*ARTICLE_COLUMNS, *PERSON_COLUMNS, *EVENT_COLUMNS):
        assert f"<code>{column}</code>" in html


def test_fragments_are_kept_between_builds_and_made_anew_only_when_changed(tmp_path: Path) -> None:
    store = tmp_path / "data-x.pickle"
    made: list[str] = []

    def make(item: tuple[str, int]) -> str:
        made.append(item[0])
        return f"<{item[0]}:{item[1]}>"

    def encode(name: str, items: list[tuple[str, int]]) -> list[str]:
        return [text.decode("utf-8") for text in Fragments(store, name).encode(items, made_of, make)]

    def segments() -> dict[str, int]:
        return {path.name: path.stat().st_mtime_ns for path in tmp_path.glob("data-x.segment.*")}

    items = [("a", 1), ("b", 1), ("a", 1)]  # the same key twice: each item still has its text, in order
    assert encode("v1", items) == ["<a:1>", "<b:1>", "<a:1>"]
    assert made == ["a", "b"]
    made.clear()
    # A new process: only the changed item is made; the others come from the store.
    items = [(f"x{n}", 1) for n in range(20)]
    encode("v1", items)
    (first,) = segments()
    before = segments()
    made.clear()
    changed = [("x0", 2), *items[1:]]
    assert encode("v1", changed) == ["<x0:2>", *(f"<x{n}:1>" for n in range(1, 20))]
    assert made == ["x0"]
    # The new item is in a segment of its own; the one that holds the others is left as it was.
    assert len(segments()) == 2 and segments()[first] == before[first]
    made.clear()
    assert encode("v1", changed) == ["<x0:2>", *(f"<x{n}:1>" for n in range(1, 20))]
    assert made == []
    assert encode("v1", [("a", 1), ("b", 2)]) == ["<a:1>", "<b:2>"]
    assert made == ["a", "b"]
    assert len(segments()) == 1  # the segments no item in use is in are removed
    made.clear()
    # Another generator or site.yaml: nothing is taken from the store.
    assert encode("v2", [("a", 1)]) == ["<a:1>"]
    assert made == ["a"]


def test_fragments_read_only_what_they_wrote(tmp_path: Path) -> None:
    """A segment removed or cut short, or a record that is not the item's: the item is made anew."""
    store = tmp_path / "data-x.pickle"
    made: list[str] = []

    def encode(items: list[tuple[str, int]]) -> list[str]:
        def make(item: tuple[str, int]) -> str:
            made.append(item[0])
            return f"<{item[0]}:{item[1]}>" * item[1]

        return [text.decode("utf-8") for text in Fragments(store, "v").encode(items, made_of, make)]

    items = [(f"x{n}", 3) for n in range(10)]
    expected = encode(items)
    (segment,) = tmp_path.glob("data-x.segment.*")
    with segment.open("r+b") as handle:  # the last record cut short, the first one's key spoilt
        handle.truncate(segment.stat().st_size - 1)
        handle.write(b"!")
    made.clear()
    assert encode(items) == expected
    assert made == ["x0", "x9"]
    for path in tmp_path.glob("data-x.segment.*"):
        path.unlink()
    made.clear()
    assert encode(items) == expected
    assert len(made) == 10


def test_fragments_are_gathered_into_one_segment_past_the_limit(tmp_path: Path) -> None:
    store = tmp_path / "data-x.pickle"
    items = [(f"x{n}", 0) for n in range(12)]
    for edit in range(1, fragments.SEGMENTS + 3):  # an edit of one item a build, each in a segment of its own
        items[edit] = (items[edit][0], edit)
        texts = [t.decode() for t in Fragments(store, "v").encode(items, made_of, lambda i: f"{i[0]}={i[1]}")]
        assert texts == [f"{name}={value}" for name, value in items]
        assert 1 <= len(list(tmp_path.glob("data-x.segment.*"))) <= fragments.SEGMENTS
    made: list[str] = []
    texts = [t.decode() for t in Fragments(store, "v").encode(items, made_of, lambda i: made.append(i[0]) or "")]
    assert made == [] and texts == [f"{name}={value}" for name, value in items]


def test_data_files_of_a_theme_that_shows_them_whole_are_the_same_bytes(example: Path, tmp_path: Path) -> None:
    # The default theme loops over a data file's pieces (written one after the other); a theme
    # of before that shows the filter's value whole gets the same file.
    project = copy_example(tmp_path / "whole")
    for name, expression in (
        ("archive.json", "articles | archive_json(people)"),
        ("articles.csv", "articles | articles_csv"),
        ("people.csv", "people | people_csv"),
        ("events.csv", "articles | events_csv"),
    ):
        assert "{%- for piece in " + expression in (project / "layouts" / name).read_text(encoding="utf-8")
        (project / "layouts" / name).write_text("{{- " + expression + " -}}\n", encoding="utf-8")
    run = run_cli(project, "--base-url", BASE)
    assert run.code == 0, run.err
    for name in ("archive.json", "articles.csv", "people.csv", "events.csv"):
        assert (project / "output/data" / name).read_bytes() == (example / "data" / name).read_bytes()
