"""Tests for memoria.dates: EDTF parsing, ranges, sorting, display and errors."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memoria.dates import DateError, EDTFDate, az_ordinal_suffix, parse_day, parse_edtf
from memoria.i18n import babel_locale

FORMS = [
    # text, start, end, precision, uncertain, approximate, iso
    ("1992", (1992, 1, 1), (1992, 12, 31), "year", False, False, "1992"),
    ("1992-02", (1992, 2, 1), (1992, 2, 29), "month", False, False, "1992-02"),
    ("1993-02", (1993, 2, 1), (1993, 2, 28), "month", False, False, "1993-02"),
    ("1992-02-26", (1992, 2, 26), (1992, 2, 26), "day", False, False, "1992-02-26"),
    ("2000-02-29", (2000, 2, 29), (2000, 2, 29), "day", False, False, "2000-02-29"),
    ("1848", (1848, 1, 1), (1848, 12, 31), "year", False, False, "1848"),
    ("0900", (900, 1, 1), (900, 12, 31), "year", False, False, "0900"),
    ("0000", (0, 1, 1), (0, 12, 31), "year", False, False, "0000"),
    ("-0043", (-43, 1, 1), (-43, 12, 31), "year", False, False, "-0043"),
    ("-0043-03-15", (-43, 3, 15), (-43, 3, 15), "day", False, False, "-0043-03-15"),
    ("1905~", (1905, 1, 1), (1905, 12, 31), "year", False, True, "1905"),
    ("1905?", (1905, 1, 1), (1905, 12, 31), "year", True, False, "1905"),
    ("1905%", (1905, 1, 1), (1905, 12, 31), "year", True, True, "1905"),
    ("2004-06~", (2004, 6, 1), (2004, 6, 30), "month", False, True, "2004-06"),
    ("2004-06-11?", (2004, 6, 11), (2004, 6, 11), "day", True, False, "2004-06-11"),
    ("199X", (1990, 1, 1), (1999, 12, 31), "decade", False, False, "1990/1999"),
    ("19XX", (1900, 1, 1), (1999, 12, 31), "century", False, False, "1900/1999"),
    ("199X~", (1990, 1, 1), (1999, 12, 31), "decade", False, True, "1990/1999"),
    ("1992-XX", (1992, 1, 1), (1992, 12, 31), "year", False, False, "1992"),
    ("1992-XX-XX", (1992, 1, 1), (1992, 12, 31), "year", False, False, "1992"),
    ("1992-02-XX", (1992, 2, 1), (1992, 2, 29), "month", False, False, "1992-02"),
    (
        "1992-02-25/1992-02-26",
        (1992, 2, 25),
        (1992, 2, 26),
        "interval",
        False,
        False,
        "1992-02-25/1992-02-26",
    ),
    ("1991/1992", (1991, 1, 1), (1992, 12, 31), "interval", False, False, "1991/1992"),
    (
        "1992~/1995-06?",
        (1992, 1, 1),
        (1995, 6, 30),
        "interval",
        True,
        True,
        "1992/1995-06",
    ),
    ("195X/196X", (1950, 1, 1), (1969, 12, 31), "interval", False, False, "1950/1969"),
    (
        "1992-05/1992",
        (1992, 5, 1),
        (1992, 12, 31),
        "interval",
        False,
        False,
        "1992-05/1992",
    ),
]


@pytest.mark.parametrize(("text", "start", "end", "precision", "uncertain", "approximate", "iso"), FORMS)
def test_forms(
    text: str,
    start: tuple[int, int, int],
    end: tuple[int, int, int],
    precision: str,
    uncertain: bool,
    approximate: bool,
    iso: str,
) -> None:
    date = parse_edtf(text)
    assert date == EDTFDate(text, start, end, precision, uncertain, approximate)
    assert date.iso == iso
    assert date.year == start[0]


DISPLAYS = [
    ("1992", "1992"),
    ("1992-02", "February 1992"),
    ("1992-02-26", "26 February 1992"),
    ("1992-02-25/1992-02-26", "25–26 February 1992"),
    ("1992-01-30/1992-02-02", "30 January – 2 February 1992"),
    ("1991-12-30/1992-01-02", "30 December 1991 – 2 January 1992"),
    ("1991/1992", "1991 – 1992"),
    ("1991-12/1992-01", "December 1991 – January 1992"),
    ("1992-01/1992-03", "January – March 1992"),
    ("1992/1992-06", "1992 – June 1992"),
    ("1992~/1995", "c. 1992 – 1995"),
    ("1992-02-26/1992-02-26", "26 February 1992"),
    ("1905~", "c. 1905"),
    ("1905?", "1905?"),
    ("1905%", "c. 1905?"),
    ("2004-06~", "c. June 2004"),
    ("199X", "1990s"),
    ("19XX", "1900s"),
    ("195X/196X", "1950s – 1960s"),
    ("1992-XX", "1992"),
    ("1992-02-XX", "February 1992"),
    ("0044", "44"),
    ("0900-05-01", "1 May 900"),
    ("0000", "1 BC"),
    ("-0043", "44 BC"),
    ("-0043-03-15", "15 March 44 BC"),
]


@pytest.mark.parametrize(("text", "shown"), DISPLAYS)
def test_display_en(text: str, shown: str) -> None:
    assert parse_edtf(text).display() == shown
    assert parse_edtf(text).display("en") == shown


@pytest.mark.parametrize(
    ("text", "locale", "shown"),
    [
        ("1992-02", "fr", "février 1992"),
        ("1992-02-26", "fr", "26 février 1992"),
        ("1992-02-25/1992-02-26", "fr", "25–26 février 1992"),
        ("1905~", "fr", "vers 1905"),
        ("199X", "fr", "années 1990"),
        ("1992-02", "ru", "февраль 1992\u202fг."),
        ("1992-02-26", "ru", "26 февраля 1992\u202fг."),
        ("1905~", "ru", "ок. 1905"),
        ("1905%", "ru", "ок. 1905?"),
        ("1992-02", "az", "fevral 1992"),
        ("1992-02-26", "az", "26 fevral 1992"),
        ("1905~", "az", "təxm. 1905"),
        ("199X", "az", "1990-cı illər"),
        ("1905~", "de", "c. 1905"),
        ("1992-02-26", "en_US", "February 26, 1992"),
        ("1992-02-26", "en-GB", "26 February 1992"),
    ],
)
def test_display_locales(text: str, locale: str, shown: str) -> None:
    assert parse_edtf(text).display(locale) == shown


# Each language of the theme, qualifiers included. Sources for the words: CLDR (through Babel)
# for months, eras and patterns; the qualifiers and decades as README.md, "Translations", says.
NNBSP = "\u202f"
PER_LANGUAGE = {
    "1905": ("1905", "1905", "1905", "1905"),
    "1905~": ("c. 1905", "təxm. 1905", "vers 1905", "ок. 1905"),
    "1905?": ("1905?", "1905?", "1905?", "1905?"),
    "1905%": ("c. 1905?", "təxm. 1905?", "vers 1905?", "ок. 1905?"),
    "1992-02": ("February 1992", "fevral 1992", "février 1992", f"февраль 1992{NNBSP}г."),
    "1992-02~": ("c. February 1992", "təxm. fevral 1992", "vers février 1992", f"ок. февраля 1992{NNBSP}г."),
    "1992-02-26": ("26 February 1992", "26 fevral 1992", "26 février 1992", f"26 февраля 1992{NNBSP}г."),
    "1992-02-26~": (
        "c. 26 February 1992",
        "təxm. 26 fevral 1992",
        "vers le 26 février 1992",
        f"ок. 26 февраля 1992{NNBSP}г.",
    ),
    "199X": ("1990s", "1990-cı illər", "années 1990", "1990-е"),
    "190X": ("1900s", "1900-cü illər", "années 1900", "1900-е"),
    "193X": ("1930s", "1930-cu illər", "années 1930", "1930-е"),
    "202X": ("2020s", "2020-ci illər", "années 2020", "2020-е"),
    "19XX": ("1900s", "1900–1999", "1900–1999", "1900–1999"),
    "1992-02-25/1992-02-26": (
        "25–26 February 1992",
        "25–26 fevral 1992",
        "25–26 février 1992",
        f"25–26 февраля 1992{NNBSP}г.",
    ),
    "1992-01/1992-03": (
        "January – March 1992",
        "yanvar–mart 1992",
        "janvier – mars 1992",
        f"январь – март 1992{NNBSP}г.",
    ),
    "1905~/1910": ("c. 1905 – 1910", "təxm. 1905 – 1910", "vers 1905 – 1910", "ок. 1905 – 1910"),
    "-0043": ("44 BC", "44 e.ə.", "44 av. J.-C.", "44 до н. э."),
    "-0043~": ("c. 44 BC", "təxm. 44 e.ə.", "vers 44 av. J.-C.", "ок. 44 до н. э."),
    "-0043-03-15": ("15 March 44 BC", "15 mart 44 e.ə.", "15 mars 44 av. J.-C.", "15 марта 44 до н. э."),
    "-004X": ("50 BC–41 BC", "50 e.ə.–41 e.ə.", "50 av. J.-C.–41 av. J.-C.", "50 до н. э.–41 до н. э."),
}


@pytest.mark.parametrize(("language", "column"), [("en", 0), ("az", 1), ("fr", 2), ("ru", 3)])
@pytest.mark.parametrize("text", list(PER_LANGUAGE))
def test_display_per_language(text: str, language: str, column: int) -> None:
    assert parse_edtf(text).display(babel_locale(language)) == PER_LANGUAGE[text][column]


AZ_SUFFIXES = {1: "ci", 3: "cü", 4: "cü", 6: "cı", 9: "cu", 10: "cu", 20: "ci", 30: "cu", 40: "cı", 50: "ci", 60: "cı"}
AZ_SUFFIXES |= {70: "ci", 80: "ci", 90: "cı", 100: "cü", 1900: "cü", 2000: "ci", 1990: "cı", 2023: "cü", 1905: "ci"}


@pytest.mark.parametrize(("number", "suffix"), AZ_SUFFIXES.items())
def test_azerbaijani_ordinal_suffix(number: int, suffix: str) -> None:
    assert az_ordinal_suffix(number) == suffix


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-30", '"2023-02-30" is not a valid date: February 2023 has 28 days'),
        ("1900-02-29", '"1900-02-29" is not a valid date: February 1900 has 28 days'),
        ("1992-02-00", '"1992-02-00" is not a valid date: day 00 does not exist'),
        ("1992-13", '"1992-13" is not a valid date: month 13 does not exist'),
        ("1992-00", '"1992-00" is not a valid date: month 00 does not exist'),
        ("2001-21", '"2001-21" is not a valid date: seasons (21-24) are not supported'),
        ("abc", '"abc" is not a valid date: expected an EDTF date'),
        ("199x", '"199x" is not a valid date: expected an EDTF date'),
        ("1992-2-5", '"1992-2-5" is not a valid date: expected an EDTF date'),
        ("92", '"92" is not a valid date: expected an EDTF date'),
        ("1992-02-26T10:00", '"1992-02-26T10:00" is not a valid date'),
        ("", '"" is not a valid date: the date is missing'),
        ("   ", '"" is not a valid date: the date is missing'),
        (None, '"" is not a valid date: the date is missing'),
        (True, '"True" is not a valid date'),
        (1.5, '"1.5" is not a valid date'),
        ([1992], '"[1992]" is not a valid date'),
        ({"year": 1992}, "\"{'year': 1992}\" is not a valid date"),
        (12345, '"12345" is not a valid date: years have four digits'),
        ("1993/1992", '"1993/1992" is not a valid date: the interval ends before'),
        ("1992-03-02/1992-03-01", '"1992-03-02/1992-03-01" is not a valid date'),
        ("1992-13/1993", '"1992-13/1993" is not a valid date: month 13 does not'),
        ("../1992", '"../1992" is not a valid date: open or unknown interval ends'),
        ("1992/..", '"1992/.." is not a valid date: open or unknown interval ends'),
        ("/1992", '"/1992" is not a valid date: open or unknown interval ends'),
        ("1992/", '"1992/" is not a valid date: open or unknown interval ends'),
        ("1992/1993/1994", '"1992/1993/1994" is not a valid date'),
        ("199X-02", '"199X-02" is not a valid date: only a whole year may have'),
        ("1992-XX-05", '"1992-XX-05" is not a valid date: a day needs a known month'),
        ("-0000", '"-0000" is not a valid date: write year zero as 0000'),
        ("1992~~", '"1992~~" is not a valid date'),
        ("１９９２", '"１９９２" is not a valid date'),
        ("1992\n1993", '"1992\\n1993" is not a valid date'),
        (
            datetime.datetime(2023, 2, 25, 10, 30),
            '"2023-02-25 10:30:00" is not a valid',
        ),
    ],
)
def test_errors(value: object, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_edtf(value)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_whitespace_is_stripped() -> None:
    assert parse_edtf("  1992-02 \n").text == "1992-02"
    assert parse_edtf(" 1991 / 1992 ").text == "1991/1992"


def test_yaml_values() -> None:
    assert parse_edtf(1992) == parse_edtf("1992")
    assert parse_edtf(900).text == "0900"
    assert parse_edtf(-43).text == "-0043"
    assert parse_edtf(datetime.date(2023, 2, 25)) == parse_edtf("2023-02-25")
    assert parse_edtf(datetime.date(2023, 2, 25)).precision == "day"


def test_sorting_by_earliest_day() -> None:
    texts = [
        "1992-02-26",
        "1992",
        "19XX",
        "1848",
        "1992-02",
        "0900",
        "199X",
        "1992~",
        "1992-01",
        "1992-02-25/1992-02-26",
        "-0043",
        "1991/1992",
    ]
    ordered = sorted((parse_edtf(text) for text in texts), key=lambda d: d.sort_key)
    assert [date.text for date in ordered] == [
        "-0043",
        "0900",
        "1848",
        "19XX",
        "199X",
        "1991/1992",
        "1992-01",
        "1992",
        "1992~",
        "1992-02",
        "1992-02-25/1992-02-26",
        "1992-02-26",
    ]


def test_sort_key() -> None:
    date = parse_edtf("1992-02")
    assert date.sort_key == ((1992, 2, 1), (1992, 2, 29), "1992-02")


def test_parse_day() -> None:
    assert parse_day("2023-02-25") == datetime.date(2023, 2, 25)
    assert parse_day(" 2024-02-29 ") == datetime.date(2024, 2, 29)
    assert parse_day(datetime.date(2023, 2, 25)) == datetime.date(2023, 2, 25)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-30", '"2023-02-30" is not a valid date: February 2023 has 28 days'),
        (
            "2023-2-5",
            '"2023-2-5" is not a valid date: write it as YYYY-MM-DD: 2023-02-05',
        ),
        ("2023-13-01", '"2023-13-01" is not a valid date: month 13 does not exist'),
        ("0000-01-01", '"0000-01-01" is not a valid date: year 0000 is out of range'),
        ("2023-02", '"2023-02" is not a valid date: expected YYYY-MM-DD'),
        ("25.02.2023", '"25.02.2023" is not a valid date: expected YYYY-MM-DD'),
        ("", '"" is not a valid date: expected YYYY-MM-DD'),
        (None, '"None" is not a valid date: expected YYYY-MM-DD'),
        (20230225, '"20230225" is not a valid date: expected YYYY-MM-DD'),
        (datetime.datetime(2023, 2, 25), '"2023-02-25 00:00:00" is not a valid date'),
    ],
)
def test_parse_day_errors(value: object, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_day(value)
    assert str(caught.value).startswith(message)


def test_display_is_cached() -> None:
    date = parse_edtf("1992-02-26")
    assert date.display("fr") is date.display("fr")
    assert parse_edtf("1992-02") is parse_edtf("1992-02")


# Property test against the edtf library as an oracle.

QUALIFIERS = st.sampled_from(["", "?", "~", "%"])


@st.composite
def points(draw: st.DrawFn) -> str:
    day = draw(st.dates(min_value=datetime.date(1, 1, 1)))
    form = draw(st.sampled_from(["year", "month", "day", "decade", "century"]))
    text = {
        "year": f"{day.year:04d}",
        "month": f"{day.year:04d}-{day.month:02d}",
        "day": day.isoformat(),
        "decade": f"{day.year // 10:03d}X",
        "century": f"{day.year // 100:02d}XX",
    }[form]
    return text + draw(QUALIFIERS)


@st.composite
def edtf_texts(draw: st.DrawFn) -> str:
    first = draw(points())
    if not draw(st.booleans()):
        return first
    last = draw(points())
    if "X" in first + last:  # The edtf library rejects these with qualifiers.
        first, last = first.rstrip("?~%"), last.rstrip("?~%")
    if parse_edtf(first).start > parse_edtf(last).end:
        first, last = last, first
    return f"{first}/{last}"


@settings(max_examples=200, deadline=None)
@given(edtf_texts())
def test_agrees_with_edtf_library(text: str) -> None:
    edtf = pytest.importorskip("edtf")
    expected = edtf.parse_edtf(text)
    date = parse_edtf(text)
    assert date.start == tuple(expected.lower_strict()[:3])
    assert date.end == tuple(expected.upper_strict()[:3])
