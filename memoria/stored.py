"""Files the generator keeps for itself under .memoria/: written atomically, read defensively."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any


def load_pickle(path: Path, version: str) -> Any:
    """What `save_pickle` stored with the same version, or None (missing, damaged or older)."""
    try:
        with path.open("rb") as handle:
            stored_version, value = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
        return None
    return value if stored_version == version else None


def save_pickle(path: Path, version: str, value: Any) -> None:
    """Store a value; a killed build leaves the previous file whole.

    Builds of one project into different output folders may run at once and share these
    files: each writes its own temporary file, and the last one renamed into place wins whole.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        pickle.dump((version, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)
