"""The archive as data: articles, people, pages, events; read from parsed documents."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import urls
from .dates import DateError, EDTFDate, parse_day, parse_edtf
from .errors import Problems
from .fields import Fields, describe, sub_text
from .frontmatter import Document, escape
from .images import Picture
from .markup import first_paragraph
from .slugs import is_valid_slug, slug_from_filename, term_slug

ARTICLE_FIELDS = frozenset(
    [
        "title",
        "date",
        "slug",
        "summary",
        "source",
        "people",
        "places",
        "tags",
        "events",
        "images",
        "lang",
        "translation_key",
        "draft",
        "published",
        "aliases",
    ]
)
PERSON_FIELDS = frozenset(
    ["name", "slug", "aliases", "role", "born", "died", "place", "photo", "links", "lang", "draft", "published"]
)
PAGE_FIELDS = frozenset(["title", "slug", "summary", "lang", "translation_key", "draft", "published", "aliases"])


@dataclass
class Parsed:
    """A content file after parsing: its document and its body rendered to HTML."""

    doc: Document
    html: str
    digest: str = ""
    images: list[tuple[str, str, int]] = field(default_factory=list)  # the body's local images: (src, alt, line)
    reading: Any = None  # what archive.read_file made of it, kept with it in the parse cache
    check: str | None = None  # archive.body_check of the reading: what a body edit must leave as it is


@dataclass
class Source:
    """Where an article comes from."""

    name: str = ""
    url: str = ""
    place: str = ""
    date: EDTFDate | None = None
    author: str = ""


@dataclass
class Mention:
    """A person named by an article or an event, as written there."""

    ref: str
    role: str
    line: int
    person: Person | None = None
    name: str = ""  # the name written beside a slug ({name: ..., slug: ...}): a page-only person's name


@dataclass
class Image:
    """An image an article or a person shows: as written (`src` relative to its file or /assets/...),
    and, once the build has found and processed it, its Picture (raster) or URL (an SVG of assets/)."""

    src: str
    alt: str = ""
    caption: str = ""
    credit: str = ""
    line: int = 0
    picture: Picture | None = None
    url: str = ""


@dataclass
class Link:
    """An outside link of a person."""

    title: str
    url: str


@dataclass
class Event:
    """A dated item of an article, for the timeline."""

    date: EDTFDate
    title: str
    place: str
    people: list[Mention]
    article: Article
    number: int

    @property
    def anchor(self) -> str:
        """The id of the event on its article's page (an underscore: heading ids never have one)."""
        return f"event_{self.number}"


@dataclass
class Article:
    """A report, testimony or document."""

    path: str
    slug: str
    title: str
    date: datetime.date
    summary: str
    html: str
    source: Source
    people: list[Mention]
    places: list[str]
    tags: list[str]
    events: list[Event] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    inline_images: list[Image] = field(default_factory=list)
    lang: str = ""
    aliases: list[str] = field(default_factory=list)
    alias_lines: dict[str, int] = field(default_factory=dict)  # where each alias is written, for errors
    digest: str = ""
    translation_key: str = ""  # the same for an article and its translations
    prefix: str = ""  # where the pages of its language are: '' or 'fr/'

    @property
    def url(self) -> str:
        """Site-relative URL."""
        return urls.item(urls.ARTICLES, self.slug)

    @property
    def site_url(self) -> str:
        """Its URL in the whole site, in its own language: 'fr/articles/x/'."""
        return self.prefix + self.url

    @property
    def edtf(self) -> EDTFDate:
        """The publication date as a timeline date."""
        return parse_edtf(self.date)

    @property
    def cover(self) -> Image | None:
        """The image that stands for the article (thumbnails, share cards): the first one shown."""
        return next((i for i in [*self.images, *self.inline_images] if i.picture or i.url), None)


