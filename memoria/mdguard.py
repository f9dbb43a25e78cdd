"""Python-Markdown made to take time in proportion to its text, however hostile the text.

Python-Markdown looks for the end of a link by reading on from each `[`, and from each `](`, to the end
of the text when there is none; the footnote marks' expression does the same from each `[^`, and the
standard library's HTML parser from each `<` that opens a tag without a `>` after it. Text full of
such marks took time growing with the square of its length: 24 KB of "[a](" took 15 s, so a hostile
body of a megabyte would have held a build for hours. Measured on bodies of 1 MB of one mark repeated
(`[`, `[a](`, `</a>`, `\\[`, `<![CDATA[`, blank-line-separated blocks and 67 others): at most 26 s
each, or refused with an error when past a limit.

- A rendering may read a budget of characters in the link scans: 8 times its text's length and 64 KB
  more, which ordinary text seldom comes near (a link is read a few times, from its `[` to its `)`;
  an unclosed `[` costs three reads of the rest of its paragraph). Within it, Python-Markdown's own
  methods give their own results. Past it, the same methods read only a window after the bracket
  (NEAR_TEXT, NEAR_LINK) — the same link when it ends there, since the scans read forwards and stop
  at its end — within a second budget like the first. Past both, a link's text is looked for up to
  its first `]` (within NEAR characters, no `[` before it) and its address up to its first `)`
  (within NEAR_LINK, no other `(` and no quoted title).
- A start tag where no `>` follows is looked for within an allowance (8 reads a character), an end
  tag not at all (it could not end: the same result); footnote marks only up to the last `]`.
- The blocks are taken from the front of a stack (`Blocks`), not of a list.
- A paragraph longer than LONG is marked up in pieces (`pieces`).
- A block of more than SHORT characters taken a line at a time is put back within a budget
  (`Blocks`, `_Counted`); the tests that read it all again are spared (`_unless_found_nowhere`,
  `_table_test`).

Elements nested too deeply are refused by memoria.markup (MAX_DEPTH) before any of this runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import markdown
from markdown import inlinepatterns
from markdown.extensions import md_in_html

NEAR = 128  # characters a link's text is looked for in, once both budgets are spent
NEAR_TEXT = 1024  # the window Python-Markdown's own scan of a link's text reads, past the first budget
NEAR_LINK = 2048  # and of its address
LONG = 16384  # a text longer than this is marked up in pieces (`pieces`)
PIECE = 4096
SHORT = 1024  # a block this long or shorter is read as Python-Markdown reads it


class Unrenderable(Exception):
    """A text past a limit Markdown is rendered within: str() says which, as an error's message."""


NESTED = "the text is nested too deeply ({} hundreds of levels down)"
TOO_MANY = (
    "the text is too long a run of headings, rules or definitions with no blank line between them "
    "(each is read with all the lines after it)"
)


class Budget:
    """Characters the link scans of one rendering may still read (whole, then within windows), and the
    blocks it may still put back."""

    __slots__ = ("blocks_left", "left", "near_left")

    def __init__(self) -> None:
        self.left = self.near_left = self.blocks_left = 0

    def reset(self, text: str) -> None:
        self.left = self.near_left = 8 * len(text) + 65536
        self.blocks_left = 64 * len(text) + (1 << 26)


