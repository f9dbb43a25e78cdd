"""The writer: a file with the previous build's bytes is kept, whatever its size."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from memoria.errors import BuildError
from memoria.writer import Writer


@pytest.mark.parametrize("size", [10, 3 * (1 << 20) + 5])  # a page; a data file larger than the compared pieces
def test_same_bytes_are_kept_and_any_difference_is_written(tmp_path: Path, size: int) -> None:
    previous = tmp_path / "output"
    previous.mkdir()
    data = os.urandom(size)
    (previous / "data.json").write_bytes(data)
    writer = Writer(tmp_path / "new", previous)
    assert writer.put("data.json", writer.claim("data.json", "test"), data) is False
    assert (tmp_path / "new" / "data.json").read_bytes() == data  # linked from the previous build
    changed = data[:-1] + bytes([data[-1] ^ 1])
    other = Writer(tmp_path / "other", previous)
    assert other.put("data.json", other.claim("data.json", "test"), changed) is True
    assert (tmp_path / "other" / "data.json").read_bytes() == changed


OLD = "first piece|second piece|ÿ third|"


@pytest.mark.parametrize(
    "pieces",
    [
        ["first piece|", "second piece|", "ÿ third|"],  # the same bytes, cut elsewhere
        ["first piece|", "second piece|", "ÿ third|", "and more"],  # longer
        ["first piece|", "second"],  # shorter
        ["first piece|", "SECOND piece|", "ÿ third|"],  # differs in the middle
        ["x"],  # differs at once
        [],  # empty
    ],
)
@pytest.mark.parametrize("in_place", [False, True])
def test_pieces_are_compared_as_they_come_and_written_from_the_first_difference(
    tmp_path: Path, pieces: list[str], in_place: bool
) -> None:
    previous = tmp_path / "output"
    (previous / "data").mkdir(parents=True)
    (previous / "data" / "archive.json").write_text(OLD, encoding="utf-8")
    writer = Writer(tmp_path / "new", previous, in_place)
    target = writer.claim("data/archive.json", "test")
    wrote = writer.put("data/archive.json", target, iter(pieces))
    expected = "".join(pieces)
    assert wrote is (expected != OLD)
    if wrote:
        assert Path(target).read_text(encoding="utf-8") == expected
    elif not in_place:
        assert Path(target).samefile(previous / "data" / "archive.json")  # linked: its mtime stays


def test_pieces_without_a_previous_file_are_written(tmp_path: Path) -> None:
    writer = Writer(tmp_path / "new", None)
    target = writer.claim("data/people.csv", "test")
    assert writer.put("data/people.csv", target, iter(["a,b\r\n", "1,2\r\n"])) is True
    assert Path(target).read_bytes() == b"a,b\r\n1,2\r\n"


@pytest.mark.parametrize("in_place", [False, True])
def test_a_file_made_beside_the_output_is_moved_in_unless_the_previous_build_has_its_bytes(
    tmp_path: Path, in_place: bool
) -> None:
    previous = tmp_path / "output"
    (previous / "pagefind").mkdir(parents=True)
    (previous / "pagefind" / "same.pf_meta").write_bytes(b"kept")
    (previous / "pagefind" / "changed.pf_meta").write_bytes(b"old")
    made = tmp_path / "index"
    made.mkdir()
    for name, data in [("same", b"kept"), ("changed", b"new"), ("new", b"added")]:
        (made / f"{name}.pf_meta").write_bytes(data)
    writer = Writer(tmp_path / "txn", previous, in_place)
    for name in ("same", "changed", "new"):
        writer.move(f"pagefind/{name}.pf_meta", str(made / f"{name}.pf_meta"), "test")
    assert sorted(writer.wrote) == ["pagefind/changed.pf_meta", "pagefind/new.pf_meta"]
    assert (writer.written, writer.kept) == (2, 1)
    assert not (made / "changed.pf_meta").exists() and not (made / "new.pf_meta").exists(), "moved, not copied"
    assert Path(writer.targets["pagefind/changed.pf_meta"]).read_bytes() == b"new"
    assert Path(writer.targets["pagefind/new.pf_meta"]).read_bytes() == b"added"
    if not in_place:
        assert Path(writer.targets["pagefind/same.pf_meta"]).samefile(previous / "pagefind" / "same.pf_meta")


def test_a_file_made_on_another_file_system_is_copied_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search index made in memory: a rename cannot cross file systems, so the file is copied."""
    made = tmp_path / "memory" / "en_1.pf_fragment"
    made.parent.mkdir()
    made.write_bytes(b"fragment")
    real = os.rename

    def rename(source: str, target: str) -> None:
        if str(source).startswith(str(made.parent)):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real(source, target)

    monkeypatch.setattr(os, "rename", rename)
    writer = Writer(tmp_path / "new", None)
    writer.move("pagefind/fragment/en_1.pf_fragment", str(made), "test")
    assert Path(writer.targets["pagefind/fragment/en_1.pf_fragment"]).read_bytes() == b"fragment"
    assert writer.wrote == {"pagefind/fragment/en_1.pf_fragment"}


def test_files_carried_from_the_previous_build_are_claimed_like_any_other(tmp_path: Path) -> None:
    previous = tmp_path / "output"
    (previous / "people/ana").mkdir(parents=True)
    (previous / "people/ana/index.html").write_text("old")
    writer = Writer(tmp_path / "txn", previous, in_place=True)
    writer.carry(["people/ana/index.html", "feed.xml"], "kept")
    assert writer.paths() == ["feed.xml", "people/ana/index.html"]
    with pytest.raises(BuildError, match="which kept writes too"):
        writer.claim("People/Ana/index.html", "article.html")
    with pytest.raises(BuildError, match="where the site needs a folder"):
        writer.claim("people/ana", "article.html")
    with pytest.raises(BuildError, match=r"needs a folder where kept writes feed\.xml"):
        writer.claim("feed.xml/index.html", "article.html")
    with pytest.raises(BuildError, match="which kept writes too"):
        writer.carry(["feed.xml"], "kept")


def test_intact_files_are_kept_without_a_look_and_others_only_when_there(tmp_path: Path) -> None:
    previous = tmp_path / "output"
    previous.mkdir()
    (previous / "here.html").write_text("old")
    writer = Writer(tmp_path / "txn", previous, in_place=True)
    assert writer.keep("here.html", writer.claim("here.html", "t"))
    assert not writer.keep("gone.html", writer.claim("gone.html", "t"))
    writer.intact = {"trusted.html"}  # the caller's word that the previous build's file is there as it was
    assert writer.keep("trusted.html", writer.claim("trusted.html", "t"))
