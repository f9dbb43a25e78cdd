"""Draw the example archive's commemorative emblem: a lit candle and a red carnation on a dark ground.

    python tools/make_emblem.py [OUT]        (default: assets/images/candle-and-carnation.jpg)

Made by the Memoria project and dedicated to the public domain (CC0 1.0):
credit "Emblem: the Memoria project, CC0". The drawing is deterministic: the
same Pillow version writes the same bytes, with no metadata in the file.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1000
SCALE = 2  # drawn at twice the size, then reduced: smooth edges
OUT = Path(__file__).resolve().parent.parent / "assets" / "images" / "candle-and-carnation.jpg"

CANDLE_X, CANDLE_TOP, CANDLE_BOTTOM, CANDLE_HALF = 930, 420, 860, 92
FLAME_BASE = CANDLE_TOP - 18
BLOOM = (560, 860)  # where the carnation's petals meet its calyx


def s(value: float) -> int:
    """A coordinate of the final image on the oversized canvas."""
    return round(value * SCALE)


def radial(
    size: tuple[int, int], centre: tuple[float, float], radius: float, inner: float, outer: float
) -> Image.Image:
    """An L image fading from `inner` at the centre to `outer` at `radius` and beyond."""
    width, height = size
    small = Image.new("L", (width // 8, height // 8))
    cx, cy = centre[0] / 8, centre[1] / 8
    pixels = [
        round(inner + (outer - inner) * min(1.0, math.hypot(x - cx, y - cy) / (radius / 8)) ** 1.4)
        for y in range(small.height)
        for x in range(small.width)
    ]
    small.putdata(pixels)
    return small.resize(size, Image.Resampling.BICUBIC)


def background() -> Image.Image:
    """Night blue, lighter where the candle stands."""
    size = (s(WIDTH), s(HEIGHT))
    light = radial(size, (s(CANDLE_X - 80), s(FLAME_BASE + 60)), s(1050), 255, 0)
    dark = Image.new("RGB", size, (9, 11, 18))
    lit = Image.new("RGB", size, (38, 46, 66))
    return Image.composite(lit, dark, light)


def glow(canvas: Image.Image) -> Image.Image:
    """Warm light around the flame, added to the ground."""
    halo = Image.new("RGB", canvas.size, (0, 0, 0))
    draw = ImageDraw.Draw(halo)
    cx, cy = s(CANDLE_X), s(FLAME_BASE - 40)
    for radius, colour in ((330, (58, 35, 10)), (190, (105, 64, 20)), (90, (160, 104, 38))):
        draw.ellipse((cx - s(radius), cy - s(radius * 1.1), cx + s(radius), cy + s(radius * 0.9)), fill=colour)
    halo = halo.filter(ImageFilter.GaussianBlur(s(70)))
    return ImageChops.add(canvas, halo)


def candle(canvas: Image.Image) -> None:
    """An ivory pillar, lit from above and from the left."""
    left, right = s(CANDLE_X - CANDLE_HALF), s(CANDLE_X + CANDLE_HALF)
    top, bottom = s(CANDLE_TOP), s(CANDLE_BOTTOM)
    body = Image.new("RGB", (right - left, bottom - top))
    for x in range(body.width):
        across = x / (body.width - 1)
        shade = 0.42 + 0.58 * math.sin(math.pi * (0.12 + 0.88 * across)) ** 0.9 * (1.0 - 0.45 * across)
        body.paste((round(236 * shade), round(224 * shade), round(200 * shade)), (x, 0, x + 1, body.height))
    # the top of the candle catches the flame's light; lower down it falls into the night
    fade = Image.linear_gradient("L").resize(body.size).point(lambda v: round(255 - 0.72 * 255 * (v / 255) ** 1.1))
    body = Image.composite(body, Image.new("RGB", body.size, (30, 30, 36)), fade)
    mask = Image.new("L", body.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, body.width - 1, body.height + s(20)), radius=s(10), fill=255)
    canvas.paste(body, (left, top), mask)
    draw = ImageDraw.Draw(canvas)
    rim = s(16)
    draw.ellipse((left, top - rim, right, top + rim), fill=(206, 192, 166))
    draw.ellipse((left + s(10), top - rim + s(5), right - s(10), top + rim - s(3)), fill=(230, 218, 192))
    draw.line((s(CANDLE_X), top, s(CANDLE_X + 2), s(FLAME_BASE + 4)), fill=(40, 30, 24), width=s(4))


def teardrop(half_width: float, height: float, base: tuple[float, float], lean: float = 0.0) -> list[tuple[int, int]]:
    """The outline of a flame standing on `base`."""
    bx, by = base
    points = []
    for i in range(121):
        t = i / 120
        y = by - height * t
        w = half_width * math.sin(math.pi * t**0.75) * (1.0 - 0.25 * t)
        points.append((bx + w + lean * t * t, y))
    for i in range(120, -1, -1):
        t = i / 120
        y = by - height * t
        w = half_width * math.sin(math.pi * t**0.75) * (1.0 - 0.25 * t)
        points.append((bx - w + lean * t * t, y))
    return [(s(x), s(y)) for x, y in points]


def flame(canvas: Image.Image) -> Image.Image:
    """Three soft layers: orange, gold and a white heart, with a touch of blue at the foot."""
    light = Image.new("RGB", canvas.size, (0, 0, 0))
    draw = ImageDraw.Draw(light)
    base = (CANDLE_X + 2, FLAME_BASE + 6)
    draw.polygon(teardrop(34, 150, base, lean=4), fill=(235, 120, 30))
    layer = light.filter(ImageFilter.GaussianBlur(s(7)))
    core = Image.new("RGB", canvas.size, (0, 0, 0))
    draw = ImageDraw.Draw(core)
    draw.polygon(teardrop(24, 112, (base[0], base[1] - 4), lean=3), fill=(255, 200, 90))
    draw.polygon(teardrop(13, 70, (base[0], base[1] - 8), lean=2), fill=(255, 250, 225))
    layer = ImageChops.lighter(layer, core.filter(ImageFilter.GaussianBlur(s(4))))
    blue = Image.new("RGB", canvas.size, (0, 0, 0))
    ImageDraw.Draw(blue).ellipse(
        (s(base[0] - 12), s(base[1] - 18), s(base[0] + 12), s(base[1] + 2)), fill=(50, 80, 170)
    )
    layer = ImageChops.lighter(layer, blue.filter(ImageFilter.GaussianBlur(s(4))))
    return ImageChops.screen(canvas, layer)


def petal(rng: random.Random, angle: float, length: float, spread: float) -> list[tuple[float, float]]:
    """A fan-shaped petal from the origin, its outer edge cut in fine teeth (a carnation's fringe).

    Petals at the sides are shorter, so the bloom is a dome rising from the calyx rather than a fan.
    """
    points = [(0.0, 0.0)]
    teeth = 6
    for i in range(teeth * 2 + 1):
        a = angle - spread / 2 + spread * i / (teeth * 2)
        dome = 0.62 + 0.38 * max(0.0, math.cos(a * 0.9))
        r = length * dome * (1.0 if i % 2 == 0 else 0.9 + 0.05 * rng.random())
        points.append((r * math.sin(a), -r * math.cos(a)))
    return points


def carnation(rng: random.Random) -> tuple[Image.Image, tuple[float, float]]:
    """A red carnation seen from the side, upright, on a transparent layer; and where its bloom starts."""
    w, h = s(420), s(700)
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    cx = w / 2
    top = s(215)  # where the petals spring from the calyx
    draw.line(
        [(cx, top + s(60)), (cx + s(5), s(450)), (cx + s(1), h)], fill=(46, 84, 52, 255), width=s(8), joint="curve"
    )
    for side in (-1, 1):  # two narrow leaves where the stem joins
        y = s(430)
        draw.polygon(
            [(cx, y), (cx + side * s(30), y - s(40)), (cx + side * s(62), y - s(118)), (cx + side * s(14), y - s(30))],
            fill=(52, 94, 58, 255),
        )
    calyx = [(cx - s(15), top + s(75)), (cx - s(23), top + s(6)), (cx + s(23), top + s(6)), (cx + s(15), top + s(75))]
    draw.polygon(calyx, fill=(60, 104, 64, 255))
    bloom = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    bdraw = ImageDraw.Draw(bloom)
    origin = (cx, top + s(14))
    rings = ((128, 3.5, 16), (122, 3.1, 14), (114, 2.6, 13), (102, 2.1, 11), (86, 1.5, 8), (64, 1.0, 5))
    for ring, (length, spread_all, count) in enumerate(rings):
        for k in range(count):
            angle = -spread_all / 2 + spread_all * (k + 0.5 + 0.35 * (rng.random() - 0.5)) / count
            tone = 120 + ring * 17 + rng.randrange(0, 14)
            colour = (min(235, tone), 12 + ring * 4, 26 + ring * 4)
            shape = petal(rng, angle, s(length) * (0.84 + 0.2 * rng.random()), spread_all / count * 2.1)
            outline = [(origin[0] + x, origin[1] + y * 0.9) for x, y in shape]
            bdraw.polygon(outline, fill=(*colour, 255))
            bdraw.line(outline[1:], fill=(min(255, colour[0] + 28), colour[1] + 16, colour[2] + 16, 255), width=s(1))
    # deeper red where the petals crowd into the calyx
    depth = radial(bloom.size, origin, s(110), 110, 255)
    shaded = ImageChops.multiply(bloom.convert("RGB"), Image.merge("RGB", (depth, depth, depth)))
    shaded.putalpha(bloom.getchannel("A"))
    layer.alpha_composite(shaded.filter(ImageFilter.GaussianBlur(s(0.6))))
    return layer, origin


def turned(layer: Image.Image, anchor: tuple[float, float], degrees: float) -> tuple[Image.Image, tuple[float, float]]:
    """A layer turned counter-clockwise (grown to fit), and where its anchor point went."""
    out = layer.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True)
    dx, dy = anchor[0] - layer.width / 2, anchor[1] - layer.height / 2
    a = math.radians(degrees)
    return out, (
        out.width / 2 + dx * math.cos(a) + dy * math.sin(a),
        out.height / 2 - dx * math.sin(a) + dy * math.cos(a),
    )


def shadow_of(layer: Image.Image, blur: float, strength: float) -> Image.Image:
    """A soft black shadow of a layer's shape."""
    alpha = layer.getchannel("A").point(lambda v: round(v * strength)).filter(ImageFilter.GaussianBlur(blur))
    shadow = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    shadow.putalpha(alpha)
    return shadow


def draw_emblem() -> Image.Image:
    """The whole picture, at its final size."""
    rng = random.Random(1992)
    canvas = glow(background())
    # the surface the candle stands on: a faint line of light
    ground = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(ground).ellipse(
        (s(CANDLE_X - 520), s(CANDLE_BOTTOM - 30), s(CANDLE_X + 520), s(CANDLE_BOTTOM + 60)), fill=150
    )
    canvas = Image.composite(
        Image.new("RGB", canvas.size, (70, 58, 46)), canvas, ground.filter(ImageFilter.GaussianBlur(s(40)))
    )
    foot = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(foot).ellipse(
        (s(CANDLE_X - CANDLE_HALF - 40), s(CANDLE_BOTTOM - 14), s(CANDLE_X + CANDLE_HALF + 60), s(CANDLE_BOTTOM + 22)),
        fill=200,
    )
    canvas = Image.composite(
        Image.new("RGB", canvas.size, (8, 8, 12)), canvas, foot.filter(ImageFilter.GaussianBlur(s(12)))
    )
    candle(canvas)
    canvas = flame(canvas)
    # the carnation lies before the candle, its bloom to the left, its stem crossing the candle's foot
    flower, bloom = turned(*carnation(rng), 82)
    at = (round(s(BLOOM[0]) - bloom[0]), round(s(BLOOM[1]) - bloom[1]))
    base = canvas.convert("RGBA")
    base.alpha_composite(shadow_of(flower, s(10), 0.6), (at[0] + s(6), at[1] + s(14)))
    base.alpha_composite(flower, at)
    final = base.convert("RGB").resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    vignette = radial(final.size, (WIDTH * 0.55, HEIGHT * 0.45), WIDTH * 0.75, 255, 150)
    final = Image.composite(final, Image.new("RGB", final.size, (0, 0, 0)), vignette)
    # a little grain keeps the dark gradients from banding
    grain = Image.frombytes("L", final.size, rng.randbytes(WIDTH * HEIGHT)).point(lambda v: 126 + v % 5)
    return ImageChops.add(final, Image.merge("RGB", (grain, grain, grain)), scale=1.0, offset=-128)


def main() -> None:
    """Write the emblem as a JPEG without metadata."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    draw_emblem().save(out, "JPEG", quality=90, subsampling="4:4:4", optimize=True, progressive=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
