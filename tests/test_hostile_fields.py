"""Hostile field values: blank required fields, non-text values in mappings, odd numbers, and
messages that must stay on one line."""

from __future__ import annotations

import xml.dom.minidom
from pathlib import Path

import pytest

from memoria.config import parse_config
from memoria.errors import Problems
from memoria.fields import Fields, describe
from memoria.frontmatter import Document, parse_document
from memoria.model import Parsed, read_article, read_page, read_person
from tests.conftest import run_cli, snapshot
from tests.test_bad_input import built_site

ARTICLE = "content/articles/x.md"
PERSON = "content/people/p.md"


def problems_of(path: str, text: str) -> list[str]:
    """Read one article, person or page (by its folder); its errors and warnings, sorted."""
    problems = Problems()
    parsed = Parsed(parse_document(path, text.encode()), "")
    reader = read_person if "/people/" in path else read_page if "/pages/" in path else read_article
    reader(parsed, Path(path).stem, "en", problems)
    return sorted(str(e) for e in problems.errors)


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        (ARTICLE, "---\ntitle: '   '\ndate: 2023-01-01\n---\n", "content/articles/x.md:2: 'title' is required"),
        (ARTICLE, '---\ntitle: "\\t\\n"\ndate: 2023-01-01\n---\n', "content/articles/x.md:2: 'title' is required"),
        (ARTICLE, "---\ntitle: A\ndate: '  '\n---\n", "content/articles/x.md:3: 'date' is required (YYYY-MM-DD)"),
        ("content/pages/about.md", "---\ntitle: '   '\n---\n", "content/pages/about.md:2: 'title' is required"),
        (PERSON, "---\nname: '   '\n---\n", "content/people/p.md:2: 'name' is required"),
    ],
)
def test_blank_required_field_is_missing(path: str, text: str, message: str) -> None:
    assert problems_of(path, text) == [message]


def test_blank_slug_falls_back_to_the_file_name() -> None:
    problems = Problems()
    parsed = Parsed(parse_document(ARTICLE, b"---\ntitle: A\ndate: 2023-01-01\nslug: '  '\n---\n"), "")
    assert read_article(parsed, "x", "en", problems).slug == "x"
    assert problems.errors == []


def test_non_text_inside_a_mapping_is_an_error_at_its_line() -> None:
    text = (
        "---\n"
        "title: A\n"
        "date: 2023-01-01\n"
        "source: {name: [Trend], author: {a: b}, place: [Baku], url: [x]}\n"
        "people:\n"
        "  - name: Jane Doe\n"
        "    role: [speaker, ambassador]\n"
        "  - {slug: jane-doe, name: [x]}\n"
        "events:\n"
        "  - date: 1992\n"
        "    title: E\n"
        "    place: [Khojaly]\n"
        "images:\n"
        "  - {src: a.jpg, alt: A, caption: [c], credit: {a: b}}\n"
        "---\n"
    )
    assert problems_of(ARTICLE, text) == [
        "content/articles/x.md:12: 'place' of 'events' must be text, not a list",
        "content/articles/x.md:14: 'caption' of 'images' must be text, not a list",
        "content/articles/x.md:14: 'credit' of 'images' must be text, not a mapping",
        "content/articles/x.md:4: 'author' of 'source' must be text, not a mapping",
        "content/articles/x.md:4: 'name' of 'source' must be text, not a list",
        "content/articles/x.md:4: 'place' of 'source' must be text, not a list",
        "content/articles/x.md:4: 'url' of 'source' must be text, not a list",
        "content/articles/x.md:7: 'role' of 'people' must be text, not a list",
        "content/articles/x.md:8: 'name' of 'people' must be text, not a list",
    ]


def test_non_text_inside_a_person_mapping_is_an_error() -> None:
    text = "---\nname: P\nphoto:\n  src: p.jpg\n  alt: [x]\nlinks:\n  - url: https://a.example/\n    title: [t]\n---\n"
    assert problems_of(PERSON, text) == [
        "content/people/p.md:5: 'alt' of 'photo' must be text, not a list",
        "content/people/p.md:8: 'title' of 'links' must be text, not a list",
    ]


def test_text_inside_mappings_is_read() -> None:
    text = (
        "---\ntitle: A\ndate: 2023-01-01\nsource: {name: ' Trend ', place: Baku}\n"
        "people: [{name: Jane Doe, role: speaker}]\nevents: [{date: 1992, title: E, place: Khojaly}]\n---\n"
    )
    problems = Problems()
    article = read_article(Parsed(parse_document(ARTICLE, text.encode()), ""), "x", "en", problems)
    assert problems.errors == []
    assert (article.source.name, article.source.place) == ("Trend", "Baku")
    assert (article.people[0].ref, article.people[0].role) == ("Jane Doe", "speaker")
    assert article.events[0].place == "Khojaly"


