"""The one place output files are written: every path checked, none written twice."""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path, PurePosixPath

from .errors import SourceError


def safe_relpath(rel: str) -> str:
    """A relative POSIX path that stays inside the output folder, or ValueError."""
    if not rel or "\\" in rel or "\x00" in rel or rel.startswith("/"):
        raise ValueError(f"unsafe output path {rel!r}")
    parts = PurePosixPath(rel).parts
    if any(part in ("", ".", "..") for part in parts) or ":" in parts[0]:
        raise ValueError(f"unsafe output path {rel!r}")
    return "/".join(parts)


class Writer:
    """Writes the new site into a staging folder, beside the previous one.

    A file whose bytes equal the previous build's is hard-linked instead of
    written, so it keeps its modification time and costs no disk space.
    """

    def __init__(self, root: Path, previous: Path | None = None):
        self.root = root
        self.previous = previous if previous and previous.is_dir() else None
        self.owners: dict[str, tuple[str, str]] = {}
        self.written = 0
        self.kept = 0

    def claim(self, rel: str, owner: str) -> Path:
        """Reserve an output path, refusing escapes and a path claimed twice."""
        path = safe_relpath(rel)
        key = unicodedata.normalize("NFC", path).casefold()
        if key in self.owners:
            _, first_owner = self.owners[key]
            raise SourceError(owner, 0, f"writes {path}, which {first_owner} writes too")
        self.owners[key] = (path, owner)
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, rel: str, data: bytes | str, owner: str = "memoria") -> None:
        """Write one file of the site (text is encoded as UTF-8)."""
        self.put(rel, self.claim(rel, owner), data)

    def put(self, rel: str, target: Path, data: bytes | str) -> None:
        """Write a claimed file, or link the previous build's copy when the bytes are the same."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        if self.previous is not None and self._keep(rel, target, data):
            return
        target.write_bytes(data)
        self.written += 1

    def _keep(self, rel: str, target: Path, data: bytes) -> bool:
        old = self.previous / rel  # type: ignore[operator]
        try:
            if old.is_symlink() or old.stat().st_size != len(data) or old.read_bytes() != data:
                return False
            os.link(old, target)
        except OSError:
            return False
        self.kept += 1
        return True

    def copy(self, rel: str, source: Path, owner: str) -> None:
        """Copy a file (an asset) into the site."""
        self.write(rel, source.read_bytes(), owner)

    def paths(self) -> list[str]:
        """Every path written, sorted."""
        return sorted(path for path, _ in self.owners.values())


def remove_tree(path: Path) -> None:
    """Delete a folder the generator made, ignoring what is already gone."""
    shutil.rmtree(path, ignore_errors=True)
