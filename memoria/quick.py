"""The front door of a build: its options, and whether anything changed since the last one.

An editor runs the build after every save, and most often after saving nothing new:
seen from the files' stamps alone, with none of the model, Markdown, images or
templates imported (they took longer to import than the check takes to run).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from . import GENERATOR
from .errors import BuildError
from .outputdir import MARKER, check_target, locked, recover
from .sources import ASSETS_DIR, CACHE_DIR, CONFIG_FILE, CONTENT_DIR, LAYOUTS_DIR
from .state import BuildState, Stamps, hash_files, load_state, same_folders, state_file


@dataclass
class Options:
    """What the command line asked for."""

    project: Path
    output: Path
    drafts: bool = False
    base_url: str | None = None
    strict: bool = False
    quiet: bool = False
    cache: bool = True
    search: bool = True

    @property
    def key(self) -> str:
        """The options that change what is built, with the generator's version (and SOURCE_DATE_EPOCH,
        the date of a feed that has no entries)."""
        return f"{GENERATOR}\0{self.drafts}\0{self.base_url}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}"


def unchanged(options: Options) -> BuildState | None:
    """The state of the last build of the output folder when nothing changed since; else None.

    BuildError under --strict when that build had warnings.
    """
    check_target(options.output, options.project)
    with locked(options.output, options.quiet):
        recover(options.output)
        state = last_state(options, inputs_only=True)
        return replayed(options, state) if is_unchanged(options, state) else None


def replayed(options: Options, state: BuildState) -> BuildState:
    """The last build's state for a build that found nothing changed; BuildError with its warnings under --strict."""
    if options.strict and state.warnings:
        raise BuildError(list(state.warnings))  # the same input has the same warnings
    return state


def last_state(options: Options, inputs_only: bool = False) -> BuildState:
    """What the last build of this output folder was made from (empty: build everything).

    `inputs_only`: its inputs, settings and warnings, not its pages (state.load_state).
    """
    owned = (options.output / MARKER).is_file()
    if not options.cache or not owned:
        return BuildState()
    return load_state(state_file(options.project / CACHE_DIR, options.output), inputs_only)


def is_unchanged(options: Options, state: BuildState, stamps: Stamps | None = None) -> bool:
    """True when no input changed since `state` was saved, and no file was added to or removed from the
    output (its folders' stamps), at the cost of one stat a file and a folder.

    `stamps`: the project's quick_stamps, when the caller took them.
    """
    fresh = state.index_current or not options.search
    return (
        fresh
        and bool(state.site_key)
        and (quick_stamps(options.project) if stamps is None else stamps) == state.inputs
        and site_key(options, state.inputs) == state.site_key
        and same_folders(options.output, state.folders)
    )


def site_key(options: Options, stamps: Stamps) -> str:
    """The hash of what every page is made with: the theme, site.yaml, the options and the generator."""
    return hash_files(options.project, site_files(stamps), options.key)


def quick_stamps(project: Path) -> Stamps | None:
    """The stamps `stamp_files` gives for every input, found without `list_inputs`' Paths and checks.

    Enough to see that nothing changed since the last build at the cost of one stat a file;
    None when a link or a file outside the usual needs the full walk (which explains problems).
    """
    root = project.as_posix()
    prefix = "" if root == "." else root if root.endswith("/") else root + "/"
    stamps: Stamps = {}
    config = prefix + CONFIG_FILE
    try:
        info = os.stat(config)
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(info.st_mode):
            return None
        stamps[CONFIG_FILE] = (info.st_mtime_ns, info.st_size)
    pending = [prefix + folder for folder in (CONTENT_DIR, LAYOUTS_DIR, ASSETS_DIR) if os.path.isdir(prefix + folder)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name.startswith((".", "#")) or entry.name.endswith("~"):
                    continue
                if entry.is_symlink():
                    return None
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    stamps[entry.path[len(prefix) :]] = (info.st_mtime_ns, info.st_size)
    return stamps


def site_files(stamps: Stamps) -> list[str]:
    """The theme's files and site.yaml, among the stamped inputs: what every page is made with."""
    return [name for name in sorted(stamps) if name.startswith(LAYOUTS_DIR + "/") or name == CONFIG_FILE]
