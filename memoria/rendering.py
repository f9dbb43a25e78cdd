"""Rendering a planned site: every output whose fingerprint changed, on every core; and the files that are not pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jinja2

from . import urls
from .config import SiteConfig
from .errors import BuildError, SourceError
from .fingerprint import Memo, fingerprint, hashes_of, remember
from .outputdir import MARKER, MARKER_TEXT
from .pages import Output
from .parallel import map_forked, slices, workers
from .progress import Progress
from .quick import Options
from .render import is_theme_error, render, render_pieces, template_error
from .writer import Writer, safe_relpath


def render_all(
    options: Options,
    envs: dict[str, jinja2.Environment],
    outputs: list[Output],
    writer: Writer,
    previous: tuple[str, dict[str, str]],
    memo: Memo | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, str]:
    """Render, on every core, each page whose fingerprint changed; link the others. Returns the fingerprints.

    `meanwhile` is called here once the pages are done, while the workers go on with the data files
    (up to a second each at 10,000 articles): the search index is made from the pages meanwhile.

    The fingerprints are made on every core too, each worker for its slice of the pages (40,000
    of them at 10,000 articles: 1.5 s of a rebuild on one core), with its own copy of `memo`:
    the model objects' hashes (fingerprint.signature), kept from an earlier call on the same model.
    A data file's context holds every article and person: the worker that renders it sends their
    hashes back, and they are put in `memo` here, for the next build on this model to start from.
    """
    site_key, old = previous
    memo = {} if memo is None else memo
    files = [safe_relpath(urls.output_file(o.path)) for o in outputs]
    targets = [writer.claim(rel, o.template) for rel, o in zip(files, outputs, strict=True)]
    default = next(iter(envs.values()))
    progress = Progress("rendering", len(outputs), quiet=options.quiet)
    # A part's fingerprints, files written, files kept, errors, and the hashes its data files' contexts hold.
    Done = tuple[list[str], list[str], int, list[SourceError], dict[int, list[str]]]

    def render_slice(indices: Sequence[int]) -> Done:
        prints: list[str] = []
        written: list[str] = []
        kept = 0
        errors: dict[str, SourceError] = {}  # by template: the first error of each (its other pages are not tried)
        hashes: dict[int, list[str]] = {}
        for i in indices:
            output = outputs[i]
            prints.append(fingerprint(site_key, output, memo))
            if output.large:
                hashes[i] = hashes_of(output.context, memo)
            if old.get(output.path) == prints[-1] and writer.keep(files[i], targets[i]):
                kept += 1
                continue
            if output.template in errors:
                continue
            env = envs.get(output.lang, default)
            context = {**output.context, "page_url": output.url}
            try:
                page = (render_pieces if output.large else render)(env, output.template, context)
                if writer.put(files[i], targets[i], page):
                    written.append(files[i])
                else:
                    kept += 1
            except Exception as err:
                if not is_theme_error(err):
                    raise
                errors[output.template] = template_error(err, options.project)
        return prints, written, kept, list(errors.values()), hashes

    # Each data file in a part of its own: first, made beside the pages; or last, beside `meanwhile`.
    large: list[Sequence[int]] = [[i] for i, output in enumerate(outputs) if output.large]
    rest = [i for i, output in enumerate(outputs) if not output.large]
    pages = slices(rest, workers() * 8) if len(rest) > 100 else [rest] if rest else []
    parts = [*pages, *large] if meanwhile else [*large, *pages]
    held = len(large) if meanwhile else 0
    told = 0  # parts whose pages the writer knows of

    def tell(done: Sequence[Done]) -> None:
        for _, written, kept, *_ in done:
            writer.wrote.update(written)
            writer.written += len(written)
            writer.kept += kept

    def then(done: list[Done]) -> None:
        """The pages are done: the writer is told what they wrote (the search index reads them), and `meanwhile` runs."""
        nonlocal told
        progress.done()
        if meanwhile and not any(errors for *_, errors, _ in done):  # else the build stops once all are told
            tell(done)
            told = len(done)
            meanwhile()

    step = lambda part: progress.step(len(part))  # noqa: E731
    results = map_forked(render_slice, parts, done=step, meanwhile=then if meanwhile else None, held=held)
    progress.done()
    errors = [error for *_, found, _ in results for error in found]
    if errors:
        raise BuildError(errors)
    tell(results[told:])
    prints = [""] * len(outputs)
    for part, (made, *_, hashes) in zip(parts, results, strict=True):
        for i, found in zip(part, made, strict=True):
            prints[i] = found
        for i, known in hashes.items():
            remember(outputs[i].context, known, memo)
    return {output.path: found for output, found in zip(outputs, prints, strict=True)}


def write_extras(config: SiteConfig, writer: Writer) -> None:
    """The publishing essentials that are not pages."""
    writer.write(MARKER, MARKER_TEXT)
    writer.write(".nojekyll", b"")
    if config.cname:
        writer.write("CNAME", config.cname + "\n")