@pytest.mark.parametrize("value", ['"²"', '"٣"', '"1e3"', '"-1"', '"12.0"', '"' + "9" * 5000 + '"', "[1]"])
def test_integer_takes_ascii_digits_only(value: str) -> None:
    problems = Problems()
    config = parse_config(f"title: T\nper_page: {value}\n".encode(), problems)
    assert config.per_page == 10
    assert [e.line for e in problems.errors] == [2]
    assert str(problems.errors[0]).startswith("site.yaml:2: 'per_page' must be a whole number from 1 to 1000, not ")


def test_integer_reads_a_number_with_spaces() -> None:
    read = Fields(Document("site.yaml", {"per_page": " 12 "}, "", 0, {"per_page": 3}), Problems())
    assert read.integer("per_page", 10) == 12
    assert read.problems.errors == []


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        (
            ARTICLE,
            '---\ntitle: A\ndate: 2023-01-01\nsource: {url: "java\\nscript:x"}\n---\n',
            "content/articles/x.md:4: 'source' must be a full http(s) address such as https://example.org/, not \"java\\nscript:x\"",
        ),
        (
            ARTICLE,
            '---\ntitle: A\ndate: 2023-01-01\nslug: "a\\nb"\n---\n',
            "content/articles/x.md:4: 'slug' must be lowercase ASCII letters, digits and hyphens, not \"a\\nb\"",
        ),
        (
            ARTICLE,
            '---\ntitle: A\ndate: 2023-01-01\nimages: [{src: a.jpg, alt: A, "x\\ny": 1}]\n---\n',
            "content/articles/x.md:4: unknown image field 'x\\ny': use src, alt, caption, credit",
        ),
        (
            PERSON,
            '---\nname: P\nlinks:\n  - title: T\n    url: "ftp://a\\nb"\n---\n',
            "content/people/p.md:5: 'links' must be a full http(s) address such as https://example.org/, not \"ftp://a\\nb\"",
        ),
        (
            PERSON,
            '---\nname: {"e\\nn": [x], az: P}\n---\n',
            "content/people/p.md:2: each form of 'name' must be text: e\\nn: a list",
        ),
    ],
)
def test_quoted_values_stay_on_one_line(path: str, text: str, message: str) -> None:
    assert problems_of(path, text) == [message]


def test_unknown_field_warning_is_one_line() -> None:
    problems = Problems()
    read_article(
        Parsed(parse_document(ARTICLE, b'---\ntitle: A\ndate: 2023-01-01\n"ti\\ntle": B\n---\n'), ""),
        "x",
        "en",
        problems,
    )
    assert [str(w) for w in problems.warnings] == [
        "content/articles/x.md:4: unknown field 'ti\\ntle' for an article; did you mean 'title'?"
    ]


def test_describe_escapes_line_ends_and_controls() -> None:
    assert describe("a\nb\r\x1b") == '"a\\nb\\r\\u001b"'
    assert describe(["x"]) == "a list"


def test_control_characters_fail_the_build_and_never_reach_the_feed(tmp_path: Path) -> None:
    bad: dict[str, str | bytes] = {
        "content/articles/escaped.md": '---\ntitle: "a\\x01b\\0c"\ndate: 2023-01-01\n---\nBody.\n',
        "content/articles/raw.md": "---\ntitle: Raw\ndate: 2023-01-01\n---\nText \x1b[31m and \x0b and \x07.\n",
        "content/people/blank.md": "---\nname: '   '\n---\n",
    }
    project, before = built_site(tmp_path, bad)
    run = run_cli(project)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert run.error_lines == [
        "content/articles/escaped.md:2: control character U+0001 is not allowed",
        "content/articles/raw.md:5: control character U+001B is not allowed",
        "content/people/blank.md:2: 'name' is required",
    ]
    assert snapshot(project / "output") == before
    xml.dom.minidom.parse(str(project / "output" / "feed.xml"))


def test_values_quoted_by_linking_and_aliases_stay_on_one_line(tmp_path: Path) -> None:
    bad: dict[str, str | bytes] = {
        "content/articles/b.md": '---\ntitle: B\ndate: 2023-01-01\naliases: ["/old\\n/x/"]\n---\nB.\n',
        "content/articles/c.md": '---\ntitle: C\ndate: 2023-01-01\npeople: ["!\\n?"]\n---\nC.\n',
    }
    project, before = built_site(tmp_path, bad)
    run = run_cli(project)
    assert run.code == 1
    assert run.error_lines == [
        "content/articles/b.md:4: alias \"/old\\n/x/\" must be a plain path: no '?', '#', '\\' or control characters",
        'content/articles/c.md:4: cannot make a URL from the name "!\\n?"',
    ]
    assert snapshot(project / "output") == before
