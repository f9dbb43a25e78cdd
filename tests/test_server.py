"""The dev server, end to end: the real `build.py serve` on a free port, raw HTTP, and headless Chromium."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from memoria.server import locate
from tests.conftest import REPO, copy_example

ARTICLE = "content/articles/live-preview.md"
ARTICLE_TEXT = """\
---
title: "Live preview"
date: 2024-05-01
---
The first version of the text.
"""
DRAFT = "content/articles/draft.md"
DRAFT_TEXT = """\
---
title: "Not ready"
date: 2024-05-02
draft: true
---
Unfinished.
"""
SECRET = "not-for-the-browser-7f3a"


@dataclass
class Served:
    """A running `build.py serve` and where it answers."""

    proc: subprocess.Popen[bytes]
    port: int
    project: Path
    log: Path

    def url(self, path: str = "/") -> str:
        """The full URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        """Everything the server printed so far."""
        return (self.log / "out").read_text() + (self.log / "err").read_text()


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_project(root: Path) -> Path:
    """A copy of the example archive with one short article of our own."""
    copy_example(root)
    (root / ARTICLE).write_text(ARTICLE_TEXT, encoding="utf-8")
    (root / DRAFT).write_text(DRAFT_TEXT, encoding="utf-8")
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    return root


def start(project: Path, *args: str, port: int | None = None) -> Served:
    """Start the server as a separate process and wait until it answers."""
    port = port or free_port()
    log = project.parent / f"log-{port}"
    log.mkdir()
    with (log / "out").open("wb") as out, (log / "err").open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "build.py", "serve", "--port", str(port), "--project", str(project), *args],
            cwd=REPO,
            stdout=out,
            stderr=err,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "CI": "true"},
            start_new_session=True,
        )
    served = Served(proc, port, project, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server stopped: {served.output()}")
        if "serving http://" in served.output():
            return served
        time.sleep(0.05)
    stop(served)
    pytest.fail(f"the server did not start: {served.output()}")


def stop(served: Served) -> int:
    """Ctrl-C the server; kill its process group if it does not stop."""
    if served.proc.poll() is None:
        served.proc.send_signal(signal.SIGINT)
        try:
            served.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(served.proc.pid, signal.SIGKILL)
            served.proc.wait()
    return served.proc.returncode


@pytest.fixture
def serve_project(tmp_path: Path) -> Iterator[Any]:
    """Start servers on copies of the example; every one is stopped at the end."""
    started: list[Served] = []

    def factory(*args: str) -> Served:
        served = start(make_project(tmp_path / f"site{len(started)}"), *args)
        started.append(served)
        return served

    yield factory
    for served in started:
        stop(served)


def raw_get(served: Served, target: bytes) -> tuple[int, bytes]:
    """Send a request line exactly as given (no client normalises it); the status and the whole answer."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return (int(match.group(1)) if match else 0), answer


@dataclass
class Response:
    """What a GET answered."""

    status: int
    headers: dict[str, str]
    body: bytes


def get(served: Served, path: str) -> Response:
    """A GET of a path; redirects are not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return Response(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/archive/", (200, "index.html")),
        ("/archive/a/", (200, "a/index.html")),
        ("/archive/a/page.css", (200, "a/page.css")),
        ("/archive/a", (302, "/archive/a/")),
        ("/archive", (302, "/archive/")),
        ("/", (302, "/archive/")),
        ("/a/", (404, "")),
        ("/archive/missing/", (404, "")),
        ("/archive/../outside.txt", (400, "")),
        ("/archive/%2e%2e/outside.txt", (400, "")),
        ("/archive/a%2fpage.css", (400, "")),
        ("/archive/a\\page.css", (400, "")),
        ("/archive//etc/passwd", (400, "")),
        ("/archive/%00", (400, "")),
        ("/archive/%ff", (400, "")),
        ("/archive/%c0%ae%c0%ae/outside.txt", (400, "")),
        ("http://x/archive/", (400, "")),
        ("/archive/link.txt", (403, "")),
    ],
)
def test_locate_maps_request_paths_into_the_output_folder_only(
    tmp_path: Path, raw: str, expected: tuple[int, str]
) -> None:
    root = tmp_path / "output"
    (root / "a").mkdir(parents=True)
    for rel in ("index.html", "a/index.html", "a/page.css"):
        (root / rel).write_text("x", encoding="utf-8")
    (tmp_path / "outside.txt").write_text(SECRET, encoding="utf-8")
    (root / "link.txt").symlink_to(tmp_path / "outside.txt")
    status, found = locate(raw, "/archive/", root.resolve())
    if status == 200:
        found = Path(found).relative_to(root.resolve()).as_posix()
    assert (status, found) == expected


