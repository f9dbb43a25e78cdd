"""Hostile and broken input: unpublished material, links out of the project, collisions, concurrent builds."""

from __future__ import annotations

import fcntl
import os
import pickle
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from memoria import archive as archive_module
from memoria.archive import build_archive
from memoria.config import SiteConfig
from memoria.errors import Problems
from memoria.parsing import parse_files
from tests.conftest import REPO, make_site, run_cli

HIDDEN = {
    "content/people/hidden-person.md": "---\nname: Zygmunt Hiddenname\npublished: false\naliases: [Z. Hiddenname]\n---\nSecret.\n",
    "content/articles/secret.md": "---\ntitle: Secretarticletitle\ndate: 2020-01-01\npublished: false\n---\nSecret.\n",
    "content/articles/public.md": (
        "---\ntitle: Public\ndate: 2021-01-01\npeople: [Zygmunt Hiddenname, {slug: hidden-person, role: r}, Visible One]\n"
        "events:\n  - {date: 1990, title: An event, people: [Z. Hiddenname]}\n---\n"
        "See [a witness](/people/hidden-person/) and [the other report](/articles/secret/#part).\n"
    ),
}


def all_output_text(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_unpublished_people_and_articles_leave_no_trace(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", HIDDEN)
    run = run_cli(project)
    assert run.code == 0, run.err
    text = all_output_text(project / "output")
    for trace in ("Zygmunt", "Hiddenname", "hidden-person", "Secretarticletitle", "articles/secret"):
        assert trace not in text, trace
    public = (project / "output/articles/public/index.html").read_text()
    assert "See a witness and the other report." in public
    assert "Visible One" in public


def test_unpublishing_later_removes_the_old_pages(tmp_path: Path) -> None:
    files = dict(HIDDEN)
    files["content/people/hidden-person.md"] = files["content/people/hidden-person.md"].replace(
        "published: false\n", ""
    )
    project = make_site(tmp_path / "site", files)
    assert run_cli(project).code == 0
    assert (project / "output/people/hidden-person/index.html").is_file()
    (project / "content/people/hidden-person.md").write_text(HIDDEN["content/people/hidden-person.md"])
    assert run_cli(project).code == 0
    assert not (project / "output/people/hidden-person").exists()
    assert "Hiddenname" not in all_output_text(project / "output")


def test_links_out_of_the_project_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: Outside\ndate: 2020-01-01\n---\n")
    project = make_site(tmp_path / "site", {"content/articles/ok.md": "---\ntitle: A\ndate: 2020-01-01\n---\n"})
    (project / "content/articles/link.md").symlink_to(outside)
    (project / "assets/secret").symlink_to(tmp_path)
    run = run_cli(project)
    assert run.code == 1
    assert run.error_lines == [
        "assets/secret: is a link to a place outside the project; refusing to follow it",
        "content/articles/link.md: is a link to a place outside the project; refusing to follow it",
    ]


def test_links_inside_the_project_are_followed(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {"shared/a.md": "---\ntitle: Shared\ndate: 2020-01-01\n---\n"})
    (project / "content/articles").mkdir(parents=True)
    (project / "content/articles/a.md").symlink_to(project / "shared/a.md")
    assert run_cli(project).code == 0
    assert (project / "output/articles/a/index.html").is_file()


def test_nfc_and_nfd_names_claiming_one_url(tmp_path: Path) -> None:
    nfc = unicodedata.normalize("NFC", "content/people/gülnur.md")
    nfd = unicodedata.normalize("NFD", "content/people/gülnur.md")
    project = make_site(tmp_path / "site", {nfc: "---\nname: A\n---\n", nfd: "---\nname: B\n---\n"})
    run = run_cli(project)
    assert run.code == 1
    assert len(run.error_lines) == 2
    assert all("the URL /people/gulnur/ is also claimed by" in line for line in run.error_lines)


def test_a_second_build_waits_for_the_first(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {"content/articles/a.md": "---\ntitle: A\ndate: 2020-01-01\n---\n"})
    with open(project / ".output.memoria-lock", "a") as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX)
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "--project", str(project)],
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)
        assert proc.poll() is None, "the second build must wait"
        assert not (project / "output").exists()
        fcntl.lockf(lock, fcntl.LOCK_UN)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "waiting for another build" in err
    assert (project / "output/articles/a/index.html").is_file()


@pytest.mark.parametrize("target", ["/", "~"])
def test_output_at_root_or_home_is_refused(tmp_path: Path, target: str) -> None:
    project = make_site(tmp_path / "site", {})
    run = run_cli(project, "--output", os.path.expanduser(target))
    assert run.code == 1
    assert "refusing to build into this folder" in run.err


def test_a_bug_names_the_file_it_met(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(archive_module, "read_person", broken)
    problems = Problems()
    config = SiteConfig(title="T")
    parsed = parse_files([("content/people/p.md", b"---\nname: P\n---\n")], config, problems)
    build_archive(config, parsed, problems)
    assert [str(e) for e in problems.errors] == [
        "content/people/p.md: internal error while reading this file (KeyError: 'boom'); please report it"
    ]


def test_a_killed_builds_temporary_files_are_removed_by_the_next_save(tmp_path: Path) -> None:
    from memoria.stored import load_pickle, save_pickle

    ended = subprocess.Popen(["true"])
    ended.wait()  # ended and reaped: its number names no process, as a killed build's
    dead = tmp_path / f"parsed.pickle.{ended.pid}.tmp"
    running = tmp_path / f"parsed.pickle.{os.getppid()}.tmp"  # another build, still running
    other = tmp_path / "parsed.pickle.notes.tmp"
    for path in (dead, running, other):
        path.write_bytes(b"half")
    save_pickle(tmp_path / "parsed.pickle", "v", {"a": 1})
    assert load_pickle(tmp_path / "parsed.pickle", "v") == {"a": 1}
    assert not dead.exists() and running.exists() and other.exists()


_UNPICKLED: list[str] = []


def _note(what: str) -> None:
    _UNPICKLED.append(what)


class _Noted:
    """A value that says when it is unpickled."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (_note, ("read",))


def test_a_file_kept_by_another_generator_is_not_unpickled(tmp_path: Path) -> None:
    """Only its version is read: an older parse cache of 10,000 articles is not read whole to be thrown away."""
    from memoria.stored import load_pickle, save_pickle

    save_pickle(tmp_path / "parsed.pickle", "old", [_Noted()], [_Noted()])
    _UNPICKLED.clear()
    assert load_pickle(tmp_path / "parsed.pickle", "new") is None
    assert _UNPICKLED == []
    assert load_pickle(tmp_path / "parsed.pickle", "old") == [None] and _UNPICKLED == ["read"]
    (tmp_path / "parsed.pickle").write_bytes(pickle.dumps(("old", {"a": 1})))  # the earlier form: a pair
    assert load_pickle(tmp_path / "parsed.pickle", "old") is None
