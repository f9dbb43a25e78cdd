"""memoria.mdguard: Python-Markdown's scans bounded on hostile text, and the same HTML on any other."""

from __future__ import annotations

import itertools
import re
from typing import Any

import markdown.htmlparser
import pytest
from markdown import inlinepatterns
from markdown.extensions import md_in_html
from markdown.treeprocessors import InlineProcessor

from memoria import mdguard
from memoria.markup import MAX_DEPTH, Renderer
from memoria.mdguard import Unrenderable
from memoria.typography import _educate, educate


def stock_renderer() -> Renderer:
    """A Renderer with Python-Markdown's own inline processor, link scans, footnote marks and HTML parser."""
    renderer = Renderer()
    md = renderer._md
    md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    md.preprocessors.register(md_in_html.HtmlBlockPreprocessor(md), "html_block", 20)
    vars(md.parser).pop("parseBlocks")
    for processor in md.parser.blockprocessors:
        vars(processor).pop("test", None)
    for pattern in md.inlinePatterns:
        vars(pattern).pop("getText", None)
        vars(pattern).pop("getLink", None)
        if type(pattern).__name__ == "FootnoteInlineProcessor":
            pattern.compiled_re = re.compile(pattern.pattern, re.DOTALL | re.UNICODE)
    return renderer


LINKS = [
    '[a [nested] text](/x) and [b](/y \'title\') and [c](/z "t") and [d](<a b> "t")',
    '[paren](/a(b)c) [quote](/a"b) [backtracked](/b "c) and (more) text',
    "[unclosed text and [a](/closed) [b](unclosed and [c][r] [r]\n\n[r]: /ref",
    '![img](/a.png "t") ![unclosed](/b.png and ![ref][r] ![r]\n\n[r]: /r.png',
    "Notes[^1] [^a] [^ [^1 and [^unclosed\n\n[^1]: One.\n[^a]: A.",
    "<a href=\"/x\">tag</a> <a b c and </a and </b> <span>x</span> <a title='q>x'>y</a>",
    "<div>\nblock\n</div>\n\ntext <a no end and </no end",
    '<div markdown="1">*em*</div>\n\n<!-- comment --> <? pi ?> <!DOCTYPE x> <![CDATA[ y ]]>',
]


BLOCKS = [
    "# Title\n\nPara one.\n\n> quote\n>\n> > deeper\n\n- a\n- b\n\n    - c\n\n1. one\n2. two\n\n---\n\n    code\n",
    "Text[^1] and[^2].\n\n[^1]: One\n    continued\n\n    second block\n[^2]: Two.\n\nAfter.",
    "Term\n:   Definition\n\n    more\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n*[A]: Abbr",
    '<div markdown="1">\n*em*\n\n- item\n</div>\n\n<section>\n<p>raw</p>\n</section>\n\nA para {: .lead }',
    "- a\n\n    para in item\n\n        code in item\n\n- b\n    > quote in item\n\n" * 3,
]


@pytest.mark.parametrize("text", LINKS + BLOCKS)
def test_the_same_html_as_python_markdown_within_the_budget(text: str) -> None:
    assert Renderer().render(text) == stock_renderer().render(text)


@pytest.mark.parametrize("unit", ["[", "[a](", "[[]", "![", "[a][", "[^", "<a ", "</a ", '<a b="', "<!--"])
def test_hostile_text_renders_as_python_markdown_renders_it(unit: str) -> None:
    """Past the budget, marks whose end lies beyond NEAR are text; these have no end at all."""
    text = unit * 400 + " [ok](/x) *em*"
    assert Renderer().render(text) == stock_renderer().render(text)


