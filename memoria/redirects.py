"""Old URLs that must keep working: the `aliases:` of articles and pages, checked and planned.

An alias is a path on the site (`/old/path/`, `old/page.html`); it becomes a small page
there that sends the reader on to the new URL. Aliases are checked before anything is
written: no scheme or host, no `..`, nothing the site itself writes, and never the URL
of another page, so that a redirect can overwrite nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from . import urls
from .errors import SourceError
from .frontmatter import escape
from .indexer import INDEX_DIR
from .model import Article, Page
from .records import EVENTS_DIR

# Paths the site writes besides its pages, and where search keeps its records of events; aliases stay out.
RESERVED_FOLDERS = ("assets/", f"{INDEX_DIR}/", f"{EVENTS_DIR}/")
RESERVED_FILES = (".nojekyll", ".memoria-output", "CNAME")
_RESERVED_KEYS = frozenset(name.casefold() for name in RESERVED_FILES)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PAGE_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class Redirect:
    """One old URL and the page it now leads to."""

    url: str
    target: str
    title: str
    path: str
    line: int = 1  # where the alias is written in its file


class AliasError(ValueError):
    """Why an alias cannot be a URL of the site; str(err) completes 'alias "x" ...'."""


def alias_url(alias: str) -> str:
    """The site URL an alias names: '/old/path' → 'old/path/', 'old/x.html' stays; AliasError if unsafe."""
    text = alias.strip()
    if _SCHEME.match(text) or text.startswith("//"):
        raise AliasError("must be a path on this site, like /old/path/, without a scheme or host")
    if any(ch in text for ch in "?#\\") or any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in text):
        raise AliasError("must be a plain path: no '?', '#', '\\' or control characters")
    path = unquote(text).lstrip("/")
    if not path:
        raise AliasError("is the home page of the site")
    if any(ch in path for ch in "?#\\") or any(unicodedata.category(ch)[0] == "C" for ch in path):
        raise AliasError("must be a plain path: no '?', '#', '\\' or control characters, written or %-encoded")
    parts = path.rstrip("/").split("/")
    if len(parts) > _MAX_PARTS or any(len(part.encode()) > _MAX_PART for part in parts):
        raise AliasError(f"is too long a path: at most {_MAX_PARTS} parts of at most {_MAX_PART} bytes each")
    if any(part in ("", ".", "..") or part.startswith(".") or part != part.strip() for part in parts):
        raise AliasError("may not contain '..', '.', hidden or empty parts")
    folder = path.endswith("/")
    suffix = PurePosixPath(parts[-1]).suffix.lower()
    if not folder and suffix and suffix not in _PAGE_SUFFIXES:
        raise AliasError("must end with '/' or '.html': a static host serves other files as they are")
    url = "/".join(parts) + ("" if suffix and not folder else "/")
    file = urls.output_file(url)
    if file.casefold().startswith(RESERVED_FOLDERS) or parts[0].casefold() in _RESERVED_KEYS:
        raise AliasError(f"is inside /{parts[0]}/, which the site itself writes")
    return url


_MAX_PARTS = 32
_MAX_PART = 200  # bytes, well inside a file name's 255


def _key(path: str) -> str:
    # The writer compares paths the same way: a case-insensitive file system must not merge two.
    return unicodedata.normalize("NFC", path).casefold()


def plan_redirects(
    things: Iterable[Article | Page], written: dict[str, str]
) -> tuple[list[Redirect], list[SourceError]]:
    """Every alias as a redirect, and every problem with one.

    `written` maps each file the site writes ('about/index.html') to who writes it
    (a content file, or a description of the site's own page).
    """
    taken = {_key(file): owner for file, owner in written.items()}
    redirects: list[Redirect] = []
    claimed: dict[str, Redirect] = {}
    folders: dict[str, Redirect] = {}  # the folders the redirects' files are in, by key
    errors: list[SourceError] = []
    for thing in things:
        for alias in dict.fromkeys(thing.aliases):
            line = thing.alias_lines.get(alias, 1)
            try:
                url = alias_url(alias)
            except AliasError as err:
                errors.append(SourceError(thing.path, line, f'alias "{escape(alias)}" {err}'))
                continue
            redirect = Redirect(url, thing.site_url, thing.title, thing.path, line)
            file = urls.output_file(url)
            clash = _clash(file, taken)
            if clash is not None:
                errors.append(
                    SourceError(thing.path, line, f'alias "{escape(alias)}" {_describe(url, clash, thing.path)}')
                )
            elif _key(file) in claimed:
                other = claimed[_key(file)]
                if other.path != thing.path:
                    errors.append(
                        SourceError(thing.path, line, f'alias "{escape(alias)}" is also an alias in {other.path}')
                    )
                    errors.append(
                        SourceError(
                            other.path, other.line, f'alias "/{escape(other.url)}" is also an alias in {thing.path}'
                        )
                    )
                elif other.url != url:  # the same file's: one alias written twice is no problem, this is
                    errors.append(
                        SourceError(
                            thing.path,
                            line,
                            f'alias "{escape(alias)}" and the alias "/{escape(other.url)}" differ only in case '
                            "or Unicode form: the output folder cannot hold both on every file system",
                        )
                    )
            elif (rival := _folder_clash(file, claimed, folders)) is not None:
                errors.append(
                    SourceError(
                        thing.path,
                        line,
                        f'alias "{escape(alias)}" and the alias "/{escape(rival.url)}" in {rival.path} '
                        "cannot both be: one needs a folder where the other is a file",
                    )
                )
            else:
                claimed[_key(file)] = redirect
                redirects.append(redirect)
                parts = _key(file).split("/")
                folders.update(("/".join(parts[:end]), redirect) for end in range(1, len(parts)))
    return redirects, errors


def _folder_clash(file: str, claimed: dict[str, Redirect], folders: dict[str, Redirect]) -> Redirect | None:
    """The redirect whose file stands where this one needs a folder, or whose folder stands where this file would."""
    key = _key(file)
    if key in folders:
        return folders[key]
    parts = key.split("/")
    return next(
        (claimed["/".join(parts[:end])] for end in range(1, len(parts)) if "/".join(parts[:end]) in claimed), None
    )


def _clash(file: str, taken: dict[str, str]) -> tuple[str, str] | None:
    """(who, what) when the file is already written, or a file stands where it needs a folder."""
    key = _key(file)
    if key in taken:
        return taken[key], ""
    parts = file.split("/")
    for end in range(1, len(parts)):
        folder = "/".join(parts[:end])
        if _key(folder) in taken:
            return taken[_key(folder)], folder
    return None


def _describe(url: str, clash: tuple[str, str], path: str) -> str:
    owner, folder = clash
    if folder:
        return f"needs a folder /{folder}/ where {owner} writes a file"
    return f"is /{url}, " + ("this file's own URL" if owner == path else f"already written by {owner}")
