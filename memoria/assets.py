"""The files of assets/: which are published under their own names, their clashes, and copying them."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .errors import Problems
from .images import CLEANED, RASTER, ImageError, ImageProcessor
from .sources import ASSETS_DIR, walk_files
from .writer import Writer, path_key


def published_asset(rel: str, pictures: ImageProcessor | None) -> bool:
    """Whether copy_assets publishes this file of assets/ under its own name."""
    suffix = PurePosixPath(rel).suffix.lower()
    return suffix not in RASTER or (pictures is not None and rel not in pictures.sources and suffix in CLEANED)


def asset_clashes(inputs: list[tuple[str, Path]], pictures: ImageProcessor | None, problems: Problems) -> None:
    """Assets published under names that differ only by case or Unicode form, one file on many file
    systems: found with the content's problems, before anything is rendered (the writer would refuse
    the second one only when copying it)."""
    owners: dict[str, str] = {}
    for rel, _ in inputs:
        if rel.startswith(ASSETS_DIR + "/") and published_asset(rel, pictures):
            first = owners.setdefault(path_key(rel), rel)
            if first != rel:
                problems.error(rel, 0, f"writes {rel}, which {first} writes too")


def copy_assets(project: Path, writer: Writer, pictures: ImageProcessor | None, problems: Problems) -> None:
    """assets/ to /assets/, and the processed images to /images/.

    Photographs are published without their metadata: the ones the content shows as
    processed variants only, the others (a theme's background) re-encoded at their size.
    """
    for rel, path in walk_files(project, ASSETS_DIR, problems):
        if PurePosixPath(rel).suffix.lower() not in RASTER:
            writer.copy(rel, path, rel)
        elif pictures is None or rel in pictures.sources:
            continue
        elif not published_asset(rel, pictures):
            problems.warn(rel, 0, "not published: save it as JPEG, PNG or WebP to show it on the site")
        else:
            try:
                writer.copy(rel, pictures.clean(rel, path), rel)
            except ImageError as error:
                problems.error(rel, 0, str(error))
    for url, path in pictures.files() if pictures else []:
        writer.copy(url, path, "images")
