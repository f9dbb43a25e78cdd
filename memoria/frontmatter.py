"""Split a content file into YAML front matter and a Markdown body, keeping line numbers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml

from .errors import FileErrors, SourceError

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# C0 controls but tab and line ends, DEL, C1 controls, and the non-characters U+FFFE/U+FFFF:
# invisible in a page, invalid in HTML, and they make feed.xml not well-formed XML.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


class TextLoader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML loader that keeps every plain scalar as the text written.

    `lang: no`, `title: 1992` and `place: 10:30` stay strings; the model parses
    dates, numbers and booleans itself, where a field expects one.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, Any]] = {}


@dataclass
class Document:
    """One content file: its front matter, its Markdown body and where things are."""

    path: str
    meta: dict[str, Any]
    body: str
    body_line: int
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, key: str) -> int:
        """The line of a field, list item or nested key ('people.0.role'), else of what holds it."""
        while key not in self.lines and "." in key:
            key = key.rsplit(".", 1)[0]
        return self.lines.get(key, 1)


def escape(text: str) -> str:
    """Text as a message quotes it: on one line, with line ends, control characters and whatever else does
    not print (U+2028, a right-to-left override) escaped, as json.dumps leaves some of them."""
    text = json.dumps(text, ensure_ascii=False)[1:-1]
    return "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text)


def _refused(path: str, line: int, char: str) -> SourceError:
    kind = "non-character" if char in "\ufffe\uffff" else "control character"
    return SourceError(path, line, f"{kind} U+{ord(char):04X} is not allowed")


def decode(path: str, data: bytes) -> str:
    """Bytes to text: UTF-8, a BOM dropped, CRLF and CR read as LF."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SourceError(
            path, line, f"not valid UTF-8 (byte 0x{data[err.start]:02x}); save the file as UTF-8"
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = NOT_TEXT.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        if found[0] == "\x00":
            raise SourceError(path, line, "contains a NUL character; is this a text file?")
        raise _refused(path, line, found[0])
    return text


def split_front_matter(path: str, text: str) -> tuple[str, str, int]:
    """Return (yaml text, body, body's first line number)."""
    if not text.startswith("---") or text[:4].rstrip("\n -") or text.split("\n", 1)[0].strip() != "---":
        raise SourceError(path, 1, "no front matter: the file must start with a '---' line")
    end = text.find("\n---", 3)
    while end != -1:
        after = text.find("\n", end + 1)
        closing = text[end + 1 : after if after != -1 else len(text)]
        if closing.rstrip() == "---":
            break
        end = text.find("\n---", end + 1)
    if end == -1:
        raise SourceError(path, 1, "front matter is not closed: add a '---' line after the fields")
    head = text[text.index("\n") + 1 : end + 1]
    rest = text[end + 1 :]
    newline = rest.find("\n")
    body = rest[newline + 1 :] if newline != -1 else ""
    body_line = head.count("\n") + 3
    return head, body, body_line


def parse_yaml(path: str, head: str, first_line: int = 2) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse front matter YAML into a mapping and the line of each field and list item."""
    loader = TextLoader(head)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        _check_node(path, node, first_line)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = err.problem or err.context or "cannot be read"
        if "could not determine a constructor" in str(problem) or "constructor" in str(err):
            problem = f"tag {_tag_of(err)} is not allowed; only plain YAML values are"
        raise SourceError(path, line, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as err:
        # A character YAML refuses: the reader gives its offset (in bytes, from libyaml), so find it.
        char = chr(err.character) if isinstance(err.character, int) else str(err.character)
        at = head.find(char)
        raise _refused(path, first_line + head.count("\n", 0, max(at, 0)), char) from None
    except yaml.YAMLError as err:
        raise SourceError(path, first_line, f"invalid YAML: {' '.join(str(err).split())}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SourceError(path, first_line, "front matter must be a mapping of fields (`key: value` lines)")
    return data, _field_lines(node, first_line)


def _tag_of(err: yaml.MarkedYAMLError) -> str:
    words = str(err.problem or "").split()
    tags = [w for w in words if w.startswith("'!") or w.startswith("'tag:")]
    tag = tags[0].strip("'") if tags else "!"
    return "'" + tag.replace("tag:yaml.org,2002:", "!!") + "'"


_MAX_NODES = 100_000


def _check_node(path: str, root: yaml.Node, first_line: int) -> None:
    """Refuse repeated keys, control characters (a YAML escape such as "\\0") and runaway alias
    expansion, before anything is built."""
    stack = [root]
    seen: set[int] = set()
    count = 0
    found: list[SourceError] = []  # every repeated key and refused character, reported together
    while stack:
        node = stack.pop()
        count += 1
        if count > _MAX_NODES:
            raise SourceError(path, first_line, "front matter is too large (aliases expand past 100,000 values)")
        if isinstance(node, yaml.ScalarNode):
            _check_text(path, node, first_line, found)
        elif isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    _check_text(path, key, first_line, found)
                    line = first_line + key.start_mark.line
                    if key.value in keys:
                        message = f"'{escape(key.value)}' is given twice (lines {keys[key.value]} and {line})"
                        found.append(SourceError(path, line, message))
                    keys[key.value] = line
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        if id(node) in seen and not isinstance(node, yaml.ScalarNode):
            continue
        seen.add(id(node))
    unique = sorted(set(found))  # a value an alias repeats is found once
    if len(unique) == 1:
        raise unique[0]
    if unique:
        raise FileErrors(unique)


def _check_text(path: str, node: yaml.ScalarNode, first_line: int, found: list[SourceError]) -> None:
    refused = NOT_TEXT.search(node.value)
    if refused:
        found.append(_refused(path, first_line + node.start_mark.line, refused[0]))


def _field_lines(node: yaml.Node, first_line: int) -> dict[str, int]:
    lines: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        name = str(key.value)
        lines[name] = first_line + key.start_mark.line
        if isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                lines[f"{name}.{i}"] = first_line + item.start_mark.line
                if isinstance(item, yaml.MappingNode):  # a `people` item's `role`, an event's `place`
                    for sub, _ in item.value:
                        lines[f"{name}.{i}.{sub.value}"] = first_line + sub.start_mark.line
        elif isinstance(value, yaml.MappingNode):
            for sub, _ in value.value:
                lines[f"{name}.{sub.value}"] = first_line + sub.start_mark.line
    return lines


def parse_document(path: str, data: bytes) -> Document:
    """Read one content file's bytes into a Document (raises SourceError)."""
    text = decode(path, data)
    head, body, body_line = split_front_matter(path, text)
    meta, lines = parse_yaml(path, head)
    return Document(path, meta, body, body_line, lines)
