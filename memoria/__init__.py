"""Memoria: a static site generator for memorial archives."""

import hashlib
from pathlib import Path

__version__ = "0.1.0"


def _generator() -> str:
    """The version and a hash of the code, file by file: what the build's state and caches are kept
    for. A change of the code without a new version must not reuse what the older code made."""
    digest = hashlib.blake2b(digest_size=8)
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return f"{__version__}+{digest.hexdigest()}"


GENERATOR = _generator()
