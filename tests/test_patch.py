"""A body edit: the last build's model (kept by the dev server, or on disk) patched, the output the same as a clean build's."""

from __future__ import annotations

import fcntl
import re
from pathlib import Path
from typing import Any

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


@pytest.fixture
def full_builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The projects whose model was loaded anew (a full build, not a patch), from now on."""
    loads: list[Path] = []
    load = pipeline.load_archive

    def counted(options: Options, *args: Any, **kwargs: Any) -> Any:
        loads.append(options.project)
        return load(options, *args, **kwargs)

    monkeypatch.setattr(pipeline, "load_archive", counted)
    return loads


@pytest.mark.parametrize("site", ["example", "small"])
def test_body_edits_are_patched_and_equal_a_clean_build(tmp_path: Path, site: str, full_builds: list[Path]) -> None:
    if site == "example":  # three languages; the article's summary is written in its front matter
        project, rel = copy_example(tmp_path / "site"), EXAMPLE_ARTICLE
    else:  # the summary is the body's first paragraph: lists of articles change too
        project, rel = make_site(tmp_path / "site", FILES, CONFIG), "content/articles/a3.md"
    session = Session()
    first = server_build(project, session)
    assert session.built is not None and first.pages > 10
    before = snapshot(project / "output")
    full_builds.clear()
    for n in range(2):  # twice: the second patch starts from the first
        path = project / rel
        if site == "small" and n == 0:
            path.write_text(path.read_text().replace("Body of article 3.", "A new first paragraph."))
        else:
            append(path, f"\nA sentence added to the body, edit {n}.\n")
        result = server_build(project, session)
        assert 0 < result.written < 20, result.changed
    assert full_builds == []  # both were patches
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
def test_other_edits_are_built_in_full_and_equal_a_clean_build(
    tmp_path: Path, change: tuple[str, str], full_builds: list[Path]
) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    session = Session()
    server_build(project, session)
    path = project / "content/articles/a3.md"
    path.write_text(path.read_text().replace(*change))
    full_builds.clear()
    try:
        server_build(project, session)
    except pipeline.BuildError:
        assert "missing" in change[1]  # the missing image is an error: the output is left as it was
    else:
        assert contents(project / "output") == clean_build(project)
    assert full_builds[:1] == [project]


def cli_build(project: Path) -> pipeline.Result:
    return build(Options(project, project / "output", quiet=True, search=False))


def test_a_build_by_another_process_in_between_is_patched_from_the_model_it_kept(
    tmp_path: Path, full_builds: list[Path]
) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    session = Session()
    server_build(project, session)
    full_builds.clear()
    append(project / "content/articles/a2.md", "\nMore.\n")
    cli_build(project)  # the command line, meanwhile: patched from the model the server's build kept on disk
    append(project / "content/articles/a2.md", "\nAnd more.\n")
    result = server_build(project, session)  # its own model is out of date: the one on disk is patched
    assert full_builds == []
    assert session.built is not None and result.written > 0
    assert contents(project / "output") == clean_build(project)


def kept_model(project: Path) -> Path:
    """The model the last build keeps, once its writer (a process of its own) has put it in place."""
    [lock] = (project / ".memoria").glob("state-*-built.pickle.lock")
    with lock.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
    return lock.with_suffix("")


def test_body_edits_from_the_command_line_are_patched_and_equal_a_clean_build(
    tmp_path: Path, full_builds: list[Path]
) -> None:
    project = copy_example(tmp_path / "site")
    cli_build(project)
    assert full_builds == [project]
    full_builds.clear()
    for n in range(2):  # the second patch starts from the model the first one kept
        append(project / EXAMPLE_ARTICLE, f"\nA sentence added to the body, edit {n}.\n")
        result = cli_build(project)
        assert 0 < result.written < 20, result.changed
    assert full_builds == []
    assert contents(project / "output") == clean_build(project)
    full_builds.clear()
    # A front matter edit is a full build, and keeps a model the next body edit is patched from.
    path = project / EXAMPLE_ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace('\ntitle: "', '\ntitle: "Renamed: ', 1), encoding="utf-8")
    cli_build(project)
    assert full_builds == [project]
    append(path, "\nOne more sentence.\n")
    cli_build(project)
    assert full_builds == [project]
    assert contents(project / "output") == clean_build(project)


@pytest.mark.parametrize("damage", ["removed", "cut short", "another site key"])
def test_a_kept_model_that_cannot_be_used_means_a_full_build(
    tmp_path: Path, damage: str, full_builds: list[Path]
) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    cli_build(project)
    model = kept_model(project)
    cli_build(project)  # nothing changed: waits for nothing, reads nothing
    if damage == "removed":
        model.unlink()
    elif damage == "cut short":
        model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    else:
        (project / "site.yaml").write_text((project / "site.yaml").read_text() + "\ndescription: Another.\n")
    append(project / "content/articles/a2.md", "\nMore.\n")
    full_builds.clear()
    cli_build(project)
    assert full_builds == [project]
    assert contents(project / "output") == clean_build(project)


def test_the_dev_servers_first_build_after_a_start_is_patched_from_the_model_on_disk(
    tmp_path: Path, full_builds: list[Path]
) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    cli_build(project)
    session = Session()  # a server started on an output that is up to date
    assert server_build(project, session).unchanged
    append(project / "content/articles/a3.md", "\nA sentence added.\n")
    full_builds.clear()
    result = server_build(project, session)
    assert full_builds == [] and result.written > 0 and session.built is not None
    append(project / "content/articles/a3.md", "\nAnother one.\n")
    server_build(project, session)  # from the model now in memory
    assert full_builds == []
    assert contents(project / "output") == clean_build(project)


def test_a_body_edit_with_search_is_patched_and_its_index_equals_a_clean_builds(
    tmp_path: Path, full_builds: list[Path]
) -> None:
    project = copy_example(tmp_path / "site")
    build(Options(project, project / "output", quiet=True))
    full_builds.clear()
    append(project / EXAMPLE_ARTICLE, "\nA sentence with the word quetzalcoatl in it.\n")
    result = build(Options(project, project / "output", quiet=True))
    assert full_builds == []
    assert any(rel.startswith("pagefind/") for rel in result.changed)
    build(Options(project, project.parent / "clean", quiet=True, cache=False))
    assert contents(project / "output") == contents(project.parent / "clean")


def test_a_model_that_cannot_be_kept_leaves_the_build_as_it_was(
    tmp_path: Path, full_builds: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .memoria/ where no lock can be made (read-only, full): the build stands, the next body edit is built in full."""
    from memoria import patch

    def refused(*args: Any) -> int:
        raise PermissionError("read-only")

    monkeypatch.setattr(patch, "_locked", refused)
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert cli_build(project).pages > 0
    append(project / "content/articles/a2.md", "\nMore.\n")
    full_builds.clear()
    cli_build(project)
    assert full_builds == [project]
    assert contents(project / "output") == clean_build(project)


