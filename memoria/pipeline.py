"""The build, as a recipe: load, validate, model, plan, render, write, swap."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .archive import Archive, build_archive, undo_links
from .assets import asset_clashes, copy_assets
from .config import SiteConfig, parse_config
from .errors import BuildError, Problems, SourceError
from .figures import attach_pictures
from .fingerprint import Memo
from .i18n import CATALOGUE_DIR, catalogue_path
from .images import ImageProcessor
from .indexer import INDEX_DIR
from .languages import language_views
from .markup import Renderer
from .mdguard import Unrenderable
from .outputdir import MARKER, check_target, commit_in_place, locked, new_staging, recover, swap_in
from .pages import plan_site
from .parallel import give_back_memory
from .parsing import CacheKey, CacheStore, ParseCache, parse_files
from .patch import Built, Readings, body_edits, built_file, load_built, load_readings, patch_bodies, save_built
from .quick import Options, is_unchanged, last_state, quick_stamps, replayed, site_key
from .render import make_environment
from .rendering import render_all, write_extras
from .search import carried_index, index_files, index_site, keep_index
from .sources import ASSETS_DIR, CACHE_DIR, CONFIG_FILE, CONTENT_DIR, LAYOUTS_DIR, refused_link, walk_files
from .state import BuildState, Stamps, forget_state, same_folders, save_state, stamp_files, state_file
from .writer import Writer, remove_tree

__all__ = ["Options", "Result", "Session", "build", "load_archive", "load_config"]


@dataclass
class Session:
    """What one process keeps between builds (the dev server): parsed files by content, the
    compiled templates, and the last good build's model (to patch after a body edit).

    `defer`: the model is kept on disk for a later command-line build only when `save_model` is
    called (by the dev server once it is idle, and as it stops), not after every build: the
    writer, a forked process that pickles the whole model (a second of a core at 10,000 articles),
    slowed down the build of the next save when saves came in quick succession.
    """

    parsed: ParseCache = field(default_factory=dict)
    store: CacheStore | None = None
    environments: dict[tuple[str, str], jinja2.Environment] = field(default_factory=dict)
    built: Built | None = None
    defer: bool = False
    unsaved: tuple[Path, Built] | None = None  # with `defer`: the model to keep, and where

    def save_model(self) -> None:
        """Keep on disk the model a deferring session holds back (patch.save_built), if any."""
        if self.unsaved is not None:
            path, built = self.unsaved
            self.unsaved = None
            save_built(path, built)

    def drop_model(self) -> None:
        """The model is no longer good to patch (replaced, or patched but not written): nor to keep."""
        self.built = self.unsaved = None


def keep_model(session: Session | None, path: Path, built: Built) -> None:
    """Keep the model of a build on disk for the next one: now, or when a deferring session says."""
    if session is not None and session.defer:
        session.unsaved = (path, built)
    else:
        save_built(path, built)


@dataclass
class Result:
    """What a build did, for the closing line and for tests."""

    config: SiteConfig
    archive: Archive | None
    warnings: list[SourceError] = field(default_factory=list)
    pages: int = 0
    written: int = 0
    kept: int = 0
    unchanged: bool = False
    # Output files written or removed, so that the dev server need not look through the folder for them.
    changed: list[str] = field(default_factory=list)


def load_config(options: Options, problems: Problems) -> SiteConfig:
    """site.yaml, checked."""
    path = options.project / CONFIG_FILE
    outside = refused_link(options.project, CONFIG_FILE, problems)
    if outside or not path.is_file():
        if not outside:
            problems.error(CONFIG_FILE, 0, "missing: a project needs a site.yaml with at least a 'title'")
        return parse_config(b"title: Archive\n", Problems(), options.base_url)
    return parse_config(path.read_bytes(), problems, options.base_url)


def load_archive(
    options: Options,
    session: Session | None = None,
    inputs: list[tuple[str, Path]] | None = None,
    unchanged: dict[str, CacheKey] | None = None,
) -> tuple[Archive, Problems]:
    """Read and check everything; the archive model and every problem found.

    `inputs` are the project's files when the caller has listed them already (with their problems);
    `unchanged` the parse keys of the content files whose stamps are those of the last build's
    (not read again when the parse cache has them).
    """
    # Without a session to keep them for a next build, the files' readings are linked as they are, not copied.
    kept = session is not None
    session = session or Session()
    problems = Problems()
    config = load_config(options, problems)
    untranslated(options.project / LAYOUTS_DIR, config, problems)
    if inputs is None:
        inputs = list_inputs(options.project, problems)
    if options.cache and session.store is None:
        session.store = CacheStore(options.project / CACHE_DIR)
        session.parsed = session.store.load()
    prefix, cached = CONTENT_DIR + "/", session.parsed
    same = {rel: key for rel, key in (unchanged or {}).items() if key in cached}
    files = [
        (rel, None if rel in same else path.read_bytes())
        for rel, path in inputs
        if rel.startswith(prefix) and rel.endswith(".md")
    ]
    known = {key: item.reading for key, item in cached.items()}
    parsed = parse_files(files, config, problems, cached, options.quiet, options.drafts, same)
    if session.store:
        # Save what was parsed or read anew (the readings ride along with the parse results), before linking.
        touched = {key for key, item in session.parsed.items() if known.get(key, False) is not item.reading}
        if touched or len(known) != len(session.parsed):
            session.store.save(session.parsed, touched)
    archive = build_archive(config, parsed, problems, options.drafts, keep=kept)
    archive.readings = {item.doc.path: ((item.doc.path, item.digest), item.check) for item in parsed}
    try:
        archive.intro = Renderer(config.base_path, config.embeds).render(config.intro)
    except Unrenderable as err:
        problems.error(CONFIG_FILE, config.intro_line, f"'intro': {err}")
    archive.pictures = ImageProcessor(options.project, options.project / CACHE_DIR, quiet=options.quiet)
    attach_pictures(archive, archive.pictures, problems)
    asset_clashes(inputs, archive.pictures, problems)
    archive.views = language_views(archive, problems)
    return archive, problems


def untranslated(layouts: Path, config: SiteConfig, problems: Problems) -> None:
    """A warning for each language of the site that a theme with catalogues has none for: its pages
    show the theme's own words (English) in that language's pages."""
    if not (layouts / CATALOGUE_DIR).is_dir():
        return  # a theme without catalogues writes its words in the site's language itself
    for code in config.codes:
        if code.split("-")[0].lower() != "en" and catalogue_path(layouts, code) is None:
            problems.warn(
                f"{LAYOUTS_DIR}/{CATALOGUE_DIR}/{code.replace('-', '_')}.po",
                0,
                f"the theme has no words in '{code}': its pages show them in English "
                f"({LAYOUTS_DIR}/{CATALOGUE_DIR}/messages.pot lists them to translate)",
            )


def alias_errors(archive: Archive) -> list[SourceError]:
    """The problems of the aliases of an archive that has other problems: planned anyway, so that all
    are told in one run (planning, which finds them, otherwise waits for the others to be fixed)."""
    try:
        plan_site(archive)
    except BuildError as err:
        return err.errors
    except Exception:  # an archive with errors may not plan at all: its other errors are told
        return []
    return []


def stop_on_problems(problems: Problems, strict: bool) -> None:
    """Raise BuildError with every error (and warning, under --strict)."""
    if problems.failed(strict):
        raise BuildError(problems.errors + (problems.warnings if strict else []))


def unchanged_result(options: Options, state: BuildState) -> Result:
    """What a build that found nothing changed says: the last build's warnings (errors under --strict)."""
    replayed(options, state)
    return Result(load_config(options, Problems()), None, state.warnings, len(state.pages), 0, 0, unchanged=True)


