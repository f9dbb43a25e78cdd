"""Hostile set-ups: odd images, site.yaml values, command lines and links, each one line and never a traceback."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from memoria.collation import sort_key
from memoria.errors import Problems
from memoria.sources import walk_files
from tests.conftest import MINIMAL_CONFIG, REPO, Run, make_site, run_cli, snapshot

GOOD = {"content/articles/good.md": "---\ntitle: Good\ndate: 2023-02-25\n---\nText.\n"}
OUTSIDE = "is a link to a place outside the project; refusing to follow it"


def built(tmp_path: Path, config: str = MINIMAL_CONFIG) -> tuple[Path, dict[str, tuple[bytes, int]]]:
    """A project with a good first build, and the snapshot of its output."""
    project = make_site(tmp_path / "site", GOOD, config)
    run = run_cli(project)
    assert run.code == 0, run.err
    return project, snapshot(project / "output")


def fails_cleanly(project: Path, before: dict[str, tuple[bytes, int]], expected: list[str], *args: str) -> None:
    """Build and check both report exactly `expected`, exit 1, without a traceback, and output/ is as it was."""
    for command in ((), ("check",)):
        run = run_cli(project, *command, *args)
        assert (run.code, run.error_lines) == (1, expected), run.err
        assert "Traceback" not in run.err
    assert snapshot(project / "output") == before


def run_in(folder: Path, *args: str | bytes) -> Run:
    """Run build.py with exactly these arguments (no --project added) from a folder."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "true"},
        cwd=folder,
        timeout=300,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


# --- images past WebP's limit ------------------------------------------------------------------


def test_an_image_taller_than_webp_allows_is_published(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (100, 20000), "red").save(buffer, "PNG")
    files: dict[str, str | bytes] = {
        "content/articles/scan.md": "---\ntitle: Scan\ndate: 2023-02-25\nimages: [{src: tall.png, alt: A long scan}]\n---\n",
        "content/articles/tall.png": buffer.getvalue(),
    }
    project = make_site(tmp_path / "site", files)
    run = run_cli(project, "--strict")
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    html = (project / "output/articles/scan/index.html").read_text(encoding="utf-8")
    assert 'width="81" height="16200"' in html
    for path in (project / "output/images").rglob("tall-*"):
        with Image.open(path) as image:
            assert image.size == (81, 16200)


# --- site.yaml: language and base_url ----------------------------------------------------------

LANGUAGE = "a language code such as en, az, fr, ru or pt-BR"
BASE_URL = "'base_url' must be '/', a path like '/archive/' or an http(s) URL"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ('language: "../en"\n', f"site.yaml:3: 'language' must be {LANGUAGE}, not \"../en\""),
        ("language: en_GB\n", f'site.yaml:3: \'language\' must be {LANGUAGE}, not "en_GB" (write "en-GB")'),
        ("languages: [en, en_GB]\n", f'site.yaml:3: "en_GB" is not {LANGUAGE} (write "en-GB")'),
        ("languages:\n  - en\n  - ../fr\n", f'site.yaml:5: "../fr" is not {LANGUAGE}'),
    ],
)
def test_a_bad_language_is_reported_and_not_used(tmp_path: Path, lines: str, expected: str) -> None:
    project, before = built(tmp_path)
    (project / "site.yaml").write_text(f"title: T\nbase_url: /\n{lines}", encoding="utf-8")
    fails_cleanly(project, before, [expected])


def test_a_bcp47_tag_with_a_region_is_accepted(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", GOOD, "title: T\nlanguage: en-GB\n")
    run = run_cli(project, "--strict")
    assert run.code == 0, run.err
    assert '<html lang="en-GB"' in (project / "output/index.html").read_text(encoding="utf-8")


def test_a_bad_language_does_not_hide_other_errors(tmp_path: Path) -> None:
    project, before = built(tmp_path)
    (project / "site.yaml").write_text("title: T\nlanguage: en_GB\nper_page: 0\n", encoding="utf-8")
    (project / "content/articles/bad.md").write_text("---\ntitle: Bad\ndate: 2023-02-30\n---\n", encoding="utf-8")
    fails_cleanly(
        project,
        before,
        [
            "content/articles/bad.md:3: 'date' \"2023-02-30\" is not a valid date: February 2023 has 28 days",
            f'site.yaml:2: \'language\' must be {LANGUAGE}, not "en_GB" (write "en-GB")',
            "site.yaml:3: 'per_page' must be a whole number from 1 to 1000, not \"0\"",
        ],
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (r'"/\\evil.example/"', r'"/\\evil.example/"'),  # a browser reads '\' as '/': another host
        ("'https://example.org/a\"b/'", r'"https://example.org/a\"b/"'),
        ("'/a<b>/'", '"/a<b>/"'),
        ("'/an archive/'", '"/an archive/"'),
    ],
)
def test_base_url_refuses_what_a_browser_reads_otherwise(tmp_path: Path, value: str, shown: str) -> None:
    project, before = built(tmp_path)
    (project / "site.yaml").write_text(f"title: T\nbase_url: {value}\n", encoding="utf-8")
    fails_cleanly(project, before, [f"site.yaml:2: {BASE_URL}, not {shown}"])


