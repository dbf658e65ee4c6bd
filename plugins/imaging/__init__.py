"""Raster images made from editors' pictures, once: decoded safely, turned upright, scaled down, re-encoded without
their metadata and cached by their bytes (core; shared by the sites' pictures and the e-mail images).

The capabilities decide sizes and formats (plugins/pictures for the sites, plugins/newsletter for e-mails); this
module only does what both need, the same way: CairoSVG for SVG (it reads no external file or entity), Pillow for
everything else, a size limit before decoding, no Exif/XMP/ICC/comment in what comes out (an image's metadata can
name what it shows, and the leak gate reads it), and a cache whose entries are written whole or not at all.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vorab.messages import _

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_PIXELS = 60_000_000  # a larger source is refused rather than decoded (Pillow's bomb limit is ~179 MP)
JPEG_QUALITY = 82
WEBP_QUALITY = 80
FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}  # extension → Pillow's format
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "svg": "image/svg+xml"}


class Refused(Exception):
    """A source that cannot be used; the message says what was found (for the caller's own message)."""


@dataclass(frozen=True)
class Encoded:
    data: bytes
    extension: str  # a key of FORMATS
    width: int  # pixels
    height: int


def is_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower()


def rasterise(svg: bytes, width: int) -> bytes:
    """The SVG drawn as a PNG `width` pixels wide."""
    import cairosvg  # needs the cairo library (Debian: libcairo2)

    try:
        png: bytes = cairosvg.svg2png(bytestring=svg, output_width=width)
    except Exception as error:  # noqa: BLE001 — CairoSVG raises many kinds for a broken file
        raise Refused(_("an SVG CairoSVG cannot draw ({error})").format(
            error=f"{type(error).__name__}: {error}")) from None
    return png


def decode(data: bytes, svg_width: int, at_least: int | None = None) -> tuple[Image, bool]:
    """The picture upright, with its pixels loaded, and whether it is a drawing (an SVG, PNG or GIF: kept
    lossless) rather than a photograph. An SVG is drawn `svg_width` pixels wide. `at_least`: the largest width
    that will be made of it — a JPEG is then decoded at the smallest scale that still has as many pixels in both
    directions (a quarter of the work for a camera's photo shown at 1,500 pixels)."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # imported here: only a build with images needs it

    drawing = is_svg(data)
    if drawing:
        data = rasterise(data, svg_width)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise Refused(_too_large(opened.width, opened.height))
            drawing = drawing or opened.format in ("PNG", "GIF")
            if at_least is not None and opened.format == "JPEG":
                opened.draft(opened.mode, (at_least, at_least))  # either side may become the width (Exif)
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise Refused(str(error)) from None
    return picture, drawing


def size_of(data: bytes) -> tuple[int, int]:
    """A raster image's upright size in pixels, from its header (no pixels decoded)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            orientation = opened.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Refused(_("a file Pillow cannot read")) from None
    if width * height > MAX_PIXELS:
        raise Refused(_too_large(width, height))
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _too_large(width: int, height: int) -> str:
    return _("{width} × {height} pixels").format(width=width, height=height)


def scaled(picture: Image, width: int) -> Image:
    """The picture `width` pixels wide, never wider than it is."""
    from PIL import Image

    if picture.width <= width:
        return picture
    height = max(1, round(picture.height * width / picture.width))
    return picture.resize((width, height), Image.Resampling.LANCZOS)


def cropped(picture: Image, width: int, height: int) -> Image:
    """The centre of the picture in the proportions `width` : `height`, at that size or, for a smaller picture,
    as large as it has pixels for (never scaled up)."""
    from PIL import ImageOps

    scale = min(1.0, picture.width / width, picture.height / height)
    return ImageOps.fit(picture, (max(1, round(width * scale)), max(1, round(height * scale))))


def transparent(picture: Image) -> bool:
    if picture.mode not in ("RGBA", "LA", "P", "PA"):
        return False
    extrema: Any = picture.convert("RGBA").getchannel("A").getextrema()  # (lowest, highest) of one channel
    return bool(extrema[0] < 255)


def encode(picture: Image, extension: str, *, palette: bool = False) -> Encoded:
    """The picture as JPEG, PNG or WebP, without any metadata. `palette`: a PNG of at most 256 colours is
    written with a palette (lossless)."""
    alpha = transparent(picture)
    picture = picture.convert("RGBA" if alpha and extension != "jpg" else "RGB")
    if extension == "png" and palette and not alpha and picture.getcolors(256) is not None:
        picture = picture.quantize(256)
    picture.info.clear()  # no Exif, XMP, ICC profile or comment goes along
    buffer = io.BytesIO()
    if extension == "jpg":
        picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif extension == "webp":
        picture.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        picture.save(buffer, "PNG", optimize=True)
    return Encoded(buffer.getvalue(), extension, picture.width, picture.height)


def cache_key(data: bytes, *parts: object) -> str:
    """The key of what is made of `data` with `parts` (the processing's version, a width, a format …)."""
    return hashlib.sha256(":".join(map(str, parts)).encode() + b":" + data).hexdigest()


class Cache:
    """Encoded images in a folder, by key: `<key>-<width>x<height>.<extension>` (the size the caller records with
    it), each written whole or not at all (several processes may fill the cache at once)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> Encoded | None:
        for path in self.folder.glob(f"{key}-*"):
            size, _, extension = path.name.removeprefix(f"{key}-").partition(".")
            if extension not in FORMATS:
                continue  # a partial file of another process
            width, _, height = size.partition("x")
            return Encoded(path.read_bytes(), extension, int(width), int(height))
        return None

    def put(self, key: str, image: Encoded) -> Encoded:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}-{image.width}x{image.height}.{image.extension}"
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_bytes(image.data)
        partial.replace(path)  # never a half-written image in the cache
        return image
