"""Pictures that fit every screen (plugins/pictures, plugins/imaging): real builds, the real image files, every
`<img>` and `<source>` of the built sites read back and compared with the pixels of the files they name."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, Site, build_sample
from leakgate.formats import texts
from pictures import slots_of
from sitebuild import ContentErrors

CLOCK = "2027-01-15T09:00"
THEME = ROOT / "themes" / "member-area"
SLOTS = slots_of(THEME)
LARGEST_SLOT = max(max(slot.widths) for slot in SLOTS.values())
NOTE = re.compile(r"(?:pictures|Bilder): (?P<processed>\d+) ")


def photo(path: Path, size: tuple[int, int] = (4000, 3000), description: str = "kanarienexif") -> None:
    """A photograph-like picture (soft blotches of colour) with a description in its Exif and XMP data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    channels = [Image.effect_noise((size[0] // 40 + 1, size[1] // 40 + 1), 80 + 10 * n) for n in range(3)]
    picture = Image.merge("RGB", channels).resize(size, Image.Resampling.BICUBIC)
    exif = Image.Exif()
    exif[0x010E] = description  # ImageDescription
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:title>{description}xmp</dc:title></x:xmpmeta>'
    picture.save(path, "JPEG", quality=90, exif=exif, xmp=xmp.encode())


class Images(HTMLParser):
    """Every <img> and <source> of a page: (tag, attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("img", "source"):
            self.found.append((tag, {name: value or "" for name, value in attrs}))


def images_of(page: Path) -> list[tuple[str, dict[str, str]]]:
    parser = Images()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def candidates(attributes: dict[str, str]) -> list[tuple[str, int | None]]:
    """(URL, its width descriptor) of an element's src and srcset."""
    found: list[tuple[str, int | None]] = [(attributes["src"], None)] if "src" in attributes else []
    for candidate in filter(None, (part.strip() for part in attributes.get("srcset", "").split(","))):
        url, _, descriptor = candidate.partition(" ")
        found.append((url, int(descriptor.strip().removesuffix("w")) if descriptor.strip() else None))
    return found


def product_site(site: Site) -> None:
    photo(site.root / "content" / "images" / "products" / "geisha-foto.jpg")
    site.write("products/geisha.md", """\
        title: Geisha
        audience: public
        image: images/products/geisha-foto.jpg
        image_alt: Eine Tüte Geisha

        Blumig.
        """)


def test_a_large_photo_gives_resized_variants_with_srcset(site: Site) -> None:
    product_site(site)
    site.build(CLOCK)
    page = site.output / "produkte" / "geisha" / "index.html"
    found = images_of(page)
    webp = next(a for tag, a in found if tag == "source")
    img = next(a for tag, a in found if tag == "img" and "geisha" in a.get("src", ""))
    figure = SLOTS["figure"]
    assert webp["type"] == "image/webp"
    assert [w for _url, w in candidates(webp)] == list(figure.widths)
    assert [w for _url, w in candidates(img)][1:] == list(figure.widths)
    assert webp["sizes"] == img["sizes"] == figure.sizes
    assert (img["width"], img["height"]) == ("1472", "1104")
    assert img["decoding"] == "async" and "loading" not in img  # the product's own picture: the first one seen
    for url, width in candidates(img) + candidates(webp):
        file = page.parent / url
        with Image.open(file) as opened:
            assert width is None or opened.width == width
            assert opened.format == ("WEBP" if url.endswith(".webp") else "JPEG")
        assert b"kanarienexif" not in file.read_bytes()  # no metadata goes along
        assert not any("kanarienexif" in text for text in texts(file.read_bytes(), file.name))
    html = page.read_text(encoding="utf-8")
    assert "geisha-foto.jpg" not in html  # the original is sent to no page
    cards = images_of(site.output / "produkte" / "index.html")
    card = next(a for tag, a in cards if tag == "img" and a.get("class") == "card__image")
    assert [w for _url, w in candidates(card)][1:] == list(SLOTS["card"].widths)
    assert card["sizes"] == SLOTS["card"].sizes


def test_a_small_picture_is_never_made_larger_and_an_svg_passes_through(site: Site) -> None:
    photo(site.root / "content" / "images" / "products" / "klein.jpg", (600, 400))
    site.image("images/products/zeichnung.svg")
    for slug, image in (("klein", "klein.jpg"), ("zeichnung", "zeichnung.svg")):
        site.write(f"products/{slug}.md", f"title: {slug}\naudience: public\nimage: images/products/{image}\n"
                                          f"image_alt: Bild\n\nText.\n")
    site.build(CLOCK)
    small = next(a for tag, a in images_of(site.output / "produkte" / "klein" / "index.html")
                 if tag == "img" and "klein" in a["src"])
    assert [w for _url, w in candidates(small)][1:] == [516, 600]
    drawing = next(a for tag, a in images_of(site.output / "produkte" / "zeichnung" / "index.html")
                   if tag == "img" and "zeichnung" in a["src"])
    assert drawing["src"] == "../../images/products/zeichnung.svg" and "srcset" not in drawing
    assert (drawing["width"], drawing["height"]) == ("736", "552")  # the SVG's 4:3 at half the slot's largest width


def test_a_second_build_processes_no_image(site: Site) -> None:
    product_site(site)
    first = site.build(CLOCK)
    second = site.build(CLOCK)
    counts = [int(NOTE.search(" ".join(result.notes))["processed"]) for result in (first, second)]  # type: ignore[index]
    assert counts[0] >= 2 * len(SLOTS["figure"].widths) + 3  # the figure in two formats, the icons
    assert counts[1] == 0
    photo(site.root / "content" / "images" / "products" / "geisha-foto.jpg", description="anders")
    third = site.build(CLOCK)
    assert 0 < int(NOTE.search(" ".join(third.notes))["processed"]) < counts[0]  # type: ignore[index]


def test_a_member_only_image_never_reaches_the_public_site(site: Site) -> None:
    photo(site.root / "content" / "images" / "products" / "kanarienfoto.jpg")
    site.write("products/vorschau.md", """\
        title: Vorschau
        audience: members
        public_from: 2027-06-01
        image: images/products/kanarienfoto.jpg
        image_alt: Eine Tüte

        Blumig.
        """)
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    site.build(CLOCK)
    public = site.files(members=False)
    members = site.files(members=True)
    assert [name for name in public if "kanarienfoto" in name] == []
    assert [name for name, data in public.items() if b"kanarienfoto" in data] == []
    made = [name for name in members if "kanarienfoto-" in name]
    assert len(made) == 2 * len(SLOTS["card"].widths + SLOTS["figure"].widths)  # both slots, both formats
    assert all(b"kanarienexif" not in members[name] for name in made)


def test_the_leak_gate_reads_a_webp_images_metadata() -> None:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "kanarienwebp"
    Image.new("RGB", (8, 8)).save(buffer, "WEBP", exif=exif, xmp=b"<x>kanarienxmp</x>")
    found = " ".join(texts(buffer.getvalue(), "bild.webp"))
    assert "kanarienwebp" in found and "kanarienxmp" in found


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("sample"), CLOCK).output


def test_no_page_of_the_sample_references_an_image_larger_than_its_largest_slot(sample: Path) -> None:
    checked = 0
    for page in sample.rglob("*.html"):
        for tag, attributes in images_of(page):
            for url, width in candidates(attributes):
                if "://" in url or url.endswith(".svg"):
                    continue
                with Image.open(page.parent / url) as opened:
                    assert opened.width <= LARGEST_SLOT, (page, url)
                    assert width is None or opened.width == width, (page, url)
                    assert tag == "source" or opened.format in ("JPEG", "PNG"), (page, url)  # the fallback
                checked += 1
        for match in re.finditer(r'<img\b[^>]*>', page.read_text(encoding="utf-8")):
            assert ('width="' in match[0] and 'height="' in match[0] and 'decoding="async"' in match[0]) or \
                "brand__logo" in match[0], (page, match[0])
    assert checked > 100
    originals = {path.name for path in (ROOT / "content" / "images").rglob("*.jpg")}
    assert len(originals) >= 5
    assert not [page for page in sample.rglob("*.html")
                if any(f"/{name}\"" in page.read_text(encoding="utf-8") or f"/{name} " in
                       page.read_text(encoding="utf-8") for name in originals)]


def test_below_the_first_picture_pictures_load_lazily(sample: Path) -> None:
    found = [a for tag, a in images_of(sample / "produkte" / "index.html") if tag == "img" and "card__image" in
             a.get("class", "")]
    assert len(found) >= 2
    assert "loading" not in found[0] and found[0]["fetchpriority"] == "high"
    assert all(a["loading"] == "lazy" for a in found[1:])


def test_the_icons_are_drawn_from_the_logo(sample: Path) -> None:
    for root in (sample, sample / "members"):
        for name, size in (("favicon-32.png", (32, 32)), ("apple-touch-icon.png", (180, 180))):
            with Image.open(root / "theme" / "img" / name) as opened:
                assert opened.size == size
        head = (root / "index.html").read_text(encoding="utf-8")
        assert '<link rel="icon" href="./theme/img/favicon-32.png" type="image/png" sizes="32x32">' in head
        assert '<link rel="apple-touch-icon" href="./theme/img/apple-touch-icon.png">' in head


def test_check_and_build_refuse_a_picture_that_cannot_be_read(site: Site) -> None:
    site.write("images/products/kaputt.jpg", "kein Bild")
    site.write("products/kaputt.md", "title: Kaputt\naudience: public\nimage: images/products/kaputt.jpg\n"
                                     "image_alt: Bild\n\nText.\n")
    with pytest.raises(ContentErrors) as refused:
        site.build(CLOCK)
    assert str(refused.value).splitlines()[1:] == [
        "  content/products/kaputt.md:3: image: erwartet ein Bild von höchstens 60 Megapixeln (JPEG, PNG, GIF, WebP "
        "oder SVG), gefunden eine Datei, die Pillow nicht lesen kann"]
    assert not site.output.exists()
