"""The dev server: build, serve the output folder, rebuild and reload the browser on every change."""

from __future__ import annotations

import asyncio
import errno
import gc
import html
import logging
import mimetypes
import signal
import sys
import time
import traceback
import weakref
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from livereload import Server
from livereload.handlers import LiveReloadHandler
from livereload.watcher import Watcher
from tornado import web

from .errors import BuildError, Problems, UsageError
from .pipeline import Options, Result, Session, build, load_config
from .watch import Inotify

WATCHED = ("site.yaml", "content", "layouts", "assets")
POLL_SECONDS = 0.2
SETTLE_SECONDS = 0.01
IDLE_SECONDS = 2.0  # after a build: the model is then kept on disk for the next command-line build
NOT_FOUND = b"<!doctype html><html><head><title>Not found</title></head><body><h1>Not found</h1></body></html>"
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


class Site:
    """The server's view of the last build: where it is served, its errors, its files."""

    def __init__(self, options: Options):
        self.options = options
        self.root = options.output.resolve()
        self.session = Session(defer=True)  # the model kept on disk when idle (save_idle), not after every build
        self.base_path = load_config(options, Problems()).base_path
        self.errors: list[str] = []
        self.dirty = False

    def mark_dirty(self) -> None:
        """Called by the watcher when a source file changed."""
        self.dirty = True

    def rebuild(self, changed: str = "") -> str | None:
        """Build once and say how it went; the path to send the browser, or None when nothing it shows changed."""
        start = time.perf_counter()
        was_failing, self.errors = self.errors, []
        try:
            result = build(self.options, session=self.session)
        except BuildError as err:
            self.errors = [str(error) for error in err.errors]
        except UsageError as err:
            if not changed:  # the first build: the folders are wrong and there is nothing to serve
                raise
            self.errors = [f"error: {err}"]
        except Exception as err:  # a bug of the generator must not stop the server
            traceback.print_exc()
            self.errors = [f"internal error: {type(err).__name__}: {err} (the traceback is in the terminal)"]
        what = f"{changed}: " if changed else ""
        if self.errors:
            print("\n".join(self.errors), file=sys.stderr)
            print(f"{what}build failed: {len(self.errors)} error(s); the pages show them until a fix", file=sys.stderr)
        else:
            self.report(result, what, time.perf_counter() - start)
        modified = [] if self.errors or result.unchanged else visible(result.changed)
        if self.errors != was_failing:
            return "*"
        if not modified:
            return None
        if all(rel.endswith(".css") for rel in modified):
            # livereload.js swaps the stylesheet whose URL matches, or all of them for an unknown path.
            return self.base_path + modified[0] if len(modified) == 1 else "*.css"
        return "*"

    def report(self, result: Result, what: str, seconds: float) -> None:
        """One line for a build that worked, after its warnings."""
        for warning in sorted(set(result.warnings)):
            print(f"{warning} (warning)", file=sys.stderr)
        if not self.options.quiet:
            done = "nothing changed" if result.unchanged else f"built {result.pages} pages ({result.written} written)"
            print(f"{what}{done} in {seconds:.2f} s", flush=True)
        if result.config.base_path != self.base_path:
            self.base_path = result.config.base_path
            print(f"now serving under {self.base_path}", flush=True)


def visible(files: list[str]) -> list[str]:
    """The files of a build a browser can be shown (not the generator's own dot-files)."""
    return [rel for rel in files if not rel.startswith(".") and "/." not in rel]


def locate(raw: str, base: str, root: Path) -> tuple[int, str]:
    """Map a raw request path to (200, file), (302, location) or (an error status, '')."""
    lowered = raw.lower()
    if not raw.startswith("/") or "\\" in raw or "\x00" in raw or any(c in lowered for c in ("%2f", "%5c", "%00")):
        return 400, ""
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return 400, ""
    segments = path.split("/")[1:]
    if any(segment in (".", "..") for segment in segments) or "" in segments[:-1]:
        return 400, ""
    if not path.startswith(base):
        return (302, base) if path + "/" == base or path == "/" else (404, "")
    rel = path[len(base) :]
    target = root / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
    try:
        resolved = target.resolve()
        resolved.relative_to(root)
    except (OSError, ValueError):
        return 403, ""
    if resolved.is_file():
        return 200, str(resolved)
    if not rel.endswith("/") and (root / rel).is_dir():
        return 302, raw + "/"
    return 404, ""


