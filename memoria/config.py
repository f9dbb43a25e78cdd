"""site.yaml: the typed site configuration, with every problem collected."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from .errors import Problems, SourceError, every
from .fields import Fields, sub_text
from .frontmatter import Document, decode, escape, parse_yaml
from .sources import CONFIG_FILE

KNOWN = frozenset(
    [
        "title",
        "description",
        "base_url",
        "language",
        "intro",
        "per_page",
        "list_size",
        "timeline_split",
        "feed_size",
        "menu",
        "footer",
        "cname",
        "embeds",
        "languages",
        "prefix_default_language",
    ]
)
# A BCP 47 language tag: a language, then subtags of 1-8 letters or digits ('en', 'pt-BR', 'sr-Latn-RS').
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
LANGUAGE_RULE = "a language code such as en, az, fr, ru or pt-BR"
BASE_URL_RULE = "must be '/', a path like '/archive/' or an http(s) URL"
_NOT_IN_BASE_URL = frozenset("\\\"'<>`")
# What each entry of `languages:` may set for its language; the rest is the site's.
LANGUAGE_FIELDS = frozenset(["code", "title", "description", "intro", "menu", "footer"])


@dataclass(frozen=True)
class MenuItem:
    """A link in the site's main navigation."""

    title: str
    url: str


@dataclass(frozen=True)
class Language:
    """One language of a multilingual site: its code, the path its pages live under, and its own words."""

    code: str
    prefix: str = ""  # '' or 'az/'
    title: str = ""
    description: str = ""
    intro: str = ""
    menu: tuple[MenuItem, ...] | None = None
    footer: str = ""


@dataclass(frozen=True)
class SiteConfig:
    """Everything site.yaml says, checked and typed."""

    title: str
    base_url: str = "/"
    description: str = ""
    language: str = "en"
    intro: str = ""
    intro_line: int = 1  # where site.yaml says it
    per_page: int = 10
    list_size: int = 100
    timeline_split: int = 400
    feed_size: int = 20
    menu: tuple[MenuItem, ...] = ()
    footer: str = ""
    cname: str = ""
    embeds: tuple[str, ...] = field(default_factory=tuple)
    languages: tuple[Language, ...] = ()  # empty: one language, `language`, at the root

    @property
    def multilingual(self) -> bool:
        """True when the site has pages in more than one language."""
        return len(self.languages) > 1

    @property
    def codes(self) -> tuple[str, ...]:
        """The site's languages, the default first."""
        return tuple(lang.code for lang in self.languages) or (self.language,)

    def prefix(self, code: str) -> str:
        """The path of a language's pages: '' (the default, at the root) or 'az/'."""
        return next((lang.prefix for lang in self.languages if lang.code == code), "")

    def for_language(self, code: str) -> SiteConfig:
        """The settings as the pages of one language see them: its title, description, menu and footer."""
        lang = next((lang for lang in self.languages if lang.code == code), None)
        if lang is None:
            return self
        return replace(
            self,
            language=code,
            title=lang.title or self.title,
            description=lang.description or self.description,
            intro=lang.intro or self.intro,
            menu=self.menu if lang.menu is None else lang.menu,
            footer=lang.footer or self.footer,
        )

    @property
    def base_path(self) -> str:
        """The path every URL of the site starts with: '/' or '/archive/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        """'https://user.github.io' when base_url is absolute, else ''."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def parse_config(data: bytes, problems: Problems, base_url: str | None = None) -> SiteConfig:
    """Read site.yaml's bytes; problems are recorded, defaults fill the gaps."""
    try:
        meta, lines = parse_yaml(CONFIG_FILE, decode(CONFIG_FILE, data), first_line=1)
    except SourceError as err:
        problems.errors += every(err)
        return SiteConfig(title="Archive", base_url=base_url or "/")
    read = Fields(Document(CONFIG_FILE, meta, "", 0, lines), problems)
    read.check_known(KNOWN, "site.yaml")
    url = base_url if base_url is not None else read.text("base_url", default="/")
    if not valid_base_url(url):
        problems.error(CONFIG_FILE, read.doc.line("base_url"), f"'base_url' {BASE_URL_RULE}, not {quoted(url)}")
        url = "/"
    menu = _menu(read, "menu", read.doc.meta.get("menu"))
    language = read.text("language", default="en")
    if not _known_language(language):
        read.error("language", f"'language' must be {LANGUAGE_RULE}, not {quoted(language)}{_hint(language)}")
        language = "en"  # the rest of the run goes on in a language every part of it knows
    languages = _languages(read, read.flag("prefix_default_language", False))
    if languages:
        language = languages[0].code
    return SiteConfig(
        title=read.text("title", required=True, default="Archive"),
        base_url=url,
        description=read.text("description"),
        language=language,
        intro=read.text("intro"),
        intro_line=read.doc.line("intro"),
        per_page=read.integer("per_page", 10, 1, 1000),
        list_size=read.integer("list_size", 100, 10, 100_000),
        timeline_split=read.integer("timeline_split", 400, 10, 1_000_000),
        feed_size=read.integer("feed_size", 20, 1, 1000),
        menu=tuple(menu),
        footer=read.text("footer"),
        cname=_cname(read),
        embeds=tuple(read.text_list("embeds")),
        languages=languages,
    )


