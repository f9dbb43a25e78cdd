"""The dev server's inotify watcher: which saves it reports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from memoria.watch import Inotify

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def test_reports_saved_created_moved_and_deleted_files_of_the_watched_folders(tmp_path: Path) -> None:
    (tmp_path / "content/articles").mkdir(parents=True)
    (tmp_path / "content/articles/a.md").write_text("one")
    (tmp_path / "site.yaml").write_text("title: X\n")
    watcher = Inotify.open(tmp_path, ("site.yaml", "content", "layouts"))
    assert watcher is not None
    try:
        assert watcher.read() == []
        (tmp_path / "content/articles/a.md").write_text("two")
        assert watcher.read() == ["content/articles/a.md"]
        (tmp_path / "site.yaml").write_text("title: Y\n")
        (tmp_path / "notes.txt").write_text("not watched")
        (tmp_path / "output").mkdir()
        assert watcher.read() == ["site.yaml"]
        (tmp_path / "content/articles/2024").mkdir()
        assert watcher.read() == ["content/articles/2024"]
        (tmp_path / "content/articles/2024/b.md").write_text("new")  # in a folder made after the start
        (tmp_path / "content/articles/.b.md.swp").write_text("an editor's")
        assert set(watcher.read() or []) == {"content/articles/2024/b.md"}
        (tmp_path / "content/articles/2024/b.md").rename(tmp_path / "content/articles/c.md")
        (tmp_path / "content/articles/a.md").unlink()
        assert set(watcher.read() or []) == {
            "content/articles/2024/b.md",
            "content/articles/c.md",
            "content/articles/a.md",
        }
        # A watched folder that did not exist at the start: its making is the change (the build reads it whole).
        (tmp_path / "layouts").mkdir()
        (tmp_path / "layouts/base.html").write_text("<p>")
        assert "layouts" in (watcher.read() or [])
        (tmp_path / "layouts/base.html").write_text("<div>")
        assert watcher.read() == ["layouts/base.html"]
    finally:
        watcher.close()