@dataclass
class Person:
    """Someone the archive names; `path` is None for a person with no file."""

    slug: str
    name: str
    path: str | None = None
    aliases: list[str] = field(default_factory=list)
    role: str = ""
    born: EDTFDate | None = None
    died: EDTFDate | None = None
    place: str = ""
    photo: Image | None = None
    links: list[Link] = field(default_factory=list)
    html: str = ""
    inline_images: list[Image] = field(default_factory=list)
    lang: str = ""
    digest: str = ""
    mentions: list[tuple[Article, str]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    companions: list[tuple[Person, int]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # the name in each language or script it is given in
    translations: dict[str, Person] = field(default_factory=dict)  # the biography in other languages, by code

    def name_in(self, language: str) -> str:
        """The name as readers of a language write it ('Солтан Мамедов' in ru), else the main form."""
        return self.names.get(language) or self.name

    @property
    def url(self) -> str:
        """Site-relative URL."""
        return urls.item(urls.PEOPLE, self.slug)


@dataclass
class Page:
    """A free page such as 'about'."""

    path: str
    slug: str
    title: str
    summary: str
    html: str
    inline_images: list[Image] = field(default_factory=list)
    lang: str = ""
    aliases: list[str] = field(default_factory=list)
    alias_lines: dict[str, int] = field(default_factory=dict)  # where each alias is written, for errors
    digest: str = ""
    translation_key: str = ""
    prefix: str = ""

    @property
    def url(self) -> str:
        """Site-relative URL."""
        return urls.free_page(self.slug)

    @property
    def site_url(self) -> str:
        """Its URL in the whole site, in its own language: 'fr/articles/x/'."""
        return self.prefix + self.url


def is_hidden(doc: Document, problems: Problems, drafts: bool) -> bool:
    """True for `published: false`, and for drafts unless drafts are built."""
    read = Fields(doc, problems)
    return not read.flag("published", True) or (read.flag("draft", False) and not drafts)


def _slug(read: Fields, stem: str) -> str:
    given = read.text("slug")
    if given:
        if not is_valid_slug(given):
            rule = (
                "at most 200 characters"
                if is_valid_slug(given[:200])
                else "lowercase ASCII letters, digits and hyphens"
            )
            read.error("slug", f"'slug' must be {rule}, not {describe(given)}")
        return given
    slug = slug_from_filename(stem)
    if not slug:
        read.error("title", "cannot make a URL from the file name; add a 'slug:' field")
    return slug


def _edtf(read: Fields, key: str, value: Any) -> EDTFDate | None:
    if value is None or value == "":
        return None
    try:
        return parse_edtf(value)
    except DateError as err:
        read.error(key, f"'{key.split('.')[0]}' {err}")
        return None


def _url(read: Fields, key: str, value: str) -> str:
    """An address elsewhere, as written: http(s) or mailto. One without a scheme ('www.example.org/x',
    '/about/') would be a link within this site, which base_url would not reach: an error."""
    if not value:
        return value
    scheme = urlsplit(value).scheme.lower()
    if scheme not in ("http", "https", "mailto"):
        read.error(
            key,
            f"'{key.split('.')[0]}' must be a full http(s) address such as https://example.org/, not {describe(value)}",
        )
        return ""
    return value


def read_mentions(read: Fields, key: str) -> list[Mention]:
    """`people:` items: a slug, a name, or {slug or name, role}."""
    mentions = []
    for where, item in read.items(key):
        line = read.doc.line(where)
        if isinstance(item, str) and item.strip():
            mentions.append(Mention(item.strip(), "", line))
        elif isinstance(item, dict) and (sub_text(item, "slug") or sub_text(item, "name")):
            slug, name = read.sub_text(where, item, "slug"), read.sub_text(where, item, "name")
            mentions.append(Mention(slug or name, read.sub_text(where, item, "role"), line, name=name if slug else ""))
        else:
            read.problems.error(
                read.doc.path,
                line,
                f"each of '{key}' must be a name, a slug or {{name: ..., role: ...}}, not {describe(item)}",
            )
    return mentions


def read_article(parsed: Parsed, stem: str, default_lang: str, problems: Problems) -> Article:
    """An article from its parsed file; problems are recorded, not raised."""
    doc = parsed.doc
    read = Fields(doc, problems)
    read.check_known(ARTICLE_FIELDS, "an article")
    title = read.text("title", required=True)
    date = datetime.date(1970, 1, 1)
    if read.has("date"):
        try:
            date = parse_day(doc.meta["date"])
        except DateError as err:
            read.error("date", f"'date' {err}")
    else:
        read.error("date", "'date' is required (YYYY-MM-DD)")
    raw_source = read.mapping("source")
    source = Source(
        name=read.sub_text("source", raw_source, "name"),
        url=_url(read, "source.url", read.sub_text("source", raw_source, "url")),
        place=read.sub_text("source", raw_source, "place"),
        date=_edtf(read, "source.date", raw_source.get("date")),
        author=read.sub_text("source", raw_source, "author"),
    )
    article = Article(
        path=doc.path,
        slug=_slug(read, stem),
        title=title,
        date=date,
        summary=read.text("summary") or first_paragraph(parsed.html),
        html=parsed.html,
        source=source,
        people=read_mentions(read, "people"),
        places=_terms(read, "places"),
        tags=_terms(read, "tags"),
        lang=read.text("lang") or default_lang,
        aliases=read.text_list("aliases"),
        alias_lines=read.text_lines("aliases"),
        digest=parsed.digest,
        inline_images=_inline_images(parsed, problems),
        translation_key=read.text("translation_key"),
    )
    article.images = _images(read)
    article.events = _events(read, article)
    return article


def _images(read: Fields) -> list[Image]:
    images = []
    for where, item in read.items("images"):
        image = _image(read, where, item)
        if image:
            images.append(image)
    return images


def _image(read: Fields, where: str, item: Any, alt: str = "") -> Image | None:
    """One image: a mapping {src, alt, caption, credit}, or (with a default `alt`) just the src."""
    line = read.doc.line(where)
    if isinstance(item, str) and alt:
        item = {"src": item}
    if not isinstance(item, dict) or not sub_text(item, "src"):
        read.problems.error(read.doc.path, line, "each image needs 'src' (and 'alt')")
        return None
    unknown = sorted(str(key) for key in item if key not in ("src", "alt", "caption", "credit"))
    if unknown:
        read.problems.error(
            read.doc.path, line, f"unknown image field '{escape(unknown[0])}': use src, alt, caption, credit"
        )
    text = read.sub_text(where, item, "alt") or alt
    if not text:
        read.problems.warn(read.doc.path, line, "image has no 'alt' text describing it")
    caption, credit = read.sub_text(where, item, "caption"), read.sub_text(where, item, "credit")
    return Image(sub_text(item, "src"), text, caption, credit, line)


def _inline_images(parsed: Parsed, problems: Problems) -> list[Image]:
    """The images of the Markdown body that are files of the project."""
    for src, alt, line in parsed.images:
        if not alt.strip():
            problems.warn(parsed.doc.path, line, f"image {src} has no alt text describing it: ![what it shows]({src})")
    return [Image(src, alt, line=line) for src, alt, line in parsed.images]


def _terms(read: Fields, key: str) -> list[str]:
    """Places or tags: each needs a letter or a digit to make the URL of its page from."""
    names = read.text_list(key)
    if all(term_slug(name) for name in names):
        return names
    lines = read.text_lines(key)
    for name in names:
        if not term_slug(name):
            read.problems.error(read.doc.path, lines.get(name, read.doc.line(key)), _no_url(key[:-1], name))
    return [name for name in names if term_slug(name)]


def _no_url(kind: str, name: str) -> str:
    return f'{kind} "{escape(name)}" has no letter or digit to make its URL from'


def _events(read: Fields, article: Article) -> list[Event]:
    events: list[Event] = []
    for where, item in read.items("events"):
        line = read.doc.line(where)
        if not isinstance(item, dict):
            read.problems.error(read.doc.path, line, "each event must be a mapping {date: ..., title: ...}")
            continue
        title, place = sub_text(item, "title"), read.sub_text(where, item, "place")
        if place and not term_slug(place):
            read.problems.error(read.doc.path, line, _no_url("place", place))
        if not title:
            read.problems.error(read.doc.path, line, "event needs a 'title' (text)")
        if item.get("date") in (None, ""):
            read.problems.error(read.doc.path, line, "event needs a 'date'")
            continue
        date = _edtf(read, where, item["date"])
        sub = Document(read.doc.path, {"people": item.get("people")}, "", 0, {"people": line})
        people = read_mentions(Fields(sub, read.problems), "people")
        if date and title:
            events.append(Event(date, title, place, people, article, len(events) + 1))
    return events


def read_person(parsed: Parsed, stem: str, default_lang: str, problems: Problems) -> Person:
    """A person from their file."""
    doc = parsed.doc
    read = Fields(doc, problems)
    read.check_known(PERSON_FIELDS, "a person")
    links = []
    for where, item in read.items("links"):
        if isinstance(item, str):
            links.append(Link(item, _url(read, where, item)))
        elif isinstance(item, dict) and sub_text(item, "url"):
            url = _url(read, f"{where}.url", sub_text(item, "url"))
            links.append(Link(read.sub_text(where, item, "title") or url, url))
        else:
            read.problems.error(doc.path, doc.line(where), "each link must be a URL or {title: ..., url: ...}")
    names = _names(read)
    lang = read.text("lang") or default_lang
    name = (names.get(lang) or next(iter(names.values()))) if names else read.text("name", required=True)
    person = Person(
        slug=_slug(read, stem),
        name=name,
        names=names,
        path=doc.path,
        aliases=list(dict.fromkeys(n for n in [*read.text_list("aliases"), *names.values()] if n != name)),
        role=read.text("role"),
        born=_edtf(read, "born", doc.meta.get("born")),
        died=_edtf(read, "died", doc.meta.get("died")),
        place=read.text("place"),
        links=[link for link in links if link.url],
        html=parsed.html,
        inline_images=_inline_images(parsed, problems),
        lang=lang,
        digest=parsed.digest,
    )
    if read.has("photo"):
        person.photo = _image(read, "photo", doc.meta["photo"], alt=person.name)
    if person.born and person.died and person.died.end < person.born.start:
        read.error("died", "'died' is before 'born'")
    return person


def _names(read: Fields) -> dict[str, str]:
    """`name: {az: Soltan Məmmədov, en: Soltan Mammadov, ru: Солтан Мамедов}`: a name per language or script."""
    value = read.doc.meta.get("name")
    if not isinstance(value, dict):
        return {}
    names = {}
    for code, name in value.items():
        if not isinstance(name, str) or not name.strip():
            read.error("name", f"each form of 'name' must be text: {escape(str(code))}: {describe(name)}")
        else:
            names[str(code)] = name.strip()
    if not names:
        read.error("name", "'name' is required")
    return names


def read_page(parsed: Parsed, stem: str, default_lang: str, problems: Problems) -> Page:
    """A free page."""
    doc = parsed.doc
    read = Fields(doc, problems)
    read.check_known(PAGE_FIELDS, "a page")
    slug = _slug(read, stem)
    if slug in urls.RESERVED:
        read.error(
            "slug" if read.has("slug") else "title", f"the URL /{slug}/ belongs to the site itself; choose another slug"
        )
    return Page(
        path=doc.path,
        slug=slug,
        title=read.text("title", required=True),
        summary=read.text("summary") or first_paragraph(parsed.html),
        html=parsed.html,
        inline_images=_inline_images(parsed, problems),
        lang=read.text("lang") or default_lang,
        aliases=read.text_list("aliases"),
        alias_lines=read.text_lines("aliases"),
        digest=parsed.digest,
        translation_key=read.text("translation_key"),
    )