def test_serves_the_site_under_its_base_path(serve_project: Any) -> None:
    served = serve_project("--base-url", "/archive/")
    assert f"serving http://127.0.0.1:{served.port}/archive/" in served.output()
    page = get(served, "/archive/articles/live-preview/")
    assert page.status == 200 and b"The first version of the text." in page.body
    assert b"/livereload.js" in page.body
    for path in ("/", "/archive", "/archive/articles/live-preview"):
        moved = get(served, path)
        assert moved.status == 302 and moved.headers.get("Location", "").endswith("/"), path
    assert get(served, "/archive/assets/css/memoria.css").headers["Content-Type"] == "text/css; charset=utf-8"
    assert get(served, "/articles/live-preview/").status == 404
    assert get(served, "/archive/articles/draft/").status == 404


TRAVERSALS = [
    b"/../secret.txt",
    b"/../../secret.txt",
    b"/%2e%2e/secret.txt",
    b"/%2E%2E/%2e%2e/secret.txt",
    b"/..%2fsecret.txt",
    b"/..%2Fsecret.txt",
    b"/assets/..%2f..%2fsecret.txt",
    b"/..\\secret.txt",
    b"/..%5csecret.txt",
    b"/assets/../../secret.txt",
    b"/./../secret.txt",
    b"/%252e%252e/secret.txt",
    b"//etc/passwd",
    b"/etc/passwd",
    b"/%2fetc%2fpasswd",
    b"http://127.0.0.1/../secret.txt",
    b"../secret.txt",
    b"/index.html%00.txt",
    b"/%00",
    b"/\x00/../secret.txt",
    b"/%c0%ae%c0%ae/secret.txt",
    b"/leak.txt",
]


def test_serves_nothing_outside_the_output_folder(serve_project: Any) -> None:
    served = serve_project()
    (served.project / "output" / "leak.txt").symlink_to(served.project / "secret.txt")
    for target in TRAVERSALS:
        status, answer = raw_get(served, target)
        assert status in (400, 403, 404), (target, answer[:200])
        assert SECRET.encode() not in answer and b"root:x:0:0" not in answer, target
    assert raw_get(served, b"/articles/live-preview/")[0] == 200


def test_a_port_in_use_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "build.py", "serve", "--port", str(port), "--project", str(project)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 1
    assert (
        proc.stderr.strip()
        == f"error: port {port} on 127.0.0.1 is in use; stop what uses it or choose another with --port"
    )


def test_ctrl_c_stops_cleanly(serve_project: Any) -> None:
    served = serve_project("--drafts")
    assert get(served, "/articles/draft/").status == 200
    assert stop(served) in (0, 130)
    assert "Traceback" not in served.output()


def test_the_model_is_kept_on_disk_when_the_server_is_idle_and_as_it_stops(serve_project: Any) -> None:
    """Not after every build (its writer slowed the next save's build): once nothing happened for
    IDLE_SECONDS, and when the server is stopped (Ctrl-C, or a SIGTERM, handled alike)."""
    import fcntl

    from memoria.server import IDLE_SECONDS

    for how in (signal.SIGINT, signal.SIGTERM):
        served = serve_project()
        cache = served.project / ".memoria"
        kept = lambda cache=cache: sorted(cache.glob("state-*-built.pickle"))  # noqa: E731
        deadline = time.monotonic() + IDLE_SECONDS + 20
        while not kept() and time.monotonic() < deadline:
            time.sleep(0.1)
        [model] = kept()
        written = model.stat().st_mtime_ns
        path = served.project / ARTICLE
        path.write_text(path.read_text(encoding="utf-8") + "\nA second paragraph.\n", encoding="utf-8")
        deadline = time.monotonic() + 30
        while served.output().count(" written)") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert served.output().count(" written)") == 2, served.output()
        served.proc.send_signal(how)
        assert served.proc.wait(timeout=30) in (0, 130)
        assert "Traceback" not in served.output()
        with (cache / f"{model.name}.lock").open("rb") as lock:  # its writer, a process of its own, is done
            fcntl.flock(lock, fcntl.LOCK_SH)
        [model] = kept()
        assert model.stat().st_mtime_ns > written, f"{how!r}: the last build's model is kept"


