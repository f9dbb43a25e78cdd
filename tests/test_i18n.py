"""The theme's words in every language (memoria/i18n.py, layouts/i18n/*.po): complete catalogues, rendered pages."""

from __future__ import annotations

import re
import shutil
import tomllib
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from memoria.config import SiteConfig
from memoria.i18n import LANGUAGES, catalogue_path, read_catalogue, translations
from memoria.pages import plan_site
from memoria.pipeline import Options, load_archive
from memoria.render import make_environment, render
from tests.conftest import copy_example, make_site, run_cli

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = REPO / "layouts"
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
# %(name)s for gettext, {name} in case a template formats, [NAME] for Pagefind's own placeholders.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}|\[[A-Z_]+\]")

Message = str | tuple[str, ...]


@cache
def template_messages() -> dict[Message, list[str]]:
    """Every msgid the templates use, with the templates that use it, extracted as `pybabel extract` does."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["babel"]
    method_map, options_map = [], {}
    for mapping in config["mappings"]:
        options = {key: value for key, value in mapping.items() if key not in ("method", "pattern")}
        for pattern in mapping["pattern"]:
            method_map.append((pattern, mapping["method"]))
            options_map[pattern] = options
    found: dict[Message, list[str]] = {}
    for filename, _, message, _, _ in extract_from_dir(str(LAYOUTS), method_map, options_map):
        key = message if isinstance(message, str) else tuple(message)
        found.setdefault(key, []).append(filename)
    return found


def catalogue(language: str) -> Catalog:
    path = catalogue_path(LAYOUTS, language)
    assert path is not None and path.name == f"{language}.po"
    return read_catalogue(path)


def test_templates_have_words_to_translate() -> None:
    messages = template_messages()
    assert "Skip to content" in messages
    assert ("%(num)s article", "%(num)s articles") in messages
    assert len(messages) > 80


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language: str) -> None:
    cat = catalogue(language)
    problems = []
    for msgid, where in template_messages().items():
        message = cat.get(msgid)
        if message is None:
            problems.append(f"missing ({where[0]}): {msgid!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {msgid!r}")
        if isinstance(msgid, tuple) and len(strings) != cat.num_plurals:
            problems.append(f"{len(strings)} plural forms, not {cat.num_plurals}: {msgid!r}")
        wanted = sorted(PLACEHOLDER.findall(msgid if isinstance(msgid, str) else msgid[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ from {wanted}: {string!r}")
    stale = [m.id for m in cat if m.id and m.id not in template_messages()]
    assert not problems, "\n".join(problems)
    assert not stale, f"no template uses these any more (run pybabel update): {stale}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_rule_is_babels(language: str) -> None:
    cat = catalogue(language)
    rule = get_plural(language)
    assert (cat.num_plurals, cat.plural_expr) == (rule.num_plurals, rule.plural_expr)
    assert cat.locale is not None and str(cat.locale) == language


def test_template_catalogue_is_current() -> None:
    path = LAYOUTS / "i18n" / "messages.pot"
    with path.open("rb") as file:
        ids = {m.id for m in read_po(file) if m.id}
    assert ids == set(template_messages()), "run the pybabel extract command of README.md, Translations"


@pytest.mark.parametrize(
    ("count", "shown"), [(1, "1 статья"), (2, "2 статьи"), (5, "5 статей"), (11, "11 статей"), (21, "21 статья")]
)
def test_russian_plurals(count: int, shown: str) -> None:
    assert translations(LAYOUTS, "ru").ngettext("%(num)s article", "%(num)s articles", count) % {"num": count} == shown


def test_languages_without_a_catalogue_keep_the_templates_words(tmp_path: Path) -> None:
    assert type(translations(LAYOUTS, "de")).__name__ == "NullTranslations"
    assert translations(LAYOUTS, "fr-CA").gettext("Timeline") == "Chronologie"
    assert translations(tmp_path, "fr").gettext("Timeline") == "Timeline"


def test_translated_words_are_escaped_and_so_are_their_values() -> None:
    env = make_environment(LAYOUTS, SiteConfig(title="T"), language="fr")
    page = env.from_string("{{ _('Articles naming %(name)s', name=who) }}").render(who="<b>Ali</b>")
    assert page == "Articles qui citent &lt;b&gt;Ali&lt;/b&gt;"


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Page 2 of 5"), ("az", "Səhifə 2 / 5"), ("fr", "Page 2 sur 5"), ("ru", "Страница 2 из 5")],
)
def test_pager_words(language: str, shown: str) -> None:
    env = make_environment(LAYOUTS, SiteConfig(title="T"), language=language)
    macro = env.from_string('{% from "_macros.html" import pager %}{{ pager(p) }}')
    page = macro.render(p={"count": 5, "number": 2, "previous": "page/1/", "next": "page/3/"})
    assert f"<span>{shown}</span>" in page


# Whole pages of the example archive, rendered in each language.

PAGES = ["", "people/", "timeline/", "search/", "404.html", "data/", "places/", "places/paris/"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Some pages of the example archive (lists, a person, an article) rendered in each language."""
    project = copy_example(tmp_path_factory.mktemp("i18n") / "example")
    archive, problems = load_archive(Options(project=project, output=project / "output", cache=False, quiet=True))
    assert not problems.errors
    outputs = plan_site(archive)
    chosen = [o for o in outputs if o.url in PAGES]
    chosen += [next(o for o in outputs if o.template == kind) for kind in ("person.html", "article.html")]
    pages = {}
    for language in LANGUAGES:
        env = make_environment(LAYOUTS, archive.config, language=language)
        pages[language] = {o.url: render(env, o.template, {**o.context, "page_url": o.url}) for o in chosen}
    return pages