def test_a_full_build_reads_only_the_content_files_changed_since_the_last_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the others read as is in the parse cache, under the key the kept model's readings give them."""
    project = make_site(tmp_path / "site", FILES, CONFIG)
    cli_build(project)
    read: list[str] = []
    real = Path.read_bytes

    def counted(self: Path) -> bytes:
        if "content" in self.parts:
            read.append(self.relative_to(project).as_posix())
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    path = project / "content/articles/a3.md"
    path.write_text(path.read_text().replace("title: Article 3", "title: Renamed"))
    cli_build(project)
    assert set(read) == {"content/articles/a3.md"}  # read to tell a body edit, and then to parse
    monkeypatch.undo()
    assert contents(project / "output") == clean_build(project)
    (project / ".memoria").joinpath(kept_model(project).name).unlink()  # no readings kept: every file is read
    path.write_text(path.read_text().replace("title: Renamed", "title: Renamed again"))
    monkeypatch.setattr(Path, "read_bytes", counted)
    read.clear()
    cli_build(project)
    assert "content/articles/a3.md" in read and len(read) > 3


def test_a_patch_makes_the_data_files_keys_of_the_edited_article_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept model carries each item's key (made by its writer): a body edit makes its article's again."""
    from memoria import export, parallel

    project = copy_example(tmp_path / "site")
    cli_build(project)
    kept_model(project)
    made: list[Any] = []
    real = export.made_of

    def counted(description: Any) -> bytes:
        made.append(description)
        return real(description)

    monkeypatch.setattr(export, "made_of", counted)
    monkeypatch.setattr(parallel, "workers", lambda: 1)  # rendered here, where the keys are counted
    append(project / EXAMPLE_ARTICLE, "\nA sentence added to the body.\n")
    assert cli_build(project).written > 0
    assert made and {description[1] for description in made} == {EXAMPLE_ARTICLE}, "the article and its events"
    monkeypatch.undo()
    assert contents(project / "output") == clean_build(project)


@pytest.mark.parametrize(
    "added",
    [
        "\nSee [the note](/articles/draft-note/).\n",  # a link to a draft: plain text once linked
        "\n![An emblem](/assets/favicon.svg)\n",  # an image: a figure once linked
    ],
)
def test_a_body_with_a_link_into_the_site_or_an_image_is_built_in_full(
    tmp_path: Path, added: str, full_builds: list[Path]
) -> None:
    files = {
        **FILES,
        "content/articles/draft-note.md": "---\ntitle: Draft\ndate: 2023-01-01\ndraft: true\n---\nNot yet.\n",
    }
    project = make_site(tmp_path / "site", files, CONFIG)
    cli_build(project)
    append(project / "content/articles/a2.md", added)
    full_builds.clear()
    cli_build(project)
    assert full_builds == [project]
    append(project / "content/articles/a2.md", "\nAnd a sentence after it.\n")
    cli_build(project)
    assert contents(project / "output") == clean_build(project)


def test_a_build_without_the_cache_forgets_what_earlier_builds_kept(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    cli_build(project)
    path = project / "content/articles/a3.md"
    original = path.read_text()
    path.write_text(original.replace("title: Article 3", "title: Renamed"))
    build(Options(project, project / "output", quiet=True, cache=False, search=False))
    path.write_text(original)
    cli_build(project)
    assert contents(project / "output") == clean_build(project)


@pytest.mark.parametrize("site", ["example", "small"])
def test_a_model_replaced_by_a_full_build_is_freed_before_the_new_one_is_made(
    tmp_path: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its articles, events and people refer to one another: unlinked (archive.undo_links), they go as the
    full build starts, with the cyclic collector paused, and the session's next builds are still right."""
    import gc
    import weakref

    project = copy_example(tmp_path / "site") if site == "example" else make_site(tmp_path / "site", FILES, CONFIG)
    session = Session()
    server_build(project, session)
    assert session.built is not None
    old = session.built.archive
    held = [weakref.ref(thing) for thing in [*old.articles, *old.people, *(e for a in old.articles for e in a.events)]]
    assert any(article.events for article in old.articles) and any(person.mentions for person in old.people)
    del old
    alive_at_load: list[int] = []
    load = pipeline.load_archive

    def counted(options: Options, *args: Any, **kwargs: Any) -> Any:
        if options.cache:  # the session's build, not the clean one
            alive_at_load.append(sum(ref() is not None for ref in held))
        return load(options, *args, **kwargs)

    monkeypatch.setattr(pipeline, "load_archive", counted)
    article = sorted((project / "content/articles").rglob("*.md"))[0]
    for n in range(2):
        text = re.sub(r'^title: ("?)', rf"title: \g<1>T{n} ", article.read_text(encoding="utf-8"), count=1, flags=re.M)
        article.write_text(text, encoding="utf-8")
        gc.disable()
        try:
            server_build(project, session)
        finally:
            gc.enable()
        assert contents(project / "output") == clean_build(project)
    assert alive_at_load == [0, 0]


