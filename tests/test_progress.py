"""Progress: drawn on a terminal for long work, silent in CI, in pipes and for short work."""

from __future__ import annotations

import io

import pytest

from memoria.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def on_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    # Patched inside each test: pytest swaps sys.stderr itself between a fixture and the test.
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.delenv("CI", raising=False)
    return screen


def test_long_work_on_a_terminal_shows_and_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = on_terminal(monkeypatch)
    progress = Progress("rendering", 500)
    progress.step(100)
    progress.done()
    assert terminal.getvalue() == "\rrendering 100/500\r\x1b[K"


@pytest.mark.parametrize(("total", "quiet", "ci"), [(50, False, False), (500, True, False), (500, False, True)])
def test_silent_when_short_quiet_or_ci(monkeypatch: pytest.MonkeyPatch, total: int, quiet: bool, ci: bool) -> None:
    terminal = on_terminal(monkeypatch)
    if ci:
        monkeypatch.setenv("CI", "true")
    progress = Progress("rendering", total, quiet=quiet)
    progress.step(total)
    progress.done()
    assert terminal.getvalue() == ""


def test_silent_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    monkeypatch.delenv("CI", raising=False)
    progress = Progress("rendering", 500)
    progress.step(500)
    progress.done()
    assert pipe.getvalue() == ""
