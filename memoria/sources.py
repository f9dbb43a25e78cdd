"""Read the project's files: the one place content is read from disk."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import Problems

# A project: site.yaml, its content, its theme and its assets; and the generator's own folder.
CONFIG_FILE = "site.yaml"
CONTENT_DIR = "content"
LAYOUTS_DIR = "layouts"
ASSETS_DIR = "assets"
CACHE_DIR = ".memoria"
OUTSIDE = "is a link to a place outside the project; refusing to follow it"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def refused_link(project: Path, rel: str, problems: Problems) -> bool:
    """True, with an error, when a file or folder of the project is a link to a place outside it."""
    path = project / rel
    if not path.is_symlink() or _inside(path, project.resolve()):
        return False
    problems.error(rel, 0, OUTSIDE)
    return True


def is_skipped(name: str) -> bool:
    """A hidden file or an editor's backup: never an input of the build."""
    return name.startswith((".", "#")) or name.endswith("~")


def walk_files(project: Path, folder: str, problems: Problems, suffix: str = "") -> list[tuple[str, Path]]:
    """(project-relative POSIX path, file) for each file below a folder, sorted.

    Hidden files and editor backups are skipped; links that lead outside the
    project, the folder itself included (`assets -> /srv/files`), are refused, never followed.
    """
    root = project.resolve()
    found: list[tuple[str, Path]] = []
    if refused_link(project, folder, problems) or not (project / folder).is_dir():
        return found
    seen: set[str] = set()
    stack = [folder]
    while stack:
        directory = stack.pop()
        real = os.path.realpath(project / directory)
        if real in seen:
            continue
        seen.add(real)
        with os.scandir(project / directory) as entries:
            for entry in entries:
                if is_skipped(entry.name):
                    continue
                rel = f"{directory}/{entry.name}"
                if entry.is_symlink() and not _inside(Path(entry.path), root):
                    problems.error(rel, 0, OUTSIDE)
                elif entry.is_dir():
                    stack.append(rel)
                elif entry.is_file() and rel.endswith(suffix):
                    found.append((rel, project / rel))
    return sorted(found)
