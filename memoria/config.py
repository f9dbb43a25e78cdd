"""site.yaml: the typed site configuration, with every problem collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import Problems, SourceError
from .fields import Fields, sub_text
from .frontmatter import Document, decode, parse_yaml

CONFIG_FILE = "site.yaml"

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
    ]
)


@dataclass(frozen=True)
class MenuItem:
    """A link in the site's main navigation."""

    title: str
    url: str


@dataclass(frozen=True)
class SiteConfig:
    """Everything site.yaml says, checked and typed."""

    title: str
    base_url: str = "/"
    description: str = ""
    language: str = "en"
    intro: str = ""
    per_page: int = 10
    list_size: int = 100
    timeline_split: int = 400
    feed_size: int = 20
    menu: tuple[MenuItem, ...] = ()
    footer: str = ""
    cname: str = ""
    embeds: tuple[str, ...] = field(default_factory=tuple)

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
        problems.errors.append(err)
        return SiteConfig(title="Archive", base_url=base_url or "/")
    read = Fields(Document(CONFIG_FILE, meta, "", 0, lines), problems)
    read.check_known(KNOWN, "site.yaml")
    url = base_url if base_url is not None else read.text("base_url", default="/")
    if not _valid_base_url(url):
        problems.error(
            CONFIG_FILE,
            read.doc.line("base_url"),
            f"'base_url' must be '/', a path like '/archive/' or an http(s) URL, not \"{url}\"",
        )
        url = "/"
    menu = []
    for where, item in read.items("menu"):
        title, link = (sub_text(item, "title"), sub_text(item, "url")) if isinstance(item, dict) else ("", "")
        if not title or not link:
            problems.error(CONFIG_FILE, read.doc.line(where), "each menu item needs a 'title' and a 'url'")
        else:
            menu.append(MenuItem(title, link))
    language = read.text("language", default="en")
    return SiteConfig(
        title=read.text("title", required=True, default="Archive"),
        base_url=url,
        description=read.text("description"),
        language=language,
        intro=read.text("intro"),
        per_page=read.integer("per_page", 10, 1, 1000),
        list_size=read.integer("list_size", 100, 10, 100_000),
        timeline_split=read.integer("timeline_split", 400, 10, 1_000_000),
        feed_size=read.integer("feed_size", 20, 1, 1000),
        menu=tuple(menu),
        footer=read.text("footer"),
        cname=read.text("cname"),
        embeds=tuple(read.text_list("embeds")),
    )


def _valid_base_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.query or parts.fragment or ".." in parts.path.split("/"):
        return False
    if parts.scheme:
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    return url.startswith("/") and not url.startswith("//")
