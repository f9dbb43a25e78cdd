"""The output folder: refuse to touch what is not ours, and swap a new build in whole."""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import glob
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UsageError
from .sources import CACHE_DIR
from .writer import discard_tree, remove_tree, safe_relpath

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
        project / CACHE_DIR,
    }
    # The project's own folders, and the build's cache, which a site in it would mix with the pages.
    inputs = (project / "content", project / "layouts", project / "assets", project / CACHE_DIR)
    if output in forbidden or output in project.parents or any(folder in output.parents for folder in inputs):
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
    """Finish or undo a swap or an update that a killed build left half done."""
    transaction = _sibling(output, "txn")
    if (transaction / JOURNAL).is_file():
        _replay(output, transaction)
    remove_tree(transaction)
    old = _sibling(output, "old")
    if old.is_dir() and not output.exists():
        os.rename(old, output)
    discard_tree(old)
    discard_tree(_sibling(output, "new"))
    # Left by an earlier build for a background `rm` (maybe still at work): start another, never wait.
    for trash in output.parent.glob(f".{glob.escape(output.name)}.memoria-*.trash-*"):
        discard_tree(trash)


@contextmanager
def locked(output: Path, quiet: bool = False) -> Iterator[None]:
    """Let one build at a time work on an output folder; a second one waits.

    A POSIX record lock belongs to this process alone: forked workers do not
    hold it, so it ends with the process however the process ends.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(_sibling(output, "lock"), "a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if not quiet:
                print(f"waiting for another build of {output} to finish ...", file=sys.stderr)
            fcntl.lockf(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.lockf(handle, fcntl.LOCK_UN)


def new_staging(output: Path, what: str = "new") -> Path:
    """An empty folder beside the output to build the new site (or its changes) in."""
    staging = _sibling(output, what)
    remove_tree(staging)
    staging.mkdir(parents=True)
    return staging


def swap_in(staging: Path, output: Path) -> None:
    """Replace the output folder with the staging folder, atomically where Linux allows."""
    if output.exists() and _exchange(staging, output):
        discard_tree(staging)
        return
    old = _sibling(output, "old")
    remove_tree(old)
    if output.exists():
        os.rename(output, old)
    os.rename(staging, output)
    discard_tree(old)


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


JOURNAL = "journal.json"


def commit_in_place(output: Path, transaction: Path, changes: list[tuple[str, str]], removed: list[str]) -> None:
    """Move changed files into the output folder as one step that a kill cannot split.

    The journal is the commit point: before it exists the old site stands; once
    it exists, `recover` finishes moving whatever a killed build had not.
    """
    temporary = transaction / (JOURNAL + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump({"changes": changes, "removed": removed}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(transaction / JOURNAL)
    _replay(output, transaction)
    remove_tree(transaction)


def _replay(output: Path, transaction: Path) -> None:
    try:
        apply_journal(output, transaction)
    except (OSError, ValueError) as err:
        # It cannot be finished (a disk that is full, a file system that refuses a name): no build can trust
        # the folder now, and every one would stop here: say what to do.
        raise UsageError(
            f"{output}: an update of this folder could not be finished ({err}); "
            f"remove {output} and {transaction}, then build again"
        ) from None


def apply_journal(output: Path, transaction: Path) -> None:
    """Replay a committed journal (again, if a kill interrupted it).

    Removals first: a file of the new site may stand where the old one had a folder, or the other way.
    """
    journal = json.loads((transaction / JOURNAL).read_text(encoding="utf-8"))
    for rel in journal["removed"]:
        target = output / safe_relpath(rel)
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != output and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    for name, rel in journal["changes"]:
        source, target = transaction / name, output / safe_relpath(rel)
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
