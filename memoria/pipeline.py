"""The build, as a recipe: load, validate, model, plan, render, write, swap."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import urls
from .archive import Archive, build_archive
from .config import CONFIG_FILE, SiteConfig, parse_config
from .errors import BuildError, Problems, SourceError
from .markup import Renderer
from .outputdir import MARKER, MARKER_TEXT, check_target, locked, new_staging, recover, swap_in
from .pages import Output, plan_site
from .parallel import map_forked, workers
from .parsing import ParseCache, load_cache, parse_files, save_cache
from .progress import Progress
from .render import make_environment, render
from .sources import ASSETS_DIR, read_content, walk_files
from .writer import Writer, remove_tree

LAYOUTS_DIR = "layouts"
CACHE_DIR = ".memoria"


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


@dataclass
class Session:
    """What one process keeps between builds (the dev server): parsed files by content."""

    parsed: ParseCache = field(default_factory=dict)


@dataclass
class Result:
    """What a build did, for the closing line and for tests."""

    archive: Archive
    warnings: list[SourceError] = field(default_factory=list)
    pages: int = 0
    written: int = 0
    kept: int = 0


def load_config(options: Options, problems: Problems) -> SiteConfig:
    """site.yaml, checked."""
    path = options.project / CONFIG_FILE
    if not path.is_file():
        problems.error(CONFIG_FILE, 0, "missing: a project needs a site.yaml with at least a 'title'")
        return parse_config(b"title: Archive\n", Problems(), options.base_url)
    return parse_config(path.read_bytes(), problems, options.base_url)


def load_archive(options: Options, session: Session | None = None) -> tuple[Archive, Problems]:
    """Read and check everything; the archive model and every problem found."""
    session = session or Session()
    problems = Problems()
    config = load_config(options, problems)
    files = read_content(options.project, problems)
    cache_file = options.project / CACHE_DIR / "parsed.pickle"
    if options.cache and not session.parsed:
        session.parsed = load_cache(cache_file)
    known = set(session.parsed)
    parsed = parse_files(files, config, problems, session.parsed if options.cache else {})
    if options.cache and set(session.parsed) != known:
        save_cache(cache_file, session.parsed)
    archive = build_archive(config, parsed, problems, options.drafts)
    archive.intro = Renderer(config.base_path, config.embeds).render(config.intro)
    return archive, problems


def stop_on_problems(problems: Problems, strict: bool) -> None:
    """Raise BuildError with every error (and warning, under --strict)."""
    if problems.failed(strict):
        raise BuildError(problems.errors + (problems.warnings if strict else []))


def build(options: Options, session: Session | None = None) -> Result:
    """Build the site into the output folder, or leave it untouched and raise BuildError."""
    archive, problems = load_archive(options, session)
    stop_on_problems(problems, options.strict)
    outputs = plan_site(archive)
    check_target(options.output, options.project)
    with locked(options.output, options.quiet):
        recover(options.output)
        staging = new_staging(options.output)
        try:
            writer = Writer(staging, options.output)
            render_all(options, archive.config, outputs, writer)
            copy_assets(options, writer)
            write_extras(archive.config, writer)
        except BaseException:
            remove_tree(staging)
            raise
        swap_in(staging, options.output)
    return Result(archive, problems.warnings, len(outputs), writer.written, writer.kept)


def render_all(options: Options, config: SiteConfig, outputs: list[Output], writer: Writer) -> None:
    """Render every planned page through the theme's templates, on every core."""
    env = make_environment(options.project / LAYOUTS_DIR, config)
    targets = [writer.claim(urls.output_file(o.url), o.template) for o in outputs]
    progress = Progress("rendering", len(outputs), quiet=options.quiet)

    def render_slice(bounds: tuple[int, int]) -> tuple[int, int, SourceError | None]:
        written, kept = writer.written, writer.kept
        for i in range(*bounds):
            output = outputs[i]
            try:
                page = render(env, output.template, {**output.context, "page_url": output.url})
            except jinja2.TemplateError as err:
                return writer.written - written, writer.kept - kept, template_error(err, options.project)
            writer.put(urls.output_file(output.url), targets[i], page)
            progress.step()
        return writer.written - written, writer.kept - kept, None

    size = max(50, len(outputs) // (workers() * 8))
    bounds = [(i, min(i + size, len(outputs))) for i in range(0, len(outputs), size)]
    results = map_forked(render_slice, bounds)
    progress.done()
    errors = [error for _, _, error in results if error]
    if errors:
        raise BuildError(errors[:1])
    writer.written = sum(w for w, _, _ in results)
    writer.kept = sum(k for _, k, _ in results)


def template_error(err: jinja2.TemplateError, project: Path) -> SourceError:
    """A template problem as `layouts/x.html:line: message`."""
    if isinstance(err, jinja2.TemplateSyntaxError) and err.filename:
        return SourceError(_relative(err.filename, project), err.lineno, err.message or "syntax error")
    if isinstance(err, jinja2.TemplateNotFound):
        return SourceError(f"{LAYOUTS_DIR}/{err.name}", 0, "template not found")
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return SourceError(_relative(frame.filename, project), frame.lineno or 0, str(err))
    return SourceError(LAYOUTS_DIR, 0, str(err))


def _relative(filename: str, project: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return filename


def copy_assets(options: Options, writer: Writer) -> None:
    """assets/ to /assets/, as they are."""
    problems = Problems()
    for rel, path in walk_files(options.project, ASSETS_DIR, problems):
        writer.copy(rel, path, rel)
    stop_on_problems(problems, False)


def write_extras(config: SiteConfig, writer: Writer) -> None:
    """The publishing essentials that are not pages."""
    writer.write(MARKER, MARKER_TEXT)
    writer.write(".nojekyll", b"")
    if config.cname:
        writer.write("CNAME", config.cname + "\n")


def check(options: Options) -> tuple[Archive, Problems]:
    """Validate everything and build nothing."""
    archive, problems = load_archive(options)
    if not problems.failed(options.strict):
        env = make_environment(options.project / LAYOUTS_DIR, archive.config)
        for name in env.list_templates():
            try:
                env.get_template(name)
            except jinja2.TemplateError as err:
                problems.errors.append(template_error(err, options.project))
    return archive, problems
