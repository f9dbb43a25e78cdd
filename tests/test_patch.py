"""The dev server's body edit: the kept model patched, the output the same as a clean build's."""

from __future__ import annotations

from pathlib import Path

import pytest

from memoria import pipeline
from memoria.pipeline import Options, Session, build
from tests.conftest import copy_example, make_site, snapshot
from tests.test_incremental import CONFIG, FILES

EXAMPLE_ARTICLE = "content/articles/2023/2023-02-25-khojaly-commemoration-paris.md"


def contents(folder: Path) -> dict[str, bytes]:
    return {rel: data for rel, (data, _) in snapshot(folder).items()}


def clean_build(project: Path) -> dict[str, bytes]:
    build(Options(project, project.parent / "clean", quiet=True, cache=False, search=False))
    return contents(project.parent / "clean")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def server_build(project: Path, session: Session) -> pipeline.Result:
    return build(Options(project, project / "output", quiet=True, search=False), session)


@pytest.mark.parametrize("site", ["example", "small"])
def test_body_edits_are_patched_and_equal_a_clean_build(
    tmp_path: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if site == "example":  # three languages; the article's summary is written in its front matter
        project, rel = copy_example(tmp_path / "site"), EXAMPLE_ARTICLE
    else:  # the summary is the body's first paragraph: lists of articles change too
        project, rel = make_site(tmp_path / "site", FILES, CONFIG), "content/articles/a3.md"
    session = Session()
    first = server_build(project, session)
    assert session.built is not None and first.pages > 10
    before = snapshot(project / "output")
    loaded = pipeline.load_archive

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a full build, where a patch was expected")

    monkeypatch.setattr(pipeline, "load_archive", refuse)
    for n in range(2):  # twice: the second patch starts from the first
        path = project / rel
        if site == "small" and n == 0:
            path.write_text(path.read_text().replace("Body of article 3.", "A new first paragraph."))
        else:
            append(path, f"\nA sentence added to the body, edit {n}.\n")
        result = server_build(project, session)
        assert 0 < result.written < 20, result.changed
    monkeypatch.setattr(pipeline, "load_archive", loaded)
    after = snapshot(project / "output")
    assert contents(project / "output") == clean_build(project)
    # Only the files that show the article were rewritten; every other one kept its time.
    rewritten = {rel for rel in after if before.get(rel) != after[rel]}
    assert rewritten and len(rewritten) < 25 and "people/index.html" not in rewritten
    assert any(rel.startswith("articles/") and rel.endswith("index.html") for rel in rewritten)


@pytest.mark.parametrize(
    "change",
    [
        ("title: Article 3", "title: Renamed"),  # the front matter
        ("Body of article 3.", "Body of article 3.\n\n![](missing.png)"),  # a new problem (no alt, no file)
        ("Body of article 3.", "Body with ![an emblem](/assets/favicon.svg) in it."),  # images of the body
    ],
)
def test_other_edits_are_built_in_full_and_equal_a_clean_build(tmp_path: Path, change: tuple[str, str]) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    session = Session()
    server_build(project, session)
    path = project / "content/articles/a3.md"
    path.write_text(path.read_text().replace(*change))
    calls = []
    loaded = pipeline.load_archive

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return loaded(*args, **kwargs)  # type: ignore[arg-type]

    pipeline.load_archive = counting  # type: ignore[assignment]
    try:
        server_build(project, session)
    except pipeline.BuildError:
        pass  # the missing image is an error: then the output is left as it was
    finally:
        pipeline.load_archive = loaded
    assert calls == [1]
    if (project / "output").is_dir() and "missing" not in change[1]:
        assert contents(project / "output") == clean_build(project)


def test_a_build_by_another_process_in_between_means_a_full_build(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    session = Session()
    server_build(project, session)
    append(project / "content/articles/a2.md", "\nMore.\n")
    build(Options(project, project / "output", quiet=True, search=False))  # the command line, meanwhile
    append(project / "content/articles/a2.md", "\nAnd more.\n")
    assert session.built is not None
    result = server_build(project, session)
    assert session.built is not None and result.written > 0
    assert contents(project / "output") == clean_build(project)
