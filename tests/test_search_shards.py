"""A large archive's search index in parts: each part indexed on its own, only the changed ones again, merged in the browser.

SHARD_PAGES is made small here (3 searched pages a part), so that small sites have several parts.
Builds run in this process, where the patched value holds.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from memoria import indexer, records, search
from memoria.pipeline import Options, build
from tests.browser_support import BASE_PATH, serve_site
from tests.conftest import copy_example, make_site, snapshot
from tests.test_incremental import CHANGES, CONFIG
from tests.test_incremental import FILES as INCREMENTAL_FILES

WORDS = ["amber", "birch", "cedar", "dune", "ember", "fjord", "glacier", "harbour", "island", "juniper", "kestrel"]
FILES = {
    f"content/articles/a{n:02d}.md": (
        f"---\ntitle: Article {n}\ndate: 2020-01-{n + 1:02d}\npeople: [Person {n % 3}]\n"
        f"events:\n  - {{date: '19{50 + n}', title: Ceremony {n}}}\n---\nA zephyr report about the {word}.\n"
    )
    for n, word in enumerate(WORDS)
}


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 3)


def build_in(project: Path, **options: Any) -> dict[str, tuple[bytes, int]]:
    build(Options(project, project / "output", quiet=True, **options))
    return snapshot(project / "output")


def clean_build_of(project: Path, where: Path, **options: Any) -> dict[str, bytes]:
    copy = where / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("output", ".memoria", ".output*"))
    return {rel: data for rel, (data, _) in build_in(copy, cache=False, **options).items()}


def part_of(rel: str) -> str:
    """The folder of the part of the index an index file is in: 'pagefind/', 'pagefind/2/', 'pagefind/all/2/'."""
    match = re.match(r"pagefind/(all/)?(\d+/)?", rel)
    assert match
    return match.group(0)


def indexed_urls(site: Path) -> dict[str, str]:
    """Each URL the index has a record of (meta url for events), with the folder of its part."""
    found = {}
    for path in site.glob("pagefind/**/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        found[data["meta"].get("url", data["url"])] = part_of(path.relative_to(site).as_posix())
    return found


def test_the_parts_of_a_large_index(small_parts: None, tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES)
    site = project / "output"
    build_in(project)
    # 11 articles, 3 people: 5 parts of at most a few pages, each with only the data of an index.
    parts = sorted({part_of(p.relative_to(site).as_posix()) for p in (site / "pagefind").rglob("*") if p.is_file()})
    assert parts == ["pagefind/", *(f"pagefind/{n}/" for n in range(1, 5))]
    assert sorted(p.name for p in (site / "pagefind/3").iterdir() if p.is_file())[0] == "pagefind-entry.json"
    assert not (site / "pagefind/3/pagefind-ui.js").exists() and (site / "pagefind/pagefind-ui.js").is_file()
    urls = indexed_urls(site)
    assert len(urls) == 11 + 3 + 11, "articles, people and events"
    assert urls["/articles/a03/#event_1"] == urls["/articles/a03/"], "an event is in its article's part"
    assert "/people/" not in urls and "/" not in urls, "only the pages marked to be searched are in the parts"
    page = (site / "search/index.html").read_text(encoding="utf-8")
    assert '["/pagefind/1/", "/pagefind/2/", "/pagefind/3/", "/pagefind/4/"]' in page


def test_one_edit_indexes_one_part_again_and_equals_a_clean_build(small_parts: None, tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES)
    before = build_in(project)
    part = indexed_urls(project / "output")["/articles/a04/"]
    edit = project / "content/articles/a04.md"
    edit.write_text(edit.read_text().replace("about the ember", "about the ember and the ash"))
    after = build_in(project)
    changed = {rel for rel in after.keys() | before.keys() if after.get(rel) != before.get(rel)}
    assert {part_of(rel) for rel in changed if rel.startswith("pagefind/")} == {part}
    kept = [rel for rel in after if rel.startswith("pagefind/") and part_of(rel) != part]
    assert kept and all(after[rel][1] == before[rel][1] for rel in kept), "the other parts keep their files"
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)
    assert build_in(project) == after, "nothing changed: nothing written"


@pytest.mark.parametrize("room", [True, False])
def test_pagefind_works_in_memory_or_else_beside_the_output_and_the_index_equals_a_clean_build(
    small_parts: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, room: bool
) -> None:
    memory = tmp_path / "memory"
    if room:
        memory.mkdir()
    monkeypatch.setattr(indexer, "MEMORY", memory)
    sites: list[Path] = []
    run = search.run_pagefinds
    monkeypatch.setattr(
        search, "run_pagefinds", lambda runs, at_once: (sites.extend(r[0] for r in runs), run(runs, at_once))
    )
    project = make_site(tmp_path / "site", FILES)
    build_in(project)
    for edit in (("about the ember", "about the ember and the ash"), ("title: Article 4", "title: Article Four")):
        article = project / "content/articles/a04.md"
        article.write_text(article.read_text().replace(*edit))
        after = build_in(project)
        assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)
    assert sites and all((memory if room else tmp_path) in site.parents for site in sites)
    assert room or all(site.parents[2] in (project, tmp_path / "clean") for site in sites), "beside the output"


def test_a_title_edit_indexes_only_the_parts_whose_records_change(small_parts: None, tmp_path: Path) -> None:
    """The people's pages list the article by its title, in a part of the page search ignores: their
    records stay the same, and so do their parts."""
    project = make_site(tmp_path / "site", FILES)
    before = build_in(project)
    urls = indexed_urls(project / "output")
    edit = project / "content/articles/a04.md"
    edit.write_text(edit.read_text().replace("title: Article 4", "title: Article Four"))
    after = build_in(project)
    person = "/people/person-1/"
    assert after["people/person-1/index.html"] != before["people/person-1/index.html"]
    assert urls[person] != urls["/articles/a04/"], "the test needs the person in another part"
    changed = {
        part_of(rel)
        for rel in after.keys() | before.keys()
        if rel.startswith("pagefind/") and after.get(rel) != before.get(rel)
    }
    assert changed == {urls["/articles/a04/"]}
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)


def test_the_records_of_events_are_made_again_only_for_the_article_that_changed(
    small_parts: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each event's record is kept with the index: a part indexed again takes the records of its other
    articles' events as they were, and renders only the edited article's."""
    project = make_site(tmp_path / "site", FILES)
    build_in(project)
    urls = indexed_urls(project / "output")
    neighbours = [url for url, part in urls.items() if part == urls["/articles/a04/"] and url.endswith("#event_1")]
    assert len(neighbours) > 1, "the test needs another article's event in the edited one's part"
    rendered: list[str] = []
    real_render = records.render

    def counted(env: Any, template: str, context: dict[str, Any]) -> str:
        if template == records.EVENT_TEMPLATE:
            rendered.append(context["event"].title)
        return real_render(env, template, context)

    monkeypatch.setattr(records, "render", counted)
    edit = project / "content/articles/a04.md"
    edit.write_text(edit.read_text().replace("title: Ceremony 4", "title: Wreath laying 4"))
    after = build_in(project)
    assert rendered == ["Wreath laying 4"]
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)
    found = indexed_urls(project / "output")
    assert set(found) == set(urls) and all(found[url] == urls[url] for url in neighbours)


