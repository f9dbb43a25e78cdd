"""Images in the archive: find and process every image the content shows, and write their HTML.

An image is written relative to its content file ('ceremony.jpg') or from the project's
assets ('/assets/images/x.jpg'). Raster images are published only as the processed
variants of memoria.images (resized, WebP and the original format, no metadata); an SVG
of assets/ is shown as it is.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
from collections.abc import Callable
from pathlib import PurePosixPath

from markupsafe import Markup

from .archive import Archive
from .errors import Problems
from .images import WEBP, ImageError, ImageProcessor
from .markup import IMG, attributes
from .model import Article, Image, Page, Person

# The widths an image takes on the page, for the browser to choose a variant before layout.
PROSE = "(min-width: 46rem) 42rem, calc(100vw - 2.5rem)"
GALLERY = "(min-width: 46rem) 20rem, calc(50vw - 2rem)"
THUMBNAIL = "6rem"
PORTRAIT = "16rem"


def attach_pictures(archive: Archive, processor: ImageProcessor, problems: Problems) -> None:
    """Process every image of the archive at once; put each Picture on its Image and in the HTML.

    A missing or unreadable image is an error at the line that names it. Whatever an
    image adds to a page changes its owner's digest, so the page is rendered again.
    """
    owners: list[tuple[str, Image]] = []
    for article in archive.articles:
        owners += [(article.path, image) for image in [*article.images, *article.inline_images]]
    for person in archive.people:
        if person.path:
            photo = [person.photo] if person.photo else []
            owners += [(person.path, image) for image in [*photo, *person.inline_images]]
    for page in archive.pages:
        owners += [(page.path, image) for image in page.inline_images]
    raster: list[tuple[str, Image]] = []
    for path, image in owners:
        if PurePosixPath(image.src.split("?")[0]).suffix.lower() == ".svg":
            _vector(processor, path, image, problems)
        else:
            raster.append((path, image))
    results = processor.pictures([(image.src, image.alt, posixpath.dirname(path)) for path, image in raster])
    for (path, image), result in zip(raster, results, strict=True):
        if isinstance(result, ImageError):
            problems.error(path, image.line, str(result))
        else:
            image.picture = result
            image.url = result.src
    href = _href(archive.config.base_path)
    things: list[Article | Person | Page] = [*archive.articles, *archive.people, *archive.pages]
    for thing in things:
        shown = [i for i in _front_matter_images(thing) if i.url]
        inline = [i for i in thing.inline_images if i.url]
        if inline:
            thing.html = _replace_images(thing.html, inline, href)
        if shown or inline:
            key = "".join(f"{i.url}\0{i.alt}\0" for i in [*shown, *inline])
            thing.digest += ":" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def _front_matter_images(thing: Article | Person | Page) -> list[Image]:
    if isinstance(thing, Article):
        return thing.images
    if isinstance(thing, Person) and thing.photo:
        return [thing.photo]
    return []


def _vector(processor: ImageProcessor, path: str, image: Image, problems: Problems) -> None:
    """An SVG is shown as it is, so it must be one of the project's assets (published as they are)."""
    try:
        rel, _ = processor.locate(image.src, posixpath.dirname(path))
    except ImageError as error:
        problems.error(path, image.line, str(error))
        return
    if not rel.startswith("assets/"):
        problems.error(path, image.line, f"an SVG image must be under assets/ (it is published as it is): {image.src}")
        return
    image.url = rel


def _href(base_path: str) -> Callable[[str], str]:
    return lambda url: base_path + url


def _replace_images(fragment: str, images: list[Image], href: Callable[[str], str]) -> str:
    """Each processed <img> of a Markdown body replaced by its responsive form, with its own alt text."""
    by_src = {image.src: image for image in images}
    base = href("")

    def replace(match: object) -> str:
        tag = match.group(0)  # type: ignore[attr-defined]
        attrs = attributes(tag)
        src = attrs.get("src", "")
        image = by_src.get(src) or by_src.get("/" + src[len(base) :] if src.startswith(base) else src)
        if image is None:
            return tag  # type: ignore[no-any-return]
        # Its own alt: one picture may be shown twice, described each time for where it is.
        return picture_html(image, href, PROSE, lazy=True, title=attrs.get("title", ""), alt=attrs.get("alt", ""))

    return IMG.sub(replace, fragment)


def picture_html(
    image: Image, href: Callable[[str], str], sizes: str, lazy: bool = True, title: str = "", alt: str | None = None
) -> str:
    """`<picture>` with WebP and fallback srcsets, the fallback's width and height (no jump while loading)."""
    text = html.escape(image.alt if alt is None else alt)
    extra = (' loading="lazy"' if lazy else "") + (f' title="{html.escape(title)}"' if title else "")
    picture = image.picture
    if picture is None:
        return f'<img src="{html.escape(href(image.url))}" alt="{text}"{extra}>'
    srcset = html.escape(picture.srcset(picture.mime, href))
    webp = html.escape(picture.srcset(WEBP, href))
    return (
        f'<picture><source type="{WEBP}" srcset="{webp}" sizes="{sizes}">'
        f'<img src="{html.escape(href(picture.src))}" srcset="{srcset}" sizes="{sizes}"'
        f' width="{picture.width}" height="{picture.height}" alt="{text}"{extra} decoding="async"></picture>'
    )


def filters(base_path: str) -> dict[str, Callable[..., Markup]]:
    """The template filter `picture`: `{{ image | picture('gallery', lazy=false) }}`."""
    href = _href(base_path)
    sizes = {"prose": PROSE, "gallery": GALLERY, "thumbnail": THUMBNAIL, "portrait": PORTRAIT}

    def picture(image: Image, size: str = "prose", lazy: bool = True, alt: str | None = None) -> Markup:
        return Markup(picture_html(image, href, sizes[size], lazy, alt=alt))

    return {"picture": picture}
