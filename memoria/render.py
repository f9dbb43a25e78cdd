"""Jinja2: the theme's templates, with strict undefined values and autoescaping."""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import traceback
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from . import GENERATOR, figures, urls
from .config import SiteConfig
from .dates import EDTFDate, year_words
from .errors import SourceError
from .export import Exporter
from .i18n import babel_locale, quick_gettext, translations
from .slugs import slugify, term_slug
from .sources import LAYOUTS_DIR
from .structured import Structured
from .urls import Linker


def make_environment(
    layouts: Path, config: SiteConfig, language: str | None = None, cache: Path | None = None
) -> jinja2.Environment:
    """The template environment of one site in one language (default: the site's): words, links and dates.

    `cache`: a folder to keep things in between builds: the templates compiled (Jinja's bytecode
    cache: compiling the theme took half a second of every build) and the data files' encoded
    items (fragments.Fragments), read from there for each rendering rather than held: the dev
    server's process held 80 MB of them at 10,000 articles.

    The theme's words come from `layouts/i18n/<language>.po` through Jinja's i18n extension,
    newstyle, so `_()` and `{% trans %}` escape their values like any other output.
    """
    language = language or config.language
    prefix = config.prefix(language)
    config = config.for_language(language)
    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"],
        loader=jinja2.FileSystemLoader(str(layouts)),
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=_compiled(cache, f"{language}\0{config!r}"),
    )
    linker = Linker(config.base_path, config.origin, prefix)
    locale = babel_locale(language)
    words = translations(layouts, language)
    env.install_gettext_translations(words, newstyle=True)  # type: ignore[attr-defined]
    env.globals["gettext"] = env.globals["_"] = quick_gettext(words)
    env.filters["url"] = linker.href
    env.filters["absolute"] = linker.absolute
    env.filters["date"] = lambda value: show_date(value, locale)
    env.filters["iso"] = iso_date
    env.filters["year"] = lambda year: year_words(year, locale)
    env.filters["term_url"] = lambda name, kind: urls.item(kind, term_slug(name))
    env.filters["year_url"] = urls.timeline_year
    env.filters["atom_date"] = atom_date
    env.filters["feed_id"] = lambda url: (
        linker.absolute(url) if config.origin else f"urn:memoria:{slugify(config.title)}:{url}"
    )
    env.filters["language_name"] = lambda tag: language_name(tag, locale)
    env.filters.update(Structured(config, linker).filters())
    env.filters.update(Exporter(config, linker, cache).filters())
    env.filters.update(figures.filters(config.base_path))
    env.filters["name"] = lambda person: person.name_in(language)
    env.filters["autonym"] = autonym
    env.filters["direction"] = direction
    env.filters["site_url"] = lambda path: config.base_path + path  # a path of the whole site: 'az/people/'
    env.globals["site"] = config
    env.globals["language"] = language
    return env


