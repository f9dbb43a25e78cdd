"""memoria/records.py: the events' records that search indexes, made again only when what they show changes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from memoria import records
from memoria.archive import Archive
from memoria.pipeline import Options, load_archive
from tests.conftest import make_site

ARTICLE = """---
title: {title}
date: 2020-01-0{n}
people: [Ana Ray]
events:
  - {{date: '1990-05-0{n}', title: Wreath {n}, place: Baku}}
  - {{date: '1991', title: Reading {n}}}
---
Text {n}.
"""


def archive_of(project: Path) -> Archive:
    archive, problems = load_archive(Options(project, project / "output", cache=False, quiet=True))
    assert not problems.errors
    return archive


@pytest.fixture
def project(tmp_path: Path) -> Path:
    files = {f"content/articles/a{n}.md": ARTICLE.format(title=f"Article {n}", n=n) for n in (1, 2)}
    return make_site(tmp_path / "site", files)


def test_the_key_changes_with_what_the_records_show(project: Path) -> None:
    first = {a.slug: records.events_key(a) for a in archive_of(project).articles}
    assert first == {a.slug: records.events_key(a) for a in archive_of(project).articles}, (
        "the same archive, the same keys"
    )
    edit = project / "content/articles/a1.md"
    edit.write_text(edit.read_text().replace("title: Wreath 1", "title: Flowers 1"))
    second = {a.slug: records.events_key(a) for a in archive_of(project).articles}
    assert second["a1"] != first["a1"] and second["a2"] == first["a2"]


def test_records_are_kept_or_rendered_and_written_in_the_order_of_their_names(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = archive_of(project)
    one, two = sorted(archive.articles, key=lambda a: a.slug)
    folder = str(tmp_path / "read" / records.EVENTS_DIR)
    made = records.write_events(project, archive, [(one, "k1", folder), (two, "k2", folder)], {})
    assert sorted(made) == ["k1", "k2"] and [name for name, _ in made["k1"]] == ["en-a1-1.html", "en-a1-2.html"]
    assert "Wreath 1" in made["k1"][0][1] and "/articles/a1/#event_1" in made["k1"][0][1]

    rendered: list[str] = []
    real = records.render

    def counted(env: Any, template: str, context: dict[str, Any]) -> str:
        rendered.append(context["event"].title)
        return real(env, template, context)

    monkeypatch.setattr(records, "render", counted)
    again = str(tmp_path / "again" / records.EVENTS_DIR)
    kept = {"k1": made["k1"]}
    assert records.write_events(project, archive, [(two, "k2", again), (one, "k1", again)], kept) == made
    assert rendered == ["Wreath 2", "Reading 2"], "the kept article's records are not rendered again"
    names = sorted(os.listdir(again))
    assert names == ["en-a1-1.html", "en-a1-2.html", "en-a2-1.html", "en-a2-2.html"]
    assert all(Path(again, name).read_text() == Path(folder, name).read_text() for name in names)
