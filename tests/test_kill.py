"""A build killed at any moment leaves the old site or the new one, and the next build succeeds."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from memoria.outputdir import recover
from tests.conftest import REPO, run_cli

CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "site"
    subprocess.run([sys.executable, str(CORPUS), "--articles", "120", str(folder)], check=True, capture_output=True)
    shutil.copytree(REPO / "layouts", folder / "layouts")
    shutil.copytree(REPO / "assets", folder / "assets")
    return folder


def change_config(project: Path) -> None:
    path = project / "site.yaml"
    path.write_text(path.read_text() + "footer: changed\n")


def change_articles(project: Path) -> None:
    for path in sorted((project / "content/articles").rglob("*.md"))[:20]:
        path.write_text(path.read_text().replace('title: "', 'title: "Changed ', 1))


@pytest.fixture(scope="module", params=[change_config, change_articles], ids=["full build", "incremental build"])
def changed(request: pytest.FixtureRequest, corpus: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A project built, then changed (not built again); its output before the change and a clean build's after."""
    folder = tmp_path_factory.mktemp("changed")
    project = folder / "project"
    shutil.copytree(corpus, project)
    assert run_cli(project).code == 0
    old = files_of(project / "output")
    request.param(project)
    expected = folder / "expected"
    shutil.copytree(project, expected, ignore=shutil.ignore_patterns("output", ".memoria", ".output*"))
    assert run_cli(expected).code == 0
    return project, old, files_of(expected / "output")


@pytest.mark.slow
def test_sigkill_leaves_old_or_new(tmp_path: Path, changed) -> None:  # type: ignore[no-untyped-def]
    built, old, new = changed
    rng = random.Random(2023)
    for attempt in range(3):
        project = tmp_path / f"run{attempt}"
        shutil.copytree(built, project, symlinks=True)
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--quiet", "--project", str(project)])
        time.sleep(rng.uniform(0.05, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        elapsed = time.monotonic() - started
        transaction = project / ".output.memoria-txn"
        if (transaction / "journal.json").is_file():
            recover(project / "output")  # a committed update is finished first by whoever opens the folder
        now = files_of(project / "output")
        assert now in (old, new), f"a mix after a kill at {elapsed:.2f}s"
        assert run_cli(project).code == 0
        assert files_of(project / "output") == new