# Words of the theme that the example's own content never uses.
ENGLISH = [
    "Skip to content",
    "Search the archive",
    "Latest articles",
    "Made with Memoria",
    "Atom feed",
    "Open data",
    "The book of names",
    "Page not found",
    "Cite this page",
    "Accessed",
    "Reference to download",
    "People named",
    "Named in",
    "Named with",
    "Also written",
    "Follow:",
    "Searching needs JavaScript",
    "Load more results",
    "filed under",
    "Every dated article",
]


@pytest.mark.parametrize("language", TRANSLATED)
def test_pages_show_no_english_words(rendered: dict[str, dict[str, str]], language: str) -> None:
    pages = rendered[language]
    assert set(pages) >= {*PAGES}
    for url, page in pages.items():
        text = re.sub(r"<script.*?</script>", "", page, flags=re.S) if url != "search/" else page
        found = [word for word in ENGLISH if word in text]
        assert not found, f"{url or 'index'} in {language}: {found}"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("az", ["Əsas məzmuna keç", "Adlar kitabı", "25 fevral 2023"]),
        ("fr", ["Aller au contenu", "Le livre des noms", "25 février 2023"]),
        ("ru", ["Перейти к содержанию", "Книга имён", "25 февраля 2023\u202fг."]),
        ("en", ["Skip to content", "The book of names", "25 February 2023"]),
    ],
)
def test_pages_show_the_languages_words_and_dates(
    rendered: dict[str, dict[str, str]], language: str, words: list[str]
) -> None:
    page = "".join(rendered[language].values())
    for word in words:
        assert word in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_html_lang_is_the_language(rendered: dict[str, dict[str, str]], language: str) -> None:
    for url, page in rendered[language].items():
        if url in PAGES:
            assert f'<html lang="{language}" dir="ltr">' in page, url


@pytest.mark.parametrize("autoescape", [True, False])
def test_the_quick_gettext_says_what_jinjas_own_says(tmp_path: Path, autoescape: bool) -> None:
    """i18n.quick_gettext stands for Jinja's newstyle gettext and `_`: the same words, escaped the
    same way, `%` formatted even with no values, with and without a catalogue."""
    import jinja2

    from memoria.i18n import quick_gettext, translations

    templates = [
        "{{ _('Search all languages') }}|{{ _('100%% of <them>') }}|{{ _('From the article “%(title)s”', title='<b>&') }}",
        "{% trans %}Plain words{% endtrans %}|{% trans name='<i>' %}Hello {{ name }}{% endtrans %}",
        "{{ gettext('Search all languages') }}{{ _('Search all languages') }}",
    ]
    # French from the theme's catalogue; a folder with none gives the templates' own English.
    for words, first in [(translations(LAYOUTS, "fr"), "Chercher"), (translations(tmp_path, "fr"), "Search")]:
        said = []
        for quick in (False, True):
            env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
            env.install_gettext_translations(words, newstyle=True)  # type: ignore[attr-defined]
            if quick:
                env.globals["gettext"] = env.globals["_"] = quick_gettext(words)
            said.append([env.from_string(source).render() for source in templates * 2])
        assert said[0] == said[1]
        assert said[0][0].startswith(first)


def test_a_language_the_theme_has_no_words_in_is_told(tmp_path: Path) -> None:
    """The theme's words fall back to English in a language it has no catalogue for: a warning says so
    (none for English, none for a theme without catalogues, whose words are its own)."""

    article = {"content/articles/a.md": "---\ntitle: A\ndate: 2020-01-01\n---\nText.\n"}
    project = make_site(tmp_path / "de", article, "title: Archiv\nlanguage: de\n")
    run = run_cli(project, "--no-search")
    assert run.code == 0
    assert run.error_lines == [
        "layouts/i18n/de.po: the theme has no words in 'de': its pages show them in English "
        "(layouts/i18n/messages.pot lists them to translate) (warning)"
    ]
    assert run_cli(project, "--no-search", "--strict").code == 1
    english = make_site(tmp_path / "en", article, "title: Archive\nlanguage: en-GB\n")
    assert run_cli(english, "--no-search").error_lines == []
    shutil.rmtree(project / "layouts" / "i18n")
    assert run_cli(project, "--no-search").error_lines == []
