"""The part of CBOR (RFC 8949) that Pagefind's index files use: numbers, text, bytes, arrays, maps.

Enough to read a file and write it back byte for byte (definite lengths, shortest
heads, as Pagefind writes them), so that search.py can put Pagefind's filters in a
fixed order.
"""

from __future__ import annotations

from typing import Any

_SIMPLE = {20: False, 21: True, 22: None}


class CBORError(ValueError):
    """Bytes that are not the CBOR this module reads."""


def loads(data: bytes) -> Any:
    """The one value that `data` holds."""
    value, end = _read(data, 0)
    if end != len(data):
        raise CBORError(f"{len(data) - end} bytes after the value")
    return value


def dumps(value: Any) -> bytes:
    """A value as CBOR, each head in its shortest form."""
    out = bytearray()
    _write(value, out)
    return bytes(out)


def _read(data: bytes, at: int) -> tuple[Any, int]:
    try:
        first = data[at]
    except IndexError:
        raise CBORError("the data ends inside a value") from None
    major, info, at = first >> 5, first & 31, at + 1
    if major == 7:
        if info not in _SIMPLE:
            raise CBORError(f"unsupported simple value {info}")
        return _SIMPLE[info], at
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg, at = int.from_bytes(data[at : at + size], "big"), at + size
    else:
        raise CBORError(f"unsupported length {info} (indefinite lengths are not read)")
    if major == 0:
        return arg, at
    if major == 1:
        return -1 - arg, at
    if major in (2, 3):
        chunk = data[at : at + arg]
        if len(chunk) != arg:
            raise CBORError("the data ends inside a string")
        if major == 2:
            return bytes(chunk), at + arg
        try:
            return chunk.decode("utf-8"), at + arg
        except UnicodeDecodeError:
            raise CBORError("text that is not UTF-8") from None
    if major == 4:
        items = []
        for _ in range(arg):
            item, at = _read(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(arg):
            key, at = _read(data, at)
            mapping[key], at = _read(data, at)
        return mapping, at
    raise CBORError(f"unsupported major type {major}")


def _head(major: int, arg: int, out: bytearray) -> None:
    if arg < 24:
        out.append(major << 5 | arg)
        return
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            out.append(major << 5 | info)
            out += arg.to_bytes(size, "big")
            return
    raise CBORError(f"number too large: {arg}")


def _write(value: Any, out: bytearray) -> None:
    if value is False or value is True or value is None:
        out.append(0xE0 | {False: 20, True: 21, None: 22}[value])
    elif isinstance(value, int) and value >= 0:
        _head(0, value, out)
    elif isinstance(value, int):
        _head(1, -1 - value, out)
    elif isinstance(value, str):
        encoded = value.encode("utf-8")
        _head(3, len(encoded), out)
        out += encoded
    elif isinstance(value, bytes):
        _head(2, len(value), out)
        out += value
    elif isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            _write(item, out)
    elif isinstance(value, dict):
        _head(5, len(value), out)
        for key, item in value.items():
            _write(key, out)
            _write(item, out)
    else:
        raise CBORError(f"cannot write {type(value).__name__}")