def error_overlay(errors: list[str]) -> str:
    """The build errors as a box over the page, for as long as the build fails."""
    lines = html.escape("\n".join(errors))
    style = (
        "position:fixed;left:0;right:0;top:0;z-index:2147483647;max-height:60vh;overflow:auto;margin:0;"
        "padding:1em 1.25em;background:#7a0019;color:#fff;font:15px/1.5 system-ui,sans-serif;"
        "box-shadow:0 2px 12px rgba(0,0,0,.5)"
    )
    return (
        f'<div id="memoria-build-errors" role="alert" style="{style}">'
        f'<p style="margin:0 0 .5em"><strong>The build failed: {len(errors)} error(s).</strong> '
        "Below is the last good build; the page reloads when you save a fix.</p>"
        f'<pre style="margin:0;white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace">{lines}</pre></div>'
    )


def with_overlay(page: bytes, errors: list[str]) -> bytes:
    """The page with the error box at the start of its body."""
    box = error_overlay(errors).encode("utf-8")
    at = page.find(b"<body")
    at = page.find(b">", at) + 1 if at >= 0 else 0
    return page[:at] + box + page[at:]


class SiteHandler(web.RequestHandler):
    """Serves files of the output folder under the base path, and nothing outside it."""

    def initialize(self, site: Site) -> None:
        """Keep the site to serve."""
        self.site = site

    def compute_etag(self) -> None:
        """No ETags: every request reads the file as it is now."""
        return None

    def head(self) -> None:
        """Like GET, without the body (tornado drops it)."""
        self.get()

    def get(self) -> None:
        """Answer one request."""
        self.set_header("Cache-Control", "no-store")
        status, found = locate(self.request.path, self.site.base_path, self.site.root)
        if status == 302:
            self.redirect(found)  # not 301: browsers keep those, and another project may use this port next
        elif status == 200:
            self.send(200, Path(found))
        elif status == 404:
            self.send(404, self.site.root / "404.html")
        else:
            self.set_status(status)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"{status} {HTTPStatus(status).phrase}\n")

    def send(self, status: int, path: Path) -> None:
        """Send a file; HTML gets the error box while the build fails (the transform adds the reload script)."""
        try:
            body = path.read_bytes()
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        except OSError:
            body, kind = NOT_FOUND, "text/html"
        if kind == "text/html" and self.site.errors:
            body = with_overlay(body, self.site.errors)
        self.set_status(status)
        self.set_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(body)


class LiveServer(Server):  # type: ignore[misc]
    """livereload's server (watcher, reload socket, script injection) with Memoria's file handler."""

    def __init__(self, site: Site):
        super().__init__(watcher=Watcher())  # the polling one, even where pyinotify is installed
        self.site = site

    def get_web_handlers(self, script: bytes) -> list[Any]:
        """Every request that is not livereload's goes to the site handler."""
        return [(r".*", SiteHandler, {"site": self.site})]


