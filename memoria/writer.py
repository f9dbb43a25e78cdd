"""The one place output files are written: every path checked, none written twice."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .errors import BuildError, SourceError

_CHUNK = 1 << 20
NAME_MAX = 255  # bytes in one file or folder name, on the file systems a site is built on


def safe_relpath(rel: str) -> str:
    """A relative POSIX path that stays inside the output folder, or ValueError."""
    if not rel or "\\" in rel or "\x00" in rel or rel.startswith("/"):
        raise ValueError(f"unsafe output path {rel!r}")
    plain = rel.split("/")
    if ":" not in plain[0] and "" not in plain and "." not in plain and ".." not in plain:
        return rel  # already in the form PurePosixPath would give: tens of thousands of pages skip it
    parts = PurePosixPath(rel).parts
    if any(part in ("", ".", "..") for part in parts) or ":" in parts[0]:
        raise ValueError(f"unsafe output path {rel!r}")
    return "/".join(parts)


def path_key(path: str) -> str:
    """What names one file on a file system that ignores case or Unicode normalisation (macOS, Windows)."""
    return unicodedata.normalize("NFC", path).casefold() if not path.isascii() else path.lower()


class Writer:
    """Writes the new site; every path is claimed once, here, before anything is written.

    Staged (a full build): files go into a new folder that replaces the old
    one whole; a file whose bytes equal the previous build's is hard-linked,
    so it keeps its modification time. In place (an incremental build): only
    changed files are written, flat, into a transaction folder, and moved into
    the output folder together once everything has rendered.

    Targets are plain strings, not Paths: a site has tens of thousands of files,
    and making a Path for each cost a good part of a rebuild that changes few.
    """

    def __init__(self, root: Path, previous: Path | None = None, in_place: bool = False):
        self.root = root
        self.previous = previous if previous and previous.is_dir() else None
        self.in_place = in_place and self.previous is not None
        self.owners: dict[str, tuple[str, str]] = {}
        self.targets: dict[str, str] = {}
        self.written = 0
        self.kept = 0
        # The files written by this build (also by forked workers, once they report them).
        self.wrote: set[str] = set()
        self._folders: set[str] = set()  # the folders of the claimed paths, as their keys
        # Files of the previous build known to be in it as that build left them (its folders untouched
        # since): kept without looking at each (tens of thousands of stats in a rebuild that changes few).
        self.intact: set[str] = set()
        self._root = os.fspath(root)
        self._previous = os.fspath(self.previous) if self.previous else ""

    def claim(self, rel: str, owner: str) -> str:
        """Reserve an output path, refusing escapes and a path claimed twice; where to write it."""
        path = safe_relpath(rel)
        key = path_key(path)
        if key in self.owners:
            _, first_owner = self.owners[key]
            raise BuildError([SourceError(owner, 0, f"writes {path}, which {first_owner} writes too")])
        folder, _, name = key.rpartition("/")
        if key in self._folders or len(name.encode()) > NAME_MAX or (folder and folder not in self._folders):
            self._check_path(path, key, owner)
        self.owners[key] = (path, owner)
        # Folders are made when the first file goes into them, by whichever process writes it.
        target = f"{self._root}/{len(self.targets):07d}" if self.in_place else f"{self._root}/{path}"
        self.targets[path] = target
        return target

    def carry(self, rels: Iterable[str], owner: str) -> None:
        """Claim files of the previous build that stay as they are, in place: paths that build's writer
        checked, so only a path claimed twice is looked for (and the folders they need, for later claims)."""
        folders = self._folders
        for rel in rels:
            key = path_key(rel)
            if key in self.owners:
                _, first_owner = self.owners[key]
                raise BuildError([SourceError(owner, 0, f"writes {rel}, which {first_owner} writes too")])
            self.owners[key] = (rel, owner)
            self.targets[rel] = f"{self._previous}/{rel}"
            folder = key.rpartition("/")[0]
            while folder and folder not in folders:
                folders.add(folder)
                folder = folder.rpartition("/")[0]

    def _check_path(self, path: str, key: str, owner: str) -> None:
        """A path no file system refuses, where no file of the site stands for a folder or a folder for a file;
        its folders are remembered. BuildError before anything is written (an in-place update could not be undone)."""
        if key in self._folders:
            raise BuildError([SourceError(owner, 0, f"writes a file {path} where the site needs a folder")])
        parts = key.split("/")
        if any(len(part.encode()) > NAME_MAX for part in path.split("/")):
            raise BuildError([SourceError(owner, 0, f"writes {path}: a part of it is longer than {NAME_MAX} bytes")])
        for end in range(1, len(parts)):
            folder = "/".join(parts[:end])
            if folder in self.owners:
                first, first_owner = self.owners[folder]
                raise BuildError(
                    [SourceError(owner, 0, f"writes {path}, which needs a folder where {first_owner} writes {first}")]
                )
            self._folders.add(folder)

    def write(self, rel: str, data: bytes | str, owner: str = "memoria") -> None:
        """Claim and write one file of the site (text is encoded as UTF-8)."""
        path = safe_relpath(rel)
        self._count(path, self.put(path, self.claim(path, owner), data))

    def _count(self, path: str, wrote: bool) -> None:
        if wrote:
            self.wrote.add(path)
            self.written += 1
        else:
            self.kept += 1

    def put(self, rel: str, target: str, data: bytes | str | Iterable[str]) -> bool:
        """Write a claimed file; False when the previous build has the same bytes (then it is kept).

        `data` may be pieces of text, written one after the other (a file too large to hold whole).
        """
        if not isinstance(data, (bytes, str)):
            return self._put_pieces(rel, target, data)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if self.previous is not None and self._same(rel, data) and self.keep(rel, target):
            return False
        with _create(target) as handle:
            handle.write(data)
        return True

    def _put_pieces(self, rel: str, target: str, pieces: Iterable[str]) -> bool:
        # Compared with the previous file as the pieces come; written only from the first difference on.
        old = None
        if self.previous is not None:
            try:
                old = open(f"{self._previous}/{rel}", "rb")  # noqa: SIM115 (closed below)
            except OSError:
                old = None
        out = None
        same = 0  # bytes equal to the previous file's so far
        try:
            for piece in pieces:
                data = piece.encode("utf-8")
                if out is None:
                    if old is not None and old.read(len(data)) == data:
                        same += len(data)
                        continue
                    out = self._open_copying(target, old, same)
                out.write(data)
            if out is None:
                if old is not None and old.read(1) == b"" and self.keep(rel, target):
                    return False
                out = self._open_copying(target, old, same)
        finally:
            if old is not None:
                old.close()
            if out is not None:
                out.close()
        return True

    def _open_copying(self, target: str, old: BinaryIO | None, length: int) -> BinaryIO:
        """A new file at `target` that starts with the first `length` bytes of `old`."""
        out = _create(target)
        if old is not None and length:
            old.seek(0)
            while length:
                piece = old.read(min(length, _CHUNK))
                out.write(piece)
                length -= len(piece)
        return out

    def keep(self, rel: str, target: str) -> bool:
        """Keep the previous build's file as it is; False when there is none to keep."""
        if self.previous is None:
            return False
        old = f"{self._previous}/{rel}"
        if self.in_place:
            if rel in self.intact:
                return True
            try:
                return stat.S_ISREG(os.lstat(old).st_mode)
            except OSError:
                return False
        try:
            os.link(old, target)
        except FileNotFoundError:
            if not os.path.isfile(old):
                return False
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(old, target)
        except OSError:
            return False
        return True

    def _same(self, rel: str, data: bytes) -> bool:
        old = f"{self._previous}/{rel}"
        try:
            info = os.lstat(old)
            if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
                return False
            with open(old, "rb") as handle:
                if len(data) <= _CHUNK:
                    return handle.read() == data
                # A large file (archive.json: 60 MB at 10,000 articles) is compared a piece at a
                # time, so that it is not held twice in memory.
                view = memoryview(data)
                return all(handle.read(_CHUNK) == view[at : at + _CHUNK] for at in range(0, len(data), _CHUNK))
        except OSError:
            return False

    def move(self, rel: str, source: str, owner: str) -> None:
        """Claim a file made outside the site (the search index, beside the output or in memory) and move it
        in, or keep the previous build's when it has the same bytes. A rename where it can be, not a copy: an
        index at 10,000 articles is 25,000 small files."""
        path = safe_relpath(rel)
        target = self.claim(path, owner)
        if self.previous is not None:
            with open(source, "rb") as handle:
                data = handle.read()
            if self._same(path, data) and self.keep(path, target):
                self._count(path, False)
                return
        _move_file(source, target)
        self._count(path, True)

    def copy(self, rel: str, source: Path, owner: str) -> None:
        """Copy a file (an asset) into the site."""
        self.write(rel, source.read_bytes(), owner)

    def paths(self) -> list[str]:
        """Every path claimed, sorted."""
        return sorted(self.targets)

    def changes(self) -> list[tuple[str, str]]:
        """In place: (transaction file, output path) for each file written."""
        return sorted((os.path.basename(self.targets[rel]), rel) for rel in self.wrote)


def _create(target: str) -> BinaryIO:
    """A new file, open for writing; its folder is made when missing (by whichever process writes first)."""
    try:
        return open(target, "wb")
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        return open(target, "wb")


def _move_file(source: str, target: str) -> None:
    """Rename a file into the site, making its folder when missing; from another file system, a copy."""
    try:
        os.rename(source, target)
        return
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    except OSError:  # another file system (the search index made in memory)
        pass
    try:
        os.rename(source, target)
    except OSError:
        with open(source, "rb") as handle, _create(target) as out:
            shutil.copyfileobj(handle, out)


def remove_tree(path: Path) -> None:
    """Delete a folder the generator made, ignoring what is already gone."""
    shutil.rmtree(path, ignore_errors=True)


def discard_tree(path: Path) -> None:
    """Delete a folder in the background: renamed aside at once, removed by a detached `rm`."""
    if not path.exists():
        return
    trash = path if ".trash-" in path.name else path.with_name(f"{path.name}.trash-{os.getpid()}-{time.monotonic_ns()}")
    try:
        if trash != path:
            os.rename(path, trash)
        subprocess.Popen(
            ["rm", "-rf", "--", str(trash)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        remove_tree(trash if trash.exists() else path)