def build(options: Options, session: Session | None = None) -> Result:
    """Build the site into the output folder, or leave it untouched and raise BuildError.

    Only pages whose inputs changed since the last build are rendered; with
    nothing changed at all, nothing is read beyond the files' stamps.
    """
    check_target(options.output, options.project)
    with locked(options.output, options.quiet), paused_gc():
        recover(options.output)
        state_path = state_file(options.project / CACHE_DIR, options.output)
        owned = (options.output / MARKER).is_file()
        state = last_state(options)
        quick = quick_stamps(options.project)
        if is_unchanged(options, state, quick):  # seen from the files' stamps alone, before anything else is read
            return unchanged_result(options, state)
        problems = Problems()
        sources = list_inputs(options.project, problems)
        listed = [name for name, _ in sources]
        # The quick stamps are of the same files when there were no links or odd names to explain.
        same = quick is not None and len(quick) == len(listed) and all(path in quick for path in listed)
        stamps = quick if quick is not None and same else stamp_files(sources)
        key = site_key(options, stamps)
        fresh = state.index_current or not options.search
        as_left = state.site_key == key and state.inputs == stamps and same_folders(options.output, state.folders)
        if as_left and fresh and not problems.errors:
            return unchanged_result(options, state)
        last = last_readings(options, session, state, key) if options.cache else (None, None)
        if options.cache and not problems.errors:
            patched = patch_build(options, session, state, sources, stamps, key, last)
            if patched is not None:
                return patched
        if session is not None:
            replaced = session.built
            session.drop_model()  # first: a model unlinked in part must never be kept (a Ctrl-C meanwhile)
            if replaced is not None:
                undo_links(replaced.archive)
            del replaced
        walked = problems
        readings = last[1]
        del last  # the last model, which a full build makes anew: not held meanwhile
        unchanged = _unchanged(readings, state.inputs, stamps, sources)
        archive, problems = load_archive(options, session, sources, unchanged)
        give_back_memory()  # what reading the parse cache left: a rebuild's largest process was 60 MB larger
        problems.extend(walked)
        if problems.errors:
            problems.errors += alias_errors(archive)
        stop_on_problems(problems, options.strict)
        outputs = plan_site(archive)
        # Same theme and settings: update the pages that changed in place; else build anew and swap.
        in_place = owned and state.site_key == key and bool(state.files)
        staging = new_staging(options.output, "txn" if in_place else "new")
        try:
            writer = Writer(staging, options.output if owned else None, in_place)
            if writer.in_place:
                writer.intact = intact_files(options.output, state)
            # The dev server keeps its compiled templates until the theme or site.yaml changes.
            kept = session.environments if session else {}
            cache = options.project / CACHE_DIR if options.cache else None
            envs = {
                code: kept.get((key, code))
                or make_environment(options.project / LAYOUTS_DIR, archive.config, code, cache)
                for code in archive.config.codes
            }
            if session:
                session.environments = {(key, code): env for code, env in envs.items()}
            memo: Memo = {}

            def rest() -> None:
                """The site's other files, and its search index (in a rebuild, while the workers write the data files)."""
                copy_assets(options.project, writer, archive.pictures, problems)
                stop_on_problems(problems, False)
                write_extras(archive.config, writer)
                if options.search:
                    manifest = search_manifest(state_path) if options.cache else None
                    stale = not state.index_current
                    index_site(options.project, archive, writer, state.files, options.quiet, stale, outputs, manifest)
                elif not in_place:
                    keep_index(writer, state.files)

            # In a rebuild, most of the index is kept: it is made as the workers write the data files. A new
            # site's index is made part by part two at a time, which keeps both cores busy on its own.
            overlap = options.search and writer.in_place
            pages = render_all(options, envs, outputs, writer, (key, state.pages), memo, rest if overlap else None)
            if not overlap:
                rest()
        except BaseException:
            remove_tree(staging)
            raise
        # Updating in place without re-indexing leaves the search index where it is, unclaimed.
        carried = [] if options.search or not in_place else carried_index(writer, state.files)
        gone = sorted(set(state.files) - set(writer.targets) - set(carried))
        if in_place:
            commit_in_place(options.output, staging, writer.changes(), gone)
        else:
            swap_in(staging, options.output)
        if options.cache:
            files = sorted([*writer.paths(), *carried])
            # Without search, the index is as current as the last build's was, if that build recorded one
            # (an index found in the output without a record may be older) and it is still there.
            recorded = bool(state.files and index_files(files))
            current = options.search or (state.index_current and writer.written == 0 and recorded)
            save_state(state_path, BuildState(key, stamps, pages, problems.warnings, files, current), options.output)
            if archive.pictures:
                archive.pictures.prune()
        else:  # what an earlier build kept no longer describes the folder
            for leftover in (state_path, built_file(state_path), search_manifest(state_path)):
                forget_state(leftover)
    changed = sorted(writer.wrote.union(gone))
    result = Result(
        archive.config, archive, problems.warnings, len(outputs), writer.written, writer.kept, changed=changed
    )
    built = Built(key, stamps, archive, outputs, memo)
    if session is not None:
        session.built = built
    if options.cache:
        # What the model's writer (a copy of this process) need not hold: it writes only the model.
        del outputs, memo, pages, writer, envs, state, sources, stamps
        keep_model(session, built_file(state_path), built)
    return result


