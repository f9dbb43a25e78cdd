"""The site model from plain strings: articles, people, references, timeline, places and tags."""

from __future__ import annotations

import textwrap

from memoria.archive import Archive, build_archive
from memoria.config import SiteConfig
from memoria.errors import Problems
from memoria.parsing import parse_files


def make_archive(files: dict[str, str], drafts: bool = False) -> tuple[Archive, Problems]:
    problems = Problems()
    config = SiteConfig(title="T")
    data = [(path, textwrap.dedent(text).lstrip().encode()) for path, text in sorted(files.items())]
    archive = build_archive(config, parse_files(data, config, problems, drafts=drafts), problems, drafts)
    return archive, problems


def article(title: str, date: str, extra: str = "", body: str = "Text.") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}\n---\n{body}\n"


PEOPLE = {
    "content/people/soltan-mammadov.md": "---\nname: Soltan Mammadov\naliases: [Soltan Məmmədov]\nrole: MP\n---\nBio.\n",
    "content/people/leyla-abdullayeva.md": "---\nname: Leyla Abdullayeva\n---\n",
}


def test_references_by_slug_name_and_alias_meet() -> None:
    files = {
        **PEOPLE,
        "content/articles/a.md": article("A", "2023-02-25", "people: [soltan-mammadov]"),
        "content/articles/b.md": article("B", "2023-02-26", "people: [Soltan Məmmədov]"),
        "content/articles/c.md": article("C", "2023-02-27", "people: [{name: SOLTAN MAMMADOV, role: speaker}]"),
    }
    archive, problems = make_archive(files)
    assert not problems.errors
    soltan = next(p for p in archive.people if p.slug == "soltan-mammadov")
    assert [(a.title, role) for a, role in soltan.mentions] == [("C", "speaker"), ("B", ""), ("A", "")]


def test_person_without_file_gets_a_page_with_the_name_as_written() -> None:
    files = {"content/articles/a.md": article("A", "2023-02-25", "people: [Gülnur Aybet, gulnur-aybet]")}
    archive, problems = make_archive(files)
    assert not problems.errors
    [person] = archive.people
    assert (person.slug, person.name, person.path) == ("gulnur-aybet", "Gülnur Aybet", None)
    assert len(person.mentions) == 1


def test_a_name_written_beside_a_slug_names_a_person_without_a_file() -> None:
    files = {"content/articles/a.md": article("A", "2023-02-25", "people: [{name: Leyla Abdullayeva, slug: leyla-a}]")}
    archive, problems = make_archive(files)
    assert not problems.errors
    [person] = archive.people
    assert (person.slug, person.name, person.path) == ("leyla-a", "Leyla Abdullayeva", None)


def test_names_that_a_url_cuts_to_the_same_are_an_error_not_one_page_written_twice() -> None:
    long = "Abcdefghij " * 10
    files = {"content/articles/a.md": article("A", "2023-02-25", f"people: [{long}Alpha, {long}Beta]")}
    _, problems = make_archive(files)
    [error] = problems.errors
    assert (error.path, error.line) == ("content/articles/a.md", 4)
    assert error.message.startswith(f'"{long}Beta" would have the page /people/abcdefghij-')
    assert error.message.endswith(
        f'of "{long}Alpha" (content/articles/a.md): give the person a file with a slug of their own'
    )


def test_a_person_named_twice_in_one_list_is_listed_once() -> None:
    files = {
        **PEOPLE,
        "content/articles/a.md": article("A", "2023-02-25", "people:\n  - Soltan Məmmədov\n  - soltan-mammadov"),
    }
    archive, problems = make_archive(files)
    assert not problems.errors
    [mentioned] = next(a for a in archive.articles if a.title == "A").people
    assert mentioned.ref == "Soltan Məmmədov"
    assert [str(w) for w in problems.warnings] == [
        'content/articles/a.md:6: "soltan-mammadov" is Soltan Mammadov, named already at line 5'
    ]


def test_ambiguous_name_asks_for_the_slug() -> None:
    files = {
        "content/people/ali-veli.md": "---\nname: Ali Veli\n---\n",
        "content/people/ali-veli-2.md": "---\nname: Ali Veli\n---\n",
        "content/articles/a.md": article("A", "2023-02-25", "people:\n  - Ali Veli"),
    }
    _, problems = make_archive(files)
    assert [str(e) for e in problems.errors] == [
        'content/articles/a.md:5: "Ali Veli" matches more than one person (ali-veli, ali-veli-2); give the slug'
    ]


def test_companions_are_counted_and_ranked() -> None:
    files = {
        **PEOPLE,
        "content/articles/a.md": article("A", "2023-01-01", "people: [soltan-mammadov, leyla-abdullayeva, X Y]"),
        "content/articles/b.md": article("B", "2023-01-02", "people: [soltan-mammadov, leyla-abdullayeva]"),
    }
    archive, _ = make_archive(files)
    soltan = next(p for p in archive.people if p.slug == "soltan-mammadov")
    assert [(p.slug, n) for p, n in soltan.companions] == [("leyla-abdullayeva", 2), ("x-y", 1)]