# A domain name as GitHub Pages takes it in CNAME: labels of letters, digits and hyphens, with dots.
_DOMAIN = re.compile(r"(?=.{4,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def _cname(read: Fields) -> str:
    """The custom domain written to CNAME, if it is one."""
    cname = read.text("cname").strip()
    if cname and not _DOMAIN.fullmatch(cname):
        read.error("cname", f"'cname' must be a domain name such as archive.example.org, not {quoted(cname)}")
        return ""
    return cname


def _menu(read: Fields, where: str, value: Any) -> tuple[MenuItem, ...]:
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    menu = []
    for n, item in enumerate(items):
        title, link = (sub_text(item, "title"), sub_text(item, "url")) if isinstance(item, dict) else ("", "")
        if not title or not link:
            read.problems.error(
                CONFIG_FILE, read.doc.line(f"{where}.{n}"), "each menu item needs a 'title' and a 'url'"
            )
        else:
            menu.append(MenuItem(title, link))
    return tuple(menu)


def _languages(read: Fields, prefix_default: bool) -> tuple[Language, ...]:
    """`languages:` as a list of codes or of {code, title, ...}, or a mapping of code to settings."""
    value = read.doc.meta.get("languages")
    if value in (None, "", []):
        return ()
    entries: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for code, item in value.items():
            # `en:` or `en: null` (read as text, as every scalar is) takes the site's settings.
            bare = item in (None, "", "null", "~")
            entries.append((f"languages.{code}", {**(item if isinstance(item, dict) else {}), "code": code}))
            if not bare and not isinstance(item, dict):
                read.error(f"languages.{code}", f"the settings of language {code} must be a mapping {{title: ...}}")
    elif isinstance(value, list):
        entries = [(f"languages.{n}", item) for n, item in enumerate(value)]
    else:
        read.error("languages", "'languages' must be a list such as [en, az, fr, ru]")
    languages: list[Language] = []
    for where, item in entries:
        line = read.doc.line(where)
        settings = {"code": item} if isinstance(item, str) else item
        if not isinstance(settings, dict):
            read.problems.error(CONFIG_FILE, line, "each language must be a code or {code: ..., title: ...}")
            continue
        unknown = sorted(str(key) for key in settings if key not in LANGUAGE_FIELDS)
        if unknown:
            read.problems.error(CONFIG_FILE, line, f"unknown language setting '{unknown[0]}'")
        code = sub_text(settings, "code")
        if not _known_language(code):
            read.problems.error(CONFIG_FILE, line, f"{quoted(code)} is not {LANGUAGE_RULE}{_hint(code)}")
            continue
        if any(lang.code == code for lang in languages):
            read.problems.error(CONFIG_FILE, line, f'the language "{code}" is listed twice')
            continue
        prefix = "" if not languages and not prefix_default else f"{code.lower()}/"
        menu = _menu(read, f"{where}.menu", settings["menu"]) if "menu" in settings else None
        texts = {key: sub_text(settings, key) for key in ("title", "description", "intro", "footer")}
        languages.append(Language(code, prefix, menu=menu, **texts))
    return tuple(languages)


def is_language_tag(code: str) -> bool:
    """A BCP 47 tag in form: 'en', 'az', 'pt-BR', 'sr-Latn' (not 'en_GB', nor '5')."""
    return _LANGUAGE_TAG.fullmatch(code) is not None


def _known_language(code: str) -> bool:
    """A BCP 47 tag (en, az, pt-BR, sr-Latn) that Babel knows: dates and plural rules come from its data."""
    if not _LANGUAGE_TAG.fullmatch(code):
        return False  # 'en_GB' is Babel's spelling, not a tag: ICU and browsers refuse it
    try:
        Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return False
    return True


def _hint(code: str) -> str:
    """' (write "en-GB")' when the code is a known language spelt with '_'."""
    tag = code.replace("_", "-")
    return f" (write {quoted(tag)})" if tag != code and _known_language(tag) else ""


def quoted(value: str) -> str:
    """A value as written, in double quotes, on one line: control characters and line breaks escaped."""
    return f'"{escape(value if len(value) <= 100 else value[:97] + "...")}"'


def valid_base_url(url: str) -> bool:
    """True for '/', a path such as '/archive/', or an http(s) URL, with nothing a browser reads otherwise."""
    # A browser reads '\' as '/' ('/\evil.example/' is another host); quotes, brackets and blanks have no place.
    if any(char in _NOT_IN_BASE_URL or not char.isprintable() or char.isspace() for char in url):
        return False
    parts = urlsplit(url)
    if parts.query or parts.fragment or ".." in parts.path.split("/"):
        return False
    if parts.scheme:
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    return url.startswith("/") and not url.startswith("//")
