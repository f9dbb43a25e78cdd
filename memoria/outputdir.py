"""The output folder: refuse to touch what is not ours, and swap a new build in whole."""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UsageError
from .writer import remove_tree

MARKER = ".memoria-output"
MARKER_TEXT = "This folder is written by Memoria; a build replaces it whole.\n"
_RENAME_EXCHANGE = 2


def check_target(output: Path, project: Path) -> None:
    """Refuse an output folder that is not safe to replace."""
    output, project = output.resolve(), project.resolve()
    forbidden = {
        Path("/"),
        Path.home().resolve(),
        project,
        project / "content",
        project / "layouts",
        project / "assets",
    }
    if output in forbidden or output in project.parents or project == output:
        raise UsageError(f"{output}: refusing to build into this folder; choose an empty or generated one")
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output}: exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise UsageError(
            f"{output}: not empty and not made by Memoria (no {MARKER}); empty it or choose another --output"
        )


def _sibling(output: Path, what: str) -> Path:
    return output.parent / f".{output.name}.memoria-{what}"


def recover(output: Path) -> None:
    """Finish or undo a swap that a killed build left half done."""
    old = _sibling(output, "old")
    if old.is_dir() and not output.exists():
        os.rename(old, output)
    remove_tree(old)
    remove_tree(_sibling(output, "new"))


@contextmanager
def locked(output: Path, quiet: bool = False) -> Iterator[None]:
    """Let one build at a time work on an output folder; a second one waits."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(_sibling(output, "lock"), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not quiet:
                print(f"waiting for another build of {output} to finish ...", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_staging(output: Path) -> Path:
    """An empty folder beside the output to build the new site in."""
    staging = _sibling(output, "new")
    remove_tree(staging)
    staging.mkdir(parents=True)
    return staging


def swap_in(staging: Path, output: Path) -> None:
    """Replace the output folder with the staging folder, atomically where Linux allows."""
    if output.exists() and _exchange(staging, output):
        remove_tree(staging)
        return
    old = _sibling(output, "old")
    remove_tree(old)
    if output.exists():
        os.rename(output, old)
    os.rename(staging, output)
    remove_tree(old)


def _exchange(a: Path, b: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
