"""Photographs: resized variants in WebP and the original format, without private metadata, cached by content.

Every published file is decoded and re-encoded from pixels alone, so no EXIF
(GPS, camera, maker notes), XMP, IPTC, comment or ICC profile survives; the
EXIF orientation is applied first, and a colour profile other than sRGB is
converted to sRGB, which is what browsers assume of an untagged image.
Output names carry a hash of the source bytes and of the settings, so a
changed image gets new URLs, and a cached file is never stale.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import json
import math
import os
import posixpath
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import PIL
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from .parallel import map_forked
from .progress import Progress
from .slugs import slugify
from .sources import is_skipped

MAX_BYTES = 256 << 20  # a file is read whole to be hashed: refuse one that could exhaust memory
MAX_PIXELS = 50_000_000
# Pillow warns above this and refuses above twice this; both are refused here.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

WIDTHS = (480, 960, 1600)
WEBP_LIMIT = 16383  # libwebp refuses a side longer than this: a long scan or a full-page screenshot is made smaller
WEBP = "image/webp"
JPEG = "image/jpeg"
PNG = "image/png"
# The decoders a user's file may reach: no EPS (Ghostscript), PSD or other rarities. Their plugins
# are loaded by name, not all of Pillow's (Image.init(), a tenth of a second at every start).
_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP", "TIFF": "TIFF", "BMP": "BMP", "AVIF": "AVIF"}
for _plugin in ("Jpeg", "Png", "Gif", "WebP", "Tiff", "Bmp", "Avif"):
    with contextlib.suppress(ImportError):
        importlib.import_module(f"PIL.{_plugin}ImagePlugin")
READABLE = tuple(fmt for fmt in _NAMES if fmt in Image.OPEN)
READABLE_NAMES = ", ".join(_NAMES[fmt] for fmt in READABLE[:-1]) + " or " + _NAMES[READABLE[-1]]
# mime → (Pillow format, extension, encoder settings). Fixed settings give byte-identical output;
# WebP method 4 is libwebp's default: method 6 saves 2% more bytes at twice the time.
ENCODERS: dict[str, tuple[str, str, dict[str, Any]]] = {
    WEBP: ("WEBP", "webp", {"quality": 80, "method": 4}),
    JPEG: ("JPEG", "jpg", {"quality": 82, "progressive": True, "optimize": True, "subsampling": "4:2:0"}),
    PNG: ("PNG", "png", {"compress_level": 6}),
}
# Bump when the processing changes in a way the settings above do not show.
VERSION = 1
ORIENTATION = 0x0112  # the EXIF tag
CACHE_FOLDER = "images"
# The raster files of assets/ that are published cleaned, by extension; other raster formats are not published.
CLEANED = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
RASTER = frozenset({*CLEANED, ".tif", ".tiff", ".bmp", ".avif", ".heic", ".heif"})
URL_FOLDER = "images"
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class ImageError(Exception):
    """A problem with one image, as one line for the person who referenced it."""


@dataclass(frozen=True)
class Variant:
    """One published file: site-relative URL, pixel size and type."""

    url: str
    width: int
    height: int
    mime: str


@dataclass(frozen=True)
class Picture:
    """An image ready for `<picture>`: the fallback `src` (original format, largest) and every variant."""

    src: str
    width: int
    height: int
    alt: str
    variants: tuple[Variant, ...]

    @property
    def mime(self) -> str:
        """The type of the fallback `src` (image/jpeg or image/png)."""
        return next(v.mime for v in self.variants if v.url == self.src)

    def srcset(self, mime: str, href: Callable[[str], str]) -> str:
        """The variants of one type as a srcset: 'a-480.webp 480w, a-960.webp 960w'."""
        chosen = sorted((v for v in self.variants if v.mime == mime), key=lambda v: v.width)
        return ", ".join(f"{href(v.url)} {v.width}w" for v in chosen)

    def best(self, width: int, mime: str | None = None) -> Variant:
        """The smallest variant (of the fallback type unless told) at least `width` wide, else the largest."""
        wanted = mime or self.mime
        chosen = sorted((v for v in self.variants if v.mime == wanted), key=lambda v: v.width)
        return next((v for v in chosen if v.width >= width), chosen[-1])


@dataclass(frozen=True)
class _Job:
    """A located image: project-relative path, file, content hash and output name stem."""

    rel: str
    path: Path
    digest: str
    stem: str


class ImageProcessor:
    """Turns image references into Pictures; the only code here that reads or writes files."""

    def __init__(self, project: Path, cache_dir: Path, widths: Sequence[int] = WIDTHS, quiet: bool = False):
        self.project = project
        self.quiet = quiet
        self.root = project.resolve()
        self.cache = cache_dir / CACHE_FOLDER
        self.widths = tuple(sorted(set(widths)))
        if not self.widths or min(self.widths) < 1:
            raise ValueError(f"image widths must be positive: {widths!r}")
        settings = {name: [fmt, ext, sorted(opts.items())] for name, (fmt, ext, opts) in ENCODERS.items()}
        self.settings = json.dumps([VERSION, PIL.__version__, self.widths, settings], sort_keys=True).encode()
        self.encoded = 0  # files encoded by this processor, cached ones not counted
        self._files: dict[str, Path] = {}
        self._cleaned: set[str] = set()
        self.sources: set[str] = set()  # project-relative paths of the images pictures were made of

    def __getstate__(self) -> dict[str, object]:
        """Kept with the site's model (memoria.patch) for a later build, which has encoded nothing yet."""
        return {**self.__dict__, "encoded": 0}

    def picture(self, src: str, alt: str, base_dir: str) -> Picture:
        """The Picture for `src` as written in a file of `base_dir` ('photo.jpg', '/assets/images/x.jpg')."""
        result = self.pictures([(src, alt, base_dir)])[0]
        if isinstance(result, ImageError):
            raise result
        return result

    def pictures(self, requests: Sequence[tuple[str, str, str]]) -> list[Picture | ImageError]:
        """Many (src, alt, base_dir) at once, the uncached ones made in parallel; an error stands in for a failed one."""
        located: list[_Job | ImageError] = []
        for src, _alt, base_dir in requests:
            try:
                located.append(self._job(src, base_dir))
            except ImageError as error:
                located.append(error)
        made: dict[tuple[str, str], Picture | ImageError] = {}
        todo: dict[tuple[str, str], _Job] = {}
        for job in located:
            if isinstance(job, _Job) and (job.digest, job.stem) not in made:
                cached = self._cached(job.digest, job.stem)
                if cached is None:
                    todo[job.digest, job.stem] = job
                else:
                    made[job.digest, job.stem] = cached
        jobs = list(todo.values())
        progress = Progress("images", len(jobs), quiet=self.quiet, minimum=8)  # about a second each
        outcomes = map_forked(self._make, jobs, done=lambda _job: progress.step())
        progress.done()
        for job, (result, count) in zip(jobs, outcomes, strict=True):
            made[job.digest, job.stem] = result
            self.encoded += count
        results: list[Picture | ImageError] = []
        for job, (_src, alt, _base) in zip(located, requests, strict=True):
            if isinstance(job, ImageError):
                results.append(job)
                continue
            result = made[job.digest, job.stem]
            if isinstance(result, Picture):
                for variant in result.variants:
                    self._files[variant.url] = self.cache / job.digest / PurePosixPath(variant.url).name
                result = replace(result, alt=alt)
            results.append(result)
        return results

    def files(self) -> list[tuple[str, Path]]:
        """Every (site-relative output path, cached file) of the pictures made so far, to publish."""
        return sorted(self._files.items())

    def prune(self) -> None:
        """Delete cached images no picture of this processor used (call after a complete build)."""
        used = {PurePosixPath(url).parent.name for url in self._files} | self._cleaned
        if self.cache.is_dir():
            for folder in self.cache.iterdir():
                if folder.name not in used:
                    shutil.rmtree(folder, ignore_errors=True)

    def clean(self, rel: str, path: Path) -> Path:
        """A copy of a file of assets/ at its own size and format, re-encoded without metadata (cached)."""
        data = path.read_bytes()
        stem = slugify(PurePosixPath(rel).stem)[:60].strip("-") or "image"
        folder = self.cache / self._digest(b"clean\0" + data)
        done = folder / f"{stem}.{PurePosixPath(rel).suffix.lstrip('.').lower()}"
        self._cleaned.add(folder.name)  # kept by prune()
        if done.is_file():
            return done
        image, source_format = _decode(data, rel, max(1, 1 << 16))
        fmt = source_format if source_format in ("JPEG", "PNG", "WEBP") else "PNG"
        if fmt != CLEANED.get(done.suffix):
            raise ImageError(f"{rel} is a {source_format or 'different'} image; give it the right extension")
        options = next(opts for name, ext, opts in ENCODERS.values() if name == fmt)
        if fmt == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        try:
            image.save(buffer, fmt, **options)
        except (OSError, ValueError) as error:
            raise ImageError(f"cannot convert image {rel}: {_one_line(error)}") from None
        folder.mkdir(parents=True, exist_ok=True)
        _store(done, buffer.getvalue())
        return done

    def locate(self, src: str, base_dir: str) -> tuple[str, Path]:
        """(project-relative path, real file) of a reference; ImageError when it is outside the project or missing."""
        return self._locate(src, base_dir)

    def _job(self, src: str, base_dir: str) -> _Job:
        rel, path = self._locate(src, base_dir)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ImageError(f"image too large: {rel} (over {MAX_BYTES >> 20} MB)")
            data = path.read_bytes()
        except OSError as error:
            raise ImageError(f"cannot read image {rel}: {error.strerror}") from None
        stem = slugify(PurePosixPath(rel).stem)[:60].strip("-") or "image"
        self.sources.add(rel)
        return _Job(rel, path, self._digest(data), stem)

    def _digest(self, data: bytes) -> str:
        """The name of an image's cache folder: its bytes and every setting that shapes the output."""
        return hashlib.sha256(self.settings + b"\0" + data).hexdigest()[:12]

    def _locate(self, src: str, base_dir: str) -> tuple[str, Path]:
        """(project-relative path, real file) of a reference, refusing anything outside the project."""
        text = src.strip()
        if not text:
            raise ImageError("image has no src")
        if "://" in text or text.startswith(("//", "data:")):
            raise ImageError(f"image must be a file in the project, not a URL: {src}")
        if "\\" in text or "\x00" in text:
            raise ImageError(f"image path must use '/' and no control characters: {src!r}")
        beside = posixpath.normpath(posixpath.join(base_dir, text))
        if text.startswith("assets/") and not (self.root / beside).is_file():
            text = "/" + text  # 'assets/x.jpg' from any file means the project's assets, as in a page's URL
        if text.startswith("/"):
            rel = posixpath.normpath(text.lstrip("/"))
            if not rel.startswith("assets/"):
                raise ImageError(f"image path must be relative to the file or start with /assets/: {src}")
        else:
            rel = posixpath.normpath(posixpath.join(base_dir, text))
        if rel == ".." or rel.startswith(("../", "/")):
            raise ImageError(f"image path leads out of the project: {src}")
        if not rel.startswith(("content/", "assets/")) or any(is_skipped(part) for part in rel.split("/")):
            # Only these are the build's inputs: a change to another file would go unseen by the next build.
            raise ImageError(f"image must be a file of content/ or assets/, not hidden: {src}")
        try:
            path = (self.root / rel).resolve(strict=True)
        except (OSError, RuntimeError):
            raise ImageError(f"image not found: {rel}") from None
        if not path.is_relative_to(self.root):
            raise ImageError(f"image path leads out of the project: {src}")
        if not path.is_file():
            raise ImageError(f"image not found: {rel}")
        return rel, path

    def _cached(self, digest: str, stem: str) -> Picture | None:
        """The Picture recorded when these files were made, if they all still exist."""
        folder = self.cache / digest
        try:
            record = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
            picture = _from_record(record)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        names = [PurePosixPath(v.url).name for v in picture.variants]
        if any(not (folder / name).is_file() for name in names):
            return None
        return picture

    def _make(self, job: _Job) -> tuple[Picture | ImageError, int]:
        """Decode, resize, encode and store one image (runs in a worker); the Picture and how many files were encoded."""
        try:
            data = job.path.read_bytes()
            if self._digest(data) != job.digest:
                return ImageError(f"image changed during the build, build again: {job.rel}"), 0
            image, source_format = _decode(data, job.rel, self.widths[-1])
        except OSError as error:
            return ImageError(f"cannot read image {job.rel}: {error.strerror}"), 0
        except ImageError as error:
            return error, 0
        # JPEG stays JPEG and PNG stays PNG; anything else becomes a JPEG, or a PNG to keep transparency.
        fallback = PNG if source_format == "PNG" or image.mode == "RGBA" else JPEG
        folder = self.cache / job.digest
        folder.mkdir(parents=True, exist_ok=True)
        variants: list[Variant] = []
        # Largest first, each variant resized from the one before: half the work, no visible difference.
        scaled = image
        try:
            for width, height in reversed(_sizes(image.width, image.height, self.widths)):
                if (width, height) != scaled.size:
                    scaled = scaled.resize((width, height), Image.Resampling.LANCZOS)
                for mime in (WEBP, fallback):
                    fmt, ext, options = ENCODERS[mime]
                    name = f"{job.stem}-{width}.{ext}"
                    buffer = io.BytesIO()
                    scaled.save(buffer, fmt, **options)
                    _store(folder / name, buffer.getvalue())
                    variants.append(Variant(f"{URL_FOLDER}/{job.digest}/{name}", width, height, mime))
        except (OSError, ValueError) as error:
            return ImageError(f"cannot convert image {job.rel}: {_one_line(error)}"), 0
        variants.sort(key=lambda v: (v.width, v.mime))
        largest = max(v.width for v in variants)
        src = next(v for v in variants if v.mime == fallback and v.width == largest)
        picture = Picture(src.url, src.width, src.height, "", tuple(variants))
        _store(folder / f"{job.stem}.json", json.dumps(_record(picture), indent=1).encode())
        return picture, len(variants)