@pytest.mark.parametrize(
    ("command", "value", "shown"),
    [
        ("build", "/\\evil.example/", r'"/\\evil.example/"'),
        ("check", "javascript:alert(1)", '"javascript:alert(1)"'),
        ("serve", "/arch\nive/", r'"/arch\nive/"'),
        ("build", "/arch\x1bive/", r'"/arch\u001bive/"'),
        ("build", "/arch\u202eive/", r'"/arch\u202eive/"'),
    ],
)
def test_a_bad_base_url_on_the_command_line_is_a_command_line_error(
    tmp_path: Path, command: str, value: str, shown: str
) -> None:
    project, before = built(tmp_path)
    run = run_cli(project, command, "--base-url", value)
    assert run.code == 2
    assert run.err.splitlines() == [
        f"error: --base-url must be '/', a path like '/archive/' or an http(s) URL, not {shown}"
    ]
    assert snapshot(project / "output") == before


# --- the project folder and `new` --------------------------------------------------------------


def test_a_project_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x\n", encoding="utf-8")
    for command in ("build", "check", "serve", "new"):
        run = run_in(tmp_path, command, *(["article", "T"] if command == "new" else []), "--project", "afile")
        assert (run.code, run.err.splitlines()) == (2, ["error: --project afile: is not a folder"])
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_a_project_that_does_not_exist_is_not_made(tmp_path: Path) -> None:
    for command in ("build", "check", "new"):
        run = run_in(tmp_path, command, *(["person", "N"] if command == "new" else []), "--project", "nowhere")
        assert (run.code, run.err.splitlines()) == (2, ["error: --project nowhere: does not exist"])
    assert list(tmp_path.iterdir()) == []


def test_new_with_a_title_that_is_not_utf8(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {})
    run = run_in(project, "new", "article", b"abc\xff")
    assert (run.code, run.err.splitlines()) == (1, ["error: the title is not valid UTF-8 text: 'abc\\udcff'"])
    assert not (project / "content").exists()


def test_new_with_a_very_long_name_gives_a_shorter_file_name(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {})
    run = run_in(project, "new", "person", "a" * 300)
    assert (run.code, run.err) == (0, "")
    assert run.out.strip() == f"content/people/{'a' * 100}.md"
    words = run_in(project, "new", "article", " ".join(["remembrance"] * 40))
    assert words.code == 0, words.err
    name = Path(words.out.strip()).name
    assert name.endswith("-remembrance.md") and len(name) == len("2024-01-01-") + 95 + len(".md")
    assert run_cli(project, "--strict").code == 0


def test_new_page_refuses_a_reserved_url(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {})
    run = run_in(project, "new", "page", "Search")
    assert (run.code, run.err.splitlines()) == (
        1,
        ["error: the URL /search/ belongs to the site itself; choose another title"],
    )
    assert not (project / "content/pages").exists()
    assert run_in(project, "new", "page", "Search help").code == 0


# --- top-level links out of the project --------------------------------------------------------


@pytest.mark.parametrize("name", ["assets", "content", "layouts", "site.yaml"])
def test_a_top_level_link_out_of_the_project_is_refused(tmp_path: Path, name: str) -> None:
    project, before = built(tmp_path)
    outside = tmp_path / "outside" / name
    outside.parent.mkdir()
    shutil.move(project / name, outside)
    if name == "assets":
        (outside / "secret.txt").write_text("TOPSECRET\n", encoding="utf-8")
    (project / name).symlink_to(outside)
    fails_cleanly(project, before, [f"{name}: {OUTSIDE}"])
    assert not any(b"TOPSECRET" in data for data, _ in snapshot(project / "output").values())


def test_a_top_level_link_within_the_project_is_followed(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", GOOD)
    shutil.move(project / "assets", project / "theme-assets")
    (project / "assets").symlink_to("theme-assets")
    run = run_cli(project, "--strict")
    assert run.code == 0, run.err
    assert (project / "output/assets").is_dir()


def test_walking_a_folder_that_links_out_of_the_project_refuses_it(tmp_path: Path) -> None:
    # What the dev server's rebuilds rely on, past the command line's own check.
    project = make_site(tmp_path / "site", GOOD, theme=False)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.txt").write_text("TOPSECRET\n", encoding="utf-8")
    (project / "assets").symlink_to(tmp_path / "elsewhere")
    problems = Problems()
    assert walk_files(project, "assets", problems) == []
    assert [str(e) for e in problems.errors] == [f"assets: {OUTSIDE}"]


def test_collation_never_hands_icu_a_tag_it_refuses() -> None:
    names = ["Zeynep", "Əli", "Ali", "Emin"]
    assert sorted(names, key=sort_key("en_GB")) == sorted(names, key=sort_key("en-GB"))
    assert sorted(names, key=sort_key("../en")) == ["Ali", "Emin", "Əli", "Zeynep"]
