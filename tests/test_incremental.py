"""Incremental builds: after any kind of change the output equals a clean build, and nothing else is touched."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import make_site, run_cli, snapshot

CONFIG = "title: Incremental\nbase_url: /\nper_page: 2\nlist_size: 10\ntimeline_split: 10\n"


def article(n: int, people: str, date: str) -> str:
    return (
        f"---\ntitle: Article {n}\ndate: {date}\npeople: [{people}]\nplaces: [Place {n % 2}]\ntags: [t{n % 3}]\n"
        f"events:\n  - {{date: '19{80 + n}', title: Event {n}, people: [{people.split(',')[0]}]}}\n---\n"
        f"Body of article {n}.\n\nSecond paragraph.\n"
    )


FILES = {
    **{f"content/articles/a{n}.md": article(n, "ann-smith, Bob Jones", f"2020-0{n}-01") for n in range(1, 7)},
    "content/people/ann-smith.md": "---\nname: Ann Smith\nborn: 1950\n---\nAnn's life.\n",
    "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
    "content/articles/d1.md": "---\ntitle: Draft\ndate: 2020-09-01\ndraft: true\npeople: [Dee Draft, ann-smith]\n---\nDraft.\n",
    "assets/extra.txt": "one\n",
}


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def change(project: Path) -> None:
        path = project / rel
        path.write_text(path.read_text().replace(old, new, 1))

    return change


def create(rel: str, text: str) -> Callable[[Path], None]:
    def change(project: Path) -> None:
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text)

    return change


def delete(rel: str) -> Callable[[Path], None]:
    return lambda project: (project / rel).unlink()


def rename(rel: str, new: str) -> Callable[[Path], None]:
    return lambda project: (project / rel).rename(project / new)


CHANGES: dict[str, Callable[[Path], None]] = {
    "article body": edit("content/articles/a3.md", "Body of article 3.", "A new first paragraph."),
    "article title": edit("content/articles/a3.md", "title: Article 3", "title: Renamed"),
    "article date": edit("content/articles/a1.md", "date: 2020-01-01", "date: 2021-12-31"),
    "people list": edit("content/articles/a2.md", "ann-smith, Bob Jones", "Carol King"),
    "person file": edit("content/people/ann-smith.md", "name: Ann Smith", "name: Ann Smith-Jones"),
    # Articles show the other spellings of the people they name (for search): those pages change too.
    "person aliases": edit("content/people/ann-smith.md", "born: 1950", "born: 1950\naliases: [Ann Smyth]"),
    "article aliases": edit("content/articles/a2.md", "title: Article 2", "title: Article 2\naliases: [/old/two/]"),
    "template": edit("layouts/base.html", "Skip to content", "Skip to the text"),
    "asset": edit("assets/extra.txt", "one", "two"),
    "site.yaml": edit("site.yaml", "title: Incremental", "title: Changed"),
    "deleted article": delete("content/articles/a4.md"),
    "deleted person": delete("content/people/ann-smith.md"),
    "renamed article": rename("content/articles/a5.md", "content/articles/a5-new.md"),
    "deleted asset": delete("assets/extra.txt"),
    "article made a draft": edit("content/articles/a6.md", "title: Article 6", "title: Article 6\ndraft: true"),
    "draft published": edit("content/articles/d1.md", "draft: true", "draft: false"),
    "person unpublished": edit("content/people/ann-smith.md", "born: 1950", "born: 1950\npublished: false"),
    "new article in a new folder": create("content/articles/2030/new.md", article(7, "Ann Smith", "2030-01-01")),
    "site language": edit("site.yaml", "title: Incremental", "title: Incremental\nlanguage: fr"),
}


def clean_build_of(project: Path, where: Path, *args: str) -> dict[str, bytes]:
    copy = where / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("output", ".memoria", ".output*"))
    assert run_cli(copy, "--no-cache", *args).code == 0
    return {rel: data for rel, (data, _) in snapshot(copy / "output").items()}


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_incremental_equals_clean(tmp_path: Path, kind: str) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert run_cli(project).code == 0
    before = snapshot(project / "output")
    CHANGES[kind](project)
    run = run_cli(project)
    assert run.code == 0, run.err
    after = snapshot(project / "output")
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)
    untouched = [rel for rel in after if rel in before and before[rel][0] == after[rel][0]]
    assert untouched, "some files should be unchanged"
    for rel in untouched:
        assert after[rel][1] == before[rel][1], f"{rel} was rewritten with the same bytes"


def test_no_change_writes_nothing(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert run_cli(project).code == 0
    before = snapshot(project / "output")
    run = run_cli(project)
    assert "nothing changed" in run.out
    assert snapshot(project / "output") == before


def test_body_edit_rewrites_only_its_page(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert run_cli(project).code == 0
    before = snapshot(project / "output")
    edit("content/articles/a3.md", "Second paragraph.", "Second paragraph, longer.")(project)
    assert run_cli(project).code == 0
    after = snapshot(project / "output")
    changed = sorted(rel for rel in after if after[rel] != before.get(rel))
    # The text is in the open data and in the search index too (a few of pagefind/'s files).
    assert [rel for rel in changed if not rel.startswith("pagefind/")] == [
        "articles/a3/index.html",
        "data/archive.json",
        "feed.xml",
    ]
    assert any(rel.startswith("pagefind/fragment/") for rel in changed)


def test_removed_output_file_is_restored(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert run_cli(project).code == 0
    (project / "output/people/index.html").unlink()
    edit("content/articles/a3.md", "Body", "Text")(project)
    assert run_cli(project).code == 0
    assert (project / "output/people/index.html").is_file()


def test_a_build_without_search_keeps_the_index_and_the_next_build_refreshes_it(tmp_path: Path) -> None:
    from dataclasses import replace

    from memoria.pipeline import Options, build

    project = make_site(tmp_path / "site", FILES, CONFIG)
    options = Options(project, project / "output", quiet=True)
    build(options)
    index = sorted(p.relative_to(project / "output").as_posix() for p in (project / "output/pagefind").rglob("*"))
    assert index
    edit("content/articles/a3.md", "Body of article 3.", "Zanzibarword appears.")(project)
    build(replace(options, search=False))  # what the dev server does on each save
    kept = sorted(p.relative_to(project / "output").as_posix() for p in (project / "output/pagefind").rglob("*"))
    assert kept == index
    before = {rel: (project / "output" / rel).read_bytes() for rel in index if (project / "output" / rel).is_file()}
    build(options)  # nothing changed since, but the index is stale: it is rebuilt
    after = {
        p.relative_to(project / "output").as_posix(): p.read_bytes()
        for p in (project / "output/pagefind").rglob("*")
        if p.is_file()
    }
    assert after != before
    assert {rel: data for rel, (data, _) in snapshot(project / "output").items()} == clean_build_of(project, tmp_path)


@pytest.mark.parametrize("flags", [("--drafts",), ("--base-url", "/archive/")])
def test_changed_options_give_a_clean_build_and_back(tmp_path: Path, flags: tuple[str, ...]) -> None:
    """The cached readings and pages depend on the command line too: switching a flag on and off."""
    project = make_site(tmp_path / "site", FILES, CONFIG)
    for args in ((), flags, ()):
        assert run_cli(project, *args).code == 0
        built = {rel: data for rel, (data, _) in snapshot(project / "output").items()}
        assert built == clean_build_of(project, tmp_path, *args), args


def test_dev_server_session_follows_every_kind_of_change(tmp_path: Path) -> None:
    """One process building again and again (the dev server keeps parsed and read files in memory)."""
    from memoria.pipeline import Options, Session, build

    def site_files(folder: Path) -> dict[str, bytes]:
        return {rel: data for rel, (data, _) in snapshot(folder).items() if not rel.startswith("pagefind/")}

    pristine = make_site(tmp_path / "pristine", FILES, CONFIG)
    project = tmp_path / "site"
    shutil.copytree(pristine, project)
    session = Session()
    options = Options(project, project / "output", quiet=True, search=False)
    build(options, session)
    original = site_files(project / "output")
    for kind in sorted(CHANGES):
        CHANGES[kind](project)
        build(options, session)
        clean = clean_build_of(project, tmp_path)
        assert site_files(project / "output") == {
            rel: d for rel, d in clean.items() if not rel.startswith("pagefind/")
        }, kind
        for name in ("site.yaml", "content", "layouts", "assets"):
            if (project / name).is_dir():
                shutil.rmtree(project / name)
                shutil.copytree(pristine / name, project / name)
            else:
                shutil.copy2(pristine / name, project / name)
        build(options, session)
        assert site_files(project / "output") == original, f"{kind}, undone"


def test_no_search_flag_keeps_the_index_until_a_build_without_it(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert run_cli(project).code == 0
    index = {rel: data for rel, (data, _) in snapshot(project / "output/pagefind").items()}
    CHANGES["article body"](project)
    assert run_cli(project, "--no-search").code == 0
    built = {rel: data for rel, (data, _) in snapshot(project / "output").items()}
    clean = clean_build_of(project, tmp_path)
    assert {r: d for r, d in built.items() if not r.startswith("pagefind/")} == {
        r: d for r, d in clean.items() if not r.startswith("pagefind/")
    }
    assert {rel: data for rel, (data, _) in snapshot(project / "output/pagefind").items()} == index
    assert run_cli(project).code == 0
    assert {rel: data for rel, (data, _) in snapshot(project / "output").items()} == clean


def test_no_search_flag_keeps_an_index_the_state_has_no_record_of(tmp_path: Path) -> None:
    """After a build that kept no state (--no-cache), --no-search keeps the index found in the output,
    but not as current: the next build without the flag makes it anew, as a clean build would."""
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert run_cli(project, "--no-cache").code == 0
    index = {rel: data for rel, (data, _) in snapshot(project / "output/pagefind").items()}
    assert index
    assert run_cli(project, "--no-search").code == 0
    assert {rel: data for rel, (data, _) in snapshot(project / "output/pagefind").items()} == index
    CHANGES["article body"](project)
    assert run_cli(project, "--no-cache", "--no-search").code == 0
    assert {rel: data for rel, (data, _) in snapshot(project / "output/pagefind").items()} == index
    assert run_cli(project, "--no-search").code == 0
    run = run_cli(project)
    assert run.code == 0 and "nothing changed" not in run.out
    built = {rel: data for rel, (data, _) in snapshot(project / "output").items()}
    assert built == clean_build_of(project, tmp_path)
    assert {rel: data for rel, data in built.items() if rel.startswith("pagefind/")} != {
        f"pagefind/{rel}": data for rel, data in index.items()
    }


def test_an_index_with_a_file_pagefind_does_not_write_is_not_kept(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert run_cli(project, "--no-cache").code == 0
    outside = tmp_path / "secret.txt"
    outside.write_text("not the site's", encoding="utf-8")
    (project / "output/pagefind/fragment/secret.txt").symlink_to(outside)
    assert run_cli(project, "--no-search").code == 0
    assert not (project / "output/pagefind").exists()
    assert outside.read_text(encoding="utf-8") == "not the site's"
    assert run_cli(project).code == 0
    assert {rel: data for rel, (data, _) in snapshot(project / "output").items()} == clean_build_of(project, tmp_path)


def test_an_index_linked_from_elsewhere_is_not_kept(tmp_path: Path) -> None:
    """The index folder itself a link (to files Pagefind would name so): nothing of it comes into the site."""
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert run_cli(project, "--no-cache").code == 0
    elsewhere = tmp_path / "elsewhere"
    shutil.move(project / "output/pagefind", elsewhere)
    (elsewhere / "id_rsa").write_text("a key\n", encoding="utf-8")
    (project / "output/pagefind").symlink_to(elsewhere, target_is_directory=True)
    assert run_cli(project, "--no-search").code == 0
    assert not (project / "output/pagefind").exists()
    assert (elsewhere / "id_rsa").read_text(encoding="utf-8") == "a key\n"
    assert run_cli(project).code == 0
    assert {rel: data for rel, (data, _) in snapshot(project / "output").items()} == clean_build_of(project, tmp_path)


def test_an_index_removed_by_hand_is_not_recorded_as_kept(tmp_path: Path) -> None:
    """Removed, then a build without search in place: the next build with search makes it again."""
    project = make_site(tmp_path / "site", FILES, CONFIG)
    assert run_cli(project).code == 0
    shutil.rmtree(project / "output/pagefind")
    assert run_cli(project, "--no-search").code == 0
    run = run_cli(project)
    assert run.code == 0 and "nothing changed" not in run.out
    assert {rel: data for rel, (data, _) in snapshot(project / "output").items()} == clean_build_of(project, tmp_path)


def test_a_new_source_date_epoch_is_a_change(tmp_path: Path) -> None:
    """SOURCE_DATE_EPOCH dates a feed with no entries (a person no article names): the build that sees
    another value makes the site anew, as a clean build with it would."""
    files = {**FILES, "content/people/nobody-named.md": "---\nname: Nobody Named\n---\nA biography.\n"}
    project = make_site(tmp_path / "site", files, CONFIG)
    assert run_cli(project, "--no-search", env={"SOURCE_DATE_EPOCH": "0"}).code == 0
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    run = run_cli(project, "--no-search", env=epoch)
    assert run.code == 0 and "nothing changed" not in run.out
    after = {rel: data for rel, (data, _) in snapshot(project / "output").items()}
    copy = tmp_path / "clean"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("output", ".memoria", ".output*"))
    assert run_cli(copy, "--no-cache", "--no-search", env=epoch).code == 0
    assert after == {rel: data for rel, (data, _) in snapshot(copy / "output").items()}
    assert b"2023-11-14T22:13:20Z" in after["people/nobody-named/feed.xml"]
    # Not a number of seconds: the epoch, not a traceback.
    assert run_cli(project, "--no-search", env={"SOURCE_DATE_EPOCH": "soon"}).code == 0


def test_the_hashes_made_in_the_workers_are_kept_with_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data files' workers send back the hashes of every article and person (fingerprint.remember):
    the kept model holds them as this process would make them, and a body edit then makes only the
    edited article's again (its data files' fingerprints no longer hash the whole archive)."""
    from memoria import fingerprint as prints
    from memoria import parallel, rendering
    from memoria.model import Article
    from memoria.pipeline import Options, Session, build

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(rendering, "workers", lambda: 2)
    many = {f"content/articles/m{n}.md": article(n % 9 + 1, "ann-smith", f"2021-0{n % 9 + 1}-02") for n in range(40)}
    project = make_site(tmp_path / "site", {**FILES, **many}, CONFIG)
    session = Session()
    build(Options(project, project / "output", quiet=True, search=False), session)
    built = session.built
    assert built is not None
    kept = {id(value): digest for value, digest in built.memo.values()}
    model = [*built.archive.articles, *built.archive.people]
    assert all(id(thing) in kept for thing in model)
    assert {id(thing): prints.signature(thing, {}) for thing in model} == {
        id(thing): kept[id(thing)] for thing in model
    }
    for value, digest in built.memo.values():
        assert prints.signature(value, {}) == digest

    described: list[str] = []
    describe = prints._DESCRIBE[Article]
    monkeypatch.setitem(prints._DESCRIBE, Article, lambda a: described.append(a.path) or describe(a))
    edited = project / "content/articles/a3.md"
    edited.write_text(edited.read_text() + "More of it.\n")
    monkeypatch.setattr(parallel, "workers", lambda: 1)  # the hashes made in this process, to be counted
    build(Options(project, project / "output", quiet=True, search=False), session)
    assert described and set(described) == {"content/articles/a3.md"}
    built_files = {rel: data for rel, (data, _) in snapshot(project / "output").items()}
    assert built_files == clean_build_of(project, tmp_path, "--no-search")


def test_each_page_keeps_its_own_fingerprint_when_the_work_is_shared_out(tmp_path: Path) -> None:
    """The fingerprints are made in the workers, each for its part of the pages (the data files
    first, each on its own): the build's state holds each page's own, as one process makes them,
    so a build with a new model (a title edited) renders again only what changed."""
    from memoria.fingerprint import Memo, fingerprint
    from memoria.pipeline import Options, Session, build
    from memoria.state import load_state, state_file

    many = {f"content/articles/m{n}.md": article(n % 9 + 1, "ann-smith", f"2021-0{n % 9 + 1}-02") for n in range(40)}
    project = make_site(tmp_path / "site", {**FILES, **many}, CONFIG)
    session = Session()
    options = Options(project, project / "output", quiet=True, search=False)
    for title in ("Article 3", "Article 3, again"):
        (project / "content/articles/a3.md").write_text(
            article(3, "ann-smith", "2020-03-01").replace("Article 3", title)
        )
        build(options, session)
        built = session.built
        assert built is not None and len(built.outputs) > 100
        state = load_state(state_file(project / ".memoria", project / "output"))
        memo: Memo = {}
        assert state.pages == {output.path: fingerprint(built.key, output, memo) for output in built.outputs}