def test_a_removed_article_is_no_longer_found(small_parts: None, tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES)
    build_in(project)
    assert "/articles/a07/" in indexed_urls(project / "output")
    (project / "content/articles/a07.md").unlink()
    after = build_in(project)
    urls = indexed_urls(project / "output")
    assert "/articles/a07/" not in urls and "/articles/a07/#event_1" not in urls
    assert len(urls) == 10 + 3 + 10
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)


def test_the_number_of_parts_follows_the_archive(small_parts: None, tmp_path: Path) -> None:
    """From one index to several and back: each time what a clean build gives."""
    few = {rel: text for rel, text in FILES.items() if rel < "content/articles/a01"}
    project = make_site(tmp_path / "site", few)
    build_in(project)
    assert not (project / "output/pagefind/1").exists()
    for rel, text in FILES.items():
        (project / rel).write_text(text)
    after = build_in(project)
    assert (project / "output/pagefind/4").is_dir()
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)
    for rel in FILES.keys() - few.keys():
        (project / rel).unlink()
    after = build_in(project)
    assert not (project / "output/pagefind/1").exists()
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_incremental_equals_clean_with_parts(small_parts: None, tmp_path: Path, kind: str) -> None:
    """Every kind of change of test_incremental, on a site whose index has several parts."""
    project = make_site(tmp_path / "site", INCREMENTAL_FILES, CONFIG)
    build_in(project)
    assert (project / "output/pagefind/1").is_dir()
    CHANGES[kind](project)
    after = build_in(project)
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)


def test_an_index_kept_by_the_dev_server_is_refreshed_in_parts(small_parts: None, tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", FILES)
    before = build_in(project)
    edit = project / "content/articles/a02.md"
    edit.write_text(edit.read_text().replace("cedar", "cedar tree"))
    kept = build_in(project, search=False)
    assert {r: v for r, v in kept.items() if r.startswith("pagefind/")} == {
        r: v for r, v in before.items() if r.startswith("pagefind/")
    }
    after = build_in(project)
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)


