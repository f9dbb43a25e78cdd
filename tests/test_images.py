"""Photographs: sizes, formats, names, private metadata, cache, errors and determinism of memoria.images."""

from __future__ import annotations

import io
import os
import re
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw

from memoria import images
from memoria.images import ImageError, ImageProcessor, Picture

BASE = "content/articles/2023"
NAME = re.compile(r"^images/[0-9a-f]{12}/[a-z0-9-]+-\d+\.(webp|jpg|png)$")


def photo(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A small picture with shapes, so encoders have something to do."""
    image = Image.new(mode, size, "white" if mode != "RGBA" else (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, 0, width // 4, height // 4), fill="red")
    draw.ellipse((width // 3, height // 3, width * 2 // 3, height * 2 // 3), fill="navy")
    return image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def put(project: Path, rel: str, data: bytes) -> Path:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    return root


def processor(project: Path, **kwargs: object) -> ImageProcessor:
    return ImageProcessor(project, project / ".memoria", **kwargs)  # type: ignore[arg-type]


def published(proc: ImageProcessor) -> dict[str, bytes]:
    return {url: path.read_bytes() for url, path in proc.files()}


# --- sizes and formats ---------------------------------------------------------------


def test_variants_at_each_width_in_webp_and_jpeg(project: Path) -> None:
    put(project, f"{BASE}/ceremony.jpg", encode(photo((2000, 1000)), "JPEG"))
    proc = processor(project)
    picture = proc.picture("ceremony.jpg", "The ceremony", BASE)
    sizes = sorted((v.width, v.height, v.mime) for v in picture.variants)
    assert sizes == [
        (480, 240, "image/jpeg"),
        (480, 240, "image/webp"),
        (960, 480, "image/jpeg"),
        (960, 480, "image/webp"),
        (1600, 800, "image/jpeg"),
        (1600, 800, "image/webp"),
    ]
    assert (picture.width, picture.height, picture.alt, picture.mime) == (1600, 800, "The ceremony", "image/jpeg")
    assert picture.src.endswith("/ceremony-1600.jpg")
    files = dict(proc.files())
    assert sorted(files) == sorted(v.url for v in picture.variants)
    for variant in picture.variants:
        with Image.open(files[variant.url]) as image:
            assert image.size == (variant.width, variant.height)
            assert image.format == {"image/jpeg": "JPEG", "image/webp": "WEBP"}[variant.mime]


def test_never_upscaled(project: Path) -> None:
    put(project, f"{BASE}/medium.jpg", encode(photo((1200, 800)), "JPEG"))
    put(project, f"{BASE}/small.jpg", encode(photo((300, 200)), "JPEG"))
    proc = processor(project)
    medium = proc.picture("medium.jpg", "", BASE)
    assert sorted({v.width for v in medium.variants}) == [480, 960, 1200]
    assert (medium.width, medium.height) == (1200, 800)
    small = proc.picture("small.jpg", "", BASE)
    assert sorted((v.width, v.height) for v in small.variants) == [(300, 200), (300, 200)]
    assert small.src.endswith("/small-300.jpg")


def test_custom_widths(project: Path) -> None:
    put(project, f"{BASE}/a.jpg", encode(photo((1000, 500)), "JPEG"))
    picture = processor(project, widths=(200, 100)).picture("a.jpg", "", BASE)
    assert sorted({v.width for v in picture.variants}) == [100, 200]


@pytest.mark.parametrize(
    ("name", "image", "fmt", "fallback"),
    [
        ("scan.png", photo((600, 400)), "PNG", "image/png"),
        ("logo.png", photo((600, 400), "RGBA"), "PNG", "image/png"),
        ("old.gif", photo((600, 400)).convert("P"), "GIF", "image/jpeg"),
        ("cut.gif", photo((600, 400), "RGBA").convert("P"), "GIF", "image/png"),
        ("archive.tiff", photo((600, 400)), "TIFF", "image/jpeg"),
        ("phone.webp", photo((600, 400)), "WEBP", "image/jpeg"),
        ("sticker.webp", photo((600, 400), "RGBA"), "WEBP", "image/png"),
        ("paint.bmp", photo((600, 400)), "BMP", "image/jpeg"),
        ("print.jpg", photo((600, 400)).convert("CMYK"), "JPEG", "image/jpeg"),
        ("grey.jpg", photo((600, 400)).convert("L"), "JPEG", "image/jpeg"),
    ],
)
def test_fallback_format(project: Path, name: str, image: Image.Image, fmt: str, fallback: str) -> None:
    options = {"transparency": 0} if fmt == "GIF" and name == "cut.gif" else {}
    put(project, f"{BASE}/{name}", encode(image, fmt, **options))
    proc = processor(project)
    picture = proc.picture(name, "", BASE)
    assert picture.mime == fallback
    assert {v.mime for v in picture.variants} == {"image/webp", fallback}
    files = dict(proc.files())
    with Image.open(files[picture.src]) as out:
        assert out.format == {"image/jpeg": "JPEG", "image/png": "PNG"}[fallback]
        assert out.mode in ("RGB", "RGBA", "L")
        transparent = out.mode == "RGBA"
    assert transparent == (fallback == "image/png" and name != "scan.png")
    webp = picture.best(600, "image/webp")
    with Image.open(files[webp.url]) as out:
        assert (out.mode == "RGBA") == transparent


def test_sixteen_bit_grey_keeps_its_range(project: Path) -> None:
    ramp = Image.linear_gradient("L").resize((256, 64)).convert("I").point(lambda v: v * 257).convert("I;16")
    put(project, f"{BASE}/scan.png", encode(ramp, "PNG"))
    proc = processor(project)
    picture = proc.picture("scan.png", "", BASE)
    with Image.open(dict(proc.files())[picture.src]) as out:
        low, high = out.convert("L").getextrema()  # type: ignore[misc]
    assert low < 10 and high > 245


def test_srcset_and_best(project: Path) -> None:
    put(project, f"{BASE}/a.jpg", encode(photo((2000, 1000)), "JPEG"))
    picture = processor(project).picture("a.jpg", "", BASE)
    folder = picture.src.rsplit("/", 1)[0]
    srcset = picture.srcset("image/webp", lambda url: "/archive/" + url)
    assert srcset == (
        f"/archive/{folder}/a-480.webp 480w, /archive/{folder}/a-960.webp 960w, /archive/{folder}/a-1600.webp 1600w"
    )
    assert picture.srcset("image/jpeg", str).endswith("a-1600.jpg 1600w")
    assert picture.best(500).url == f"{folder}/a-960.jpg"
    assert picture.best(5000, "image/webp").url == f"{folder}/a-1600.webp"


# --- names ---------------------------------------------------------------------------


def test_names_are_content_addressed(project: Path) -> None:
    data = encode(photo((600, 400)), "JPEG")
    put(project, f"{BASE}/Şuşa Photo (1992).JPG", data)
    put(project, "content/people/copy/Şuşa Photo (1992).JPG", data)
    put(project, f"{BASE}/other.jpg", encode(photo((600, 401)), "JPEG"))
    proc = processor(project)
    first = proc.picture("Şuşa Photo (1992).JPG", "", BASE)
    assert all(NAME.match(v.url) for v in first.variants), first.variants
    assert first.src.endswith("/susa-photo-1992-600.jpg")
    same = proc.picture("../../people/copy/Şuşa Photo (1992).JPG", "", BASE)
    assert same.variants == first.variants
    other = proc.picture("other.jpg", "", BASE)
    assert other.src.split("/")[1] != first.src.split("/")[1]
    assert len(proc.files()) == 8  # the copy shares the first one's four files


def test_settings_are_part_of_the_name(project: Path) -> None:
    put(project, f"{BASE}/a.jpg", encode(photo((600, 400)), "JPEG"))
    one = processor(project).picture("a.jpg", "", BASE)
    two = processor(project, widths=(480, 960)).picture("a.jpg", "", BASE)
    assert one.src.split("/")[1] != two.src.split("/")[1]


def test_site_absolute_path_under_assets(project: Path) -> None:
    put(project, "assets/images/emblem.png", encode(photo((600, 400)), "PNG"))
    picture = processor(project).picture("/assets/images/emblem.png", "", BASE)
    assert picture.src.endswith("/emblem-600.png")


# --- private metadata and orientation ------------------------------------------------


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG up to its scan."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while True:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, at = [], 12
    while at < len(data):
        (length,) = struct.unpack("<I", data[at + 4 : at + 8])
        chunks.append(data[at : at + 4])
        at += 8 + length + (length & 1)
    return chunks


def private_jpeg() -> bytes:
    """A 400×200 JPEG, red at its top left, to be shown turned (Orientation 6), with every kind of metadata."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera Maker"
    exif[0x0110] = "Camera Model"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    exif.get_ifd(0x8769)[0x927C] = b"MAKERNOTE serial 123456"
    image = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(image).rectangle((0, 0, 99, 49), fill="red")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(
        image,
        "JPEG",
        quality=95,
        exif=exif,
        comment=b"taken at home",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret place</x:xmpmeta>',
        icc_profile=srgb,
    )
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0c\x1c\x02\x5a\x00\x07Paris 1"
    return data[:2] + b"\xff\xed" + struct.pack(">H", len(iptc) + 2) + iptc + data[2:]


def assert_clean(url: str, data: bytes) -> None:
    for secret in (b"Exif", b"GPS", b"Camera", b"MAKERNOTE", b"xmpmeta", b"secret", b"taken at home", b"Photoshop"):
        assert secret not in data, (url, secret)
    if url.endswith(".jpg"):
        assert not {m for m in jpeg_segments(data) if 0xE1 <= m <= 0xEF or m == 0xFE}, url
    elif url.endswith(".png"):
        assert set(png_chunks(data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}, url
    else:
        assert set(webp_chunks(data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}, url
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"} & set(image.info), url


def test_metadata_stripped_and_orientation_applied(project: Path) -> None:
    source = private_jpeg()
    with Image.open(io.BytesIO(source)) as original:
        assert original.getexif().get_ifd(0x8825)[2] == (48.0, 51.0, 24.0)  # the test image does carry GPS
        assert original.size == (400, 200)
    put(project, f"{BASE}/home.jpg", source)
    proc = processor(project, widths=(100, 200))
    picture = proc.picture("home.jpg", "", BASE)
    assert (picture.width, picture.height) == (200, 400)
    files = published(proc)
    assert len(files) == 4
    for url, data in files.items():
        assert_clean(url, data)
        with Image.open(io.BytesIO(data)) as image:
            rgb = image.convert("RGB")
            width, height = rgb.size
            assert height == 2 * width
            # Orientation 6: turned a quarter clockwise, the red corner is now at the top right.
            red = rgb.getpixel((width - 5, 5))
            white = rgb.getpixel((5, 5))
            assert isinstance(red, tuple) and red[0] > 200 and red[1] < 60, (url, red)
            assert white == (255, 255, 255) or (isinstance(white, tuple) and min(white) > 240), (url, white)


def test_png_metadata_stripped(project: Path) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret")
    info.add_itxt("XML:com.adobe.xmp", '<x:xmpmeta xmlns:x="adobe:ns:meta/">secret</x:xmpmeta>')
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 24.0)})
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for name, mode in (("flat.png", "RGB"), ("cut.png", "RGBA")):
        put(
            project, f"{BASE}/{name}", encode(photo((300, 200), mode), "PNG", pnginfo=info, exif=exif, icc_profile=srgb)
        )
    proc = processor(project)
    proc.picture("flat.png", "", BASE)
    proc.picture("cut.png", "", BASE)
    files = published(proc)
    assert len(files) == 4
    for url, data in files.items():
        assert_clean(url, data)


