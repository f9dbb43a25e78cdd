"""Property tests: any front matter and Markdown either builds, or fails with clean `path:line:` errors.

Never a traceback, never a partial output folder.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memoria.errors import BuildError
from memoria.pipeline import Options, build
from tests.conftest import make_site

ERROR_LINE = re.compile(r"^content/[^:]+\.md(:\d+)?: \S.*$")

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
scalars = st.one_of(texts, st.integers(-3000, 3000), st.booleans(), st.none(), st.dates(), st.floats(allow_nan=False))
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3), max_leaves=8
)
keys = st.sampled_from(
    [
        "title",
        "date",
        "slug",
        "summary",
        "source",
        "people",
        "places",
        "tags",
        "events",
        "images",
        "lang",
        "draft",
        "published",
        "aliases",
        "name",
        "born",
        "died",
        "role",
        "links",
        "x",
    ]
)
edtf_like = st.from_regex(r"\A-?[0-9X]{1,5}(-[0-9X]{1,2}){0,2}[?~%]?(/[0-9.]{0,10})?\Z")
front_matter = st.dictionaries(keys, st.one_of(values, edtf_like), max_size=8)
markdown_text = st.lists(
    st.sampled_from(["# Title", "text *em* **b**", "<script>alert(1)</script>", "---", "| a | b |\n|---|---|\n| 1 | 2 |",
                     "[x](javascript:alert(1))", "[^1]\n\n[^1]: note", "<img src=x onerror=alert(1)>", "> quote", "\x00", "\ufeff"])
    | texts,
    max_size=6,
).map("\n\n".join)  # fmt: skip


def attempt(project: Path) -> list[str]:
    """Build; the error lines, or [] when it built."""
    output = project / "output"
    try:
        build(Options(project, output, quiet=True, cache=False))
    except BuildError as err:
        assert not output.exists(), "a failed first build must leave no output"
        return [str(e) for e in err.errors]
    assert (output / "index.html").is_file()
    return []


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=front_matter, person=front_matter, body=markdown_text)
def test_any_input_builds_or_fails_cleanly(article: dict[str, object], person: dict[str, object], body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = {
            "content/articles/generated.md": "---\n" + yaml.safe_dump(article, allow_unicode=True) + "---\n" + body,
            "content/people/generated.md": "---\n" + yaml.safe_dump(person, allow_unicode=True) + "---\n" + body,
        }
        project = make_site(Path(folder) / "site", files)
        for line in attempt(project):
            assert ERROR_LINE.match(line), line
        shutil.rmtree(project)


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=300))
def test_any_bytes_build_or_fail_cleanly(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = make_site(
            Path(folder) / "site", {"content/articles/raw.md": b"---\ntitle: T\ndate: 2020-01-01\n" + raw}
        )
        for line in attempt(project):
            assert ERROR_LINE.match(line), line