def install(md: markdown.Markdown) -> Budget:
    """Bound the scans of `md`'s link patterns, footnote marks and HTML blocks; reset the budget it
    returns before each rendering."""
    budget = Budget()
    for pattern in md.inlinePatterns:
        if isinstance(pattern, inlinepatterns.LinkInlineProcessor):
            pattern.getText = _bounded_text(pattern.getText, budget)  # type: ignore[method-assign]
            pattern.getLink = _bounded_link(pattern.getLink, budget)  # type: ignore[method-assign]
        elif type(pattern).__name__ == "FootnoteInlineProcessor":
            pattern.compiled_re = _UpToLastClose(pattern.compiled_re)  # type: ignore[assignment]
    md.parser.parseBlocks = _stacked(md.parser.parseBlocks, budget)  # type: ignore[method-assign]
    processors = md.parser.blockprocessors
    for name, attribute in (("hashheader", "RE"), ("hr", "SEARCH_RE"), ("quote", "RE")):
        if name in processors and isinstance(getattr(processors[name], attribute, None), re.Pattern):
            processor = processors[name]
            processor.test = _unless_found_nowhere(processor.test, getattr(processor, attribute))  # type: ignore[method-assign]
    if "table" in processors and type(processors["table"]).__name__ == "TableProcessor":
        processors["table"].test = _table_test(processors["table"])  # type: ignore[method-assign]
    if "html_block" in md.preprocessors and isinstance(
        md.preprocessors["html_block"], md_in_html.HtmlBlockPreprocessor
    ):
        md.preprocessors.register(_HtmlBlocks(md), "html_block", 20)
    return budget


def _bounded_text(get_text: Callable[[str, int], tuple[str, int, bool]], budget: Budget) -> Any:
    def bounded(data: str, index: int) -> tuple[str, int, bool]:
        if budget.left > 0:
            text, end, handled = get_text(data, index)
            budget.left -= end - index  # to the end of the text when there is no `]`
            return text, end, handled
        if budget.near_left > 0:  # its own scan within a window: the same link when it ends there
            text, end, handled = get_text(data[: index + NEAR_TEXT], index)
            budget.near_left -= end - index
            return (text, end, True) if handled else ("", index, False)
        # Its text up to the first `]`, when no `[` comes before it: what Python-Markdown finds then.
        closing = data.find("]", index, index + NEAR)
        if closing < 0 or data.find("[", index, closing) >= 0:
            return "", index, False
        return data[index:closing], closing + 1, True

    return bounded


def _bounded_link(get_link: Callable[[str, int], tuple[str, str | None, int, bool]], budget: Budget) -> Any:
    def bounded(data: str, index: int) -> tuple[str, str | None, int, bool]:
        if budget.left > 0:
            href, title, end, handled = get_link(data, index)
            # Its scan reads to the end of the text unless it finds the link's end (`end` says where it
            # stopped, but for a link found where a quoted title did not close: `[a](b "c)`).
            budget.left -= len(data) - index if handled and _backtracked(data, index, end, title) else end - index
            return href, title, end, handled
        closing = data.find(")", index, index + NEAR_LINK)
        if closing < 0:
            return "", None, index, False
        if budget.near_left > 0:  # its own scan within a window: the same link when it ends there
            window = data[: index + NEAR_LINK]
            href, title, end, handled = get_link(window, index)
            if handled and not _backtracked(window, index, end, title):
                budget.near_left -= end - index
                return href, title, end, handled
            budget.near_left -= len(window) - index
            return "", None, index, False
        # Up to its first `)`, when it holds no other `(` and no quote: what Python-Markdown finds then.
        if data.count("(", index, closing) > 1 or any(q in data[index:closing] for q in "'\""):
            return "", None, index, False
        return get_link(data[: closing + 1], index)

    return bounded


def _backtracked(data: str, index: int, end: int, title: str | None) -> bool:
    """Whether Python-Markdown's getLink found this link only once it had read to the end of the text:
    within a quote (after a `'` or `"`), a link ends before the end only with a title."""
    return title is None and ("'" in data[index:end] or '"' in data[index:end])


def _stacked(parse_blocks: Callable[[Any, Any], None], budget: Budget) -> Any:
    def parse(parent: Any, blocks: list[str]) -> None:
        if type(blocks) is list:  # a list's own pop(0) is quicker than a stack's while it is short
            parse_blocks(parent, Blocks(blocks, budget) if len(blocks) > 64 else _Counted(blocks, budget))
        else:
            parse_blocks(parent, blocks)

    return parse


