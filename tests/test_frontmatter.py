"""Front matter: splitting, YAML with lines, and every way a file can be broken."""

from __future__ import annotations

import pytest

from memoria.errors import SourceError
from memoria.frontmatter import decode, escape, parse_document, parse_yaml


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


@pytest.mark.parametrize("char", ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b"])
def test_raw_control_character_is_refused_at_its_line(char: str) -> None:
    code = f"U+{ord(char):04X}"
    assert error_of(f"---\ntitle: A\n---\nOne\n\nTwo {char} three\n") == (
        f"content/x.md:6: control character {code} is not allowed"
    )
    assert (
        error_of(f"---\ntitle: A\nsummary: a{char}b\n---\n")
        == f"content/x.md:3: control character {code} is not allowed"
    )


def test_raw_non_character_is_refused() -> None:
    assert error_of("---\ntitle: A\n---\n\nx \ufffe\n") == "content/x.md:5: non-character U+FFFE is not allowed"


def test_raw_nul_keeps_its_message() -> None:
    assert (
        error_of(b"---\ntitle: A\n---\nab\x00c\n") == "content/x.md:4: contains a NUL character; is this a text file?"
    )


def test_tab_and_line_ends_are_text() -> None:
    doc = parse('---\ntitle: "a\\tb"\n---\nOne\ttwo\r\nthree\n')
    assert doc.meta == {"title": "a\tb"}
    assert doc.body == "One\ttwo\nthree\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('---\ntitle: "a\\x01b"\n---\n', "content/x.md:2: control character U+0001 is not allowed"),
        ('---\ntitle: A\nsummary: "\\0"\n---\n', "content/x.md:3: control character U+0000 is not allowed"),
        (
            '---\ntitle: A\ntags:\n  - a\n  - "\\e[31m"\n---\n',
            "content/x.md:5: control character U+001B is not allowed",
        ),
        (
            '---\ntitle: A\npeople: [{name: B, role: "\\x85"}]\n---\n',
            "content/x.md:3: control character U+0085 is not allowed",
        ),
        ('---\ntitle: A\n"a\\x07": b\n---\n', "content/x.md:3: control character U+0007 is not allowed"),
        ('---\ntitle: "\\uFFFF"\n---\n', "content/x.md:2: non-character U+FFFF is not allowed"),
    ],
)
def test_control_character_from_a_yaml_escape_is_refused_at_its_line(text: str, message: str) -> None:
    assert error_of(text) == message


def test_yaml_reader_error_is_one_line_at_the_character() -> None:
    # decode() refuses these first; parse_yaml alone must still name the right line, in one line.
    with pytest.raises(SourceError) as caught:
        parse_yaml("site.yaml", 'title: é\ndate: 2023\ntags: ["a\x1bb"]\n', first_line=1)
    assert str(caught.value) == "site.yaml:3: control character U+001B is not allowed"


def test_repeated_key_is_quoted_on_one_line() -> None:
    assert error_of('---\n"a\\nb": 1\n"a\\nb": 2\n---\n') == "content/x.md:3: 'a\\nb' is given twice (lines 2 and 3)"


def test_escape_keeps_a_message_on_one_line() -> None:
    assert escape('say "hi"\n\tthen\u2028go\\') == 'say \\"hi\\"\\n\\tthen\\u2028go\\\\'
    assert escape("Şuşa") == "Şuşa"


def test_nested_keys_have_their_own_line() -> None:
    doc = parse("---\ntitle: A\npeople:\n  - name: B\n    role: c\nsource:\n  name: S\n---\n")
    assert doc.line("people.0") == 4
    assert doc.line("people.0.role") == 5
    assert doc.line("people.0.other") == 4
    assert doc.line("source.name") == 7
    assert doc.line("source.url") == 6


def test_every_repeated_key_and_refused_character_of_a_file_is_reported_at_once() -> None:
    import pickle

    from memoria.errors import FileErrors, SourceError, every

    text = b'---\ntitle: A\ntitle: B\nsummary: "x\\u0001"\ntags: [a]\ntags: ["\\u0002"]\n---\n'
    with pytest.raises(FileErrors) as caught:
        parse_document("content/x.md", text)
    errors = every(caught.value)
    assert [str(e) for e in errors] == [
        "content/x.md:3: 'title' is given twice (lines 2 and 3)",
        "content/x.md:4: control character U+0001 is not allowed",
        "content/x.md:6: 'tags' is given twice (lines 5 and 6)",
        "content/x.md:6: control character U+0002 is not allowed",
    ]
    # It stands for its first problem, and crosses from a worker process whole.
    assert isinstance(caught.value, SourceError) and str(caught.value) == str(errors[0])
    assert every(pickle.loads(pickle.dumps(caught.value))) == errors
