"""The command line: build, serve, check, new."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BuildError, Problems, SourceError, UsageError
from .quick import Options, unchanged
from .sources import ASSETS_DIR, CONFIG_FILE, CONTENT_DIR, LAYOUTS_DIR, refused_link

if TYPE_CHECKING:
    from .archive import Archive

# The rest of the generator (memoria.pipeline and what it imports: Markdown, Jinja, Pillow, Babel,
# ICU) is imported only when there is something to build: most builds find nothing changed.


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of build.py."""
    parser = argparse.ArgumentParser(prog="build.py", description="Build a memorial archive into a static site.")
    parser.add_argument("command", nargs="?", default="build", choices=["build", "serve", "check", "new"])
    parser.add_argument("args", nargs="*", help="for new: article|person|page and a title or name")
    parser.add_argument("--project", default=".", help="the project folder (default: here)")
    parser.add_argument("--output", help="where to write the site (default: output/)")
    parser.add_argument("--base-url", help="override site.yaml's base_url")
    parser.add_argument("--drafts", action="store_true", help="include files marked draft: true")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    parser.add_argument("--no-cache", action="store_true", help="build from scratch, ignoring .memoria/")
    parser.add_argument(
        "--no-search",
        action="store_true",
        help="skip search indexing: the last index is kept as it was, and the next build without this flag refreshes it",
    )
    parser.add_argument("--host", default="127.0.0.1", help="serve: address to listen on")
    parser.add_argument("--port", type=_port, default=8000, help="serve: port to listen on (1-65535)")
    return parser


def _port(text: str) -> int:
    """A TCP port number, else a usage error (the server would take 99999 as 34463)."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number: give one from 1 to 65535")
    return port


def options_from(args: argparse.Namespace) -> Options:
    """Options for the pipeline from parsed arguments."""
    project = Path(args.project)
    output = Path(args.output) if args.output else project / "output"
    return Options(
        project, output, args.drafts, args.base_url, args.strict, args.quiet, not args.no_cache, not args.no_search
    )


def wrong_options(args: argparse.Namespace, options: Options) -> str | None:
    """What is wrong with --project or --base-url, before anything is read or made; None when nothing is."""
    if not options.project.is_dir():
        what = "is not a folder" if options.project.exists() else "does not exist"
        return f"--project {args.project}: {what}"
    if args.base_url is not None:
        from .config import BASE_URL_RULE, quoted, valid_base_url

        if not valid_base_url(args.base_url):
            return f"--base-url {BASE_URL_RULE}, not {quoted(args.base_url)}"
    return None


def report(warnings: list[SourceError], errors: list[SourceError]) -> None:
    """Print problems, one per line, warnings marked."""
    for warning in sorted(set(warnings)):
        print(f"{warning} (warning)", file=sys.stderr)
    for error in sorted(set(errors)):
        print(error, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command != "new" and args.args:
        parser.error(f"'{args.command}' takes no further arguments")
    options = options_from(args)
    wrong = wrong_options(args, options)
    if wrong:
        print(f"error: {wrong}", file=sys.stderr)
        return 2
    if args.command != "new":
        # Before the quick check, which would find the files behind such a link unchanged (memoria.sources
        # refuses the folders again as it walks them, for the dev server's rebuilds).
        refused = Problems()
        for name in (CONFIG_FILE, CONTENT_DIR, LAYOUTS_DIR, ASSETS_DIR):
            refused_link(options.project, name, refused)
        if refused.errors:
            report([], refused.errors)
            print(f"{args.command} failed: {len(refused.errors)} error(s); nothing was built", file=sys.stderr)
            return 1
    try:
        if args.command == "new":
            from .scaffold import new_file

            return _new(parser, args, options, new_file)
        if args.command == "check":
            from .checking import check

            return _check(options, check)
        if args.command == "serve":
            from .server import serve

            # Re-indexing the whole site for search on every save would cost seconds; `build` does it.
            return serve(replace(options, search=False), args.host, args.port)
        return _build(options)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _build(options: Options) -> int:
    # The process ends after one build: no cyclic collection of the model (a full pass at the end
    # of the build, and another at exit, cost a good part of a rebuild at 10,000 articles).
    gc.disable()
    try:
        state = unchanged(options)
        if state is not None:
            report(state.warnings, [])
            if not options.quiet:
                print(f"nothing changed since the last build of {options.output}")
            return 0
        from .pipeline import build

        result = build(options)
    except BuildError as err:
        report([], err.errors)
        print(f"build failed: {len(err.errors)} error(s); {options.output} was left as it was", file=sys.stderr)
        return 1
    gc.freeze()
    report(result.warnings, [])
    if options.quiet:
        return 0
    if result.unchanged:
        print(f"nothing changed since the last build of {options.output}")
    else:
        print(f"built {result.pages} pages into {options.output} ({result.written} written, {result.kept} unchanged)")
    return 0


def _check(options: Options, check: Callable[[Options], tuple[Archive, Problems]]) -> int:
    archive, problems = check(options)
    errors = problems.errors + (problems.warnings if options.strict else [])
    report([] if options.strict else problems.warnings, errors)
    for person in archive.people:
        if person.path is None and not options.quiet:
            print(f"note: {person.name} ({person.slug}) is named but has no file in content/people/")
    if errors:
        print(f"check failed: {len(errors)} error(s)", file=sys.stderr)
        return 1
    if not options.quiet:
        print(
            f"checked {len(archive.articles)} articles, {len(archive.people)} people, {len(archive.pages)} pages: no errors"
        )
    return 0


def _new(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    options: Options,
    new_file: Callable[[Path, str, str], str],
) -> int:
    if len(args.args) != 2 or args.args[0] not in ("article", "person", "page"):
        parser.error('usage: build.py new article "Title" | new person "Name" | new page "Title"')
    path = new_file(options.project, args.args[0], args.args[1])
    print(path)
    return 0
