"""memoria/indexer.py: where Pagefind works (in memory when there is room), and how pages get there."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from memoria import indexer


@pytest.fixture
def memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "shm"
    folder.mkdir()
    monkeypatch.setattr(indexer, "MEMORY", folder)
    return folder


def test_pagefind_works_in_memory_when_there_is_room(tmp_path: Path, memory: Path) -> None:
    work = tmp_path / "site" / ".output.memoria-search-123"
    found = indexer.work_folder(work, 100)
    assert found.parent == memory and found.name.startswith("memoria-") and found.name.endswith("-123")
    other = indexer.work_folder(tmp_path / "other" / ".output.memoria-search-123", 100)
    assert other != found, "another output, another folder"


def test_a_folder_left_in_memory_by_a_killed_build_is_removed(tmp_path: Path, memory: Path) -> None:
    work = tmp_path / "site" / ".output.memoria-search-123"
    found = indexer.work_folder(work, 100)
    left = found.with_name(found.name.rsplit("-", 1)[0] + "-999")
    (left / "site").mkdir(parents=True)
    (left / "site" / "page.html").write_text("x")
    unrelated = memory / "someone-else"
    unrelated.mkdir()
    indexer.work_folder(work, 100)
    assert not left.exists() and unrelated.is_dir()


def test_without_room_in_memory_pagefind_works_beside_the_output(
    tmp_path: Path, memory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "site" / ".output.memoria-search-123"
    free = os.statvfs(memory).f_bavail * os.statvfs(memory).f_frsize
    assert indexer.work_folder(work, free // indexer._ROOM_PER_FILE // 2 + 1) == work
    monkeypatch.setattr(indexer, "MEMORY", tmp_path / "none")
    assert indexer.work_folder(work, 1) == work


def test_a_page_is_linked_else_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "page.html"
    source.write_text("<p>page</p>")
    indexer.link(str(source), str(tmp_path / "hard.html"))
    assert (tmp_path / "hard.html").samefile(source) and not (tmp_path / "hard.html").is_symlink()

    def cross_device(*_: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    indexer.link(str(source), str(tmp_path / "soft.html"))
    assert (tmp_path / "soft.html").is_symlink() and (tmp_path / "soft.html").read_text() == "<p>page</p>"
    monkeypatch.setattr(os, "symlink", cross_device)
    indexer.link(str(source), str(tmp_path / "copy.html"))
    assert not (tmp_path / "copy.html").is_symlink() and (tmp_path / "copy.html").read_text() == "<p>page</p>"
