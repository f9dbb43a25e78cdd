"""Time memoria.images on an archive of synthetic photographs: cold (empty cache), then warm (all cached).

    python tools/bench_images.py [--count 200] [--size 3000x2000] [--keep DIR]

Each photograph is a distinct 3000×2000 JPEG (quality 90) with smooth shapes and
grain, so encoders work about as hard as on a real photograph.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from memoria.images import ImageProcessor
from memoria.parallel import workers


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
        image = Image.blend(bases[n % 4], grain, 0.12)
        x = (n * 131) % (width - 200)
        ImageDraw.Draw(image).rectangle((x, height // 2, x + 150, height // 2 + 150), fill=(n % 256, 40, 200 - n % 200))
        name = f"photo-{n:04d}.jpg"
        image.save(folder / name, quality=90)
        names.append(name)
    return names


def timed(processor: ImageProcessor, requests: list[tuple[str, str, str]]) -> tuple[float, float]:
    """Wall and CPU seconds (this process and its workers) of one batch."""
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    results = processor.pictures(requests)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True))
    return wall, cpu


def main() -> None:
    """Generate, then measure a cold and a warm run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--size", default="3000x2000")
    parser.add_argument("--keep", type=Path, help="work in this folder instead of a temporary one")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    with tempfile.TemporaryDirectory() as temporary:
        project = args.keep or Path(temporary)
        folder = project / "content" / "photos"
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        names = make_photos(folder, args.count, (size[0], size[1]))
        megabytes = sum((folder / n).stat().st_size for n in names) / 1e6
        print(
            f"made {len(names)} photographs of {size[0]}×{size[1]} ({megabytes:.0f} MB) in {time.perf_counter() - start:.1f} s"
        )
        requests = [(name, name, "content/photos") for name in names]
        cache = project / ".memoria"
        print(f"processing with {workers()} worker(s)")
        cold = ImageProcessor(project, cache)
        wall, cpu = timed(cold, requests)
        print(f"cold: {wall:6.2f} s wall, {cpu:6.1f} s CPU, {cold.encoded} files encoded")
        warm = ImageProcessor(project, cache)
        wall, cpu = timed(warm, requests)
        print(f"warm: {wall:6.2f} s wall, {cpu:6.1f} s CPU, {warm.encoded} files encoded")
        published = sum(path.stat().st_size for _, path in warm.files()) / 1e6
        print(f"published: {len(warm.files())} files, {published:.0f} MB")


if __name__ == "__main__":
    main()