class _Reads:
    """Counts the characters Python-Markdown's link scans read, as the budget counts them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        get_text, get_link = inlinepatterns.LinkInlineProcessor.getText, inlinepatterns.LinkInlineProcessor.getLink

        def counted_text(pattern: Any, data: str, index: int) -> Any:
            result = get_text(pattern, data, index)
            self.count += result[1] - index
            return result

        def counted_link(pattern: Any, data: str, index: int) -> Any:
            result = get_link(pattern, data, index)
            self.count += len(data) - index if not result[3] else result[2] - index
            return result

        monkeypatch.setattr(inlinepatterns.LinkInlineProcessor, "getText", counted_text)
        monkeypatch.setattr(inlinepatterns.LinkInlineProcessor, "getLink", counted_link)


@pytest.mark.parametrize("unit", ["[", "[a](", "[[]", "![a](", "[a]["])
def test_link_scans_read_at_most_the_budget_and_a_near_look_each(unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _Reads(monkeypatch)
    text = unit * 6000
    Renderer().render(text)
    budget = 8 * len(text) + 65536
    # Python-Markdown's scans would read about 3 × n²/2 characters here (over 50 million): they read the
    # budget whole, then the budget again within windows; past both, a link is looked for by str.find
    # and read only when it is found there.
    assert 0 < reads.count <= 2 * budget + 2 * len(text) + 2 * mdguard.NEAR_LINK


def test_a_link_past_the_budget_is_found_near_its_bracket() -> None:
    text = "[" * 3000 + " [found](/x) ![img](/i.png) [titled](/t 'title') [far](" + "x" * 3000 + ")"
    rendered = Renderer().render(text)
    assert '<a href="/x">found</a>' in rendered
    assert '<img alt="img" src="/i.png">' in rendered
    assert "[titled](/t" in rendered  # a quote: not looked for past the budget
    assert "[far](" in rendered  # its ) is more than NEAR_LINK characters on


def test_a_tag_where_no_angle_bracket_follows_is_looked_for_within_an_allowance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    base = markdown.htmlparser.htmlparser.HTMLParser  # Python-Markdown's own copy of html.parser
    check = base.check_for_whole_start_tag

    def counted(parser: Any, i: int) -> Any:
        calls.append(i)
        return check(parser, i)

    monkeypatch.setattr(base, "check_for_whole_start_tag", counted)
    text = "<b>x</b> " + "<zz " * 2000
    assert Renderer().render(text) == stock_renderer().render(text)
    calls.clear()
    Renderer().render(text)
    assert 1 < len(calls) < 100  # the <b>, and the first <zz until the allowance is spent


REVIEWED = [
    # a footnote mark read to the first `]`, as Python-Markdown reads it
    "A set [^abc and a note[^1].\n\n[^1]: One.",
    "A[^a[b] and B[^1].\n\n[^1]: One.\n[^a[b]: Two.",
    # unclosed brackets spend the first budget; titled links are still found as Python-Markdown finds them
    ("Sampling is uniform over the half-open interval [0, 1) in every trial. " + "Lorem ipsum dolor. " * 40) * 12
    + '\n\nSee [the docs](/docs "Docs"), [a](<b c> "t") and <https://x.org>.',
    ("Over [0, 1) again. " + "Lorem ipsum dolor. " * 40) * 50 + '\n\nSee [the docs](/docs "Docs").',
    # code that looks like tags is not HTML
    "```rust\n" + "let v: Vec<String> = Vec::new();\n" * 520 + "```\n",
    "".join("- `fn f() -> Option<T>`\n" for _ in range(520)),
    # a tag-like run that stops at a backtick, after a raw block on the same line
    "<div>x</div><a&amp;` ",
    "<div>x</div><a&#65;`z",
]


@pytest.mark.parametrize("text", REVIEWED)
def test_what_a_review_found_renders_as_python_markdown_renders_it(text: str) -> None:
    assert Renderer().render(text) == stock_renderer().render(text)


def test_a_rendering_stopped_by_an_error_leaves_nothing_behind() -> None:
    renderer = Renderer()
    for refused in ("- x\n" + "*[a]: b\n" * 40000, "- x\n\n" + "    # a\n" * 30000):
        with pytest.raises(Unrenderable):
            renderer.render(refused)
        for text in ("Hello *world*.\n\nSecond paragraph.", "- a\n\n    b"):
            assert renderer.render(text) == Renderer().render(text)


def test_pieces_cut_long_text_between_words_and_outside_placeholders() -> None:
    assert mdguard.pieces("short text") == ["short text"]
    words = "a word, \x02klzzwxh:12\x03 then *more* words " * 1000
    cut = mdguard.pieces(words)
    assert "".join(cut) == words and len(cut) > 1
    assert all(len(piece) <= mdguard.PIECE for piece in cut)
    for before, piece in itertools.pairwise(cut):
        assert re.match(r"\s\w", piece) and re.search(r"\w$", before)  # between two words
    spaced = "*a* " * 8000
    assert all(piece.startswith(" *a*") for piece in mdguard.pieces(spaced)[1:])
    marked = 'a `code span` and <span class="a b">x</span> words ' * 1000
    for piece in mdguard.pieces(marked):
        assert piece.count("`") % 2 == 0 and piece.count("<") == piece.count(">")
    solid = "\\[" * 20000  # no space at all: cut anywhere but inside a placeholder
    assert "".join(mdguard.pieces(solid)) == solid
    held = ("x" * 100 + "\x02" + "9" * 30 + "\x03") * 400
    assert all(piece.count("\x02") == piece.count("\x03") for piece in mdguard.pieces(held))


def test_a_long_paragraph_is_marked_up_as_a_whole_one_would_be() -> None:
    text = "See *this* and [that](/x) then 'quoted' words and more -- and \"more\"... " * 600
    assert len(text) > mdguard.LONG
    assert Renderer().render(text) == stock_renderer().render(text)
    assert educate(text) == _educate(text)


@pytest.mark.parametrize(
    "text",
    [
        "<div>" * (MAX_DEPTH + 1),
        "<section><div>" * (MAX_DEPTH // 2 + 1),
        '<div markdown="1">\n' * (MAX_DEPTH + 1),
    ],
)
def test_html_nested_past_the_limit_is_refused(text: str) -> None:
    with pytest.raises(Unrenderable, match="HTML elements"):
        Renderer().render(text)


@pytest.mark.parametrize(
    "text",
    [
        "<div>x</div>" * 2000,
        "<https://example.org/a> " * 2000,
        "<p>x" * 2000 + "<br>" * 2000 + "<li>y" * 2000,
        "<div>" * MAX_DEPTH,
    ],
)
def test_many_elements_side_by_side_are_not_nested(text: str) -> None:
    Renderer().render(text)


def test_blocks_behave_as_the_list_they_hold() -> None:
    blocks = mdguard.Blocks(["a", "b", "c"])
    assert (len(blocks), list(blocks), blocks[0], blocks[-1], blocks[1]) == (3, ["a", "b", "c"], "a", "c", "b")
    assert blocks.pop(0) == "a"
    blocks.insert(0, "z")
    blocks[0] = "y"
    blocks.append("d")
    blocks.insert(2, "m")
    assert list(blocks) == ["y", "b", "m", "c", "d"]
    assert (blocks.pop(), blocks.pop(1)) == ("d", "b")
    assert list(blocks) == ["y", "m", "c"]
    with pytest.raises(IndexError):
        blocks[3]
    while blocks:
        blocks.pop(0)
    assert len(blocks) == 0


def test_many_blocks_render_as_python_markdown_renders_them() -> None:
    text = "".join(f"Para {n}.\n\n> q {n}\n\n- i {n}\n\n" for n in range(300))
    assert Renderer().render(text) == stock_renderer().render(text)


def test_a_long_run_of_headings_without_blank_lines_renders_as_python_markdown_renders_it() -> None:
    text = "".join(f"## Part {n}\nText of part {n}, *em*.\n***\nTerm {n}\n=====\n" for n in range(200))
    assert Renderer().render(text) == stock_renderer().render(text)


@pytest.mark.parametrize("unit", ["# a\n", "a\n=\n", "***\n", "*[a]: b\n", "-\n"])
def test_a_block_put_back_line_by_line_past_the_budget_is_refused(unit: str) -> None:
    with pytest.raises(Unrenderable, match="too long a run of headings, rules or definitions"):
        Renderer().render(unit * 40000)