def test_pagefind_failing_in_a_part_is_one_error(small_parts: None, tmp_path: Path) -> None:
    from memoria.errors import BuildError

    project = make_site(tmp_path / "site", FILES)
    build_in(project)
    before = snapshot(project / "output")
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'something went wrong' >&2\nexit 3\n")
    fake.chmod(0o755)
    edit = project / "content/articles/a02.md"
    edit.write_text(edit.read_text().replace("cedar", "cedar tree"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAGEFIND_BINARY_PATH", str(fake))
        with pytest.raises(BuildError) as error:
            build(Options(project, project / "output", quiet=True))
    assert [str(e) for e in error.value.errors] == ["pagefind: Pagefind could not index the site: something went wrong"]
    assert snapshot(project / "output") == before


# In the browser: the parts are searched together, under /archive/ as on GitHub Pages.


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A one-language site and the example archive (four languages), each built with an index in parts."""
    root = tmp_path_factory.mktemp("parts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_PAGES", 3)
        small = make_site(root / "small", FILES)
        build(Options(small, small / "output", quiet=True, base_url=BASE_PATH))
        example = copy_example(root / "example")
        build(Options(example, example / "output", quiet=True, base_url=BASE_PATH))
    return {"small": small / "output", "example": example / "output"}


def searched(browser: Any, origin: str, address: str) -> tuple[str, list[str], list[str]]:
    """The message, the result links (every result loaded) and the filters' values that Pagefind's interface shows."""
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        page.goto(origin + address, wait_until="load")
        page.wait_for_selector("a.pagefind-ui__result-link", timeout=15_000)
        while page.locator(".pagefind-ui__button").count():
            page.click(".pagefind-ui__button")
        page.wait_for_function("!document.querySelector('.pagefind-ui__result .pagefind-ui__loading')")
        message = page.inner_text(".pagefind-ui__message")
        hrefs = page.eval_on_selector_all("a.pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
        page.locator(".pagefind-ui__filter-name").first.wait_for(timeout=15_000)  # drawn after the results
        kinds = page.eval_on_selector_all(".pagefind-ui__filter-label", "els => els.map(e => e.textContent.trim())")
    finally:
        context.close()
    assert problems == []
    return message, hrefs, kinds


@pytest.mark.browser
def test_a_search_finds_pages_of_every_part(browser: Any, sites: dict[str, Path]) -> None:
    site = sites["small"]
    where = {url: part for url, part in indexed_urls(site).items() if url.startswith("/articles/") and "#" not in url}
    assert len(set(where.values())) == 5
    with serve_site(site) as origin:
        message, hrefs, kinds = searched(browser, origin, f"{BASE_PATH}search/?q=zephyr")
        assert message.startswith("11 results") and "Article (11)" in kinds, "filters count every part"
        assert sorted(hrefs) == sorted(BASE_PATH + url.lstrip("/") for url in where)
        for n in (0, 5, 10):
            # A word in one part only: the other parts answer with their longest indexed prefix of it
            # (Pagefind does so in an index that lacks a word), ranked below the page that has it.
            _, hrefs, _ = searched(browser, origin, f"{BASE_PATH}search/?q={WORDS[n]}")
            assert hrefs[0] == f"{BASE_PATH}articles/a{n:02d}/"
        _, hrefs, _ = searched(browser, origin, f"{BASE_PATH}search/?q=ceremony")
        events = [h for h in hrefs if re.fullmatch(rf"{BASE_PATH}articles/a\d\d/#event_1", h)]
        assert len(hrefs) == 22 and len(set(events)) == 11, "each article, which lists its event, and each event"


@pytest.mark.browser
def test_each_language_and_all_of_them_are_searched_in_parts(browser: Any, sites: dict[str, Path]) -> None:
    site = sites["example"]
    assert (site / "pagefind/1/pagefind-entry.json").is_file() and (site / "pagefind/all/1").is_dir()
    with serve_site(site) as origin:
        _, russian, _ = searched(browser, origin, f"{BASE_PATH}ru/search/?q={quote('Мамедов')}")
        assert f"{BASE_PATH}ru/people/soltan-mammadov/" in russian
        assert all(h.startswith(f"{BASE_PATH}ru/") for h in russian), "only Russian pages, from every part"
        _, english, _ = searched(browser, origin, f"{BASE_PATH}search/?q=Mammadov")
        assert f"{BASE_PATH}people/soltan-mammadov/" in english
        assert not any(h.startswith((f"{BASE_PATH}ru/", f"{BASE_PATH}az/", f"{BASE_PATH}fr/")) for h in english)
        _, everywhere, _ = searched(browser, origin, f"{BASE_PATH}az/search/?q={quote('Мамедов')}&all=1")
        assert f"{BASE_PATH}ru/people/soltan-mammadov/" in everywhere


def test_a_theme_that_marks_too_few_pages_is_told_so(small_parts: None, tmp_path: Path) -> None:
    from memoria.errors import BuildError

    project = make_site(tmp_path / "site", FILES)
    template = project / "layouts/article.html"
    template.write_text(template.read_text().replace(" data-pagefind-body", ""))
    with pytest.raises(BuildError, match=r"5 parts of the search index in 'en', but only 3 pages to search"):
        build(Options(project, project / "output", quiet=True))
