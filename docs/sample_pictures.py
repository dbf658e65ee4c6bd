"""How the sample's photographs in content/images/ were made: drawn by this script with Pillow (no camera, no
stock photo), so the project may give them away under CC0 (content/images/README.md).

    .venv/bin/python docs/sample_pictures.py      # rewrites the JPEGs; the same bytes every time

Each picture is painted large (2,400–3,000 px), softened where a lens would be out of focus and given a little
film grain, then saved as a JPEG an editor would commit (well under 400 KB).
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

IMAGES = Path(__file__).resolve().parents[1] / "content" / "images"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
Colour = tuple[int, int, int]


def font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(FONTS / name), size)
    except OSError:
        return ImageFont.load_default(size)


def gradient(size: tuple[int, int], top: Colour, bottom: Colour) -> Image.Image:
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    return column.resize(size, Image.Resampling.BICUBIC)


def light(picture: Image.Image, centre: tuple[float, float], strength: float = 0.35) -> Image.Image:
    """A soft light from `centre` (fractions of the size) and a vignette towards the corners."""
    w, h = picture.size
    mask = Image.radial_gradient("L").resize((w, h))  # 0 in the middle, 255 at the edge
    mask = ImageChops.offset(mask, round((centre[0] - 0.5) * w), round((centre[1] - 0.5) * h))
    dark = Image.new("RGB", (w, h), (0, 0, 0))
    return Image.blend(picture, Image.composite(dark, picture, mask), strength)


def grain(picture: Image.Image, amount: int = 10, seed: int = 1) -> Image.Image:
    random.seed(seed)
    noise = Image.effect_noise((picture.width // 2, picture.height // 2), amount).resize(picture.size)
    noise = Image.merge("RGB", (noise, noise, noise))
    return ImageChops.add(picture, noise, 1, -128)  # the picture plus noise around nought


def wood(size: tuple[int, int], base: Colour, seed: int) -> Image.Image:
    """Table planks: long streaks of grain along x, a seam between planks."""
    rng = random.Random(seed)
    w, h = size
    small = Image.new("RGB", (w // 8, h // 8), base)
    draw = ImageDraw.Draw(small)
    for y in range(small.height):
        shade = rng.randint(-18, 18)
        draw.line([(0, y), (small.width, y)], fill=tuple(max(0, min(255, c + shade)) for c in base))
    table = small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(3))
    draw = ImageDraw.Draw(table)
    plank = h // 4
    for y in range(plank, h, plank):
        draw.line([(0, y), (w, y)], fill=tuple(c // 2 for c in base), width=max(2, h // 400))
    return table


def bean(draw: ImageDraw.ImageDraw, centre: tuple[float, float], length: float, angle: float, colour: Colour) -> None:
    """A roasted bean seen from above: an oval with its crease."""
    cx, cy = centre
    points = []
    for step in range(48):
        t = 2 * math.pi * step / 48
        x, y = length / 2 * math.cos(t), length / 3 * math.sin(t)
        points.append((cx + x * math.cos(angle) - y * math.sin(angle), cy + x * math.sin(angle) + y * math.cos(angle)))
    shadow = [(x + length * 0.08, y + length * 0.1) for x, y in points]
    draw.polygon(shadow, fill=(30, 20, 14))
    draw.polygon(points, fill=colour)
    highlight = tuple(min(255, c + 40) for c in colour)
    hx, hy = cx - length * 0.12 * math.sin(angle) * -1, cy - length * 0.12
    draw.ellipse([hx - length * 0.18, hy - length * 0.08, hx + length * 0.18, hy + length * 0.08], fill=highlight)
    crease = [(cx + s * math.cos(angle) + length * 0.04 * math.sin(s / length * 9) * -math.sin(angle),
               cy + s * math.sin(angle) + length * 0.04 * math.sin(s / length * 9) * math.cos(angle))
              for s in [length * (k / 20 - 0.5) * 0.8 for k in range(21)]]
    draw.line(crease, fill=(40, 24, 16), width=max(2, round(length * 0.06)), joint="curve")


def beans(picture: Image.Image, box: tuple[int, int, int, int], count: int, length: int, seed: int) -> None:
    rng = random.Random(seed)
    layer = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(count):
        colour = (rng.randint(70, 105), rng.randint(42, 60), rng.randint(26, 36))
        bean(draw, (rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])), length * rng.uniform(0.85, 1.15),
             rng.uniform(0, math.pi), colour)
    picture.paste(layer.filter(ImageFilter.GaussianBlur(length * 0.02)), (0, 0), layer)


def bag(picture: Image.Image, box: tuple[int, int, int, int], paper: Colour, label: Colour, name: str) -> None:
    """A kraft-paper coffee bag with a crimped top, a gusset in shadow and a printed label."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    shadow = Image.new("L", picture.size, 0)
    ImageDraw.Draw(shadow).ellipse([x0 - w * 0.05, y1 - h * 0.06, x1 + w * 0.35, y1 + h * 0.08], fill=170)
    picture.paste((25, 16, 10), (0, 0), shadow.filter(ImageFilter.GaussianBlur(w * 0.06)))
    body = Image.new("RGB", (w, h), paper)
    shade = gradient((w, h), paper, tuple(round(c * 0.78) for c in paper)).rotate(90, expand=True).resize((w, h))
    body = Image.blend(body, shade, 0.6)
    draw = ImageDraw.Draw(body)
    for x in range(0, w, max(1, w // 90)):  # paper fibre
        draw.line([(x, 0), (x + w // 40, h)], fill=tuple(round(c * 0.95) for c in paper), width=1)
    draw.rectangle([w * 0.86, 0, w, h], fill=tuple(round(c * 0.7) for c in paper))  # gusset
    crimp = tuple(round(c * 0.82) for c in paper)
    draw.rectangle([0, 0, w, h * 0.09], fill=crimp)
    for x in range(0, w, max(2, w // 60)):
        draw.line([(x, 0), (x, h * 0.09)], fill=tuple(round(c * 0.7) for c in paper), width=2)
    lw, lh = w * 0.62, h * 0.42
    lx, ly = w * 0.12, h * 0.3
    draw.rounded_rectangle([lx, ly, lx + lw, ly + lh], radius=w * 0.02, fill=label)
    ink = (250, 244, 236) if sum(label) < 400 else (92, 30, 24)
    title = font("DejaVuSerif-Bold.ttf", round(w * 0.068))
    draw.text((lx + lw / 2, ly + lh * 0.22), "MORGENROT", font=title, fill=ink, anchor="mm")
    draw.line([(lx + lw * 0.15, ly + lh * 0.38), (lx + lw * 0.85, ly + lh * 0.38)], fill=ink, width=max(2, w // 200))
    words = font("DejaVuSans.ttf", round(w * 0.05))
    for number, line in enumerate(name.split("\n")):
        draw.text((lx + lw / 2, ly + lh * (0.56 + 0.17 * number)), line, font=words, fill=ink, anchor="mm")
    small = font("DejaVuSans.ttf", round(w * 0.032))
    draw.text((lx + lw / 2, ly + lh * 0.92), "250 g · Freiburg", font=small, fill=ink, anchor="mm")
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, w, h], radius=w * 0.04, fill=255)
    picture.paste(body.filter(ImageFilter.GaussianBlur(1)), (x0, y0), mask)


def cup(picture: Image.Image, centre: tuple[int, int], radius: int, china: Colour, drink: Colour) -> None:
    """A cup on its saucer seen from above, with crema."""
    cx, cy = centre
    shadow = Image.new("L", picture.size, 0)
    ImageDraw.Draw(shadow).ellipse([cx - radius * 1.55 + radius * 0.2, cy - radius * 1.55 + radius * 0.25,
                                    cx + radius * 1.55 + radius * 0.2, cy + radius * 1.55 + radius * 0.25], fill=160)
    picture.paste((20, 14, 10), (0, 0), shadow.filter(ImageFilter.GaussianBlur(radius * 0.15)))
    draw = ImageDraw.Draw(picture)
    draw.ellipse([cx - radius * 1.55, cy - radius * 1.55, cx + radius * 1.55, cy + radius * 1.55], fill=china)
    draw.ellipse([cx - radius * 1.2, cy - radius * 1.2, cx + radius * 1.2, cy + radius * 1.2],
                 fill=tuple(round(c * 0.93) for c in china))
    draw.rounded_rectangle([cx + radius * 0.95, cy - radius * 0.18, cx + radius * 1.6, cy + radius * 0.18],
                           radius=radius * 0.15, fill=tuple(round(c * 0.97) for c in china))  # handle
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=china)
    draw.ellipse([cx - radius * 0.86, cy - radius * 0.86, cx + radius * 0.86, cy + radius * 0.86], fill=drink)
    crema = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    cdraw = ImageDraw.Draw(crema)
    rng = random.Random(radius)
    for _ in range(240):
        a, r = rng.uniform(0, 2 * math.pi), rng.uniform(0, radius * 0.8)
        x, y, s = cx + r * math.cos(a), cy + r * math.sin(a), rng.uniform(radius * 0.04, radius * 0.14)
        tone = rng.randint(-30, 30)
        cdraw.ellipse([x - s, y - s, x + s, y + s],
                      fill=(max(0, drink[0] + 60 + tone), max(0, drink[1] + 40 + tone), max(0, drink[2] + 20), 120))
    crema = crema.filter(ImageFilter.GaussianBlur(radius * 0.05))
    picture.paste(crema, (0, 0), crema)
    draw.arc([cx - radius * 0.86, cy - radius * 0.86, cx + radius * 0.86, cy + radius * 0.86], 200, 320,
             fill=(230, 200, 160), width=max(2, radius // 25))


def save(picture: Image.Image, name: str, seed: int) -> None:
    path = IMAGES / name
    path.parent.mkdir(parents=True, exist_ok=True)
    grain(picture, 4, seed).save(path, "JPEG", quality=72, optimize=True, progressive=True)
    print(f"{path.relative_to(IMAGES.parents[1])}: {picture.width}×{picture.height}, {path.stat().st_size // 1024} KB")


def product_bag(name: str, paper: Colour, label: Colour, title: str, table: Colour, seed: int) -> None:
    size = (2400, 1800)
    picture = wood(size, table, seed)
    beans(picture, (1350, 1300, 2300, 1700), 38, 120, seed)
    bag(picture, (520, 260, 1360, 1560), paper, label, title)
    beans(picture, (150, 1450, 900, 1750), 14, 130, seed + 1)
    picture = light(picture, (0.35, 0.3), 0.45).filter(ImageFilter.GaussianBlur(1.2))
    save(picture, f"products/{name}.jpg", seed)


def product_cup(name: str, seed: int) -> None:
    size = (2400, 1800)
    picture = wood(size, (120, 80, 52), seed)
    beans(picture, (100, 100, 2300, 1700), 60, 110, seed)
    cup(picture, (1150, 900), 420, (246, 242, 236), (70, 38, 20))
    picture = light(picture, (0.45, 0.4), 0.5).filter(ImageFilter.GaussianBlur(1.2))
    save(picture, f"products/{name}.jpg", seed)


def product_beans(name: str, seed: int) -> None:
    size = (2400, 1800)
    picture = wood(size, (96, 64, 42), seed)
    beans(picture, (-100, -100, 2500, 1900), 420, 150, seed)
    beans(picture, (600, 400, 1800, 1400), 80, 170, seed + 2)
    blur = picture.filter(ImageFilter.GaussianBlur(14))  # a shallow depth of field: sharp in the middle only
    mask = Image.radial_gradient("L").resize(size)
    picture = light(Image.composite(blur, picture, mask), (0.5, 0.45), 0.4)
    save(picture, f"products/{name}.jpg", seed)


def roastery(seed: int) -> None:
    """The roasting room: a drum roaster before a brick wall, a window of morning light."""
    size = (3000, 2000)
    rng = random.Random(seed)
    picture = Image.new("RGB", size, (120, 60, 42))  # saved at 2,700 px: the bricks' detail is heavy
    draw = ImageDraw.Draw(picture)
    for row, y in enumerate(range(0, 1500, 60)):  # bricks
        for x in range(-(row % 2) * 70, 3000, 140):
            tone = rng.randint(-22, 22)
            draw.rectangle([x + 4, y + 4, x + 136, y + 56], fill=(146 + tone, 72 + tone // 2, 50 + tone // 3))
    draw.rectangle([1950, 200, 2700, 1100], fill=(236, 226, 200))  # the window
    for x in (2200, 2450):
        draw.line([(x, 200), (x, 1100)], fill=(60, 50, 44), width=24)
    draw.line([(1950, 650), (2700, 650)], fill=(60, 50, 44), width=24)
    glow = Image.new("L", size, 0)
    ImageDraw.Draw(glow).polygon([(1950, 200), (2700, 200), (2300, 2000), (900, 2000)], fill=110)
    picture.paste((255, 236, 200), (0, 0), glow.filter(ImageFilter.GaussianBlur(120)))
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, 1500, 3000, 2000], fill=(70, 62, 58))  # floor
    draw.rectangle([500, 1100, 1500, 1620], fill=(40, 42, 46))  # the roaster's body
    draw.ellipse([560, 700, 1440, 1380], fill=(58, 60, 66))  # its drum, seen from the front
    draw.ellipse([700, 840, 1300, 1240], fill=(28, 30, 34))
    draw.ellipse([760, 900, 1240, 1180], fill=(150, 96, 44))  # beans behind the glass
    draw.rectangle([900, 300, 1100, 760], fill=(50, 52, 56))  # exhaust pipe
    draw.rectangle([1450, 1240, 1900, 1320], fill=(120, 120, 124))  # cooling tray
    draw.ellipse([1500, 1180, 2100, 1420], fill=(90, 60, 36))
    beans(picture, (1560, 1230, 2040, 1370), 90, 36, seed)
    picture = light(picture, (0.7, 0.35), 0.5).filter(ImageFilter.GaussianBlur(2.5))
    save(picture.resize((2700, 1800), Image.Resampling.LANCZOS), "pages/roesterei.jpg", seed)


def portrait(name: str, window: Colour, hair: Colour, long_hair: bool, seed: int) -> None:
    """A head-and-shoulders portrait against the light of the shop's window: the person in silhouette with a rim
    of light, the shop behind out of focus — a photograph's look, not a drawn face."""
    size = (1600, 1600)
    rng = random.Random(seed)
    picture = gradient(size, window, tuple(round(c * 0.55) for c in window))
    bokeh = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(bokeh)
    for _ in range(50):  # lights of the shop behind, out of focus
        x, y, r = rng.uniform(0, 1600), rng.uniform(0, 1100), rng.uniform(40, 120)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(255, 236, 200, rng.randint(50, 130)))
    soft = bokeh.filter(ImageFilter.GaussianBlur(26))
    picture.paste(soft, (0, 0), soft)
    figure = Image.new("L", size, 0)
    draw = ImageDraw.Draw(figure)
    if long_hair:
        draw.rounded_rectangle([500, 400, 1060, 1200], radius=260, fill=255)
    draw.ellipse([170, 1120, 1430, 2120], fill=255)  # shoulders
    draw.rounded_rectangle([680, 920, 900, 1250], radius=90, fill=255)  # neck
    draw.ellipse([550, 430, 1030, 1060], fill=255)  # head
    draw.chord([535, 380, 1045, 900] if long_hair else [552, 400, 1028, 880], 180, 360, fill=255)  # hair
    figure = figure.filter(ImageFilter.GaussianBlur(6))
    rim = ImageChops.subtract(figure, ImageChops.offset(figure, 14, 6)).filter(ImageFilter.GaussianBlur(8))
    dark = gradient(size, tuple(round(c * 0.45) for c in hair), tuple(round(c * 0.25) for c in hair))
    picture.paste(dark, (0, 0), figure)
    picture.paste((255, 226, 180), (0, 0), rim.point(lambda v: min(255, v * 2)))
    picture = light(picture, (0.45, 0.35), 0.3)
    save(picture, f"contacts/{name}.jpg", seed)


if __name__ == "__main__":
    product_bag("hochland-geisha", (196, 160, 120), (158, 36, 30), "Hochland-Geisha\nPanama", (150, 104, 70), 11)
    product_bag("kenia-nyeri-aa", (110, 34, 30), (245, 236, 222), "Kenia\nNyeri AA", (170, 128, 92), 12)
    product_beans("aethiopien-sidamo-natural", 13)
    product_cup("morgenrot-hausmischung", 14)
    roastery(15)
    portrait("lena-hofmann", (236, 176, 120), (120, 76, 52), True, 16)
    portrait("jonas-berger", (200, 184, 160), (90, 70, 60), False, 17)