def _put_back(budget: Budget | None, block: str) -> None:
    # A short block costs little to put back and read again, however often (and is not counted).
    if budget is not None and len(block) > SHORT:
        budget.blocks_left -= len(block)
        if budget.blocks_left < 0:
            raise Unrenderable(TOO_MANY)


class _Counted(list[str]):
    """A short list of blocks: what is put back into it counts against the budget (`Blocks`)."""

    __slots__ = ("_budget",)

    def __init__(self, blocks: list[str], budget: Budget) -> None:
        super().__init__(blocks)
        self._budget = budget

    def insert(self, index: Any, block: str) -> None:
        _put_back(self._budget, block)
        super().insert(index, block)


def _unless_found_nowhere(test: Callable[[Any, str], bool], expression: re.Pattern[str]) -> Any:
    """A block processor's test that holds only where `expression` is found in the block: not tried
    on what is left of a block it was not found in (the rest of its lines). A block taken a line at a
    time (a heading, a rule, an abbreviation each) was searched to its end again for each line."""
    searched: list[str] = [""]  # the last block it was not found in

    def quick(parent: Any, block: str) -> bool:
        if len(block) <= SHORT:
            return test(parent, block)
        last = searched[0]
        if len(block) <= len(last) and last.endswith(block) and last[-len(block) - 1 : -len(block)] in ("\n", ""):
            return False
        if expression.search(block) is None:
            searched[0] = block
            return False
        return test(parent, block)

    return quick


def _table_test(processor: Any) -> Any:
    """The tables extension's test, which reads the first two lines of a block unless its first line is
    a one-column row with a border (then every line): it split and stripped every line first."""
    test = processor.test

    def quick(parent: Any, block: str) -> bool:
        head = block.split("\n", 2) if len(block) > SHORT else ()
        if len(head) < 3:
            return bool(test(parent, block))
        found = bool(test(parent, head[0] + "\n" + head[1]))
        if processor.border and len(processor._split_row(head[0].strip(" "))) == 1:
            return bool(test(parent, block))
        return found

    return quick


class Blocks:
    """The list of blocks Python-Markdown's block processors take from the front of, and put back at
    the front of (`pop(0)`, `insert(0, block)`): a list moves every other block for each, which a text
    of 300,000 blank-line-separated blocks made take minutes. Held here last block first.

    A processor that takes one line (a heading, a rule, a definition) puts the rest of the block back,
    copied, and the next tests read it all again: a block of 250,000 such lines would take hours. What
    is put back is counted against the budget, 64 times the text and 64 MB (a text of 200 KB with 200
    headings and no blank line puts back about 20 MB); past it, Unrenderable."""

    __slots__ = ("_budget", "_stack")

    def __init__(self, blocks: list[str], budget: Budget | None = None) -> None:
        self._stack = blocks[::-1]
        self._budget = budget

    def __len__(self) -> int:
        return len(self._stack)

    def __iter__(self) -> Any:
        return reversed(self._stack)

    def _at(self, index: int) -> int:
        if not -len(self._stack) <= index < len(self._stack):
            raise IndexError("block index out of range")
        return -1 - index if index >= 0 else -len(self._stack) - 1 - index

    def __getitem__(self, index: int) -> str:
        return self._stack[-1] if index == 0 else self._stack[self._at(index)]

    def __setitem__(self, index: int, block: str) -> None:
        self._stack[self._at(index)] = block

    def pop(self, index: int = -1) -> str:
        return self._stack.pop() if index == 0 else self._stack.pop(self._at(index))

    def insert(self, index: int, block: str) -> None:
        _put_back(self._budget, block)
        index = max(0, min(index if index >= 0 else len(self._stack) + index, len(self._stack)))
        self._stack.insert(len(self._stack) - index, block)

    def append(self, block: str) -> None:
        self._stack.insert(0, block)


