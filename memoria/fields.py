"""Typed reads of front-matter fields, each problem recorded with its file and line."""

from __future__ import annotations

import difflib
import re
from typing import Any

from .errors import Problems
from .frontmatter import Document, escape

_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}
_NUMBER = re.compile("[0-9]{1,9}")  # ASCII digits only: "²" and "٣" pass str.isdigit(), and int() refuses "²"
# Words people write for a field under another name, for "did you mean".
_SYNONYMS = {
    "birth": "born", "birthdate": "born", "death": "died", "deathdate": "died", "alias": "aliases",
    "tag": "tags", "place": "places", "person": "people", "image": "images", "event": "events",
    "photograph": "photo", "picture": "photo", "description": "summary", "language": "lang",
}  # fmt: skip


class Fields:
    """Reads one document's fields; every problem goes to the shared collector."""

    def __init__(self, doc: Document, problems: Problems):
        self.doc = doc
        self.problems = problems

    def error(self, key: str, message: str) -> None:
        """Record an error at the line of `key`."""
        self.problems.error(self.doc.path, self.doc.line(key), message)

    def warn(self, key: str, message: str) -> None:
        """Record a warning at the line of `key`."""
        self.problems.warn(self.doc.path, self.doc.line(key), message)

    def has(self, key: str) -> bool:
        """True when the field is given and not empty."""
        value = self.doc.meta.get(key)
        return (value.strip() if isinstance(value, str) else value) not in (None, "", [], {})

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        """A one-line or multi-line text value; one of only spaces counts as not given."""
        value = self.doc.meta.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if required:
                self.error(key, f"'{key}' is required")
            return default
        if not isinstance(value, str):
            self.error(key, f"'{key}' must be text, not {describe(value)}")
            return default
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        """A yes/no value: true/false (yes/no and on/off are read too)."""
        value = self.doc.meta.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        self.error(key, f"'{key}' must be true or false, not {describe(value)}")
        return default

    def integer(self, key: str, default: int, low: int = 1, high: int = 100_000) -> int:
        """A whole number within bounds."""
        value = self.doc.meta.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, str) and _NUMBER.fullmatch(value.strip()) and low <= int(value) <= high:
            return int(value)
        self.error(key, f"'{key}' must be a whole number from {low} to {high}, not {describe(value)}")
        return default

    def items(self, key: str) -> list[tuple[str, Any]]:
        """A list field as (line key, item) pairs; a single value counts as a list of one."""
        value = self.doc.meta.get(key)
        if value is None or value == "":
            return []
        if isinstance(value, list):
            return [(f"{key}.{i}", item) for i, item in enumerate(value)]
        if isinstance(value, dict):
            self.error(key, f"'{key}' must be a list (`- item` lines or [a, b])")
            return []
        return [(key, value)]

    def text_list(self, key: str) -> list[str]:
        """A list of texts, empty ones dropped."""
        result = []
        for where, item in self.items(key):
            if isinstance(item, str):
                if item.strip():
                    result.append(item.strip())
            else:
                self.problems.error(
                    self.doc.path, self.doc.line(where), f"each of '{key}' must be text, not {describe(item)}"
                )
        return result

    def text_lines(self, key: str) -> dict[str, int]:
        """The line of each text of a list (as text_list gives it), where it is first written."""
        lines: dict[str, int] = {}
        for where, item in self.items(key):
            if isinstance(item, str) and item.strip():
                lines.setdefault(item.strip(), self.doc.line(where))
        return lines

    def sub_text(self, where: str, mapping: dict[str, Any], key: str) -> str:
        """A text inside a nested mapping (a `people` item's `role`): '' when absent, an error when not text."""
        value = mapping.get(key)
        if value is None or isinstance(value, str):
            return sub_text(mapping, key)
        self.error(f"{where}.{key}", f"'{key}' of '{where.split('.')[0]}' must be text, not {describe(value)}")
        return ""

    def mapping(self, key: str) -> dict[str, Any]:
        """A nested mapping such as `source`."""
        value = self.doc.meta.get(key)
        if value is None or value == "":
            return {}
        if not isinstance(value, dict):
            self.error(key, f"'{key}' must be a mapping ({{name: ..., url: ...}}), not {describe(value)}")
            return {}
        return value

    def check_known(self, known: frozenset[str], kind: str) -> None:
        """Warn about fields this kind of file does not have, with a likely intended name."""
        words = {name: name for name in known} | {k: v for k, v in _SYNONYMS.items() if v in known}
        for key in self.doc.meta:
            if key not in known:
                close = difflib.get_close_matches(str(key).lower(), sorted(words), n=1)
                hint = f"; did you mean '{words[close[0]]}'?" if close else ""
                self.warn(str(key), f"unknown field '{escape(str(key))}' for {kind}{hint}")


def describe(value: Any) -> str:
    """How a wrong value looks to the person who wrote it."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f'"{escape(value)}"' if isinstance(value, str) else type(value).__name__


def sub_text(mapping: dict[str, Any], key: str) -> str:
    """A text inside a nested mapping, '' when absent or not text."""
    value = mapping.get(key)
    return value.strip() if isinstance(value, str) else ""