def test_the_dev_server_keeps_its_model_on_disk_only_when_told(tmp_path: Path, full_builds: list[Path]) -> None:
    """The server's session defers the model's writer (Session.defer): nothing is written after its
    builds; `save_model` (when the server is idle, and as it stops) writes the last one, which a body
    edit from the command line then patches."""
    from memoria.server import Site

    project = make_site(tmp_path / "site", FILES, CONFIG)
    site = Site(Options(project, project / "output", quiet=True, search=False))
    kept = lambda: list((project / ".memoria").glob("state-*-built.pickle"))  # noqa: E731
    site.rebuild()
    append(project / "content/articles/a3.md", "More of it.\n")
    assert site.rebuild("content/articles/a3.md") == "*"
    assert site.session.unsaved is not None and site.session.unsaved[1] is site.session.built
    assert kept() == []
    site.session.save_model()
    assert site.session.unsaved is None
    kept_model(project)
    append(project / "content/articles/a3.md", "And more.\n")
    full_builds.clear()
    cli_build(project)
    assert full_builds == []
    assert contents(project / "output") == clean_build(project)
    # A full build drops what it replaces: an unlinked model is never written.
    path = project / "content/articles/a3.md"
    path.write_text(path.read_text().replace("title: Article 3", "title: Renamed"))
    site.rebuild("content/articles/a3.md")
    assert site.session.unsaved is not None and site.session.unsaved[1] is site.session.built


@pytest.mark.parametrize("step", ["undo_links", "patch_bodies"])
def test_a_model_interrupted_while_it_is_changed_is_never_kept(
    tmp_path: Path, step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C while the server unlinks a replaced model, or patches one: neither is held to be
    written later (the server writes the model it holds back as it stops)."""
    project = make_site(tmp_path / "site", FILES, CONFIG)
    session = Session(defer=True)
    server_build(project, session)
    assert session.unsaved is not None
    original = getattr(pipeline, step)

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, step, interrupted)
    path = project / "content/articles/a3.md"
    if step == "undo_links":
        path.write_text(path.read_text().replace("title: Article 3", "title: Renamed"))
    else:
        append(path, "More of it.\n")
    with pytest.raises(KeyboardInterrupt):
        server_build(project, session)
    assert session.unsaved is None and session.built is None
    session.save_model()
    assert list((project / ".memoria").glob("state-*-built.pickle")) == []
    monkeypatch.setattr(pipeline, step, original)
    server_build(project, session)
    assert contents(project / "output") == clean_build(project)
