"""The writer: a file with the previous build's bytes is kept, whatever its size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from memoria.writer import Writer


@pytest.mark.parametrize("size", [10, 3 * (1 << 20) + 5])  # a page; a data file larger than the compared pieces
def test_same_bytes_are_kept_and_any_difference_is_written(tmp_path: Path, size: int) -> None:
    previous = tmp_path / "output"
    previous.mkdir()
    data = os.urandom(size)
    (previous / "data.json").write_bytes(data)
    writer = Writer(tmp_path / "new", previous)
    assert writer.put("data.json", writer.claim("data.json", "test"), data) is False
    assert (tmp_path / "new" / "data.json").read_bytes() == data  # linked from the previous build
    changed = data[:-1] + bytes([data[-1] ^ 1])
    other = Writer(tmp_path / "other", previous)
    assert other.put("data.json", other.claim("data.json", "test"), changed) is True
    assert (tmp_path / "other" / "data.json").read_bytes() == changed
