"""Images every mail client shows: raster only (Gmail and classic Outlook show no SVG), sized for their slot.

An SVG is rasterised (CairoSVG, which reads no external file or entity); a photo is turned upright, scaled down
to twice its slot's width (sharp on high-density screens, no heavier) and re-encoded without its metadata:
JPEG for photographs, PNG where there is transparency or few colours. What comes out is cached by the source's
bytes and the slot, so a rebuild processes only new or changed images.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vorab.errors import BuildFailed, ContentProblem
from vorab.messages import _

PROCESSING = "1"  # change when the processing changes: the cache then misses
DENSITY = 2  # pixels per CSS pixel
JPEG_QUALITY = 82
MAX_PIXELS = 60_000_000  # a larger source is refused rather than decoded (Pillow's bomb limit is ~179 MP)


@dataclass(frozen=True)
class EmailImage:
    data: bytes
    extension: str  # "png" or "jpg"
    width: int  # CSS pixels in the e-mail
    height: int


class ImageProcessor:
    """Turns source images into e-mail images, keeping what it made in `cache` between builds."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.made: dict[tuple[Path, int], EmailImage] = {}

    def image(self, source: Path, slot: int, shown_as: str) -> EmailImage:
        """`source` for a slot `slot` CSS pixels wide; `shown_as` names the source in messages."""
        if (source, slot) in self.made:
            return self.made[source, slot]
        try:
            data = source.read_bytes()
        except OSError as error:
            raise BuildFailed(str(ContentProblem(shown_as, 1, _("image"), _("a readable image"), str(error)))) from None
        key = hashlib.sha256(f"{PROCESSING}:{slot}:".encode() + data).hexdigest()
        image = self._cached(key) or self._store(key, _process(data, slot, shown_as))
        self.made[source, slot] = image
        return image

    def _cached(self, key: str) -> EmailImage | None:
        for path in self.cache.glob(f"{key}-*"):
            size, _, extension = path.name.removeprefix(f"{key}-").partition(".")
            width, _, height = size.partition("x")
            return EmailImage(path.read_bytes(), extension, int(width), int(height))
        return None

    def _store(self, key: str, image: EmailImage) -> EmailImage:
        self.cache.mkdir(parents=True, exist_ok=True)
        path = self.cache / f"{key}-{image.width}x{image.height}.{image.extension}"
        partial = path.with_suffix(".partial")
        partial.write_bytes(image.data)
        partial.replace(path)  # never a half-written image in the cache
        return image


def _process(data: bytes, slot: int, shown_as: str) -> EmailImage:
    from PIL import Image, ImageOps, UnidentifiedImageError  # imported here: only a build with images needs it

    drawing = _is_svg(data)
    if drawing:
        data = _rasterise(data, slot * DENSITY, shown_as)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise _refused(shown_as, _("{width} × {height} pixels").format(width=opened.width,
                                                                                height=opened.height))
            drawing = drawing or opened.format in ("PNG", "GIF")
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise _refused(shown_as, str(error)) from None
    if picture.width > slot * DENSITY:
        height = max(1, round(picture.height * slot * DENSITY / picture.width))
        picture = picture.resize((slot * DENSITY, height), Image.Resampling.LANCZOS)
    shown_width = min(slot, picture.width if picture.width <= slot else round(picture.width / DENSITY))
    shown_height = max(1, round(picture.height * shown_width / picture.width))
    buffer = io.BytesIO()
    alpha = picture.mode in ("RGBA", "LA", "P", "PA") and _transparent(picture.convert("RGBA").getchannel("A"))
    if alpha or drawing:  # PNG for transparency and drawings; a palette where it is lossless
        picture = picture.convert("RGBA" if alpha else "RGB")
        if not alpha and picture.getcolors(256) is not None:
            picture = picture.quantize(256)
        picture.save(buffer, "PNG", optimize=True)
        extension = "png"
    else:  # a photograph
        picture.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension = "jpg"
    return EmailImage(buffer.getvalue(), extension, shown_width, shown_height)


def _transparent(alpha: Any) -> bool:
    lowest, _ = alpha.getextrema()
    return bool(lowest < 255)


def _refused(shown_as: str, found: str) -> BuildFailed:
    problem = ContentProblem(shown_as, 1, _("image"),
                             _("an image of at most 60 megapixels (JPEG, PNG, GIF, WebP or SVG)"), found)
    return BuildFailed(_("A newsletter image cannot be used; nothing was published:") + f"\n  {problem}")


def _is_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower()


def _rasterise(svg: bytes, width: int, shown_as: str) -> bytes:
    import cairosvg  # needs the cairo library (Debian: libcairo2)

    try:
        png: bytes = cairosvg.svg2png(bytestring=svg, output_width=width)
    except Exception as error:  # noqa: BLE001 — CairoSVG raises many kinds for a broken file
        raise _refused(shown_as, _("an SVG CairoSVG cannot draw ({error})").format(
            error=f"{type(error).__name__}: {error}")) from None
    return png