def test_timeline_orders_by_earliest_day_and_keeps_the_form() -> None:
    events = """events:
  - {date: "1992-02-25/1992-02-26", title: Night}
  - {date: 1992, title: Year}
  - {date: "1905~", title: Approx}
  - {date: "199X", title: Decade}
  - {date: 1848-03, title: Old}"""
    archive, problems = make_archive({"content/articles/a.md": article("A", "2023-02-25", events)})
    assert not problems.errors
    assert [(e.title, e.date.display()) for e in archive.timeline] == [
        ("Old", "March 1848"),
        ("Approx", "c. 1905"),
        ("Decade", "1990s"),
        ("Year", "1992"),
        ("Night", "25–26 February 1992"),
        ("A", "25 February 2023"),
    ]


def test_places_and_tags_merge_spellings() -> None:
    files = {
        "content/articles/a.md": article("A", "2023-01-01", "places: [Şuşa]\ntags: [Music]"),
        "content/articles/b.md": article("B", "2023-01-02", "places: [Şuşa, Baku]\ntags: [music]"),
        "content/articles/c.md": article("C", "2023-01-03", "places: [Susa]"),
    }
    archive, _ = make_archive(files)
    assert [(t.slug, t.name, len(t.articles)) for t in archive.places] == [("baku", "Baku", 1), ("susa", "Şuşa", 3)]
    assert [(t.slug, len(t.articles)) for t in archive.tags] == [("music", 2)]


def test_defaults_slug_summary_and_language() -> None:
    archive, _ = make_archive(
        {"content/articles/2023/2023-02-25-paris.md": article("A", "2023-02-25", body="First *para*.\n\nSecond.")}
    )
    [a] = archive.articles
    assert (a.slug, a.summary, a.lang, a.url) == ("paris", "First para.", "en", "articles/paris/")


def test_default_summary_leaves_out_footnote_marks() -> None:
    body = "Text with a note.[^1] And more.\n\n[^1]: The note."
    archive, _ = make_archive({"content/articles/a.md": article("A", "2023-02-25", body=body)})
    assert archive.articles[0].summary == "Text with a note. And more."


def test_drafts_and_unpublished_are_left_out() -> None:
    files = {
        "content/articles/a.md": article("A", "2023-01-01", "draft: true"),
        "content/articles/b.md": article("B", "2023-01-01", "published: false\npeople: [Hidden Person]"),
        "content/people/hidden-person.md": "---\nname: Hidden Person\npublished: false\n---\n",
        "content/articles/c.md": article("C", "2023-01-01", "people: [Hidden Person, hidden-person]"),
    }
    archive, problems = make_archive(files)
    assert not problems.errors
    assert [a.title for a in archive.articles] == ["C"]
    assert archive.people == []
    assert archive.articles[0].people == []
    with_drafts, _ = make_archive(files, drafts=True)
    assert sorted(a.title for a in with_drafts.articles) == ["A", "C"]


def test_a_draft_is_not_built_but_its_problems_are_told_as_warnings() -> None:
    files = {
        "content/articles/d.md": article("D", "2020-02-30", "draft: true\nplaces: {a: b}"),
        "content/people/p.md": "---\nname: P\npublished: false\nborn: 19922\n---\n",
    }
    archive, problems = make_archive(files)
    assert not problems.errors and not archive.articles and not archive.people
    assert [(w.path, w.line, w.message.rsplit(" (", 1)[1]) for w in sorted(problems.warnings)] == [
        ("content/articles/d.md", 3, "in a file not built: draft or unpublished)"),
        ("content/articles/d.md", 5, "in a file not built: draft or unpublished)"),
        ("content/people/p.md", 4, "in a file not built: draft or unpublished)"),
    ]
    # Built with --drafts, the draft's problems are errors like any file's.
    _, problems = make_archive(files, drafts=True)
    assert [(e.path, e.line) for e in sorted(problems.errors)] == [
        ("content/articles/d.md", 3),
        ("content/articles/d.md", 5),
    ]


def test_field_errors_name_their_lines() -> None:
    files = {
        "content/articles/a.md": "---\ntitle: [a]\ndate: 2023-02-30\nslug: ../x\nbirht: 1\nevents:\n  - {date: 1992-13, title: E}\n---\n",
        "content/people/p.md": "---\nrole: none\nbirht: 1900\n---\n",
    }
    _, problems = make_archive(files)
    assert [str(e) for e in sorted(problems.errors)] == [
        "content/articles/a.md:2: 'title' must be text, not a list",
        "content/articles/a.md:3: 'date' \"2023-02-30\" is not a valid date: February 2023 has 28 days",
        "content/articles/a.md:4: 'slug' must be lowercase ASCII letters, digits and hyphens, not \"../x\"",
        "content/articles/a.md:7: 'events' \"1992-13\" is not a valid date: month 13 does not exist",
        "content/people/p.md:1: 'name' is required",
    ]
    assert [str(w) for w in sorted(problems.warnings)] == [
        "content/articles/a.md:5: unknown field 'birht' for an article",
        "content/people/p.md:3: unknown field 'birht' for a person; did you mean 'born'?",
    ]


def test_two_files_one_url() -> None:
    files = {
        "content/articles/Jane-Doe.md": article("A", "2023-01-01"),
        "content/articles/2020/jane-doe.md": article("B", "2023-01-01"),
    }
    _, problems = make_archive(files)
    assert [str(e) for e in sorted(problems.errors)] == [
        "content/articles/2020/jane-doe.md:1: the URL /articles/jane-doe/ is also claimed by content/articles/Jane-Doe.md",
        "content/articles/Jane-Doe.md:1: the URL /articles/jane-doe/ is also claimed by content/articles/2020/jane-doe.md",
    ]
