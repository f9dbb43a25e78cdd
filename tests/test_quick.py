"""The no-change check: what it sees as a change, and what it leaves unimported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from memoria.quick import Options, is_unchanged, last_state, unchanged
from tests.conftest import REPO, make_site, run_cli, snapshot

ARTICLE = "---\ntitle: One\ndate: 2020-01-01\n---\n\nText.\n"


@pytest.fixture
def built(tmp_path: Path) -> Path:
    project = make_site(tmp_path / "site", {"content/articles/one.md": ARTICLE})
    assert run_cli(project, "--no-search").code == 0
    return project


def options(project: Path, **changes: object) -> Options:
    return Options(project, project / "output", search=False, **changes)  # type: ignore[arg-type]


def touch(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))


def test_nothing_changed_after_a_build(built: Path) -> None:
    assert unchanged(options(built)) is not None


@pytest.mark.parametrize(
    "change", ["content/articles/one.md", "layouts/base.html", "assets/css/memoria.css", "site.yaml"]
)
def test_a_touched_input_is_a_change(built: Path, change: str) -> None:
    touch(built / change)
    assert not is_unchanged(options(built), last_state(options(built)))


def test_a_new_file_and_other_options_are_changes(built: Path) -> None:
    (built / "content/articles/two.md").write_text(ARTICLE.replace("One", "Two"), encoding="utf-8")
    assert unchanged(options(built)) is None
    (built / "content/articles/two.md").unlink()
    assert unchanged(options(built)) is not None
    assert unchanged(options(built, drafts=True)) is None
    assert unchanged(options(built, cache=False)) is None
    # The search index was not built (--no-search): a build with search has work to do.
    assert unchanged(Options(built, built / "output")) is None


def test_a_build_with_nothing_changed_imports_no_model_markdown_or_templates(built: Path) -> None:
    code = (
        "import sys; from memoria import cli;"
        f"status = cli.main(['--project', {str(built)!r}, '--no-search']);"
        "heavy = [m for m in ('memoria.pipeline', 'memoria.model', 'markdown', 'jinja2', 'PIL', 'babel') if m in sys.modules];"
        "print(status, heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.splitlines() == ["nothing changed since the last build of " + str(built / "output"), "0 []"]


def test_the_check_reads_the_small_part_of_the_state_and_the_whole_when_it_is_missing(built: Path) -> None:
    [whole] = [
        p for p in (built / ".memoria").glob("state-*.pickle") if not p.stem.endswith(("-inputs", "-search", "-built"))
    ]
    inputs = whole.with_name(whole.stem + "-inputs.pickle")
    assert inputs.is_file() and inputs.stat().st_size < whole.stat().st_size
    assert last_state(options(built), inputs_only=True).pages == {}
    assert last_state(options(built)).pages  # the pages' fingerprints are in the whole
    whole.write_bytes(b"damaged")
    assert unchanged(options(built)) is not None  # the whole is not read
    # A build stopped between the two files leaves no small part: the whole one says.
    inputs.unlink()
    assert unchanged(options(built)) is None
    assert run_cli(built, "--no-search").code == 0
    assert inputs.is_file() and unchanged(options(built)) is not None


@pytest.mark.parametrize("gone", ["index.html", "articles/one/index.html", "assets/css/memoria.css"])
def test_a_file_removed_from_the_output_is_made_again(built: Path, gone: str) -> None:
    """The inputs are unchanged, but the output lost a file: its folder's stamp says so, and the build
    puts the file back; the build after it finds nothing changed again."""
    page = built / "output" / gone
    before = page.read_bytes()
    page.unlink()
    assert unchanged(options(built)) is None
    assert run_cli(built, "--no-search").code == 0
    assert page.read_bytes() == before
    assert unchanged(options(built)) is not None


def test_a_file_added_to_the_output_is_left_there(built: Path) -> None:
    """A file the build did not make (a CNAME, say) is not removed; after the build that looked, nothing changed."""
    (built / "output" / "CNAME").write_text("archive.example.org\n", encoding="utf-8")
    assert unchanged(options(built)) is None
    assert run_cli(built, "--no-search").code == 0
    assert (built / "output" / "CNAME").read_text(encoding="utf-8") == "archive.example.org\n"
    assert unchanged(options(built)) is not None


def test_the_project_named_another_way_is_the_same_project(built: Path) -> None:
    """The last build's state holds each input by its name in the project: built from the project's
    folder, from its parent, or with --project as a full path, nothing changed and nothing is rewritten."""
    before = snapshot(built / "output")
    for cwd, named in ((built, []), (built.parent, ["--project", built.name]), (Path("/"), ["--project", str(built)])):
        proc = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "--no-search", *named],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={**os.environ, "CI": "true"},
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert "nothing changed" in proc.stdout + proc.stderr, (named, proc.stdout, proc.stderr)
    assert snapshot(built / "output") == before


def test_a_change_of_the_code_is_a_new_generator(tmp_path: Path) -> None:
    """The state and caches are kept for GENERATOR, the version and a hash of the code: code changed
    without a new version number (a checkout of another commit) does not reuse what older code made."""
    import shutil

    import memoria

    copy = tmp_path / "memoria"
    shutil.copytree(Path(memoria.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))

    def generator() -> str:
        code = "import memoria; print(memoria.GENERATOR)"
        return subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
        ).stdout.strip()

    assert generator() == memoria.GENERATOR
    with (copy / "render.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# another commit\n")
    assert generator() != memoria.GENERATOR and generator().startswith(memoria.__version__ + "+")
