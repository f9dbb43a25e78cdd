"""One archive, several languages: site.yaml, translations, each language's pages, names, order, switcher, search."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from memoria.config import parse_config
from memoria.errors import Problems
from tests.browser_support import (
    BASE_PATH,
    example_site,
    html_pages,
    serve_site,
)
from tests.conftest import make_site, run_cli

LANGUAGES = "languages:\n  - en\n  - {code: az, title: Arxiv}\n  - fr\n  - ru\n"
CODES = ("az", "fr", "ru")


class Page(HTMLParser):
    """What a test reads of a page: <html lang>, hreflang links, the switcher, the headings, the notes."""

    def __init__(self, text: str):
        super().__init__()
        self.lang = ""
        self.hreflang: dict[str, str] = {}
        self.switcher: dict[str, str] = {}
        self.current = ""
        self.h1 = ""
        self.notes: list[str] = []
        self._in: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.hreflang[a["hreflang"]] = a["href"]
        elif tag == "nav" and a.get("class") == "languages":
            self._in.append("switcher")
        elif tag == "a" and self._in[-1:] == ["switcher"]:
            self.switcher[a["hreflang"]] = a["href"]
            if a.get("aria-current"):
                self.current = a["hreflang"]
        elif tag == "h1":
            self._in.append("h1")
        elif tag == "p" and a.get("class") == "note":
            self._in.append("note")
            self.notes.append("")

    def handle_endtag(self, tag: str) -> None:
        if self._in and (tag, self._in[-1]) in (("nav", "switcher"), ("h1", "h1"), ("p", "note")):
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in[-1:] == ["h1"]:
            self.h1 += data
        elif self._in[-1:] == ["note"]:
            self.notes[-1] += data


def read(site: Path, rel: str) -> Page:
    return Page((site / rel).read_text(encoding="utf-8"))


def file_of(href: str) -> str:
    """'/archive/az/people/x/' → 'az/people/x/index.html'."""
    rel = href[len(BASE_PATH) :]
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory)


# --- site.yaml ------------------------------------------------------------------------------


def test_languages_are_read_in_order_with_their_own_settings() -> None:
    problems = Problems()
    config = parse_config(b"title: T\ndescription: D\n" + LANGUAGES.encode(), problems)
    assert problems.errors == []
    assert config.codes == ("en", "az", "fr", "ru") and config.language == "en" and config.multilingual
    assert [config.prefix(code) for code in config.codes] == ["", "az/", "fr/", "ru/"]
    az = config.for_language("az")
    assert (az.title, az.description, az.language) == ("Arxiv", "D", "az")
    mapping = parse_config(
        b"title: T\nprefix_default_language: true\nlanguages: {fr: {title: F}, en: null}\n", problems
    )
    assert mapping.codes == ("fr", "en") and mapping.prefix("fr") == "fr/" and mapping.for_language("fr").title == "F"


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("languages:\n  - en\n  - xx-nope\n", 'site.yaml:4: "xx-nope" is not a language code'),
        ("languages:\n  - en\n  - en\n", 'site.yaml:4: the language "en" is listed twice'),
        ("languages:\n  - en\n  - {code: fr, titel: F}\n", "site.yaml:4: unknown language setting 'titel'"),
        ("languages: en\n", "site.yaml:2: 'languages' must be a list"),
        ("language: klingon\n", "site.yaml:2: 'language' must be a language code"),
    ],
)
def test_a_bad_language_setting_is_an_error_at_its_line(yaml: str, message: str) -> None:
    problems = Problems()
    parse_config(b"title: T\n" + yaml.encode(), problems)
    assert any(str(e).startswith(message) for e in problems.errors), problems.errors


# --- content in several languages -------------------------------------------------------------


def multilingual_site(root: Path, **extra: str) -> Path:
    files = {
        "content/articles/paris.md": "---\ntitle: Paris\ndate: 2023-02-25\npeople: [soltan]\n"
        "events: [{date: '1905~', title: An old event}]\n---\nEnglish.\n",
        "content/articles/paris.fr.md": "---\ntitle: Paris en français\ndate: 2023-02-25\npeople: [soltan]\n"
        "events: [{date: '1905~', title: Un événement ancien}]\n---\nFrançais.\n",
        "content/articles/baki.md": "---\ntitle: Bakı\ndate: 2022-01-01\nlang: az\npeople: [Солтан Мамедов]\n"
        "translation_key: baku\n---\nAzərbaycanca.\n",
        "content/articles/baku-ru.md": "---\ntitle: Баку\ndate: 2022-01-01\nlang: ru\ntranslation_key: baku\n---\nПо-русски.\n",
        "content/people/soltan.md": "---\nname: {en: Soltan Mammadov, az: Soltan Məmmədov, ru: Солтан Мамедов}\n---\nBio.\n",
        "content/people/soltan.fr.md": "---\nname: Soltan Mammadov\n---\nBiographie.\n",
        **extra,
    }
    return make_site(root, files, "title: T\nbase_url: https://example.org/\n" + LANGUAGES)


def test_translations_share_a_page_in_each_language_and_untranslated_ones_are_shown_with_a_note(
    tmp_path: Path,
) -> None:
    project = multilingual_site(tmp_path / "site")
    run = run_cli(project)
    assert run.code == 0, run.err
    out = project / "output"
    assert read(out, "fr/articles/paris/index.html").h1 == "Paris en français"
    assert read(out, "fr/articles/paris/index.html").notes == []
    untranslated = read(out, "az/articles/paris/index.html")
    assert untranslated.h1 == "Paris" and untranslated.lang == "az"
    assert untranslated.notes and "ingilis" in untranslated.notes[0], "the note names the language it is shown in"
    # baki.md (az) and baku-ru.md (ru) are one article: English readers see the Azerbaijani one, at its slug.
    assert read(out, "articles/baki/index.html").h1 == "Bakı"
    assert read(out, "ru/articles/baku-ru/index.html").h1 == "Баку"
    assert read(out, "ru/articles/baku-ru/index.html").hreflang == {
        "az": "https://example.org/az/articles/baki/",
        "ru": "https://example.org/ru/articles/baku-ru/",
    }
    # Nothing is missing from any language: each index lists both articles.
    for prefix in ("", "az/", "fr/", "ru/"):
        index = (out / prefix / "index.html").read_text(encoding="utf-8")
        assert index.count('class="item-title"') == 2, prefix


def test_a_person_has_their_name_and_biography_in_each_language(tmp_path: Path) -> None:
    project = multilingual_site(tmp_path / "site")
    assert run_cli(project).code == 0
    out = project / "output"
    assert read(out, "people/soltan/index.html").h1 == "Soltan Mammadov"
    assert read(out, "az/people/soltan/index.html").h1 == "Soltan Məmmədov"
    assert read(out, "ru/people/soltan/index.html").h1 == "Солтан Мамедов"
    assert "Biographie." in (out / "fr/people/soltan/index.html").read_text(encoding="utf-8")
    assert read(out, "fr/people/soltan/index.html").notes == []
    ru = (out / "ru/people/soltan/index.html").read_text(encoding="utf-8")
    assert '<div class="prose" lang="en" dir="ltr">' in ru, "an untranslated biography is marked with its language"
    assert "Soltan Mammadov" in ru and "Soltan Məmmədov" in ru, "the other forms are on the page, for search"
    # The Azerbaijani article named him in Cyrillic; it still links to him, in each language's form.
    link = re.search(
        r'<a title="([^"]*)"[^>]* href="/az/people/soltan/">([^<]*)</a>',
        (out / "az/articles/baki/index.html").read_text(),
    )
    assert link and link.group(2) == "Soltan Məmmədov"
    assert link.group(1).endswith(": Soltan Mammadov, Солтан Мамедов"), "its other forms are in the title, for search"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"content/articles/x.md": "---\ntitle: X\ndate: 2020-01-01\nlang: de\n---\n"}, "content/articles/x.md:4: 'lang' must be one of the site's languages (en, az, fr, ru), not \"de\""),
        ({"content/articles/x.az.md": "---\ntitle: X\ndate: 2020-01-01\nlang: fr\n---\n"}, "content/articles/x.az.md:4: 'lang: fr' contradicts the file name, which says az"),
        ({"content/articles/y.md": "---\ntitle: Y\ndate: 2020-01-01\nlang: fr\ntranslation_key: paris\n---\n", "content/articles/z.md": "---\ntitle: Z\ndate: 2020-01-01\nlang: fr\ntranslation_key: paris\n---\n"}, "is the fr version of 'paris' too"),
        ({"content/pages/fr.md": "---\ntitle: Fr\n---\n"}, "content/pages/fr.md:2: the URL /fr/ belongs to the French pages"),
    ],
)  # fmt: skip
def test_content_in_no_language_of_the_site_or_twice_in_one_is_an_error(
    tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    run = run_cli(multilingual_site(tmp_path / "site", **extra))
    assert run.code == 1
    assert any(message in line for line in run.error_lines), run.error_lines


def test_each_book_of_names_follows_its_alphabet(tmp_path: Path) -> None:
    names = [
        "Cəmil Əhmədov",
        "Cavid Ağayev",
        "Çingiz Abbasov",
        "Dəniz Hüseynov",
        "Elçin Quliyev",
        "Əli Vəliyev",
        "İlqar Zeynalov",
        "Ismayıl Bayramov",
    ]
    people = {f"content/people/p{n}.md": f"---\nname: {name}\n---\n" for n, name in enumerate(names)}
    people["content/people/ru.md"] = "---\nname: {en: Anna Ivanova, ru: Анна Иванова}\n---\n"
    project = multilingual_site(tmp_path / "site", **people)
    assert run_cli(project).code == 0
    out = project / "output"

    def book(prefix: str) -> list[str]:
        text = (out / prefix / "people/index.html").read_text(encoding="utf-8")
        return re.findall(r'<li><a href="[^"]*people/[^"]*">([^<]*)</a>', text)

    az = [name for name in book("az/") if name in names]
    assert az == [
        "Cavid Ağayev",
        "Cəmil Əhmədov",
        "Çingiz Abbasov",
        "Dəniz Hüseynov",
        "Elçin Quliyev",
        "Əli Vəliyev",
        "Ismayıl Bayramov",
        "İlqar Zeynalov",
    ]
    letters = re.findall(
        r'<h2 id="letter-\d+">([^<]*)</h2>', (out / "az/people/index.html").read_text(encoding="utf-8")
    )
    assert [x for x in letters if x in "CÇDEƏ"] == ["C", "Ç", "D", "E", "Ə"]
    ru = book("ru/")
    assert ru.index("Анна Иванова") < ru.index("Солтан Мамедов") < ru.index("Cavid Ağayev"), "Cyrillic first in Russian"
    en = book("")
    assert en.index("Anna Ivanova") < en.index("Cavid Ağayev")


def test_dates_are_written_the_way_each_language_writes_them(tmp_path: Path) -> None:
    project = multilingual_site(tmp_path / "site")
    assert run_cli(project).code == 0
    shown = {
        prefix: (project / "output" / prefix / "timeline/index.html").read_text(encoding="utf-8")
        for prefix in ("", "az/", "fr/", "ru/")
    }
    assert "c. 1905" in shown[""]
    assert "təxm. 1905" in shown["az/"]
    assert "vers 1905" in shown["fr/"]
    assert "ок. 1905" in shown["ru/"]
    assert "25 février 2023" in shown["fr/"] and "25 февраля 2023" in shown["ru/"] and "25 fevral 2023" in shown["az/"]


# --- the example archive, in four languages ----------------------------------------------------


def test_every_page_has_the_language_of_its_place_in_the_site(site: Path) -> None:
    pages = [rel for rel in html_pages(site) if not rel.startswith(("pagefind/", "data/")) and rel != "404.html"]
    assert len(pages) > 4 * 25
    for rel in pages:
        first = rel.split("/")[0]
        expected = first if first in CODES else "en"
        page = read(site, rel)
        assert page.lang == expected, rel
        if page.switcher:
            assert page.current == expected, rel


def test_the_switcher_goes_to_the_same_page_and_back(site: Path) -> None:
    checked = 0
    for rel in html_pages(site):
        page = read(site, rel)
        for code, href in page.switcher.items():
            other = file_of(href)
            assert (site / other).is_file(), f"{rel}: {code} → {href}"
            back = read(site, other).switcher
            assert file_of(back[page.current]) == rel, f"{rel} → {other} does not lead back"
            checked += 1
    assert checked > 4 * 3 * 25


def test_hreflang_names_only_pages_written_in_that_language(site: Path) -> None:
    article = read(site, "fr/articles/khojaly-commemoration-paris/index.html")
    assert sorted(article.hreflang) == ["en", "fr", "ru", "x-default"]
    assert article.hreflang["x-default"] == article.hreflang["en"]
    assert sorted(read(site, "az/timeline/index.html").hreflang) == ["az", "en", "fr", "ru", "x-default"]
    assert "az" not in read(site, "about/index.html").hreflang


def test_search_has_an_index_per_language_and_one_of_all(site: Path) -> None:
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text())
    assert sorted(entry["languages"]) == ["az", "en", "fr", "ru"]
    together = json.loads((site / "pagefind/all/pagefind-entry.json").read_text())
    assert list(together["languages"]) == ["en"]
    assert together["languages"]["en"]["page_count"] == sum(v["page_count"] for v in entry["languages"].values())
    # The search page loads Pagefind's interface from /pagefind/ only: /pagefind/all/ has its program, not a copy of it.
    assert (site / "pagefind/all/pagefind.js").is_file() and (site / "pagefind/pagefind-ui.js").is_file()
    assert (
        not list((site / "pagefind/all").glob("pagefind-*ui*"))
        and not (site / "pagefind/all/pagefind-highlight.js").exists()
    )


# --- in the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser_page(site: Path, browser: Any) -> Iterator[tuple[Any, str]]:
    with serve_site(site) as origin:
        page = browser.new_page()
        yield page, origin
        page.close()


@pytest.mark.browser
def test_a_reader_switches_language_and_comes_back(browser_page: tuple[Any, str]) -> None:
    page, origin = browser_page
    page.goto(f"{origin}{BASE_PATH}fr/articles/khojaly-commemoration-paris/", wait_until="load")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click("nav.languages a[hreflang='ru']")
    page.wait_for_url(f"{origin}{BASE_PATH}ru/articles/khojaly-commemoration-paris/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text().startswith("Париж")
    page.click("nav.languages a[hreflang='az']")
    page.wait_for_url(f"{origin}{BASE_PATH}az/articles/khojaly-commemoration-paris/")
    assert page.locator("p.note").first.inner_text().startswith("Bu məqalə")
    page.click("nav.languages a[hreflang='fr']")
    page.wait_for_url(f"{origin}{BASE_PATH}fr/articles/khojaly-commemoration-paris/")


@pytest.mark.browser
def test_search_finds_a_name_in_its_language_or_in_all(browser_page: tuple[Any, str]) -> None:
    page, origin = browser_page

    def hrefs(url: str) -> list[str]:
        page.goto(url, wait_until="load")
        page.wait_for_selector("a.pagefind-ui__result-link", timeout=15_000)
        page.wait_for_function("!document.querySelector('.pagefind-ui__result .pagefind-ui__loading')")
        return page.eval_on_selector_all("a.pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")

    russian = hrefs(f"{origin}{BASE_PATH}ru/search/?q=Мамедов")
    assert f"{BASE_PATH}ru/people/soltan-mammadov/" in russian
    assert not any(h.startswith(f"{BASE_PATH}az/") for h in russian)
    everywhere = hrefs(f"{origin}{BASE_PATH}az/search/?q=Мамедов&all=1")
    assert f"{BASE_PATH}ru/people/soltan-mammadov/" in everywhere
    scope = page.locator("#search_scope")
    assert "all=" not in (scope.get_attribute("href") or "") and "q=" in (scope.get_attribute("href") or "")


# --- rebuilds -----------------------------------------------------------------------------------

TRANSLATION_CHANGES = {
    "a translation's title": ("content/articles/paris.fr.md", "title: Paris en français", "title: Paris, en français"),
    "a name in one language": ("content/people/soltan.md", "ru: Солтан Мамедов", "ru: Солтан Мамедов-Оглы"),
    "a translated biography": ("content/people/soltan.fr.md", "Biographie.", "Une autre biographie."),
    "a language's title": ("site.yaml", "title: Arxiv", "title: Arxiv 2"),
    "a new translation": ("content/articles/paris.md", "English.", "English.\n"),
}


@pytest.mark.parametrize("kind", sorted(TRANSLATION_CHANGES))
def test_a_rebuild_after_a_change_of_one_language_equals_a_clean_build(tmp_path: Path, kind: str) -> None:
    from tests.conftest import snapshot
    from tests.test_incremental import clean_build_of

    project = multilingual_site(tmp_path / "site")
    assert run_cli(project).code == 0
    rel, old, new = TRANSLATION_CHANGES[kind]
    path = project / rel
    if kind == "a new translation":
        (project / "content/articles/paris.ru.md").write_text("---\ntitle: Париж\ndate: 2023-02-25\n---\nРусский.\n")
    else:
        assert old in path.read_text(encoding="utf-8")
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    before = snapshot(project / "output")
    assert run_cli(project).code == 0
    after = snapshot(project / "output")
    assert {rel: data for rel, (data, _) in after.items()} == clean_build_of(project, tmp_path)
    kept = [rel for rel in after if rel in before and before[rel][0] == after[rel][0]]
    assert kept and all(after[rel][1] == before[rel][1] for rel in kept), "unchanged files keep their time"


def test_pages_in_a_right_to_left_language_say_so(tmp_path: Path) -> None:
    """dir="rtl" on the pages of Arabic, Hebrew, Persian ...; text in another language marks its own direction."""
    from memoria.render import direction

    assert [direction(tag) for tag in ("ar", "he", "fa-IR", "ur", "en", "az-Latn", "xx-nonsense", "")] == [
        *("rtl",) * 4,
        *("ltr",) * 4,
    ]
    config = "title: Archive\nlanguages: [ar, en]\n"
    files = {
        "content/articles/a.md": "---\ntitle: تقرير\ndate: 2020-01-01\nlang: ar\n---\nنص.\n",
        "content/articles/b.md": "---\ntitle: Report\ndate: 2020-01-02\nlang: en\n---\nText.\n",
    }
    project = make_site(tmp_path / "site", files, config)
    assert run_cli(project, "--no-search").code == 0
    output = project / "output"
    assert '<html lang="ar" dir="rtl">' in (output / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in (output / "en/index.html").read_text(encoding="utf-8")
    # The English report on the Arabic side of the site: its text is marked left to right.
    shown = (output / "articles/b/index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in shown and 'lang="en" dir="ltr"' in shown
