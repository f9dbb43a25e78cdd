"""`build.py check`: validate everything, render the site into a temporary folder, crawl its links."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from . import urls
from .archive import Archive
from .errors import BuildError, Problems, SourceError
from .linkcheck import check_site
from .patch import Built
from .pipeline import Options, Session, alias_errors, build, load_archive


def check(options: Options) -> tuple[Archive, Problems]:
    """Validate everything, render the site into a temporary folder and crawl its links; keep nothing."""
    session = Session()
    archive, problems = load_archive(options, session)
    if problems.failed(options.strict):
        problems.errors += alias_errors(archive)
        return archive, problems
    with tempfile.TemporaryDirectory(prefix="memoria-check-") as folder:
        site = Path(folder) / "site"
        try:
            build(replace(options, output=site, cache=False, quiet=True, strict=False, search=False), session)
        except BuildError as err:
            problems.errors += err.errors
            return archive, problems
        unindexed = archive.config.base_path + "pagefind/"  # check does not build the search index
        shows = _shown_files(session.built)
        texts: dict[str, str] = {}  # the content files read, each once
        for line in check_site(site, archive.config.base_path):
            page, _, link = line.partition(": ")
            if not link.startswith(unindexed):
                problems.errors.append(
                    _broken_link(options.project, page, link, shows, texts, archive.config.base_path)
                )
    return archive, problems


def _shown_files(built: Built | None) -> dict[str, str]:
    """Each page's file → the content file it shows (an article's, a free page's, a person's)."""
    found: dict[str, str] = {}
    for output in built.outputs if built is not None else []:
        thing = output.context.get("article") or output.context.get("page") or output.context.get("person")
        path = getattr(thing, "path", None)
        if isinstance(path, str) and path:
            found.setdefault(urls.output_file(output.path), path)
    return found


def _broken_link(
    project: Path, page: str, link: str, shows: dict[str, str], texts: dict[str, str], base_path: str
) -> SourceError:
    """A link that leads nowhere, at the line of the content file that writes it; else on the page's file."""
    source = shows.get(page)
    if source is not None:
        if source not in texts:
            try:
                texts[source] = (project / source).read_text(encoding="utf-8", errors="replace")
            except OSError:
                texts[source] = ""
        text = texts[source]
        # As the text writes it: a Markdown link's '(/x/', an HTML attribute's '"/x/"', else anywhere.
        written = "/" + link[len(base_path) :] if link.startswith(base_path) and base_path != "/" else link
        for probe in (f"({written}", f'"{written}"', written):
            at = text.find(probe)
            if at >= 0:
                line = text.count("\n", 0, at) + 1
                return SourceError(source, line, f"a link that leads nowhere: {link} (on {page})")
    return SourceError(page, 0, link)
