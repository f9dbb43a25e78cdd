"""Front matter: splitting, YAML with lines, and every way a file can be broken."""

from __future__ import annotations

import pytest

from memoria.errors import SourceError
from memoria.frontmatter import decode, parse_document


def parse(text: str | bytes):  # type: ignore[no-untyped-def]
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_document("content/x.md", data)


def error_of(text: str | bytes) -> str:
    with pytest.raises(SourceError) as caught:
        parse(text)
    return str(caught.value)


def test_fields_body_and_lines() -> None:
    doc = parse("---\ntitle: A\ndate: 2023-02-25\npeople:\n  - a\n  - {name: B, role: c}\n---\n\nBody text\n")
    assert doc.meta == {"title": "A", "date": "2023-02-25", "people": ["a", {"name": "B", "role": "c"}]}
    assert doc.body == "\nBody text\n"
    assert doc.body_line == 8
    assert doc.line("title") == 2
    assert doc.line("people.1") == 6
    assert doc.line("missing") == 1


def test_plain_scalars_stay_text_as_written() -> None:
    doc = parse("---\ntitle: 1992\nlang: no\nplace: 10:30\ntags: [yes, on]\nempty:\n---\n")
    assert doc.meta == {"title": "1992", "lang": "no", "place": "10:30", "tags": ["yes", "on"], "empty": ""}


def test_bom_and_crlf_read_as_if_absent() -> None:
    doc = parse(b"\xef\xbb\xbf---\r\ntitle: A\r\n---\r\nBody\r\n")
    assert doc.meta == {"title": "A"}
    assert doc.body == "Body\n"


def test_body_may_contain_a_rule_line() -> None:
    doc = parse("---\ntitle: A\n---\nOne\n\n---\n\nTwo\n")
    assert doc.meta == {"title": "A"}
    assert "Two" in doc.body


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: A\n", "content/x.md:1: no front matter: the file must start with a '---' line"),
        ("---\ntitle: A\n", "content/x.md:1: front matter is not closed: add a '---' line after the fields"),
        ("---\ntitle: A\ntitle: B\n---\n", "content/x.md:3: 'title' is given twice (lines 2 and 3)"),
        (
            "---\ntitle: [unclosed\ndate: 2023-01-01\n---\n",
            "content/x.md:3: invalid YAML: did not find expected ',' or ']'",
        ),
        ("---\n- a\n- b\n---\n", "content/x.md:2: front matter must be a mapping of fields (`key: value` lines)"),
        (
            "---\ntitle: A\nx: !!python/object/apply:os.system [echo pwned]\n---\n",
            "content/x.md:3: invalid YAML: tag '!!python/object/apply:os.system' is not allowed; only plain YAML values are",
        ),
    ],
)
def test_broken_front_matter(text: str, message: str) -> None:
    assert error_of(text) == message


def test_python_tags_never_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "ran"
    text = f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    error_of(text)
    assert not marker.exists()


def test_invalid_utf8_names_its_line() -> None:
    assert error_of(b"---\ntitle: A\nsummary: caf\xe9\n---\n") == (
        "content/x.md:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    )


def test_alias_bomb_is_refused() -> None:
    lines = ["---", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for name, prev in zip("bcdefg", "abcdef", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    message = error_of("\n".join([*lines, "---", ""]))
    assert "too large" in message


def test_decode_keeps_plain_text() -> None:
    assert decode("a.md", "Şuşa\n".encode()) == "Şuşa\n"
