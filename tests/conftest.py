"""Shared fixtures: small sites made in tmp_path, and the real command line."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
MINIMAL_CONFIG = "title: Test Archive\nbase_url: /\nlanguage: en\n"

# The modules that take longest, run first: each worker (pytest-xdist --dist loadfile) takes whole
# modules in this order, and a long one left for last would keep one core busy while the other idles.
LONGEST_FIRST = [
    "test_incremental",
    "test_browser",
    "test_search_shards",
    "test_kill",
    "test_search",
    "test_languages",
    "test_hostile_setup",
    "test_xss",
    "test_patch",
    "test_bad_input",
    "test_build",
    "test_server",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.stem
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the tests of a module keep their order


def make_site(root: Path, files: dict[str, str | bytes], config: str = MINIMAL_CONFIG, theme: bool = True) -> Path:
    """Write a project: site.yaml, the given files (dedented text or raw bytes) and the default theme."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(config, encoding="utf-8")
    if theme:
        shutil.copytree(REPO / "layouts", root / "layouts")
        shutil.copytree(REPO / "assets", root / "assets")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def jpeg(width: int = 640, height: int = 480, color: str = "steelblue") -> bytes:
    """A small real photograph-like JPEG, for content that shows images."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(image).ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill="white")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def copy_example(root: Path) -> Path:
    """A copy of the example archive that ships with the project."""
    for name in ("content", "layouts", "assets"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    return root


@dataclass
class Run:
    """What a command-line run printed and returned."""

    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        """The problem lines (path:line: message) printed on stderr."""
        return [line for line in self.err.splitlines() if not line.startswith(("build failed", "check failed"))]


def run_cli(project: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """Run `python build.py ARGS --project PROJECT` as a user would."""
    full_env = {**os.environ, "CI": "true", **(env or {})}
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args, "--project", str(project)],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=project,
        timeout=300,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below a folder with its bytes and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's, launched as this machine needs), once for each test module."""
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require

    require("chromium", "playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A factory for small sites in tmp_path."""

    def factory(files: dict[str, str | bytes], config: str = MINIMAL_CONFIG) -> Path:
        return make_site(tmp_path / "site", files, config)

    return factory
