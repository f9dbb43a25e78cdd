"""Every kind of bad input: one line `path:line: message` each, all in one run, exit 1, output untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_site, run_cli, snapshot

GOOD = {
    "content/articles/good.md": "---\ntitle: Good\ndate: 2023-02-25\n---\nText.\n",
    "content/people/good-person.md": "---\nname: Good Person\n---\n",
}

CASES = {
    "broken YAML": (
        {"content/articles/bad.md": "---\ntitle: Bad\ndate: 2023-02-25\ntags: [a, b\n---\n"},
        ["content/articles/bad.md:5: invalid YAML: did not find expected ',' or ']'"],
    ),
    "missing title": (
        {"content/articles/bad.md": "---\ndate: 2023-02-25\n---\n"},
        ["content/articles/bad.md:1: 'title' is required"],
    ),
    "title not text": (
        {"content/articles/bad.md": "---\ntitle: {a: b}\ndate: 2023-02-25\n---\n"},
        ["content/articles/bad.md:2: 'title' must be text, not a mapping"],
    ),
    "impossible date": (
        {"content/articles/bad.md": "---\ntitle: Bad\ndate: 2023-02-30\n---\n"},
        ["content/articles/bad.md:3: 'date' \"2023-02-30\" is not a valid date: February 2023 has 28 days"],
    ),
    "bad EDTF date": (
        {"content/articles/bad.md": "---\ntitle: Bad\ndate: 2023-02-25\nevents:\n  - {date: 19922, title: E}\n---\n"},
        [
            "content/articles/bad.md:5: 'events' \"19922\" is not a valid date: expected an EDTF date such as 1992, 1992-02, 1992-02-26, 1905~ or 199X"
        ],
    ),
    "unclosed front matter": (
        {"content/articles/bad.md": "---\ntitle: Bad\ndate: 2023-02-25\n\nText.\n"},
        ["content/articles/bad.md:1: front matter is not closed: add a '---' line after the fields"],
    ),
    "not UTF-8": (
        {"content/articles/bad.md": b"---\ntitle: Caf\xe9\ndate: 2023-02-25\n---\n"},
        ["content/articles/bad.md:2: not valid UTF-8 (byte 0xe9); save the file as UTF-8"],
    ),
    "two files one URL": (
        {"content/articles/2022/good.md": "---\ntitle: Again\ndate: 2022-01-01\n---\n"},
        [
            "content/articles/2022/good.md:1: the URL /articles/good/ is also claimed by content/articles/good.md",
            "content/articles/good.md:1: the URL /articles/good/ is also claimed by content/articles/2022/good.md",
        ],
    ),
    "lang not a language tag": (
        {
            "content/articles/bad.md": '---\ntitle: Bad\ndate: 2023-02-25\nlang: "not a lang!!"\n---\n',
            "content/articles/bad2.md": "---\ntitle: Bad\ndate: 2023-02-26\nlang: 5\n---\n",
        },
        [
            "content/articles/bad.md:4: 'lang' must be a language tag such as en, az or pt-BR, not \"not a lang!!\"",
            "content/articles/bad2.md:4: 'lang' must be a language tag such as en, az or pt-BR, not \"5\"",
        ],
    ),
    "address without a scheme": (
        {
            "content/articles/bad.md": '---\ntitle: Bad\ndate: 2023-02-25\nsource: {name: Trend, url: "www.trend.az/news/1"}\n---\n',
            "content/people/bad.md": '---\nname: Bad Link\nlinks: [{title: "Her page", url: "/about/"}]\n---\n',
        },
        [
            "content/articles/bad.md:4: 'source' must be a full http(s) address such as https://example.org/, not \"www.trend.az/news/1\"",
            "content/people/bad.md:3: 'links' must be a full http(s) address such as https://example.org/, not \"/about/\"",
        ],
    ),
    "slug with a slash": (
        {"content/articles/bad.md": "---\ntitle: Bad\ndate: 2023-02-25\nslug: a/b\n---\n"},
        ["content/articles/bad.md:4: 'slug' must be lowercase ASCII letters, digits and hyphens, not \"a/b\""],
    ),
    "slug too long": (
        {"content/articles/bad.md": "---\ntitle: Bad\ndate: 2023-02-25\nslug: " + "a" * 201 + "\n---\n"},
        ["content/articles/bad.md:4: 'slug' must be at most 200 characters, not \"" + "a" * 201 + '"'],
    ),
    "slug with dots": (
        {"content/people/bad.md": "---\nname: Bad\nslug: ../../etc\n---\n"},
        ["content/people/bad.md:3: 'slug' must be lowercase ASCII letters, digits and hyphens, not \"../../etc\""],
    ),
    "intro nested too deeply": (
        {"site.yaml": "title: T\nintro: |\n  " + "<div>" * 600 + "\n"},
        ["site.yaml:2: 'intro': the text is nested too deeply (HTML elements hundreds of levels down)"],
    ),
    "cname not a domain": (
        {"site.yaml": 'title: T\ncname: "<script>/x"\n'},
        ["site.yaml:2: 'cname' must be a domain name such as archive.example.org, not \"<script>/x\""],
    ),
    "person without name": (
        {"content/people/bad.md": "---\nrole: witness\n---\n"},
        ["content/people/bad.md:1: 'name' is required"],
    ),
}


def built_site(tmp_path: Path, bad: dict[str, str | bytes]) -> tuple[Path, dict[str, tuple[bytes, int]]]:
    project = make_site(tmp_path / "site", GOOD)
    assert run_cli(project).code == 0
    before = snapshot(project / "output")
    for rel, content in bad.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return project, before


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_fails_cleanly(tmp_path: Path, case: str) -> None:
    bad, expected = CASES[case]
    project, before = built_site(tmp_path, bad)
    run = run_cli(project)
    assert run.code == 1
    assert run.error_lines == expected
    assert "Traceback" not in run.err
    assert snapshot(project / "output") == before
    check = run_cli(project, "check")
    assert check.code == 1
    assert check.error_lines == expected


def test_all_errors_in_one_run(tmp_path: Path) -> None:
    bad: dict[str, str | bytes] = {}
    expected: list[str] = []
    for case in ("broken YAML", "impossible date", "person without name", "not UTF-8", "slug with a slash"):
        files, lines = CASES[case]
        for rel, content in files.items():
            bad[rel.replace("bad.md", case.replace(" ", "-").lower() + ".md")] = content
        expected += [line.replace("bad.md", case.replace(" ", "-").lower() + ".md") for line in lines]
    # Assets whose names differ only by case: found with the content's problems, not after rendering.
    bad |= {"assets/css/X.css": "a {}\n", "assets/css/x.css": "b {}\n"}
    expected.append("assets/css/x.css: writes assets/css/x.css, which assets/css/X.css writes too")
    project, before = built_site(tmp_path, bad)
    run = run_cli(project)
    assert run.code == 1
    assert run.error_lines == sorted(expected)
    assert snapshot(project / "output") == before


def test_wrong_command_line_is_status_2(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", GOOD)
    assert run_cli(project, "--no-such-flag").code == 2
    assert run_cli(project, "frobnicate").code == 2
    for port in ("99999", "0", "-1", "http"):
        run = run_cli(project, "serve", "--port", port)
        assert run.code == 2
        assert "is not a port number" in run.err


def test_an_error_found_in_a_worker_process_comes_back_whole() -> None:
    """Pages are rendered in forked workers: their errors cross back pickled."""
    import pickle

    from memoria.errors import SourceError

    error = SourceError("layouts/base.html", 95, "Expected an expression")
    assert pickle.loads(pickle.dumps(error)) == error


def test_every_broken_template_is_reported_in_one_run(tmp_path: Path) -> None:
    project, before = built_site(tmp_path, {})
    (project / "layouts" / "page.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{{ page.nosuch }}\n{% endblock %}\n"
    )
    (project / "layouts" / "person.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{{ 1 / 0 }}\n{% endblock %}\n"
    )
    (project / "content/pages/about.md").parent.mkdir(parents=True)
    (project / "content/pages/about.md").write_text("---\ntitle: About\n---\n")
    run = run_cli(project)
    assert run.code == 1
    assert run.error_lines == [
        "layouts/page.html:3: 'memoria.model.Page object' has no attribute 'nosuch'",
        "layouts/person.html:3: division by zero",
    ]
    assert snapshot(project / "output") == before


def test_a_missing_template_is_named_not_a_traceback(tmp_path: Path) -> None:
    """Jinja's TemplateNotFound is an OSError as well: a template that is not there, or one that a
    template includes, is the theme's problem, reported like the others."""
    project, before = built_site(tmp_path, {"content/pages/about.md": "---\ntitle: About\n---\n"})
    (project / "layouts" / "people.csv").unlink()
    (project / "layouts" / "page.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{% include 'nosuch.html' %}\n{% endblock %}\n"
    )
    for command in ((), ("check",)):
        run = run_cli(project, *command)
        assert run.code == 1
        assert "Traceback" not in run.err
        assert run.error_lines == [
            "layouts/page.html:3: no template nosuch.html",
            "layouts/people.csv: template not found",
        ]
    assert snapshot(project / "output") == before


def test_alias_errors_are_told_with_the_content_errors(tmp_path: Path) -> None:
    """Aliases are checked when the site is planned, which waits for the content's errors to be fixed:
    they are planned anyway when there are others, so that one run tells all."""
    bad = {
        "content/pages/people.md": "---\ntitle: People\n---\n",
        "content/articles/a.md": '---\ntitle: A\ndate: 2020-01-01\naliases: ["http://evil.example/"]\n---\n',
    }
    project, before = built_site(tmp_path, bad)
    expected = [
        'content/articles/a.md:4: alias "http://evil.example/" must be a path on this site, like /old/path/, '
        "without a scheme or host",
        "content/pages/people.md:2: the URL /people/ belongs to the site itself; choose another slug",
    ]
    for command in ((), ("check",)):
        run = run_cli(project, *command)
        assert run.code == 1
        assert run.error_lines == expected
    assert snapshot(project / "output") == before