def patch_build(
    options: Options,
    session: Session | None,
    state: BuildState,
    sources: list[tuple[str, Path]],
    stamps: Stamps,
    key: str,
    last: tuple[Built | None, Readings | None],
) -> Result | None:
    """The build after a body edit (memoria.patch): the last build's model patched, the pages that
    show the edited articles rendered, in place, and the search index of their part made again.
    `last` is the last build's model if this process holds it, and its readings (last_readings).
    None when a full build is needed."""
    if not state.files or state.site_key != key:
        return None
    session = session or Session()
    state_path = state_file(options.project / CACHE_DIR, options.output)
    patched = _patched_model(options, session, state, sources, stamps, key, last)
    if patched is None:
        return None
    built, indices, intact = patched
    config = built.archive.config
    layouts, cache = options.project / LAYOUTS_DIR, options.project / CACHE_DIR
    envs = {
        code: session.environments.get((key, code)) or make_environment(layouts, config, code, cache)
        for code in config.codes
    }
    session.environments = {(key, code): env for code, env in envs.items()}
    outputs = [built.outputs[i] for i in indices]
    staging = new_staging(options.output, "txn")
    try:
        writer = Writer(staging, options.output, in_place=True)
        writer.intact = intact

        def search() -> None:
            """The index, made from the whole site (as the workers write the data files): every other
            file of the last build stays as it is."""
            index = INDEX_DIR + "/"
            writer.carry(
                (rel for rel in state.files if rel not in writer.targets and not rel.startswith(index)), "kept"
            )
            stale = not state.index_current
            manifest = search_manifest(state_path)
            index_site(
                options.project, built.archive, writer, state.files, options.quiet, stale, built.outputs, manifest
            )

        prints = render_all(
            options, envs, outputs, writer, (key, state.pages), built.memo, search if options.search else None
        )
    except BaseException:
        session.drop_model()  # patched, but not written: the next build starts anew
        remove_tree(staging)
        raise
    if options.search:
        gone, files = sorted(set(state.files) - set(writer.targets)), writer.paths()
    else:  # the index stays as it was, if it is all there still; else what is left of it goes (made again later)
        dropped = set() if carried_index(writer, state.files) else set(index_files(state.files))
        gone, files = sorted(dropped), [rel for rel in state.files if rel not in dropped]
    commit_in_place(options.output, staging, writer.changes(), gone)
    current = options.search or (state.index_current and writer.written == 0 and not gone)
    pages = {**state.pages, **prints}
    save_state(state_path, BuildState(key, stamps, pages, state.warnings, files, current), options.output)
    keep_model(session, built_file(state_path), built)
    if session.store:
        session.store.save(session.parsed)
    result = Result(config, built.archive, state.warnings, len(built.outputs), writer.written, 0)
    result.kept, result.changed = len(files) - writer.written, sorted(writer.wrote.union(gone))
    return result