def _decode(data: bytes, rel: str, largest: int) -> tuple[Image.Image, str]:
    """The pixels of an image file, upright, in sRGB, with nothing else attached, and its format; ImageError for a bad file."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data), formats=READABLE)
            if opened.width * opened.height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            source_format = opened.format or ""
            _draft(opened, largest)
            opened.load()
            image = _to_srgb(ImageOps.exif_transpose(opened))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(f"image too large: {rel} (over {MAX_PIXELS // 1_000_000} megapixels)") from None
        except UnidentifiedImageError:
            raise ImageError(f"not an image ({READABLE_NAMES}): {rel}") from None
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise ImageError(f"cannot read image {rel}: {error}") from None
    # Nothing of the source travels with the pixels: savers fall back on `info` for comments and profiles.
    image.info = {}
    return image, source_format


def _draft(image: ImageFile.ImageFile, largest: int) -> None:
    """Let a JPEG decode at 1/2, 1/4 or 1/8 size when even the largest variant needs no more (a free 4× on photos)."""
    if image.format != "JPEG":
        return
    turned = image.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)
    shown_width = image.height if turned else image.width
    if largest * 2 > shown_width:
        return
    scale = largest / shown_width
    image.draft(image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB, RGBA (only when something is transparent) or L pixels in sRGB."""
    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if image.mode.startswith("I;16") or image.mode == "I":
        image = image.convert("I").point(lambda v: v / 257).convert("L")
    grey = image.mode in ("1", "L", "F") and not alpha
    target = "RGBA" if alpha else "L" if grey else "RGB"
    profile = image.info.get("icc_profile")
    if profile and not grey:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            if "srgb" not in ImageCms.getProfileDescription(source).lower():
                if image.mode not in ("RGB", "RGBA", "CMYK"):
                    image = image.convert(target)
                converted = ImageCms.profileToProfile(
                    image, source, _SRGB, outputMode="RGB" if image.mode == "CMYK" else target
                )
                assert converted is not None
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable or mismatched profile: the pixels are taken as sRGB
    if image.mode != target:
        image = image.convert(target)
    if target == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")  # an alpha channel that hides nothing: the image may be a JPEG
    return image


def _sizes(width: int, height: int, widths: Sequence[int]) -> list[tuple[int, int]]:
    """The variant sizes: each width, but never wider than the image itself, nor a side over WEBP_LIMIT."""
    # The widest a variant may be for its height to stay within the limit, at the image's proportions.
    widest = min(width, WEBP_LIMIT, max(1, width * WEBP_LIMIT // height))
    chosen = sorted({min(w, widest) for w in widths})
    return [(w, min(WEBP_LIMIT, max(1, round(height * w / width)))) for w in chosen]


def _one_line(error: BaseException) -> str:
    """An encoder's message on one line (Pillow's are, but a message is printed as `path:line: message`)."""
    return " ".join(str(error).split()) or type(error).__name__


def _store(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all (parallel workers may race on the same name)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _record(picture: Picture) -> dict[str, Any]:
    return {"src": picture.src, "variants": [[v.url, v.width, v.height, v.mime] for v in picture.variants]}


def _from_record(record: dict[str, Any]) -> Picture:
    variants = tuple(Variant(str(u), int(w), int(h), str(m)) for u, w, h, m in record["variants"])
    src = {v.url: v for v in variants}[record["src"]]
    return Picture(src.url, src.width, src.height, "", variants)