class _UpToLastClose:
    """The footnote marks' expression, `\\[\\^([^\\]]*)\\]`, searched only up to the text's last `]`: from
    a `[^` after it, it read to the end of the text and found nothing; elsewhere it finds the same."""

    def __init__(self, expression: re.Pattern[str]) -> None:
        self.expression = expression

    def finditer(self, data: str, pos: int = 0) -> Any:
        return self.expression.finditer(data, pos, data.rfind("]") + 1)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.expression, name)


class _HtmlBlocks(md_in_html.HtmlBlockPreprocessor):
    def run(self, lines: list[str]) -> list[str]:
        parser = _Extractor(self.md)
        parser.feed("\n".join(lines))
        parser.close()
        return "".join(parser.cleandoc).split("\n")


class _Extractor(md_in_html.HTMLExtractorExtra):
    """The HTML blocks' parser, which does not read on from a `<` after which no tag can end."""

    _scanned: str | None = None
    _last_end = -1  # where the last `>` is
    _allowance: int | None = None  # characters its tag expression may read where no `>` follows

    def _ends_after(self, i: int) -> bool:
        rawdata = self.rawdata
        if rawdata is not self._scanned:
            self._scanned, self._last_end = rawdata, rawdata.rfind(">")
            if self._allowance is None:  # set once, from the whole text (rawdata shrinks as it is read)
                self._allowance = 8 * len(rawdata) + 65536
        return i < self._last_end

    def check_for_whole_start_tag(self, i: int) -> int:
        # Where no `>` follows, Python-Markdown's expression reads on to where the tag-like run
        # stops (a backtick, a quote left open, the end) for each `<`: within the allowance it
        # does, past it the run is text (-1), as most often it is anyway.
        if not self._ends_after(i):
            if not self._allowance or self._allowance <= 0:
                return -1
            self._allowance -= len(self.rawdata) - i
        result: int = super().check_for_whole_start_tag(i)
        return result

    def parse_endtag(self, i: int) -> int:
        # Python-Markdown's own when the standard library finds no `>` after `</`: it is text.
        if not self._ends_after(i):
            self.handle_data(self.rawdata[i : i + 2])
            return i + 2
        result: int = super().parse_endtag(i)
        return result


_CUT = re.compile(r"(?<=\w)\s(?=\w)")


def _outside_marks(text: str, start: int, cut: int) -> bool:
    """Whether a cut at `cut` leaves no code span (an odd number of backticks) or tag open since `start`."""
    return text.count("`", start, cut) % 2 == 0 and text.rfind("<", start, cut) <= text.rfind(">", start, cut)


def pieces(text: str) -> list[str]:
    """`text` cut into pieces of at most PIECE characters when it is longer than LONG, else whole.

    Python-Markdown and the smart quotes make a new copy of a text for each mark they replace in it,
    which takes time growing with the square of its length. A paragraph of 16,000 characters is rare
    (this README is 60,000); one longer is marked up a piece at a time, cut before a space between two
    letters or digits outside code spans and tags where there is one, else before a space (a link or
    emphasis across a cut is left as written), never inside Python-Markdown's placeholders (STX ... ETX).
    """
    if len(text) <= LONG:
        return [text]
    found: list[str] = []
    start = 0
    while len(text) - start > PIECE:
        low, high = start + PIECE // 2, start + PIECE
        cut: int | None = None
        for cut_match in reversed(list(_CUT.finditer(text, low, high))):
            if _outside_marks(text, start, cut_match.start()):
                cut = cut_match.start()
                break
        if cut is None:
            cut = max(text.rfind(" ", low, high), text.rfind("\n", low, high))
        if cut < low:
            opened = text.rfind("\x02", low, high)  # a placeholder's start, not followed by its end
            cut = opened if opened > text.rfind("\x03", low, high) else high
        found.append(text[start:cut])
        start = cut
    found.append(text[start:])
    return found