def _compiled(cache: Path | None, settings: str) -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates under `cache`, one folder for each language and site.yaml.

    Jinja checks each template's source, but it also folds constant expressions with the
    environment's filters when it compiles ('pagefind/' | site_url): a compiled template is
    good only for the settings it was compiled with.
    """
    if cache is None:
        return None
    key = hashlib.blake2b(f"{GENERATOR}\0{settings}".encode(), digest_size=10).hexdigest()
    folder = cache / "templates" / key
    if folder.is_dir():
        os.utime(folder)  # in use: the last to be pruned
    else:
        folder.mkdir(parents=True, exist_ok=True)
        _prune(folder.parent, KEPT_TEMPLATE_FOLDERS)
    return jinja2.FileSystemBytecodeCache(str(folder))


# Folders of compiled templates kept: this build's languages and a few earlier settings (another
# build with other options may be using one); older ones are removed when a new one is made.
KEPT_TEMPLATE_FOLDERS = 12


def _prune(root: Path, keep: int) -> None:
    def used(folder: Path) -> int:
        try:
            return folder.stat().st_mtime_ns
        except OSError:  # removed meanwhile by another build
            return 0

    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=used, reverse=True)
    for old in folders[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def show_date(value: EDTFDate | datetime.date | None, locale: str = "en_GB") -> str:
    """A date as a reader sees it: '26 February 1992', 'c. 1905'."""
    if value is None:
        return ""
    if isinstance(value, EDTFDate):
        return value.display(locale)
    return _long_date(value, locale)


@lru_cache(maxsize=65536)
def _long_date(value: datetime.date, locale: str) -> str:
    # The locale's long form, as EDTF days show: '26 February 1992', '26 февраля 1992 г.'. Cached:
    # Babel took a sixth of an article page's time, and an archive has far fewer days than dates shown.
    try:
        return format_date(value, "long", locale=locale)
    except (ValueError, LookupError):
        return value.isoformat()


def iso_date(value: EDTFDate | datetime.date) -> str:
    """The machine form for <time datetime>."""
    return value.iso if isinstance(value, EDTFDate) else value.isoformat()


def atom_date(value: datetime.date | None) -> str:
    """RFC 3339 time of a day (midnight UTC); the epoch, or SOURCE_DATE_EPOCH, for none."""
    if value is None:
        try:
            moment = datetime.datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0), datetime.UTC)
        except (ValueError, OverflowError, OSError):  # not a number of seconds a date can have: the epoch
            moment = datetime.datetime.fromtimestamp(0, datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00Z"


@lru_cache(maxsize=256)
def language_name(tag: str, locale: str = "en_GB") -> str:
    """A language tag as a reader names it, in the site's language: 'az' → 'Azerbaijani'."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(locale)
    except (ValueError, TypeError, UnknownLocaleError):
        return tag
    return str(name) if name else tag


@lru_cache(maxsize=256)
def direction(tag: str) -> str:
    """The direction a language is written in, for `dir`: 'rtl' for Arabic, Hebrew, Persian, Urdu ...;
    'ltr' for the others and for a tag Babel does not know."""
    try:
        order = Locale.parse(tag.replace("-", "_")).character_order
    except (ValueError, TypeError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


@lru_cache(maxsize=64)
def autonym(tag: str) -> str:
    """A language as its own speakers name it, for a language switcher: 'Azərbaycan', 'Русский'."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(tag.replace("-", "_")) or tag
    except (ValueError, UnknownLocaleError):
        return tag
    return name[:1].upper() + name[1:]


def render(env: jinja2.Environment, template: str, context: dict[str, Any]) -> str:
    """Render one template with its page context."""
    return env.get_template(template).render(context)


def render_pieces(env: jinja2.Environment, template: str, context: dict[str, Any]) -> Iterator[str]:
    """Render one template a piece at a time, for a file too large to hold whole (the data files)."""
    return env.get_template(template).generate(context)


def is_theme_error(err: Exception) -> bool:
    """Whether an error raised while rendering is the theme's, to report, rather than the system's, to
    raise: any but an OSError, and a missing template (Jinja's TemplateNotFound is an OSError too)."""
    return not isinstance(err, OSError) or isinstance(err, jinja2.TemplateNotFound)


def template_error(err: Exception, project: Path) -> SourceError:
    """A template problem as `layouts/x.html:line: message`."""
    if isinstance(err, jinja2.TemplateSyntaxError) and err.filename:
        return SourceError(_relative(err.filename, project), err.lineno, err.message or "syntax error")
    template = _template_frame(err)
    if isinstance(err, jinja2.TemplateNotFound):
        if template is None:  # the page's own template
            return SourceError(f"{LAYOUTS_DIR}/{err.name}", 0, "template not found")
        return SourceError(_relative(template.filename, project), template.lineno or 0, f"no template {err.name}")
    if template is not None:
        return SourceError(_relative(template.filename, project), template.lineno or 0, str(err))
    return SourceError(LAYOUTS_DIR, 0, str(err))


def _template_frame(err: Exception) -> traceback.FrameSummary | None:
    """The innermost frame of a template's code in an error's traceback."""
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt", ".json", ".csv")):
            return frame
    return None


def _relative(filename: str, project: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return filename