def last_readings(
    options: Options, session: Session | None, state: BuildState, key: str
) -> tuple[Built | None, Readings | None]:
    """The last build's model if this session holds it, and what each file read as in that build
    (Archive.readings); None for what is not known. Only of a build made with `key` from the files as
    the state saw them."""
    built = session.built if session is not None else None
    if built is not None and (built.key, built.stamps) == (key, state.inputs):
        return built, built.archive.readings
    # None, or another build wrote the folder since: the last build's, if it kept one.
    return None, load_readings(built_file(state_file(options.project / CACHE_DIR, options.output)), key, state.inputs)


def _unchanged(
    readings: Readings | None, since: Stamps, stamps: Stamps, sources: list[tuple[str, Path]]
) -> dict[str, CacheKey]:
    """The parse keys of the files the last build read (`readings`) whose stamps are still those it saw."""
    if not readings:
        return {}
    found = {}
    for rel, _ in sources:
        reading = readings.get(rel)
        if reading is not None and since.get(rel) == stamps.get(rel):
            found[rel] = reading[0]
    return found


def _patched_model(
    options: Options,
    session: Session,
    state: BuildState,
    sources: list[tuple[str, Path]],
    stamps: Stamps,
    key: str,
    last: tuple[Built | None, Readings | None],
) -> tuple[Built, list[int], set[str]] | None:
    """The session's model, or else the one the last build kept on disk, patched for the body edits since
    that build; with the indices of its outputs to render again, and the last build's files that are
    known to be in the output as it left them (Writer.intact). None if the changes are not body edits."""
    path = built_file(state_file(options.project / CACHE_DIR, options.output))
    built, readings = last
    if readings is None:
        return None
    config = load_config(options, Problems()) if built is None else built.archive.config
    edits = body_edits(readings, state.inputs, sources, stamps, config, options.drafts)
    if edits is None:
        return None
    built = built or load_built(path, key, state.inputs)
    if built is None:
        return None
    intact = intact_files(options.output, state)
    if not intact and not _all_there(options.output, state.files):
        return None
    try:
        indices = patch_bodies(built, edits, stamps, session.parsed if session.store else None)
    except BaseException:
        session.drop_model()  # patched in part (a Ctrl-C meanwhile): good neither to patch again nor to keep
        raise
    session.built = built
    return built, indices, intact


