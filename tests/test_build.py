"""End to end on the command line: the example archive, URLs, sub-paths, determinism, scaffolding, guards."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import copy_example, make_site, run_cli, snapshot

EXPECTED_FILES = [
    ".nojekyll",
    "404.html",
    "about/index.html",
    "articles/khojaly-commemoration-paris/index.html",
    "assets/css/memoria.css",
    "feed.xml",
    "index.html",
    "people/index.html",
    "people/soltan-mammadov/index.html",
    "people/leyla-aliyeva/index.html",
    "places/index.html",
    "places/paris/index.html",
    "robots.txt",
    "sitemap.xml",
    "sources/index.html",
    "tags/index.html",
    "tags/commemoration/index.html",
    "timeline/index.html",
]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_example(tmp_path_factory.mktemp("example"))
    run = run_cli(project, "--base-url", "https://user.github.io/archive/")
    assert run.code == 0, run.err
    return project / "output"


def test_every_kind_of_page_is_at_its_url(example: Path) -> None:
    for rel in EXPECTED_FILES:
        assert (example / rel).is_file(), rel
    people = {p.name for p in (example / "people").iterdir() if p.is_dir()}
    assert len(people) == 12


def test_every_link_follows_the_base_path(example: Path) -> None:
    for page in example.rglob("*.html"):
        text = page.read_text()
        for link in re.findall(r'(?:href|src)="([^"]+)"', text):
            if link.startswith(("http", "#", "mailto:")):
                continue
            assert link.startswith("/archive/"), (page, link)
            target = example / link.removeprefix("/archive/").split("#")[0].split("?")[0]
            assert target.is_file() or (target / "index.html").is_file(), (page, link)


def test_article_page_shows_provenance_people_roles_and_events(example: Path) -> None:
    html = (example / "articles/khojaly-commemoration-paris/index.html").read_text()
    assert "Trend" in html and "Baku" in html
    assert 'href="/archive/people/soltan-mammadov/">Soltan Mammadov</a>' in html
    assert "Ambassador of Azerbaijan to France" in html
    assert "25–26 February 1992" in html
    assert '<h2 id="speeches">Speeches</h2>' in html
    assert 'class="footnote"' in html
    assert "<table>" in html
    assert "“We demand justice, not revenge.”" in html


def test_person_page_lists_articles_events_and_companions(example: Path) -> None:
    html = (example / "people/leyla-aliyeva/index.html").read_text()
    assert "Paris event marks the 31st anniversary of Khojaly" in html
    assert "Justice for Khojaly" in html and ">2008<" in html
    assert "Named with" in html and "Soltan Mammadov" in html


def test_person_page_shows_spelling_variants(example: Path) -> None:
    assert "Soltan Məmmədov" in (example / "people/soltan-mammadov/index.html").read_text()


def test_timeline_has_years_in_order(example: Path) -> None:
    html = (example / "timeline/index.html").read_text()
    years = re.findall(r'<h2 id="y(\d+)">', html)
    assert years == ["1992", "2008", "2023"]


def test_feed_and_sitemap_are_absolute(example: Path) -> None:
    feed = (example / "feed.xml").read_text()
    assert "<id>https://user.github.io/archive/articles/khojaly-commemoration-paris/</id>" in feed
    sitemap = (example / "sitemap.xml").read_text()
    assert "<loc>https://user.github.io/archive/people/</loc>" in sitemap
    assert "Sitemap: https://user.github.io/archive/sitemap.xml" in (example / "robots.txt").read_text()


def test_same_input_same_bytes_wherever_the_project_is(tmp_path: Path) -> None:
    first = copy_example(tmp_path / "one")
    second = copy_example(tmp_path / "somewhere" / "else")
    assert run_cli(first).code == 0
    assert run_cli(second).code == 0
    a, b = snapshot(first / "output"), snapshot(second / "output")
    assert {k: v[0] for k, v in a.items()} == {k: v[0] for k, v in b.items()}


def test_source_date_epoch_fixes_the_feed_date_of_an_empty_archive(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {})
    assert run_cli(project, env={"SOURCE_DATE_EPOCH": "1700000000"}).code == 0
    assert "<updated>2023-11-14T22:13:20Z</updated>" in (project / "output/feed.xml").read_text()


def test_second_build_rewrites_nothing(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "p")
    assert run_cli(project).code == 0
    before = snapshot(project / "output")
    run = run_cli(project)
    assert run.code == 0
    assert "nothing changed" in run.out
    assert snapshot(project / "output") == before
    forced = run_cli(project, "--no-cache")
    assert "(0 written," in forced.out
    assert snapshot(project / "output") == before


def test_new_article_and_person_scaffold_files_that_build(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {})
    run = run_cli(project, "new", "article", "Şuşa remembers")
    assert run.code == 0
    article = project / run.out.strip()
    assert re.fullmatch(r"content/articles/\d{4}/\d{4}-\d\d-\d\d-susa-remembers\.md", run.out.strip())
    person = run_cli(project, "new", "person", "Fikrət Əmirov")
    assert person.out.strip() == "content/people/fikret-emirov.md"
    assert 'name: "Fikrət Əmirov"' in (project / person.out.strip()).read_text()
    assert run_cli(project, "new", "person", "Fikrət Əmirov").code == 1
    assert run_cli(project, "--strict").code == 0
    assert (project / "output/articles/susa-remembers/index.html").is_file()
    assert (project / "output/people/fikret-emirov/index.html").is_file()
    assert article.is_file()


def test_check_builds_nothing_and_lists_people_without_file(tmp_path: Path) -> None:
    project = make_site(
        tmp_path / "site", {"content/articles/a.md": "---\ntitle: A\ndate: 2023-01-01\npeople: [Ali Oner]\n---\n"}
    )
    run = run_cli(project, "check")
    assert run.code == 0
    assert "note: Ali Oner (ali-oner) is named but has no file in content/people/" in run.out
    assert not (project / "output").exists()


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {"content/people/p.md": "---\nname: P\nbirht: 1900\n---\n"})
    assert run_cli(project).code == 0
    run = run_cli(project, "--strict")
    assert run.code == 1
    assert run.error_lines == ["content/people/p.md:3: unknown field 'birht' for a person; did you mean 'born'?"]


@pytest.mark.parametrize("where", ["content", ".", ".."])
def test_output_folder_guards(tmp_path: Path, where: str) -> None:
    project = make_site(tmp_path / "site", {})
    run = run_cli(project, "--output", str(project / where))
    assert run.code == 1
    assert "refusing to build into this folder" in run.err


def test_foreign_output_folder_is_never_replaced(tmp_path: Path) -> None:
    project = make_site(tmp_path / "site", {})
    (project / "output").mkdir()
    (project / "output" / "precious.txt").write_text("keep me")
    run = run_cli(project)
    assert run.code == 1
    assert "not made by Memoria" in run.err
    assert (project / "output" / "precious.txt").read_text() == "keep me"


def test_content_files_are_never_written(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "p")
    before = snapshot(project / "content")
    assert run_cli(project).code == 0
    assert snapshot(project / "content") == before
    shutil.rmtree(project / "output")


def test_check_crawls_the_rendered_site_for_broken_links(tmp_path: Path) -> None:
    body = "See [nobody](/people/nobody/), [a section](#missing) and [a scan](/assets/scan.png).\n"
    project = make_site(tmp_path / "site", {"content/articles/a.md": f"---\ntitle: A\ndate: 2020-01-01\n---\n{body}"})
    run = run_cli(project, "check")
    assert run.code == 1
    # Told at the line of the file that writes them, with the page they were found on.
    assert run.error_lines == [
        "content/articles/a.md:5: a link that leads nowhere: #missing (on articles/a/index.html)",
        "content/articles/a.md:5: a link that leads nowhere: /assets/scan.png (on articles/a/index.html)",
        "content/articles/a.md:5: a link that leads nowhere: /people/nobody/ (on articles/a/index.html)",
    ]
    assert not (project / "output").exists()
    # Under a base path, the link as the text writes it is found all the same.
    run = run_cli(project, "check", "--base-url", "https://example.org/archive/")
    assert run.error_lines[2] == (
        "content/articles/a.md:5: a link that leads nowhere: /archive/people/nobody/ (on articles/a/index.html)"
    )
    # A link the theme writes is told on the page it was found on.
    (project / "layouts/article.html").write_text(
        (project / "layouts/article.html")
        .read_text(encoding="utf-8")
        .replace("{% block main %}", '{% block main %}<a href="/theme-made/">x</a>', 1),
        encoding="utf-8",
    )
    assert "articles/a/index.html: /theme-made/" in run_cli(project, "check").error_lines


def test_compiled_templates_of_old_settings_are_pruned(tmp_path: Path) -> None:
    from memoria.render import KEPT_TEMPLATE_FOLDERS

    project = make_site(tmp_path / "site", {"content/articles/a.md": "---\ntitle: A\ndate: 2020-01-01\n---\nA.\n"})
    assert run_cli(project, "--no-search").code == 0
    root = project / ".memoria" / "templates"
    [current] = list(root.iterdir())
    for n in range(KEPT_TEMPLATE_FOLDERS + 3):  # folders of earlier settings, used long ago
        (root / f"old{n:02d}").mkdir()
        os.utime(root / f"old{n:02d}", ns=(n * 10**9, n * 10**9))
    os.utime(current, ns=(0, 0))
    (project / "site.yaml").write_text("title: Other title\n", encoding="utf-8")
    assert run_cli(project, "--no-search").code == 0
    kept = sorted(p.name for p in root.iterdir())
    assert len(kept) == KEPT_TEMPLATE_FOLDERS and current.name not in kept and "old14" in kept and "old03" not in kept