def test_a_foreign_colour_profile_is_converted_and_dropped(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow can only make sRGB profiles; one that calls itself something else takes the conversion path.
    monkeypatch.setattr(ImageCms, "getProfileDescription", lambda profile: "Display P3")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    put(project, f"{BASE}/p3.jpg", encode(photo((300, 200)), "JPEG", icc_profile=srgb))
    put(project, f"{BASE}/p3-cmyk.jpg", encode(photo((300, 200)).convert("CMYK"), "JPEG", icc_profile=srgb))
    proc = processor(project)
    proc.picture("p3.jpg", "", BASE)
    proc.picture("p3-cmyk.jpg", "", BASE)  # a CMYK image with an RGB profile: the profile is ignored
    for url, data in published(proc).items():
        assert_clean(url, data)
        assert b"acsp" not in data, url


# --- cache ---------------------------------------------------------------------------


def mtimes(proc: ImageProcessor) -> dict[str, int]:
    return {url: path.stat().st_mtime_ns for url, path in proc.files()}


def test_unchanged_images_are_not_encoded_again(project: Path) -> None:
    put(project, f"{BASE}/a.jpg", encode(photo((1000, 500)), "JPEG"))
    put(project, f"{BASE}/b.png", encode(photo((700, 500)), "PNG"))
    requests = [("a.jpg", "A", BASE), ("b.png", "B", BASE)]
    first = processor(project)
    made = first.pictures(requests)
    assert first.encoded == 3 * 2 + 2 * 2
    before = mtimes(first)

    again = processor(project)
    assert again.pictures(requests) == made
    assert again.encoded == 0
    assert mtimes(again) == before
    assert again.files() == first.files()

    put(project, f"{BASE}/b.png", encode(photo((700, 499)), "PNG"))
    changed = processor(project)
    result = changed.pictures(requests)
    assert changed.encoded == 4
    assert result[0] == made[0] and result[1] != made[1]
    after = mtimes(changed)
    assert {url: t for url, t in after.items() if "/a-" in url} == {url: t for url, t in before.items() if "/a-" in url}


def test_a_lost_cache_file_is_made_again(project: Path) -> None:
    put(project, f"{BASE}/a.jpg", encode(photo((600, 400)), "JPEG"))
    first = processor(project)
    picture = first.picture("a.jpg", "", BASE)
    dict(first.files())[picture.src].unlink()
    again = processor(project)
    assert again.picture("a.jpg", "", BASE) == picture
    assert again.encoded == 4
    assert all(path.is_file() for _, path in again.files())


def test_prune_keeps_only_what_was_used(project: Path) -> None:
    put(project, f"{BASE}/a.jpg", encode(photo((600, 400)), "JPEG"))
    put(project, f"{BASE}/b.jpg", encode(photo((600, 401)), "JPEG"))
    processor(project).picture("b.jpg", "", BASE)
    proc = processor(project)
    proc.picture("a.jpg", "", BASE)
    proc.prune()
    folders = sorted(p.name for p in (project / ".memoria" / "images").iterdir())
    assert folders == sorted({url.split("/")[1] for url, _ in proc.files()})
    assert len(folders) == 1


# --- errors --------------------------------------------------------------------------


def error_of(proc: ImageProcessor, src: str, base: str = BASE) -> str:
    with pytest.raises(ImageError) as caught:
        proc.picture(src, "", base)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_missing_image(project: Path) -> None:
    proc = processor(project)
    assert error_of(proc, "nope.jpg") == f"image not found: {BASE}/nope.jpg"
    assert error_of(proc, "/assets/images/nope.jpg") == "image not found: assets/images/nope.jpg"
    (project / BASE / "folder.jpg").mkdir(parents=True)
    assert error_of(proc, "folder.jpg") == f"image not found: {BASE}/folder.jpg"


def test_paths_out_of_the_project_are_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(encode(photo((50, 50)), "JPEG"))
    put(project, f"{BASE}/x.txt", b"")
    (project / BASE / "link.jpg").symlink_to(outside)
    proc = processor(project)
    assert "leads out of the project" in error_of(proc, "../../../../outside.jpg")
    assert "leads out of the project" in error_of(proc, "link.jpg")
    assert "leads out of the project" in error_of(proc, "../../../../../../../etc/passwd")
    assert "start with /assets/" in error_of(proc, str(outside))
    assert "start with /assets/" in error_of(proc, "/assets/../content/x.jpg")
    assert "not a URL" in error_of(proc, "https://example.org/x.jpg")
    assert "'/'" in error_of(proc, "..\\outside.jpg")
    assert error_of(proc, " ") == "image has no src"
    assert not (project / ".memoria").exists()


def test_a_symlink_inside_the_project_is_followed(project: Path) -> None:
    put(project, "assets/images/real.jpg", encode(photo((100, 50)), "JPEG"))
    (project / BASE).mkdir(parents=True)
    (project / BASE / "alias.jpg").symlink_to(project / "assets/images/real.jpg")
    assert processor(project).picture("alias.jpg", "", BASE).width == 100


def test_not_an_image(project: Path) -> None:
    put(project, f"{BASE}/notes.jpg", b"just some text, not a photograph\n")
    put(project, f"{BASE}/page.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    put(project, f"{BASE}/cut.jpg", encode(photo((600, 400)), "JPEG")[:400])
    put(project, f"{BASE}/drawing.eps", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")
    proc = processor(project)
    assert error_of(proc, "notes.jpg") == f"not an image (JPEG, PNG, GIF, WebP, TIFF, BMP or AVIF): {BASE}/notes.jpg"
    assert error_of(proc, "page.svg").startswith("not an image")
    assert error_of(proc, "drawing.eps").startswith("not an image")  # no Ghostscript on a user's file
    assert error_of(proc, "cut.jpg").startswith(f"cannot read image {BASE}/cut.jpg: ")
    assert proc.files() == []


@pytest.mark.parametrize("size", [(8000, 7000), (12000, 9000)])
def test_decompression_bombs_are_refused(project: Path, size: tuple[int, int]) -> None:
    # Over 50 megapixels (Pillow warns), and over 100 (Pillow refuses): both errors, nothing decoded.
    put(project, f"{BASE}/bomb.png", encode(Image.new("1", size), "PNG"))
    assert error_of(processor(project), "bomb.png") == f"image too large: {BASE}/bomb.png (over 50 megapixels)"


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((100, 20000), [(81, 16200)]),  # a long scan: both sides within WebP's limit, the proportions kept
        ((5000, 40000), [(480, 3840), (960, 7680), (1600, 12800)]),
        ((20000, 100), [(480, 2), (960, 5), (1600, 8)]),
        ((2, 40000), [(1, 16383)]),  # thinner than 1:16383: only the height can give way
    ],
)
def test_no_variant_side_exceeds_the_webp_limit(size: tuple[int, int], expected: list[tuple[int, int]]) -> None:
    assert images._sizes(*size, images.WIDTHS) == expected


def test_a_very_tall_image_is_published_smaller(project: Path) -> None:
    put(project, f"{BASE}/scan.png", encode(Image.new("RGB", (100, 20000), "red"), "PNG"))
    proc = processor(project)
    picture = proc.picture("scan.png", "A long scan", BASE)
    assert sorted((v.width, v.height, v.mime) for v in picture.variants) == [
        (81, 16200, "image/png"),
        (81, 16200, "image/webp"),
    ]
    for url, path in proc.files():
        with Image.open(path) as image:
            assert image.size == (81, 16200), url


def test_an_encoder_error_is_an_image_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Were a size ever to slip past _sizes, the encoder's refusal is one line about the image, not a traceback.
    put(project, f"{BASE}/scan.png", encode(Image.new("RGB", (100, 20000), "red"), "PNG"))
    monkeypatch.setattr(images, "_sizes", lambda width, height, widths: [(width, height)])
    assert error_of(processor(project), "scan.png") == (
        f"cannot convert image {BASE}/scan.png: encoding error 5: Image size exceeds WebP limit of 16383 pixels"
    )


def test_errors_come_back_one_per_request(project: Path) -> None:
    put(project, f"{BASE}/a.jpg", encode(photo((600, 400)), "JPEG"))
    put(project, f"{BASE}/b.jpg", encode(photo((600, 401)), "JPEG"))
    put(project, f"{BASE}/bad.jpg", b"nothing")
    results = processor(project).pictures(
        [
            ("a.jpg", "A", BASE),
            ("nope.jpg", "", BASE),
            ("bad.jpg", "", BASE),
            ("b.jpg", "B", BASE),
            ("a.jpg", "A2", BASE),
        ]
    )
    assert [type(r).__name__ for r in results] == ["Picture", "ImageError", "ImageError", "Picture", "Picture"]
    assert str(results[1]) == f"image not found: {BASE}/nope.jpg"
    assert str(results[2]).startswith("not an image")
    assert isinstance(results[4], Picture) and results[4].alt == "A2"


# --- determinism ---------------------------------------------------------------------


def test_same_input_gives_byte_identical_files(project: Path, tmp_path: Path) -> None:
    put(project, f"{BASE}/a.jpg", private_jpeg())
    put(project, f"{BASE}/b.png", encode(photo((1000, 700), "RGBA"), "PNG"))
    put(project, f"{BASE}/c.gif", encode(photo((500, 300)).convert("P"), "GIF"))
    requests = [("a.jpg", "", BASE), ("b.png", "", BASE), ("c.gif", "", BASE)]
    runs = []
    for name in ("one", "two"):
        proc = ImageProcessor(project, tmp_path / name)
        proc.pictures(requests)
        runs.append(published(proc))
    assert runs[0] == runs[1]
    assert len(runs[0]) == 2 + 6 + 4


def test_cache_files_appear_whole(project: Path) -> None:
    put(project, f"{BASE}/a.jpg", encode(photo((600, 400)), "JPEG"))
    proc = processor(project)
    proc.picture("a.jpg", "", BASE)
    leftovers = [name for _, _, names in os.walk(project / ".memoria") for name in names if name.endswith(".tmp")]
    assert leftovers == []
    assert images.MAX_PIXELS == Image.MAX_IMAGE_PIXELS == 50_000_000


def test_a_large_jpeg_is_decoded_small_and_still_turned(project: Path) -> None:
    # A JPEG four times wider than the largest variant decodes at a quarter size (draft); orientation still applies.
    put(project, f"{BASE}/home.jpg", private_jpeg())
    proc = processor(project, widths=(50,))
    picture = proc.picture("home.jpg", "", BASE)
    assert (picture.width, picture.height) == (50, 100)
    with Image.open(dict(proc.files())[picture.src]) as image:
        rgb = image.convert("RGB")
    red = rgb.getpixel((47, 2))
    assert isinstance(red, tuple) and red[0] > 200 and red[1] < 80, red


def test_a_huge_file_is_refused_before_it_is_read(project: Path) -> None:
    path = put(project, f"{BASE}/huge.tif", b"")
    with path.open("r+b") as handle:
        handle.truncate(300 << 20)  # sparse: costs no disk
    assert error_of(processor(project), "huge.tif") == f"image too large: {BASE}/huge.tif (over 256 MB)"
