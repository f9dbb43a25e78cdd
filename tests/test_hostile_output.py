"""Input that would make output paths no file system takes, or two files of one path: refused before
anything is written, one line each, the previous output untouched; names too long for a URL are shortened."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from memoria.errors import UsageError
from memoria.outputdir import JOURNAL, recover
from memoria.slugs import MADE_SLUG_MAX, shortened
from tests.conftest import make_site, run_cli, snapshot

GOOD = {
    "content/articles/good.md": "---\ntitle: Good\ndate: 2023-02-25\n---\nText.\n",
    "content/people/good-person.md": "---\nname: Good Person\n---\n",
}


def built_site(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[Path, dict[str, tuple[bytes, int]]]:
    """A site built once with good content, then given `files`: the project and its output as it was."""
    project = make_site(tmp_path / "site", GOOD)
    assert run_cli(project, "--no-search").code == 0
    before = snapshot(project / "output")
    for rel, content in files.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return project, before


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith(".output.memoria-") and p.is_dir())


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (  # an alias file, and another alias under it as a folder
            {
                "content/articles/moved.md": "---\ntitle: M\ndate: 2023-01-01\naliases: ['/old.html', '/old.html/x/']\n---\n"
            },
            [
                'content/articles/moved.md:4: alias "/old.html/x/" and the alias "/old.html" in '
                "content/articles/moved.md cannot both be: one needs a folder where the other is a file"
            ],
        ),
        (  # two assets whose names differ only by case: one file on many file systems
            {"assets/css/X.css": "a {}\n", "assets/css/x.css": "b {}\n"},
            ["assets/css/x.css: writes assets/css/x.css, which assets/css/X.css writes too"],
        ),
        (
            {"content/pages/pagefind.md": "---\ntitle: Search index\n---\nText.\n"},
            ["content/pages/pagefind.md:2: the URL /pagefind/ belongs to the site itself; choose another slug"],
        ),
        (  # a NUL written %-encoded
            {"content/articles/a.md": "---\ntitle: A\ndate: 2023-01-01\naliases: ['/a%00b/']\n---\n"},
            [
                "content/articles/a.md:4: alias \"/a%00b/\" must be a plain path: no '?', '#', '\\' or control "
                "characters, written or %-encoded"
            ],
        ),
        (
            {"content/articles/a.md": "---\ntitle: A\ndate: 2023-01-01\naliases: ['/" + "x/" * 40 + "']\n---\n"},
            [
                'content/articles/a.md:4: alias "/' + "x/" * 40 + '" is too long a path: at most 32 parts of at most '
                "200 bytes each"
            ],
        ),
        (  # Python-Markdown recurses once for each level
            {
                "content/articles/deep.md": "---\ntitle: Deep\ndate: 2023-01-01\n---\n"
                + "".join("    " * n + "- item\n" for n in range(250))
            },
            ["content/articles/deep.md:5: the text is nested too deeply (lists or quotes hundreds of levels down)"],
        ),
        (  # the sanitiser's HTML parser takes time growing faster than the square of the depth
            {"content/articles/deep.md": "---\ntitle: Deep\ndate: 2023-01-01\n---\n\n" + "<div>" * 600},
            ["content/articles/deep.md:5: the text is nested too deeply (HTML elements hundreds of levels down)"],
        ),
    ],
    ids=[
        "alias-file-and-folder", "assets-by-case", "page-pagefind", "alias-nul", "alias-deep", "nested-lists",
        "nested-html",
    ],
)  # fmt: skip
def test_refused_before_anything_is_written(tmp_path: Path, files: dict[str, str | bytes], expected: list[str]) -> None:
    project, before = built_site(tmp_path, files)
    run = run_cli(project, "--no-search")
    assert "Traceback" not in run.err
    assert (run.code, run.error_lines) == (1, expected)
    assert snapshot(project / "output") == before
    assert leftovers(project) == []
    for rel in files:
        (project / rel).unlink()
    assert run_cli(project, "--no-search").code == 0, "the next build, the file fixed, works"


def test_names_too_long_for_a_url_are_shortened(tmp_path: Path) -> None:
    """A tag of 70 words, a person named at length with no file, a file name of 80 Chinese characters:
    each makes a slug of at most MADE_SLUG_MAX characters, and the links lead to the pages."""
    tag = " ".join(["remembrance"] * 70)
    name = " ".join(["Abdullayeva"] * 40)
    files = {
        f"content/articles/{'纪念' * 40}.md": f"---\ntitle: Long\ndate: 2023-01-01\ntags: ['{tag}']\n"
        f"places: ['{tag}']\npeople: ['{name}']\n---\nText.\n",
    }
    project, _ = built_site(tmp_path, files)
    run = run_cli(project, "--no-search")
    assert run.code == 0, run.err
    site = project / "output"
    names = [part for p in site.rglob("*") for part in p.relative_to(site).parts]
    assert max(len(part.encode()) for part in names) <= MADE_SLUG_MAX
    [article] = [p for p in (site / "articles").iterdir() if p.name != "good"]
    html = (article / "index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="/((?:tags|places|people)/[^"]+)"', html):
        assert (site / href / "index.html").is_file(), href
    assert run_cli(project, "--no-search").code == 0


def test_shortened_cuts_at_a_hyphen() -> None:
    assert shortened("a-b") == "a-b"
    assert shortened("word-" * 30) == ("word-" * 20).rstrip("-")
    assert shortened("x" * 300) == "x" * MADE_SLUG_MAX


def test_an_update_that_cannot_be_finished_is_said_once_in_a_line_not_replayed_for_ever(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "blocked").write_text("a file where the journal needs a folder")
    transaction = tmp_path / ".output.memoria-txn"
    transaction.mkdir()
    (transaction / "0000000").write_text("new")
    (transaction / JOURNAL).write_text(json.dumps({"changes": [["0000000", "blocked/index.html"]], "removed": []}))
    with pytest.raises(UsageError) as raised:
        recover(output)
    message = str(raised.value)
    assert "\n" not in message and "could not be finished" in message and str(transaction) in message


def test_output_inside_an_input_folder_is_refused(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", GOOD)
    for folder in ("assets/site", "content/site", "layouts/x", ".memoria", ".memoria/site"):
        run = run_cli(project, "--output", str(project / folder))
        assert run.code == 1 and "refusing to build into this folder" in run.err, folder
        assert not (project / folder).exists()


def test_a_place_or_tag_with_no_letter_or_digit_is_an_error_at_its_line(tmp_path: Path) -> None:
    files = {
        "content/articles/a.md": "---\ntitle: A\ndate: 2023-01-01\ntags:\n  - Music\n  - '!!!'\nplaces: ['—']\n"
        "events:\n  - {date: 1992, title: E, place: '…'}\n---\nText &#1; here.\n",
    }
    project, before = built_site(tmp_path, files)
    run = run_cli(project, "--no-search")
    assert (run.code, run.error_lines) == (
        1,
        [
            'content/articles/a.md:6: tag "!!!" has no letter or digit to make its URL from',
            'content/articles/a.md:7: place "—" has no letter or digit to make its URL from',
            'content/articles/a.md:9: place "…" has no letter or digit to make its URL from',
        ],
    )
    assert snapshot(project / "output") == before
    (project / "content/articles/a.md").write_text(
        files["content/articles/a.md"].replace("'!!!'", "Film").replace("'—'", "Baku").replace("'…'", "Paris")
    )
    assert run_cli(project, "--no-search").code == 0
    text = (project / "output/feed.xml").read_text(encoding="utf-8")
    assert "\x01" not in text and "\ufffd" in text, "a character reference to a control character is shown as U+FFFD"