def serve(options: Options, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build, serve and rebuild on every change until Ctrl-C; the exit status."""
    logging.getLogger("tornado.access").setLevel(logging.ERROR)
    site = Site(options)
    server = LiveServer(site)
    for name in WATCHED:
        server.watch(str(options.project.resolve() / name), site.mark_dirty)
    try:
        return asyncio.run(run(server, site, host, port))
    except KeyboardInterrupt:
        if not options.quiet:
            print("stopped", file=sys.stderr)
        return 0
    finally:
        site.session.save_model()  # for the next command-line build to patch


async def run(server: LiveServer, site: Site, host: str, port: int) -> int:
    """Listen, build, then watch for ever.

    Builds run here, in the one thread, so the pipeline can fork its workers safely;
    requests wait while a build runs, and are then answered from the new site.
    """
    # Ctrl-C stops at once, even during a build (asyncio's own handler would let the build finish first);
    # so does a SIGTERM, and in both cases the last model is kept on disk on the way out (serve).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.application(port, host, debug=False, live_css=True)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            print(
                f"error: port {port} on {host} is in use; stop what uses it or choose another with --port",
                file=sys.stderr,
            )
        else:
            print(f"error: cannot listen on {host}:{port}: {err.strerror or err}", file=sys.stderr)
        return 1
    notify = Inotify.open(site.options.project, WATCHED)  # before the first build: no save is missed
    site.rebuild()
    shown_host = f"[{host}]" if ":" in host else host
    print(f"serving http://{shown_host}:{port}{site.base_path} (Ctrl-C stops)", flush=True)
    if notify is None or not await follow(notify, site):
        await poll(server, site)
    return 0


async def follow(notify: Inotify, site: Site) -> bool:
    """Rebuild as soon as inotify reports a change; False when polling must take over."""
    wake = asyncio.Event()
    changed: list[str] = []
    lost = False

    def on_ready() -> None:
        # Read here, in the loop's callback: the descriptor never stays readable with nobody to read it.
        nonlocal lost
        found = notify.read()
        lost = lost or found is None
        changed.extend(found or [])
        wake.set()

    loop = asyncio.get_running_loop()
    loop.add_reader(notify.fd, on_ready)
    try:
        while True:
            if not await save_idle(site, wake):
                continue
            await asyncio.sleep(SETTLE_SECONDS)  # the rest of the save (an editor may write a file and rename it)
            wake.clear()
            if lost:
                return False
            if changed:
                first = changed[0]
                changed.clear()
                rebuilt(site, first)
    finally:
        loop.remove_reader(notify.fd)
        notify.close()


async def save_idle(site: Site, wake: asyncio.Event) -> bool:
    """Wait for `wake`; True once it is set. When the session holds back a model to keep on disk, and
    nothing comes for IDLE_SECONDS, it is written (patch.save_built) and False is returned."""
    if site.session.unsaved is None:
        await wake.wait()
        return True
    try:
        await asyncio.wait_for(wake.wait(), IDLE_SECONDS)
    except TimeoutError:
        site.session.save_model()
        return False
    return True


async def poll(server: LiveServer, site: Site) -> None:
    """Stat every watched file a few times a second; rebuild when one changed."""
    interval = POLL_SECONDS
    last = time.monotonic()  # the last build: the model is kept on disk once the server is idle
    while True:
        await asyncio.sleep(interval)
        began = time.perf_counter()
        server.watcher.examine()
        # The watcher stats every file: poll a large archive less often, so an idle server stays nearly idle.
        interval = max(POLL_SECONDS, 4 * (time.perf_counter() - began))
        if site.dirty:
            site.dirty = False
            rebuilt(site, _relative(server.watcher.filepath, site.options.project))
            last = time.monotonic()
        elif site.session.unsaved is not None and time.monotonic() - last >= IDLE_SECONDS:
            site.session.save_model()


def rebuilt(site: Site, changed: str) -> None:
    """Rebuild after a change, and tell the browsers what to reload.

    The cyclic garbage collector waits until the browsers are told: re-enabled after a build,
    it first goes over every object the build made, and the reload need not wait for that.
    After a full build, whatever of the replaced model the build's unlinking (archive.undo_links) left
    in cycles is collected then too: left to the collector, it could come many builds later (each
    title edit left 30 MB more at 10,000 articles; the collection takes 1.5 s there).
    """
    last = site.session.built
    was = weakref.ref(last) if last is not None else None  # not held while the build drops it (its id may be reused)
    del last
    enabled = gc.isenabled()
    gc.disable()
    try:
        path = site.rebuild(changed)
        if path is not None:
            LiveReloadHandler.reload_waiters(path)
        if was is not None and was() is not site.session.built:
            gc.collect()
    finally:
        if enabled:
            gc.enable()


def _relative(filepath: str | None, project: Path) -> str:
    if not filepath:
        return ""
    try:
        return Path(filepath).relative_to(project.resolve()).as_posix()
    except ValueError:
        return filepath
