"""Files the generator keeps for itself under .memoria/: written atomically, read defensively."""

from __future__ import annotations

import glob
import os
import pickle
from pathlib import Path
from typing import Any


def load_pickle(path: Path, version: str) -> Any:
    """What `save_pickle` stored with the same version, or None (missing, damaged or older).

    The version is read first, on its own: what an older generator stored is never unpickled
    (the parse cache of 10,000 articles, read whole to be thrown away, made a build 120 MB larger).
    """
    try:
        with path.open("rb") as handle:
            if pickle.load(handle) != version:
                return None
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
        return None


def save_pickle(path: Path, version: str, value: Any, *more: Any) -> None:
    """Store a value (and `more` after it, each read by its own pickle.load); a killed build leaves the
    previous file whole.

    Builds of one project into different output folders may run at once and share these
    files: each writes its own temporary file, and the last one renamed into place wins whole.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            for item in (version, value, *more):
                pickle.dump(item, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)
    except BaseException:  # an error, or Ctrl-C: no half-written file left behind
        temporary.unlink(missing_ok=True)
        raise
    _remove_orphans(path)


def _remove_orphans(path: Path) -> None:
    """Temporary files of this one left by builds that were killed (their process is gone)."""
    for orphan in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        pid = orphan.name[len(path.name) + 1 : -len(".tmp")]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            orphan.unlink(missing_ok=True)
        except (PermissionError, OverflowError):  # alive under another user, or no such number
            continue
