"""Smart punctuation for Markdown: Python-Markdown's `smarty` rules, in a fraction of its time.

`smarty` runs a second inline pass over the whole document tree, trying each of its
eighteen patterns at every text node; at 10,000 articles that doubled the time of
Markdown. This treeprocessor applies the same patterns, in the same order and with the
same placeholder semantics (what one pattern replaced is hidden from the next), to the
same text nodes — and skips the patterns whose character a node does not contain, which
is most of them for most nodes. It writes the characters themselves (’ “ – …) where
smarty writes entities; after the sanitiser the HTML is the same (tests/test_markup.py
holds the two to each other).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.extensions.smarty import (
    closingDoubleQuotesRegex,
    closingDoubleQuotesRegex2,
    closingSingleQuotesRegex,
    closingSingleQuotesRegex2,
    decadeAbbrRe,
    doubleQuoteSetsRe,
    doubleQuoteSetsRe2,
    doubleQuoteStartRe,
    openingDoubleQuotesRegex,
    openingSingleQuotesRegex,
    remainingDoubleQuotesRegex,
    remainingSingleQuotesRegex,
    singleQuoteSetsRe,
    singleQuoteSetsRe2,
    singleQuoteStartRe,
)
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from . import mdguard

LSQUO, RSQUO, LDQUO, RDQUO = "\u2018", "\u2019", "\u201c", "\u201d"

# (what the text must contain for the pattern to match, pattern, replacement: text or a group number)
# In smarty's order: dashes, then quotes, then ellipses (its registry's priorities).
_RULES: list[tuple[str, re.Pattern[str], tuple[int | str, ...]]] = [
    ("---", re.compile(r"(?<!-)---(?!-)"), ("\u2014",)),
    ("--", re.compile(r"(?<!-)--(?!-)"), ("\u2013",)),
    *[
        (quote, re.compile(pattern), replacement)
        for quote, pattern, replacement in (
            ("'", singleQuoteStartRe, (RSQUO,)),
            ('"', doubleQuoteStartRe, (RDQUO,)),
            ("\"'", doubleQuoteSetsRe, (LDQUO + LSQUO,)),
            ("'\"", singleQuoteSetsRe, (LSQUO + LDQUO,)),
            ("'\"", doubleQuoteSetsRe2, (RSQUO + RDQUO,)),
            ("\"'", singleQuoteSetsRe2, (RDQUO + RSQUO,)),
            ("'", decadeAbbrRe, (RSQUO,)),
            ("'", openingSingleQuotesRegex, (1, LSQUO)),
            ("'", closingSingleQuotesRegex, (RSQUO,)),
            ("'", closingSingleQuotesRegex2, (RSQUO, 1)),
            ("'", remainingSingleQuotesRegex, (LSQUO,)),
            ('"', openingDoubleQuotesRegex, (1, LDQUO)),
            ('"', closingDoubleQuotesRegex, (RDQUO,)),
            ('"', closingDoubleQuotesRegex2, (RDQUO,)),
            ('"', remainingDoubleQuotesRegex, (LDQUO,)),
        )
    ],
    ("...", re.compile(r"(?<!\.)\.{3}(?!\.)"), ("\u2026",)),
]
# A replaced span while the rules run: like Python-Markdown's placeholders (STX ... ETX), which the
# patterns are written not to look into, and unlike its others (STX digits ETX, STX klzzwxh:n ETX).
_HELD = re.compile("\x02q(\\d+)\x03")


def educate(text: str) -> str:
    """Curly quotes, dashes and ellipses in one text node, as smarty's inline pass would make them."""
    if len(text) > mdguard.LONG:
        return "".join(_educate(piece) for piece in mdguard.pieces(text))
    return _educate(text)


def _educate(text: str) -> str:
    held: list[str] = []
    for needle, pattern, replacement in _RULES:
        if needle not in text:
            continue
        start = 0
        while match := pattern.search(text, start):
            held.append("".join(part if isinstance(part, str) else match.group(part) for part in replacement))
            token = f"\x02q{len(held) - 1}\x03"
            text = text[: match.start()] + token + text[match.end() :]
            start = match.start() + len(token)
    return _HELD.sub(lambda m: held[int(m.group(1))], text) if held else text


class _Educate(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        # smarty's pass reads every element's text and tail under the root, but not the root's own.
        for element in root.iter():
            if element is not root:
                if element.text and not isinstance(element.text, AtomicString):
                    element.text = educate(element.text)
                if element.tail and not isinstance(element.tail, AtomicString):
                    element.tail = educate(element.tail)


class SmartPunctuation(Extension):
    """smarty's quotes, dashes and ellipses (not its angled quotes), registered where smarty is."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_Educate(md), "smarty", 6)
        md.ESCAPED_CHARS.extend(['"', "'"])  # \" and \' stay straight, as with smarty
