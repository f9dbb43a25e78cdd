"""`build.py new`: start a correct content file from a title or a name."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from .errors import UsageError
from .slugs import slugify


def new_file(project: Path, kind: str, title: str, today: datetime.date | None = None) -> str:
    """Write a new article, person or page and return its project-relative path."""
    slug = slugify(title)
    if not slug:
        raise UsageError(f"cannot make a file name from {title!r}")
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return rel
