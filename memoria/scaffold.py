"""`build.py new`: start a correct content file from a title or a name."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from .errors import UsageError
from .slugs import shortened, slugify
from .urls import RESERVED


def new_file(project: Path, kind: str, title: str, today: datetime.date | None = None) -> str:
    """Write a new article, person or page and return its project-relative path."""
    try:
        title.encode("utf-8")
    except UnicodeEncodeError:
        # Bytes that are not UTF-8 on the command line arrive as lone surrogates (PEP 383).
        raise UsageError(f"the title is not valid UTF-8 text: {title!a}") from None
    slug = shortened(slugify(title))  # a long title gives a shorter file name
    if not slug:
        raise UsageError(f"cannot make a file name from {title!r}")
    if kind == "page" and slug in RESERVED:
        raise UsageError(f"the URL /{slug}/ belongs to the site itself; choose another title")
    day = today or datetime.date.today()
    quoted = json.dumps(title.strip(), ensure_ascii=False)
    if kind == "article":
        rel = f"content/articles/{day.year}/{day.isoformat()}-{slug}.md"
        text = (
            f'---\ntitle: {quoted}\ndate: {day.isoformat()}\nsummary: ""\n'
            'source: {name: "", url: "", place: "", date: ""}\npeople: []\nplaces: []\ntags: []\n'
            "events: []\n---\nWrite the article here.\n"
        )
    elif kind == "person":
        rel = f"content/people/{slug}.md"
        text = f'---\nname: {quoted}\naliases: []\nrole: ""\n---\nWrite the biography here.\n'
    else:
        rel = f"content/pages/{slug}.md"
        text = f"---\ntitle: {quoted}\n---\nWrite the page here.\n"
    path = project / rel
    if path.exists():
        raise UsageError(f"{rel} already exists")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {rel}: {error.strerror}") from None
    return rel
