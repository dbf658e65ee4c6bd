"""Pictures that fit every screen: every raster image content refers to is made, once, in the widths the theme
shows it at, as WebP with a JPEG (photographs) or PNG (drawings) fallback, and given to pages as `<picture>`
with `srcset`, `sizes`, `width` and `height`; the favicon and touch icon are drawn from the logo.

Each audience's Pelican run makes the pictures of the sources it was given (plugins/sitebuild/sources.py): the
public run never sees a member-only image, so none of its variants can reach the public site. What is made is
cached in `cache/pictures/` by the source's bytes, the width, the format and PROCESSING (the processing
shared with the e-mail images, plugins/imaging): a second build processes no image. Every variant is made
without metadata. SVGs are shown as they are (except for the share picture, which must be a raster image).

The slots (`pictures` in the theme's tokens.json) say which widths each place in the layout needs and how
wide it shows them (`sizes`). Templates call

    {{ picture_tag(item.image, "card", item.image_alt, "card__image", eager=loop.first) }}
    {{ item.content|pictures }}             (every <img> of a raster image in content, in the `prose` slot)
    {% set shared = picture_file(item.image, "share") %}   (relpath, width, height of one variant)

and `picture_tag` writes `loading="lazy"` unless `eager` (the first picture a visitor sees).
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pelican import signals

from imaging import TYPES, Cache, Encoded, Refused, cache_key, cropped, decode, encode, is_svg, scaled, size_of
from outputs import write_output
from vorab import hooks
from vorab.context import BuildContext, Validation
from vorab.errors import BuildFailed, ContentProblem
from vorab.messages import N_, _
from vorab.tiers import Tiers

PROCESSING = "1"  # change when the processing changes: the cache then misses
CACHE_FOLDER = "pictures"
RASTER = (".jpg", ".jpeg", ".png", ".gif", ".webp")
SHARE_PICTURE = "theme/img/share.png"  # a page's share picture when it has none of its own
ICONS = {"theme/img/favicon-32.png": (32, 32, 32, False),  # width, height, the logo's size, opaque
         "theme/img/apple-touch-icon.png": (180, 180, 144, True), SHARE_PICTURE: (1200, 630, 420, True)}
IMG = re.compile(r"<img\b[^>]*>")
ATTRIBUTE = re.compile(r'\s([a-zA-Z-]+)(?:="([^"]*)")?')
SVG_BOX = re.compile(rb'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')


@dataclass(frozen=True)
class Slot:
    widths: tuple[int, ...]  # pixels
    sizes: str  # the `sizes` attribute: how wide the slot is shown
    height: int | None = None  # a fixed height: the picture is cut to widths[0] × height


@dataclass(frozen=True)
class Variant:
    path: str  # relative to the site's root
    width: int
    height: int
    extension: str


@dataclass(frozen=True)
class Made:
    """A source in one slot: its variants per format (the fallback last), or none for an SVG shown as it is."""

    source: str
    formats: dict[str, list[Variant]]
    width: int  # of the largest fallback variant (an SVG: its own proportions at the slot's largest 1× width)
    height: int

    @property
    def fallback(self) -> list[Variant]:
        return list(self.formats.values())[-1] if self.formats else []


def slots_of(theme: str | Path) -> dict[str, Slot]:
    tokens = json.loads((Path(theme) / "tokens.json").read_text(encoding="utf-8"))
    return {name: Slot(tuple(value["widths"]), value["sizes"], value.get("height"))
            for name, value in tokens["pictures"].items() if not name.startswith("_")}


class Pictures:
    """One run's pictures: made into the run's output, from the run's own sources, through the shared cache."""

    def __init__(self, content: Path, output: Path, cache: Path, slots: dict[str, Slot]) -> None:
        self.content, self.output, self.cache, self.slots = content, output, Cache(cache), slots
        self.made: dict[tuple[str, str], Made] = {}
        self.processed = 0  # variants encoded in this run (not found in the cache)
        self.reused = 0

    def make(self, relpath: str, slot_name: str) -> Made:
        """The variants of the content file `relpath` for the slot, written into the output."""
        relpath = posixpath.normpath(relpath.lstrip("/"))
        if (relpath, slot_name) in self.made:
            return self.made[relpath, slot_name]
        slot = self.slots[slot_name]
        try:
            data = (self.content / relpath).read_bytes()
        except OSError as error:
            raise _refused(relpath, str(error)) from None
        if is_svg(data) and slot.height is None:
            width, height = _svg_size(data, max(slot.widths) // 2)
            made = Made(relpath, {}, width, height)
        else:
            made = self._raster(relpath, data, slot)
        self.made[relpath, slot_name] = made
        return made

    def _raster(self, relpath: str, data: bytes, slot: Slot) -> Made:
        picture: Any = None  # decoded only when a variant is not in the cache
        shown: dict[int, Any] = {}  # width → the picture at that width, for every format

        def variant(width: int, extension: str) -> Encoded:
            nonlocal picture
            key = cache_key(data, PROCESSING, width, slot.height, extension)
            found = self.cache.get(key)
            if found is not None:
                self.reused += 1
                return found
            if picture is None:
                try:
                    picture, _drawing = decode(data, max(slot.widths), max(slot.widths))
                except Refused as error:
                    raise _refused(relpath, str(error)) from None
            if width not in shown:
                shown[width] = cropped(picture, width, slot.height) if slot.height else scaled(picture, width)
            self.processed += 1
            return self.cache.put(key, encode(shown[width], extension, palette=extension == "png"))

        drawing = is_svg(data) or data.startswith((b"\x89PNG", b"GIF8"))
        formats = ("jpg",) if slot.height else ("webp", "png" if drawing else "jpg")  # share: JPEG everywhere
        widths = slot.widths[:1] if slot.height else slot.widths
        if not is_svg(data) and not slot.height:
            try:
                natural = size_of(data)[0]
            except Refused as error:
                raise _refused(relpath, str(error)) from None
            widths = tuple(sorted({min(width, natural) for width in widths}))  # never wider than the source
        stem, digest = posixpath.splitext(relpath)[0], cache_key(data, PROCESSING)[:10]
        made: dict[str, list[Variant]] = {}
        for extension in formats:
            variants: list[Variant] = []
            for width in widths:
                encoded = variant(width, extension)
                path = f"{stem}-{encoded.width}.{digest}.{extension}"
                write_output(self.output / path, encoded.data)
                variants.append(Variant(path, encoded.width, encoded.height, extension))
            made[extension] = variants
        largest = made[formats[-1]][-1]
        return Made(relpath, made, largest.width, largest.height)

    def icons(self, logo: Path, background: str) -> None:
        """The favicon, the touch icon and the share picture of pages without one of their own, from the logo
        (the touch icon opaque: iOS would put a transparent one on black)."""
        from PIL import Image

        data = logo.read_bytes()
        for path, (width, height, logo_size, opaque) in ICONS.items():
            key = cache_key(data, PROCESSING, "icon", width, height, logo_size, opaque and background)
            found = self.cache.get(key)
            if found is None:
                try:
                    drawn, _drawing = decode(data, logo_size)
                except Refused as error:
                    raise _refused(str(logo), str(error)) from None
                drawn = drawn.convert("RGBA").resize((logo_size, logo_size), Image.Resampling.LANCZOS)
                canvas = Image.new("RGBA", (width, height), background if opaque else (0, 0, 0, 0))
                canvas.alpha_composite(drawn, ((width - logo_size) // 2, (height - logo_size) // 2))
                found = self.cache.put(key, encode(canvas.convert("RGB") if opaque else canvas, "png"))
                self.processed += 1
            else:
                self.reused += 1
            write_output(self.output / path, found.data)


def _svg_size(data: bytes, width: int) -> tuple[int, int]:
    """An SVG's proportions (its viewBox) at `width`; 4:3 without a viewBox."""
    box = SVG_BOX.search(data[:4096])
    ratio = float(box[2]) / float(box[1]) if box and float(box[1]) else 0.75
    return width, max(1, round(width * ratio))


EXPECTED = N_("an image of at most 60 megapixels (JPEG, PNG, GIF, WebP or SVG)")


def _refused(relpath: str, found: str) -> BuildFailed:
    problem = ContentProblem(f"content/{relpath}", 1, _("image"), _(EXPECTED), found)
    return BuildFailed(_("A picture cannot be used; nothing was published:") + f"\n  {problem}")


def _size_of_file(path: Path) -> tuple[int, int]:
    return size_of(path.read_bytes())


def check_pictures(validation: Validation) -> None:
    """Validator: every raster picture a field names is one the build can make pictures of (its header read
    only), so that `invoke check` says so rather than a template failing in the build."""
    registry = validation.registry
    for item in registry.items if registry else ():
        for name in item.type.image_fields:
            value = item.values.get(name)
            if not value or not value.lower().endswith(RASTER):
                continue
            path = registry.content_dir / value  # type: ignore[union-attr]
            if not path.is_file():
                continue  # the registry names a missing file
            try:
                validation.remembered("picture", path, functools.partial(_size_of_file, path))
            except Refused as error:
                validation.problems.append(ContentProblem(item.path, item.source.line(name), name, _(EXPECTED),
                                                          str(error)))


# --- in each run -------------------------------------------------------------------------------------------------

_run: Pictures | None = None


def start(pelican: Any) -> None:
    global _run
    settings = pelican.settings
    cache = Path(settings.get("PROJECT_CACHE_PATH", settings["CACHE_PATH"])) / CACHE_FOLDER
    _run = Pictures(Path(settings["PATH"]), Path(pelican.output_path), cache, slots_of(settings["THEME"]))


def _pictures() -> Pictures:
    if _run is None:
        raise RuntimeError("pictures: the run has not started")
    return _run


def _url(siteurl: str, path: str) -> str:
    return f"{siteurl}/{path}" if siteurl else path


@jinja2.pass_context
def picture_tag(context: Any, path: str, slot: str, alt: str | None = "", css_class: str = "", *,
                eager: bool = False) -> Markup:
    """A `<picture>` of the content file `path` in `slot` (an `<img>` for an SVG)."""
    made = _pictures().make(path, slot)
    markup = _markup(made, _pictures().slots[slot], context.get("SITEURL", ""), alt or "", css_class, eager)
    return Markup(markup)  # noqa: S704 — every value in it is escaped (_quoted)


def _markup(made: Made, slot: Slot, siteurl: str, alt: str, css_class: str, eager: bool, extra: str = "") -> str:
    loading = ' fetchpriority="high"' if eager else ' loading="lazy"'
    common = (f'{f" class={_quoted(css_class)}" if css_class else ""} alt={_quoted(alt)} width="{made.width}" '
              f'height="{made.height}"{loading} decoding="async"{extra}')
    if not made.formats:
        return f"<img src={_quoted(_url(siteurl, made.source))}{common}>"

    def srcset(variants: list[Variant]) -> str:
        return ", ".join(f"{_url(siteurl, v.path)} {v.width}w" for v in variants)

    fallback = made.fallback
    sources = "".join(f'<source type="{TYPES[extension]}" srcset={_quoted(srcset(variants))} '
                      f"sizes={_quoted(slot.sizes)}>"
                      for extension, variants in made.formats.items() if variants is not fallback)
    middle = fallback[(len(fallback) - 1) // 2]  # for browsers without srcset: neither the smallest nor the largest
    return (f"<picture>{sources}<img src={_quoted(_url(siteurl, middle.path))} srcset={_quoted(srcset(fallback))} "
            f"sizes={_quoted(slot.sizes)}{common}></picture>")


def _quoted(value: str) -> str:
    return f'"{html.escape(value, quote=True)}"'


@jinja2.pass_context
def picture_file(context: Any, path: str, slot: str) -> dict[str, Any]:
    """The largest variant of `path` in `slot`: its path relative to the site, width and height."""
    made = _pictures().make(path, slot)
    if not made.formats:
        return {"path": made.source, "width": made.width, "height": made.height, "type": TYPES["svg"]}
    largest = made.fallback[-1]
    return {"path": largest.path, "width": largest.width, "height": largest.height, "type": TYPES[largest.extension]}


@jinja2.pass_context
def pictures_in(context: Any, content: str) -> Markup:
    """Content HTML with every `<img>` of a raster image of this site as a `<picture>` in the `prose` slot."""
    siteurl = context.get("SITEURL", "")
    pictures = _pictures()

    def replaced(match: re.Match[str]) -> str:
        attributes = {name.lower(): html.unescape(value or "") for name, value in ATTRIBUTE.findall(match[0])}
        src = attributes.get("src", "")
        prefix = f"{siteurl}/" if siteurl else ""
        if not src.startswith(prefix) or "://" in src.removeprefix(prefix) or \
                not src.lower().endswith(RASTER):
            return match[0]
        relpath = posixpath.normpath(src.removeprefix(prefix))
        if relpath.startswith("..") or not (pictures.content / relpath).is_file():
            return match[0]
        kept = "".join(f" {name}={_quoted(value)}" for name, value in attributes.items()
                       if name in ("title", "id"))
        return _markup(pictures.make(relpath, "prose"), pictures.slots["prose"], siteurl, attributes.get("alt", ""),
                       attributes.get("class", ""), False, kept)

    return Markup(IMG.sub(replaced, str(content)))  # noqa: S704 — the content's own HTML, pictures escaped


def install(generator: Any) -> None:
    generator.env.globals.update(picture_tag=picture_tag, picture_file=picture_file)
    generator.env.filters["pictures"] = pictures_in


def finish(pelican: Any) -> None:
    """The icons, then what this run made and found made, for the build's summary (pictures_note)."""
    pictures = _pictures()
    settings = pelican.settings
    tokens = json.loads((Path(settings["THEME"]) / "tokens.json").read_text(encoding="utf-8"))
    pictures.icons(Path(settings["THEME"]) / "static" / tokens["logo"], tokens["color"]["background"])
    counts = {"processed": pictures.processed, "reused": pictures.reused,
              "sources": len({source for source, _slot in pictures.made})}
    report = pictures.cache.folder / "runs" / f"{settings['AUDIENCE']}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(counts), encoding="utf-8")


# --- in the build ------------------------------------------------------------------------------------------------

def pictures_note(context: BuildContext) -> None:
    """Build step: how many images the runs made and how many they found in the cache."""
    runs = Path(context.settings["CACHE_PATH"]) / CACHE_FOLDER / "runs"
    counts = {"processed": 0, "reused": 0}
    for audience in Tiers.from_settings(context.settings):
        report = runs / f"{audience}.json"
        if report.is_file():
            found = json.loads(report.read_text(encoding="utf-8"))
            counts = {name: counts[name] + found[name] for name in counts}
            report.unlink()  # read once: a later build without this run reports nothing stale
    context.notes.append(_("pictures: {processed} image files processed, {reused} taken from the cache").format(
        **counts))


def register() -> None:
    hooks.validating.connect(check_pictures)
    hooks.building.connect(pictures_note)
    signals.initialized.connect(start)
    signals.generator_init.connect(install)
    signals.finalized.connect(finish)
