"""Images every mail client shows: raster only (Gmail and classic Outlook show no SVG), sized for their slot.

An SVG is rasterised; a photo is turned upright, scaled down to twice its slot's width (sharp on high-density
screens, no heavier) and re-encoded without its metadata (plugins/imaging, shared with the sites' pictures):
JPEG for photographs, PNG where there is transparency or few colours. What comes out is cached by the source's
bytes and the slot, so a rebuild processes only new or changed images.
"""

from __future__ import annotations

from pathlib import Path

from imaging import Cache, Encoded, Refused, cache_key, decode, encode, scaled, transparent
from vorab.errors import BuildFailed, ContentProblem
from vorab.messages import _

PROCESSING = "1"  # change when the processing changes: the cache then misses
DENSITY = 2  # pixels per CSS pixel

EmailImage = Encoded  # its width and height: CSS pixels in the e-mail


class ImageProcessor:
    """Turns source images into e-mail images, keeping what it made in `cache` between builds."""

    def __init__(self, cache: Path) -> None:
        self.cache = Cache(cache)
        self.made: dict[tuple[Path, int], EmailImage] = {}

    def image(self, source: Path, slot: int, shown_as: str) -> EmailImage:
        """`source` for a slot `slot` CSS pixels wide; `shown_as` names the source in messages."""
        if (source, slot) in self.made:
            return self.made[source, slot]
        try:
            data = source.read_bytes()
        except OSError as error:
            raise BuildFailed(str(ContentProblem(shown_as, 1, _("image"), _("a readable image"), str(error)))) from None
        key = cache_key(data, PROCESSING, slot)
        image = self.cache.get(key) or self.cache.put(key, _process(data, slot, shown_as))
        self.made[source, slot] = image
        return image


def _process(data: bytes, slot: int, shown_as: str) -> EmailImage:
    try:
        picture, drawing = decode(data, slot * DENSITY)
    except Refused as error:
        raise _refused(shown_as, str(error)) from None
    picture = scaled(picture, slot * DENSITY)
    shown_width = min(slot, picture.width if picture.width <= slot else round(picture.width / DENSITY))
    shown_height = max(1, round(picture.height * shown_width / picture.width))
    lossless = drawing or transparent(picture)  # PNG for transparency and drawings; a palette where it is lossless
    encoded = encode(picture, "png" if lossless else "jpg", palette=True)
    return EmailImage(encoded.data, encoded.extension, shown_width, shown_height)


def _refused(shown_as: str, found: str) -> BuildFailed:
    problem = ContentProblem(shown_as, 1, _("image"),
                             _("an image of at most 60 megapixels (JPEG, PNG, GIF, WebP or SVG)"), found)
    return BuildFailed(_("A newsletter image cannot be used; nothing was published:") + f"\n  {problem}")
