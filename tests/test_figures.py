"""Photographs in a built site: where they come from, what is published, the HTML, errors and rebuilds."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from memoria.pipeline import Options, Result, build
from tests.conftest import jpeg, make_site, run_cli

GPS = 0x8825
MAKER_NOTE = 0x927C


def gps_photo(width: int = 2000, height: int = 1500) -> bytes:
    """A JPEG as a phone writes it: GPS position, camera, maker notes, orientation 6 (turned)."""
    image = Image.new("RGB", (width, height), "navy")
    image.paste((200, 30, 30), (0, 0, width // 2, height // 3))  # red at the top left, as stored
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    exif[0x0112] = 6
    exif[MAKER_NOTE] = b"secret maker note"
    exif.get_ifd(GPS).update({1: "N", 2: (40.0, 24.0, 36.0), 3: "E", 4: (49.0, 52.0, 12.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=85)
    return buffer.getvalue()


ARTICLE = """\
---
title: A commemoration
date: 2020-02-26
images:
  - {src: ceremony.jpg, alt: "People gathered at a memorial", caption: "The gathering", credit: "Photo: R. Example"}
  - {src: /assets/images/wreath.png, alt: "A wreath of flowers", caption: "The wreath"}
---
The text, with a photograph in it:

![The candles at dusk](candles.jpg)
"""


def photo_site(root: Path, **extra: str | bytes) -> Path:
    files: dict[str, str | bytes] = {
        "content/articles/2020/commemoration.md": ARTICLE,
        "content/articles/2020/ceremony.jpg": gps_photo(),
        "content/articles/2020/candles.jpg": jpeg(1000, 700, "darkorange"),
        "assets/images/wreath.png": _png(800, 800),
        "assets/images/background.jpg": gps_photo(300, 200),
        "content/people/ada.md": "---\nname: Ada Example\nphoto: ada.jpg\n---\nA biography.\n",
        "content/people/ada.jpg": gps_photo(600, 800),
        **extra,
    }
    return make_site(root, files, "title: Photographs\nbase_url: https://example.org/\n")


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 120, 40, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def published_images(output: Path) -> dict[str, Path]:
    found = {}
    for path in output.rglob("*"):
        if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp") and ".memoria" not in path.parts:
            found[path.relative_to(output).as_posix()] = path
    return found


def test_every_published_image_is_stripped_and_upright(tmp_path: Path) -> None:
    project = photo_site(tmp_path / "site")
    assert run_cli(project).code == 0
    output = project / "output"
    files = published_images(output)
    assert "assets/images/background.jpg" in files, "an image of assets/ no content shows is still published"
    assert not any(rel.startswith("content/") for rel in files)
    assert "assets/images/wreath.png" not in files, "an image the content shows is published as its variants only"
    for rel, path in files.items():
        data = path.read_bytes()
        assert b"PhoneMaker" not in data and b"secret maker note" not in data, rel
        with Image.open(path) as image:
            exif = image.getexif()
            assert not exif.get_ifd(GPS) and MAKER_NOTE not in exif and 0x010F not in exif, rel
            assert "exif" not in image.info and "xmp" not in image.info and "icc_profile" not in image.info, rel
    # Orientation 6 applied: the 2000×1500 photograph is published 1500 wide at most, upright.
    ceremony = sorted(rel for rel in files if "/ceremony-" in rel)
    assert [re.search(r"-(\d+)\.", rel).group(1) for rel in ceremony] == ["1500", "1500", "480", "480", "960", "960"]  # type: ignore[union-attr]
    with Image.open(files[next(r for r in ceremony if r.endswith("-480.jpg"))]) as small:
        assert small.size == (480, 640)


def test_pages_show_pictures_with_sizes_figures_and_a_gallery(tmp_path: Path) -> None:
    project = photo_site(tmp_path / "site")
    assert run_cli(project).code == 0
    page = (project / "output/articles/commemoration/index.html").read_text(encoding="utf-8")
    gallery = page[page.index('<section class="gallery"') : page.index("</section>", page.index('class="gallery"'))]
    assert gallery.count("<figure>") == 2 and gallery.count("<picture>") == 2
    assert '<figcaption>The gathering <span class="credit">Photo: R. Example</span></figcaption>' in gallery
    # Each gallery image opens its full-size file: a gallery that needs no script.
    links = re.findall(r'<a href="(/images/[0-9a-f]{12}/[a-z-]+-\d+\.(?:jpg|png))">', gallery)
    assert len(links) == 2 and all((project / "output" / link.lstrip("/")).is_file() for link in links)
    for tag in re.findall(r"<img [^>]*>", gallery):
        assert 'loading="lazy"' in tag and re.search(r'width="\d+" height="\d+"', tag) and 'alt="' in tag
    assert '<source type="image/webp" srcset="/images/' in gallery
    # The Markdown image in the text becomes a picture of its own, with its alt text.
    prose = page[page.index('<div class="prose">') : page.index("</div>", page.index('<div class="prose">'))]
    assert re.search(r'<picture><source type="image/webp" srcset="[^"]*candles-480\.webp 480w', prose)
    assert re.search(r'<img src="/images/[0-9a-f]{12}/candles-1000\.jpg"[^>]*width="1000" height="700"', prose)
    assert 'alt="The candles at dusk"' in prose
    # The first image is the article's card image; the index shows it as a thumbnail; the feed too.
    assert re.search(
        r'<meta property="og:image" content="https://example.org/images/[0-9a-f]{12}/ceremony-1500\.jpg">', page
    )
    index = (project / "output/index.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="thumb"><picture>.*?ceremony-480\.webp', index)
    feed = (project / "output/feed.xml").read_text(encoding="utf-8")
    assert re.search(
        r'<media:thumbnail url="https://example.org/images/[0-9a-f]{12}/ceremony-480\.jpg" width="480"', feed
    )
    person = (project / "output/people/ada/index.html").read_text(encoding="utf-8")
    assert re.search(r'<figure class="portrait">\s*<picture>.*alt="Ada Example"', person, re.S)


def test_one_picture_shown_twice_keeps_each_alt_text(tmp_path: Path) -> None:
    twice = (
        "---\ntitle: Two views\ndate: 2020-01-01\n---\n![The wreath laid at the memorial](candles.jpg)\n\n"
        'Later, again:\n\n![A detail of the ribbon](candles.jpg)\n\n<img src="candles.jpg" alt="">\n'
    )
    project = photo_site(tmp_path / "site", **{"content/articles/2020/twice.md": twice})
    assert run_cli(project).code == 0
    page = (project / "output/articles/twice/index.html").read_text(encoding="utf-8")
    alts = re.findall(r'<img src="/images/[^"]*candles[^>]* alt="([^"]*)"', page)
    assert alts == ["The wreath laid at the memorial", "A detail of the ribbon", ""]


def test_a_missing_image_is_an_error_at_its_line_and_the_output_stays(tmp_path: Path) -> None:
    project = photo_site(tmp_path / "site")
    assert run_cli(project).code == 0
    before = sorted(p.relative_to(project).as_posix() for p in (project / "output").rglob("*"))
    (project / "content/articles/2020/ceremony.jpg").unlink()
    (project / "content/articles/2020/candles.jpg").unlink()
    (project / "content/people/ada.md").write_text("---\nname: Ada Example\nphoto: nobody.jpg\n---\n")
    run = run_cli(project)
    assert run.code == 1
    assert run.error_lines == [
        "content/articles/2020/commemoration.md:5: image not found: content/articles/2020/ceremony.jpg",
        "content/articles/2020/commemoration.md:10: image not found: content/articles/2020/candles.jpg",
        "content/people/ada.md:3: image not found: content/people/nobody.jpg",
    ]
    assert sorted(p.relative_to(project).as_posix() for p in (project / "output").rglob("*")) == before


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("images: [{src: notes.txt, alt: A}]", "not an image (JPEG, PNG"),
        ("images: [{src: ../../../etc/passwd, alt: A}]", "image path leads out of the project"),
        ("images: [{src: 'https://example.org/a.jpg', alt: A}]", "image must be a file in the project, not a URL"),
        ("images: [{src: drawing.svg, alt: A}]", "an SVG image must be under assets/"),
        ("images: [{src: ceremony.jpg, alt: A, title: B}]", "unknown image field 'title'"),
        # Files the build does not stamp: a change to them would go unseen by the next build.
        ("images: [{src: ../../photos/p.jpg, alt: A}]", "image must be a file of content/ or assets/, not hidden"),
        ("images: [{src: .hidden.jpg, alt: A}]", "image must be a file of content/ or assets/, not hidden"),
    ],
)
def test_a_bad_image_reference_is_an_error_at_its_line(tmp_path: Path, source: str, message: str) -> None:
    files: dict[str, str | bytes] = {
        "content/articles/a.md": f"---\ntitle: A\ndate: 2020-01-01\n{source}\n---\nText.\n",
        "content/articles/notes.txt": "not an image",
        "content/articles/drawing.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "content/articles/ceremony.jpg": jpeg(),
        "content/articles/.hidden.jpg": jpeg(),
        "photos/p.jpg": jpeg(),
    }
    run = run_cli(make_site(tmp_path / "site", files))
    assert run.code == 1
    assert run.error_lines[0].startswith("content/articles/a.md:4: ") and message in run.error_lines[0]


def test_an_image_without_alt_is_a_warning_and_an_error_under_strict(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "content/articles/a.md": "---\ntitle: A\ndate: 2020-01-01\nimages: [{src: a.jpg}]\n---\nText.\n\n![](a.jpg)\n",
        "content/articles/a.jpg": jpeg(),
    }
    project = make_site(tmp_path / "site", files)
    run = run_cli(project)
    assert run.code == 0
    assert "content/articles/a.md:4: image has no 'alt' text describing it (warning)" in run.err
    assert "content/articles/a.md:8: image a.jpg has no alt text describing it: ![what it shows](a.jpg)" in run.err
    assert run_cli(project, "--strict").code == 1


def test_unchanged_images_are_not_encoded_again_and_a_changed_one_only_itself(tmp_path: Path) -> None:
    project = photo_site(tmp_path / "site")
    options = Options(project=project, output=project / "output", quiet=True)
    assert encoded(build(options)) == 6 + 6 + 4 + 4  # ceremony, candles: 3 widths; wreath, ada: 2 (never upscaled)
    stamps = {rel: path.stat().st_mtime_ns for rel, path in published_images(project / "output").items()}
    (project / "content/articles/2020/commemoration.md").write_text(ARTICLE.replace("The text", "New text"))
    assert encoded(build(options)) == 0
    after = {rel: path.stat().st_mtime_ns for rel, path in published_images(project / "output").items()}
    assert after == stamps, "unchanged images are neither encoded nor rewritten"
    (project / "content/articles/2020/candles.jpg").write_bytes(jpeg(1000, 700, "gold"))
    assert encoded(build(options)) == 6
    now = published_images(project / "output")
    assert {rel for rel in now if "/candles-" in rel}.isdisjoint(stamps), "a changed image gets new URLs"
    assert all(now[rel].stat().st_mtime_ns == stamps[rel] for rel in now if "/candles-" not in rel)
    clean = tmp_path / "clean"
    build(Options(project=project, output=clean, quiet=True, cache=False))
    assert _tree(clean) == _tree(project / "output"), "the rebuilt site equals a clean build"


def encoded(result: Result) -> int:
    """How many image files a build encoded (the cached ones not counted)."""
    assert result.archive and result.archive.pictures
    return result.archive.pictures.encoded


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".") and "pagefind" not in p.parts
    }
