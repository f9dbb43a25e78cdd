"""EDTF dates for people and events, and plain days for publication dates.

A hand-written parser for the Library of Congress EDTF level 0 and the common
parts of level 1: `1992`, `1992-02`, `1992-02-26`, intervals `A/B`, the
qualifiers `?` `~` `%`, and unspecified digits (`199X`, `19XX`, `1992-XX`,
`1992-02-XX`, `1992-XX-XX`). Years are astronomical (ISO 8601): `0000` is
1 BC and `-0044` is 45 BC; the calendar is proleptic Gregorian. Open and
unknown interval ends (`../1992`, `1992/`) and seasons (`2001-21`) are
rejected. No I/O: parse_edtf runs for every date of every build, so parsing
and display are cached.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.dates import (
    format_date,
    format_interval,
    format_skeleton,
    get_era_names,
    get_month_names,
)

Day = tuple[int, int, int]

_POINT = re.compile(r"(-?)([0-9]{4}|[0-9]{3}X|[0-9]{2}XX)(?:-([0-9]{2}|XX)(?:-([0-9]{2}|XX))?)?([?~%]?)")
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_LOOSE_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_EXPECTED = "expected an EDTF date such as 1992, 1992-02, 1992-02-26, 1905~ or 199X"

# Babel's "en" is American ("February 26, 1992"); the archive writes day first.
_LOCALE_ALIASES = {"en": "en_GB"}
# "About" before a date, as each language abbreviates it: English "c." (circa), French "vers"
# ("vers le" before a day), Russian "ок." (около), Azerbaijani "təxm." (təxminən).
_APPROXIMATE = {"en": "c. {}", "fr": "vers {}", "ru": "ок. {}", "az": "təxm. {}"}
_APPROXIMATE_DAY = {"fr": "vers le {}"}
# Decades (199X) by language; Azerbaijani's ordinal suffix is added by _az_decade.
# Others, and every century (19XX) but in English, show the range of years.
_DECADE = {"en": "{}s", "fr": "années {}", "ru": "{}-е"}
_CENTURY = {"en": "{}s"}
# Azerbaijani vowel harmony: the last vowel of a number's last word picks the suffix's vowel.
_AZ_HARMONY = {"a": "ı", "ı": "ı", "e": "i", "ə": "i", "i": "i", "o": "u", "u": "u", "ö": "ü", "ü": "ü"}
_AZ_UNITS = ["", "bir", "iki", "üç", "dörd", "beş", "altı", "yeddi", "səkkiz", "doqquz"]
_AZ_TENS = ["", "on", "iyirmi", "otuz", "qırx", "əlli", "altmış", "yetmiş", "səksən", "doxsan"]


class DateError(ValueError):
    """A date that is not valid; str(err) is a one-line message for the user."""


class _Invalid(Exception):
    """Why a text is not a date; parse_edtf adds the quoted value."""


@dataclass(frozen=True, slots=True)
class EDTFDate:
    """An EDTF date or interval with its earliest and latest possible day."""

    text: str
    start: Day
    end: Day
    precision: str  # year | month | day | decade | century | interval
    uncertain: bool
    approximate: bool

    @property
    def year(self) -> int:
        """The earliest possible year, for grouping on a timeline."""
        return self.start[0]

    @property
    def sort_key(self) -> tuple[Day, Day, str]:
        """Sort by earliest possible day, then latest, then text."""
        return (self.start, self.end, self.text)

    @property
    def iso(self) -> str:
        """Machine-readable form for <time datetime>: no qualifiers, no X."""
        if self.precision != "interval":
            return _iso_point(self)
        first, last = _sides(self.text)
        return _iso_at(first.precision, first.start) + "/" + _iso_at(last.precision, last.end)

    def display(self, locale: str = "en") -> str:
        """The date as written, in words of the locale ("c. 1905", "February 1992")."""
        return _display(self.text, locale)


def parse_edtf(value: object) -> EDTFDate:
    """Parse a YAML value (int year, EDTF string, or datetime.date) as an EDTFDate."""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, bool):
        raise DateError(f'"{value}" is not a valid date: {_EXPECTED}, not true/false')
    elif isinstance(value, int):
        if not -9999 <= value <= 9999:
            raise DateError(f'"{value}" is not a valid date: years have four digits')
        text = f"{value:04d}" if value >= 0 else f"-{-value:04d}"
    elif isinstance(value, datetime.datetime):
        raise DateError(f'"{value}" is not a valid date: remove the time of day')
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    elif value is None:
        raise DateError('"" is not a valid date: the date is missing')
    else:
        raise DateError(f"{_quote(value)} is not a valid date: {_EXPECTED}")
    if not text:
        raise DateError('"" is not a valid date: the date is missing')
    try:
        return _parse_text(text)
    except _Invalid as err:
        raise DateError(f"{_quote(text)} is not a valid date: {err}") from None


def parse_day(value: object) -> datetime.date:
    """Parse a strict YYYY-MM-DD publication date; a datetime.datetime is an error."""
    if isinstance(value, datetime.datetime):
        raise DateError(f'"{value}" is not a valid date: write only the day, YYYY-MM-DD')
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise DateError(f"{_quote(value)} is not a valid date: expected YYYY-MM-DD")
    text = value.strip()
    match = _DAY.fullmatch(text)
    if match is None:
        hint = "expected YYYY-MM-DD"
        if loose := _LOOSE_DAY.fullmatch(text):
            y, m, d = loose.groups()
            hint = f"write it as YYYY-MM-DD: {y}-{int(m):02d}-{int(d):02d}"
        raise DateError(f"{_quote(text)} is not a valid date: {hint}")
    y, m, d = (int(group) for group in match.groups())
    try:
        if y == 0:
            raise _Invalid("year 0000 is out of range")
        _check_day(y, m, d)
    except _Invalid as err:
        raise DateError(f"{_quote(text)} is not a valid date: {err}") from None
    return datetime.date(y, m, d)


@lru_cache(maxsize=8192)
def _parse_text(text: str) -> EDTFDate:
    if "/" not in text:
        return _parse_point(text)
    first, last = _sides(text)
    if first.start > last.end:
        raise _Invalid("the interval ends before it starts")
    return EDTFDate(
        text=f"{first.text}/{last.text}",
        start=first.start,
        end=last.end,
        precision="interval",
        uncertain=first.uncertain or last.uncertain,
        approximate=first.approximate or last.approximate,
    )


def _sides(text: str) -> tuple[EDTFDate, EDTFDate]:
    parts = [part.strip() for part in text.split("/")]
    if len(parts) != 2:
        raise _Invalid("an interval has exactly one '/'")
    if any(part in ("", "..") for part in parts):
        raise _Invalid("open or unknown interval ends are not supported; give both ends")
    return _parse_point(parts[0]), _parse_point(parts[1])


@lru_cache(maxsize=8192)
def _parse_point(text: str) -> EDTFDate:
    match = _POINT.fullmatch(text)
    if match is None:
        raise _Invalid(_EXPECTED)
    sign, year, month, day, qualifier = match.groups()
    if sign and year == "0000":
        raise _Invalid("write year zero as 0000")
    if "X" in year:
        if month is not None:
            raise _Invalid("only a whole year may have unspecified digits, as in 199X")
        low, high = int(year.replace("X", "0")), int(year.replace("X", "9"))
        first, last = (-high, -low) if sign else (low, high)
        precision = "decade" if year.count("X") == 1 else "century"
        start, end = (first, 1, 1), (last, 12, 31)
    else:
        y = -int(year) if sign else int(year)
        if month is None or month == "XX":
            if day not in (None, "XX"):
                raise _Invalid("a day needs a known month")
            precision, start, end = "year", (y, 1, 1), (y, 12, 31)
        else:
            m = int(month)
            if 21 <= m <= 24:
                raise _Invalid("seasons (21-24) are not supported")
            if not 1 <= m <= 12:
                raise _Invalid(f"month {month} does not exist")
            last_day = _days_in_month(y, m)
            if day is None or day == "XX":
                precision, start, end = "month", (y, m, 1), (y, m, last_day)
            else:
                _check_day(y, m, int(day))
                precision, start = "day", (y, m, int(day))
                end = start
    return EDTFDate(
        text=text,
        start=start,
        end=end,
        precision=precision,
        uncertain=qualifier in ("?", "%"),
        approximate=qualifier in ("~", "%"),
    )


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _check_day(year: int, month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise _Invalid(f"month {month:02d} does not exist")
    last = _days_in_month(year, month)
    if day < 1:
        raise _Invalid(f"day {day:02d} does not exist")
    if day > last:
        month_name = get_month_names("wide", locale="en")[month]
        raise _Invalid(f"{month_name} {_iso_year(year)} has {last} days")


def _quote(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return json.dumps(text, ensure_ascii=False)


def _iso_year(year: int) -> str:
    return f"{year:04d}" if year >= 0 else f"-{-year:04d}"


def _iso_at(precision: str, day: Day) -> str:
    y, m, d = day
    if precision == "month":
        return f"{_iso_year(y)}-{m:02d}"
    if precision == "day":
        return f"{_iso_year(y)}-{m:02d}-{d:02d}"
    return _iso_year(y)


def _iso_point(point: EDTFDate) -> str:
    if point.precision in ("decade", "century"):
        return f"{_iso_year(point.year)}/{_iso_year(point.end[0])}"
    return _iso_at(point.precision, point.start)


@lru_cache(maxsize=8192)
def _display(text: str, locale: str) -> str:
    locale = locale.replace("-", "_")
    locale = _LOCALE_ALIASES.get(locale, locale)
    if "/" not in text:
        return _display_point(_parse_point(text), locale)
    first, last = _sides(text)
    plain = not (first.uncertain or first.approximate or last.uncertain or last.approximate)
    if plain and first.year >= 1 and first.precision == last.precision:
        if first.start == last.start:
            return _display_point(last, locale)
        same_year = first.year == last.year
        a, b = datetime.date(*first.start), datetime.date(*last.start)
        if first.precision == "day" and same_year:
            end = format_date(b, "long", locale=locale)
            days = str(b.day)
            if a.month == b.month and end.startswith(days) and not end[len(days) :][:1].isdigit():
                return f"{a.day}\u2013{end}"
            return f"{format_skeleton('MMMMd', a, locale=locale)} \u2013 {end}"
        if first.precision == "month" and same_year:
            # Babel puts thin spaces around the dash; match the other intervals.
            return format_interval(a, b, "yMMMM", locale=locale).replace("\u2009", " ")
    return f"{_display_point(first, locale)} \u2013 {_display_point(last, locale)}"


def _display_point(point: EDTFDate, locale: str) -> str:
    language = locale.split("_")[0]
    y, m, d = point.start
    if point.precision in ("decade", "century"):
        shown = _span_words(point, language, locale)
    elif point.precision == "year":
        shown = year_words(y, locale)
    elif 1 <= y <= 9999:
        day = datetime.date(y, m, d)
        if point.precision == "month":
            shown = _month_words(day, locale, point.approximate)
        else:
            shown = format_date(day, "long", locale=locale)
    elif point.precision == "month":  # Python's date has no year 0 or below.
        month = get_month_names("wide", "stand-alone", locale=locale)[m]
        shown = f"{month} {year_words(y, locale)}"
    else:
        month = get_month_names("wide", "format", locale=locale)[m]
        shown = f"{d} {month} {year_words(y, locale)}"
    if point.approximate:
        patterns = _APPROXIMATE_DAY if point.precision == "day" else _APPROXIMATE
        pattern = patterns.get(language) or _APPROXIMATE.get(language, _APPROXIMATE["en"])
        shown = pattern.format(shown)
    return shown + "?" if point.uncertain else shown


def _span_words(point: EDTFDate, language: str, locale: str) -> str:
    """A decade or century: '1990s', 'années 1990', '1990-е', '1990-cı illər'; else the years it spans."""
    first, last = point.year, point.end[0]
    pattern = (_DECADE if point.precision == "decade" else _CENTURY).get(language)
    if first >= 0 and point.precision == "decade" and language == "az":
        return f"{first}-{az_ordinal_suffix(first)} illər"
    if first < 0 or pattern is None:
        return f"{year_words(first, locale)}\u2013{year_words(last, locale)}"
    return pattern.format(first)


def _month_words(day: datetime.date, locale: str, approximate: bool) -> str:
    """'February 1992'; after Russian 'ок.' (около, which takes the genitive) 'февраля 1992 г.'."""
    if approximate and locale.split("_")[0] == "ru":
        pattern = str(Locale.parse(locale).datetime_skeletons["yMMMM"].pattern).replace("LLLL", "MMMM")
        return format_date(day, pattern, locale=locale)
    return format_skeleton("yMMMM", day, locale=locale)


def az_ordinal_suffix(number: int) -> str:
    """The suffix of an Azerbaijani ordinal written in digits: 1990 → 'cı' (1990-cı), 1900 → 'cü', 2020 → 'ci'.

    The vowel follows the last vowel of the number's last spoken word (doxsan, yüz, iyirmi),
    as the spelling rules write it after a hyphen.
    """
    if number % 10:
        word = _AZ_UNITS[number % 10]
    elif number % 100:
        word = _AZ_TENS[number % 100 // 10]
    elif number % 1000:
        word = "yüz"
    elif number:
        word = "min"
    else:
        word = "sıfır"
    vowel = next(char for char in reversed(word) if char in _AZ_HARMONY)
    return "c" + _AZ_HARMONY[vowel]


def year_words(year: int, locale: str = "en_GB") -> str:
    """An astronomical year as a reader counts it: 1992, or '45 BC' (in the locale's words) for -0044."""
    if year >= 1:
        return str(year)
    return f"{1 - year} {get_era_names('abbreviated', locale=locale)[0]}"