def test_a_folder_that_is_not_ours_stops_the_server_at_once(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    (project / "output").mkdir()
    (project / "output" / "notes.txt").write_text("mine", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "build.py", "serve", "--port", str(free_port()), "--project", str(project)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def wait_for(served: Served, path: str, wanted: Callable[[bytes], bool]) -> bytes:
    """Fetch a page until its body is as wanted (10 s at most); the body."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        body = get(served, path).body
        if wanted(body):
            return body
        time.sleep(0.1)
    pytest.fail(f"{path} did not change as expected: {served.output()}")


def test_a_template_error_shows_on_the_last_good_pages_until_fixed(serve_project: Any) -> None:
    served = serve_project()
    layout = served.project / "layouts" / "base.html"
    good = layout.read_text(encoding="utf-8")
    layout.write_text(good + "{% if %}\n", encoding="utf-8")
    body = wait_for(served, "/articles/live-preview/", lambda body: b"memoria-build-errors" in body)
    assert re.search(rb"layouts/base\.html:\d+: ", body), body
    assert b"The first version of the text." in body
    assert b"memoria-build-errors" in get(served, "/no-such-page/").body
    layout.write_text(good, encoding="utf-8")
    wait_for(served, "/articles/live-preview/", lambda body: b"memoria-build-errors" not in body)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page of the browser."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def connected(page: Any) -> None:
    """Wait until the page's livereload client has its socket open, so no reload is missed."""
    page.wait_for_function("() => window.LiveReload && window.LiveReload.connector.protocol > 0", timeout=10_000)
    time.sleep(0.2)  # the server counts the page once it has the client's 'info' message


def edit(path: Path, old: str, new: str) -> None:
    """Save a changed file, as an editor would."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def shows(page: Any, text: str) -> None:
    """Wait (10 s at most) until the page shows a text."""
    page.wait_for_function("text => document.body.innerText.includes(text)", arg=text, timeout=10_000)


@pytest.mark.browser
def test_the_browser_follows_edits_errors_and_fixes(serve_project: Any, page: Any) -> None:
    served = serve_project()
    article = served.project / ARTICLE
    page.goto(served.url("/articles/live-preview/"))
    connected(page)

    edit(article, "The first version", "The second version")
    shows(page, "The second version of the text.")
    connected(page)

    edit(article, "date: 2024-05-01", "date: [2024-05-01")
    box = page.locator("#memoria-build-errors")
    box.wait_for(timeout=10_000)
    assert re.search(rf"{ARTICLE}:\d+: ", box.inner_text()), box.inner_text()
    shows(page, "The second version of the text.")  # the last good page, under the errors
    connected(page)

    edit(article, "date: [2024-05-01", "date: 2024-05-01")
    box.wait_for(state="detached", timeout=10_000)
    shows(page, "The second version of the text.")


@pytest.mark.browser
def test_a_css_edit_applies_without_a_reload(serve_project: Any, page: Any) -> None:
    served = serve_project()
    navigations: list[str] = []
    page.goto(served.url("/articles/live-preview/"))
    connected(page)
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.evaluate("() => { window.beforeTheEdit = true; }")

    css = served.project / "assets" / "css" / "memoria.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { background-color: rgb(1, 2, 3) !important; }\n")
    page.wait_for_function(
        "() => getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'",
        timeout=10_000,
    )
    assert page.evaluate("() => window.beforeTheEdit") is True
    assert navigations == []


def test_a_model_replaced_by_a_full_build_is_freed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its articles, people and events refer to each other: the server collects it once the browsers are told."""
    import gc
    import weakref

    from livereload.handlers import LiveReloadHandler

    from memoria.pipeline import Options
    from memoria.server import Site, rebuilt

    monkeypatch.setattr(LiveReloadHandler, "reload_waiters", classmethod(lambda cls, path: None))
    project = copy_example(tmp_path / "site")
    site = Site(Options(project, project / "output", quiet=True, search=False))
    rebuilt(site, "")
    assert site.session.built is not None
    last = weakref.ref(site.session.built.archive.people[0])  # in a cycle: its articles name it
    article = sorted((project / "content/articles").rglob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8").replace('title: "', 'title: "Renamed ', 1), encoding="utf-8")
    # No collection of the collector's own (at 10,000 articles one came only after several builds): only the server's.
    gc.disable()
    try:
        rebuilt(site, article.relative_to(project).as_posix())
    finally:
        gc.enable()
    rebuilt_ok = site.session.built is not None
    freed = last() is None
    assert rebuilt_ok and freed  # (booleans: the model's repr is far too long to show)
