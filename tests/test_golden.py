"""Golden output: the example archive, built, compared file by file with tests/golden/example/.

The search index's bytes follow the order in which Pagefind finds the pages: with room in /dev/shm
(see memoria/indexer.py), the order they were made in; elsewhere, that of the file system.

Regenerate after an intended change of the theme or the content:
    MEMORIA_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from tests.conftest import copy_example, run_cli

GOLDEN = Path(__file__).parent / "golden" / "example"


def test_example_archive_matches_golden(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "example")
    run = run_cli(project, "--base-url", "https://example.org/archive/")
    assert run.code == 0, run.err
    built = project / "output"
    if os.environ.get("MEMORIA_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(built, GOLDEN)
    expected = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    actual = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    assert actual == expected
    for rel in expected:
        want, got = (GOLDEN / rel).read_bytes(), (built / rel).read_bytes()
        if want != got:
            diff = difflib.unified_diff(
                want.decode(errors="replace").splitlines(),
                got.decode(errors="replace").splitlines(),
                f"golden/{rel}",
                f"built/{rel}",
                lineterm="",
            )
            raise AssertionError("\n".join(list(diff)[:80]))
