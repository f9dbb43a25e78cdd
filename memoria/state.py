"""What the last build of an output folder was made from: its inputs' stamps and its pages' fingerprints.

Light on purpose (no model, no templates): a build that finds nothing changed reads this
and stops, without importing the rest of the generator.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from . import GENERATOR
from .errors import SourceError
from .stored import load_pickle, save_pickle


def hash_files(project: Path, names: list[str], extra: str = "") -> str:
    """One hash of several files' names in the project and bytes."""
    digest = hashlib.blake2b(extra.encode(), digest_size=16)
    for name in names:
        digest.update(f"\0{name}\0".encode())
        digest.update((project / name).read_bytes())
    return digest.hexdigest()


# Each input, by its name in the project (the same however the project folder was named), to its stamp.
Stamps = dict[str, tuple[int, int]]


def stamp_files(sources: list[tuple[str, Path]]) -> Stamps:
    """Each input's modification time and size: enough to see that nothing changed."""
    stamps = {}
    for name, path in sources:
        info = os.stat(path)
        stamps[name] = (info.st_mtime_ns, info.st_size)
    return stamps


@dataclass
class BuildState:
    """What the last good build of an output folder was made from."""

    site_key: str = ""
    inputs: Stamps = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    warnings: list[SourceError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    index_current: bool = True
    # The output's folders as the build left them (folder_stamps): a file removed from one, or added,
    # changes its modification time, so a build that finds its inputs unchanged still restores it.
    folders: dict[str, int] = field(default_factory=dict)


# Saved states of another shape (an older or newer generator) are ignored, never half-read.
STATE_VERSION = f"{GENERATOR}/state/" + ",".join(f.name for f in fields(BuildState))


def state_file(cache_dir: Path, output: Path) -> Path:
    """Where the state of one output folder is kept."""
    key = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir / f"state-{key}.pickle"


def folder_stamps(output: Path, files: list[str]) -> dict[str, int]:
    """The modification time of each folder of the output that holds one of `files` ('' for the output)."""
    root = os.fspath(output)
    stamps = {}
    for folder in {rel.rpartition("/")[0] for rel in files} | {""}:
        try:
            stamps[folder] = os.stat(f"{root}/{folder}" if folder else root).st_mtime_ns
        except OSError:
            continue
    return stamps


def same_folders(output: Path, stamps: dict[str, int]) -> bool:
    """True when every folder in `stamps` is there with the same modification time (nothing added or removed)."""
    root = os.fspath(output)
    try:
        return all(os.stat(f"{root}/{folder}" if folder else root).st_mtime_ns == ns for folder, ns in stamps.items())
    except OSError:
        return False


def load_state(path: Path, inputs_only: bool = False) -> BuildState:
    """The saved state, or an empty one (a full build).

    `inputs_only`: without the pages' fingerprints and the files, enough to see that nothing
    changed (a fifth of the whole to read at 10,000 articles); the whole when that part is missing.
    """
    state = load_pickle(_inputs_file(path), STATE_VERSION) if inputs_only else None
    if state is None:  # also when a build was stopped between the two files: the whole one says
        state = load_pickle(path, STATE_VERSION)
    return state if isinstance(state, BuildState) else BuildState()


def save_state(path: Path, state: BuildState, output: Path) -> None:
    """Save the state of the build of `output` (its folders stamped now) atomically, and beside it the part
    that says what it was made from.

    That part goes last and is removed first: it never describes a build older than the whole.
    """
    state = replace(state, folders=folder_stamps(output, state.files))
    _inputs_file(path).unlink(missing_ok=True)
    save_pickle(path, STATE_VERSION, state)
    save_pickle(_inputs_file(path), STATE_VERSION, replace(state, pages={}, files=[]))


def forget_state(path: Path) -> None:
    """Remove a saved state (or another file kept beside it), its inputs part with it."""
    _inputs_file(path).unlink(missing_ok=True)
    path.unlink(missing_ok=True)


def _inputs_file(path: Path) -> Path:
    return path.with_name(f"{path.stem}-inputs{path.suffix}")
