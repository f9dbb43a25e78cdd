"""Build times of an archive of photographs: cold, no change, a text edited, a photograph replaced.

    python3 tests/benchmarks/photos.py [--count 200] [--size 3000x2000] [--keep DIR]

Makes a project of `count` articles, each showing one distinct photograph beside it
(JPEG, quality 90, smooth shapes and grain, so encoders work about as hard as on a real
photograph), with the theme of this repository, and builds it with `build.py` four times.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parents[2]


def make_photos(folder: Path, count: int, size: tuple[int, int]) -> list[str]:
    """Write `count` distinct photographs; their names."""
    width, height = size
    bases = []
    for seed in range(4):
        blobs = Image.effect_noise((width // 4, height // 4), 60 + 10 * seed).convert("RGB").resize(size)
        sky = Image.linear_gradient("L").resize(size).convert("RGB")
        base = Image.blend(blobs, sky, 0.5)
        draw = ImageDraw.Draw(base)
        for i in range(30):
            x, y = (i * 97 + seed * 300) % width, (i * 53 + seed * 200) % height
            draw.ellipse(
                (x, y, x + width // 8, y + height // 8), fill=((i * 37) % 256, (i * 91) % 256, 120 + seed * 30)
            )
        bases.append(base.filter(ImageFilter.GaussianBlur(1.5)))
    grain = Image.effect_noise(size, 24).convert("RGB")
    names = []
    for n in range(count):
        names.append(f"photo-{n:04d}.jpg")
        draw_one(bases[n % 4], grain, n).save(folder / names[-1], quality=90)
    return names


def draw_one(base: Image.Image, grain: Image.Image, n: int) -> Image.Image:
    image = Image.blend(base, grain, 0.12)
    x = (n * 131) % (image.width - 200)
    ImageDraw.Draw(image).rectangle(
        (x, image.height // 2, x + 150, image.height // 2 + 150), fill=(n % 256, 40, 200 - n % 200)
    )
    return image


def make_project(project: Path, count: int, size: tuple[int, int]) -> list[str]:
    folder = project / "content" / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    names = make_photos(folder, count, size)
    for n, name in enumerate(names):
        (folder / f"report-{n:04d}.md").write_text(
            f"---\ntitle: Report {n}\ndate: 2020-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n"
            f"images: [{{src: {name}, alt: 'Photograph {n}', caption: 'Caption {n}', credit: 'Photo: bench'}}]\n"
            f"---\nThe text of report {n}.\n",
            encoding="utf-8",
        )
    (project / "site.yaml").write_text("title: Photographs\n", encoding="utf-8")
    for name in ("layouts", "assets"):
        shutil.copytree(REPO / name, project / name, dirs_exist_ok=True)
    return names


def build(project: Path) -> tuple[float, int]:
    """Seconds of one `build.py` run, and how many image files it encoded (new in the image cache)."""
    began = time.time()
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--project", str(project), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if run.returncode:
        raise SystemExit(run.stderr)
    cache = project / ".memoria" / "images"
    made = [p for p in cache.rglob("*") if p.suffix in (".webp", ".jpg", ".png") and p.stat().st_mtime >= began]
    return seconds, len(made)


def row(what: str, seconds: float, encoded: int) -> None:
    print(f"{what:22} {seconds:8.2f} {encoded:16d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--size", default="3000x2000")
    parser.add_argument("--keep", type=Path, help="work in this folder instead of a temporary one")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    with tempfile.TemporaryDirectory() as temporary:
        project = args.keep or Path(temporary)
        names = make_project(project, args.count, (width, height))
        print(f"{args.count} articles, each with a {width}×{height} photograph")
        print(f"{'build':22} {'seconds':>8} {'files encoded':>16}")
        row("cold", *build(project))
        row("no change", *build(project))
        article = project / "content/articles/report-0000.md"
        article.write_text(article.read_text().replace("The text", "The edited text"), encoding="utf-8")
        row("one article's text", *build(project))
        photo = project / "content/articles" / names[1]
        with Image.open(photo) as image:
            image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(photo, quality=90)
        row("one photograph", *build(project))
        images = [p for p in (project / "output/images").rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in images) / 1e6
        print(f"published: {len(images)} image files, {size:.0f} MB")


if __name__ == "__main__":
    main()
