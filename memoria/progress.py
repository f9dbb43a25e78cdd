"""Progress for long work on a terminal; silent in CI and in pipes."""

from __future__ import annotations

import os
import sys
import time


class Progress:
    """A one-line counter redrawn at most ten times a second."""

    def __init__(self, label: str, total: int, quiet: bool = False, minimum: int = 200):
        self.label = label
        self.total = total
        self.count = 0
        self.shown = 0.0
        self.active = not quiet and total >= minimum and sys.stderr.isatty() and not os.environ.get("CI")

    def step(self, n: int = 1) -> None:
        """Count n items done."""
        self.count += n
        if self.active and time.monotonic() - self.shown > 0.1:
            self.shown = time.monotonic()
            sys.stderr.write(f"\r{self.label} {self.count}/{self.total}")
            sys.stderr.flush()

    def done(self) -> None:
        """Clear the line (and say no more)."""
        if self.active:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.active = False
