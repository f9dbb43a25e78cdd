"""Smart punctuation: memoria.typography gives what Python-Markdown's smarty gives, after the sanitiser."""

from __future__ import annotations

import markdown
import pytest

from memoria.markup import EXTENSIONS, Renderer, _heading_id, sanitise
from memoria.typography import educate

# Each a case smarty's rules treat specially: nested quotes, decades, quotes at the start of a node,
# next to tags, code, raw HTML, entities and escapes, in headings (ids), tables, lists and footnotes.
CASES = [
    "'Twas the night -- before ... \"Christmas\" in the '80s.",
    "He said, \"'Quoted' words in a larger quote.\"",
    '## It\'s "a" heading -- yes\n\ntext',
    "'\"Hi\"'",
    "\"'\"'\"'",
    'a\'\'b ""x"" \'\' ""',
    "Don't `don't` \"code\" 'x'",
    '<span>"raw"</span> \'y\' &nbsp;"z" &mdash;\'w\' --"v"',
    "dots.... .. ... ....",
    "x---y----z--w",
    "'s 'tis '90s '9s",
    "\\\"escaped\\\" \\'x\\'",
    '*"em"* **\'b\'** ["link"](/a "t\'i\\"tle")',
    "| a | \"b\" |\n|---|---|\n| 'c' | d--e |",
    "Term\n: \"def\" 'x'\n",
    'Foo[^1] "bar"\n\n[^1]: \'note\' -- "x"',
    "*[HTML]: Hyper 'Text'\n\nThe HTML \"spec\"",
    '<div markdown="1">"in" \'div\'</div>',
    "```\n\"fenced\" 'x' -- ...\n```",
    "    'indented' \"code\"",
    '"\'a\'" \'"b"\' "a\'" \'b"',
    'x \u00a0"y" \u2013"z" \u2014\'w\'',
    "&#8211;\"a\" &ndash;'b'",
    "- 'one'\n- \"two\" -- three...\n",
    "> \"Quoted\" -- 'them'\n",
    "'",
    '"',
    "''",
    '""',
    "Əliyev's \"Şəki\" — «Баку» 'Гянджа'",
]


@pytest.fixture(scope="module")
def smarty() -> markdown.Markdown:
    config = {"toc": {"slugify": _heading_id}, "smarty": {"smart_angled_quotes": False}}
    return markdown.Markdown(extensions=[*EXTENSIONS, "smarty"], extension_configs=config, output_format="html")


@pytest.mark.parametrize("text", CASES)
def test_same_html_as_smarty(text: str, smarty: markdown.Markdown) -> None:
    assert Renderer().render(text) == sanitise(smarty.reset().convert(text))


def test_educates_quotes_dashes_and_ellipses() -> None:
    assert educate("\"It's\" -- the '80s --- over...") == "\u201cIt\u2019s\u201d \u2013 the \u201980s \u2014 over\u2026"


def test_text_without_marks_is_returned_as_it_is() -> None:
    text = "Plain words, nothing to change"
    assert educate(text) is text


def test_other_placeholders_are_left_alone() -> None:
    # Python-Markdown's own placeholders (raw HTML, escapes) pass through untouched.
    text = "\x02klzzwxh:0001\x03'a' \x0239\x03"
    assert educate(text) == "\x02klzzwxh:0001\x03\u2018a\u2019 \x0239\x03"