def intact_files(output: Path, state: BuildState) -> set[str]:
    """The last build's files, when none of the output's folders changed since it (so none of its files
    was removed or replaced); else none."""
    return set(state.files) if state.folders and same_folders(output, state.folders) else set()


def _all_there(output: Path, files: list[str]) -> bool:
    """Whether every file of the last build is still in the output folder (a full build puts back any removed).

    The search index's files are left to memoria.search, which looks for those of the parts it keeps.
    """
    folder, index = os.fspath(output), INDEX_DIR + "/"
    return all(os.path.isfile(f"{folder}/{rel}") for rel in files if not rel.startswith(index))


def search_manifest(state_path: Path) -> Path:
    """Where what the search index holds is remembered between builds (memoria.search)."""
    return state_path.with_name(state_path.stem + "-search.pickle")


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while the model is built: it makes few cycles, and
    scanning its tens of thousands of objects again and again took most of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What the build made is put with the oldest objects, not left as new ones: else the first
            # collection after it scanned every one of them (0.4 s after a build of 10,000 articles).
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def list_inputs(project: Path, problems: Problems) -> list[tuple[str, Path]]:
    """Every file a build reads: site.yaml, content, layouts and assets."""
    found = [(CONFIG_FILE, project / CONFIG_FILE)] if (project / CONFIG_FILE).is_file() else []
    for folder in (CONTENT_DIR, LAYOUTS_DIR, ASSETS_DIR):
        found.extend(walk_files(project, folder, problems))
    return found
