"""The small CBOR reader and writer for Pagefind's files: what it reads, it writes back byte for byte."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memoria import cbor

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text() | st.binary(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "00"),
        (23, "17"),
        (24, "1818"),
        (255, "18ff"),
        (256, "190100"),
        (2**32, "1b0000000100000000"),
        (-1, "20"),
        (-25, "3818"),
        ("Kind", "644b696e64"),
        ("ə", "62c999"),
        ([1, [2, 3]], "8201820203"),
        ({"a": 1}, "a1616101"),
        (b"\x01", "4101"),
        (True, "f5"),
        (None, "f6"),
    ],
)
def test_known_encodings(value: Any, encoded: str) -> None:
    assert cbor.dumps(value).hex() == encoded
    assert cbor.loads(bytes.fromhex(encoded)) == value


@given(VALUES)
def test_what_is_written_reads_back(value: Any) -> None:
    data = cbor.dumps(value)
    assert cbor.loads(data) == value
    assert cbor.dumps(cbor.loads(data)) == data


@pytest.mark.parametrize("data", ["", "82", "6261", "61ff", "1f", "9f", "f8", "0000", "1c"])
def test_what_it_cannot_read_is_an_error(data: str) -> None:
    with pytest.raises(cbor.CBORError):
        cbor.loads(bytes.fromhex(data))
