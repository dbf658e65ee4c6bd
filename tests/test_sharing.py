"""Pages worth sharing (plugins/sharing): share tags, the sitemap and structured data on the public site, made only
of what the public may read; the member area gets none of it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from conftest import Site
from sharing import meta_description
from test_pictures import photo

CLOCK = "2027-01-15T09:00"
SITE = "https://www.morgenrot-kaffee.example"
CANARIES = ("kanariencode", "kanarienlink", "kanarienvorschau")
LD_JSON = re.compile(r'<script type="application/ld\+json">(?P<data>.*?)</script>', re.S)
META = re.compile(r'<meta (?:property|name)="(?P<name>[^"]+)" content="(?P<content>[^"]*)">')
LONG_SUMMARY = ("Unsere Hausmischung aus Brasilien, Guatemala und Indien schmeckt nach Haselnuss, Zartbitterschokolade "
                "und Karamell und ist gutmütig in der Zubereitung, im Vollautomaten ebenso wie im Siebträger zu Hause.")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("sharing") / "site")
    photo(site.root / "content" / "images" / "products" / "haus.jpg", (2000, 1500))
    site.write("products/haus.md", f"""\
        title: Hausmischung
        summary: {LONG_SUMMARY}
        audience: public
        image: images/products/haus.jpg
        image_alt: Eine Tüte Hausmischung
        price: 14,90 € / 250 g
        offer: Zehn Prozent für Stammkunden
        offer_code: KANARIENCODE-10
        order_url: https://www.morgenrot-kaffee.example/shop/haus

        Schokoladig.
        """)
    site.write("products/vorschau.md", """\
        title: Kanarienvorschau
        audience: members
        public_from: 2027-06-01

        Bald.
        """)
    site.write("seminars/tag.md", """\
        title: Tag der offenen Rösterei
        audience: public
        start: 2027-07-04T11:00
        end: 2027-07-04T17:00
        location: Kaffeerösterei Morgenrot, Gerberau 12, 79098 Freiburg im Breisgau
        online_url: https://meet.example.com/kanarienlink

        Führungen.
        """)
    site.write("seminars/online.md", """\
        title: Röstgespräch online
        audience: public
        start: 2027-03-04T18:00
        end: 2027-03-04T19:00
        online_url: https://meet.example.com/kanarienlink-2

        Im Netz.
        """)
    site.write("faq/lagern.md", "title: Wie lagere ich Kaffee?\naudience: public\n\nKühl und dunkel.\n")
    site.write("pages/ueber-uns.md", "title: Über uns\nsummary: Wir rösten in Freiburg.\n\nWir rösten.\n")
    site.build(CLOCK)
    return site


def public_pages(site: Site) -> dict[str, str]:
    return {name: data.decode("utf-8") for name, data in site.files(members=False).items() if name.endswith(".html")}


def test_the_sitemap_lists_every_public_page_and_no_member_one(shared: Site) -> None:
    tree = ET.fromstring((shared.output / "sitemap.xml").read_bytes())  # noqa: S314 — our own build
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [url.findtext("s:loc", namespaces=namespace) or "" for url in tree.findall("s:url", namespace)]
    for url in tree.findall("s:url", namespace):
        lastmod = url.findtext("s:lastmod", namespaces=namespace)
        assert lastmod is None or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", lastmod)
    paths = []
    for location in locations:
        assert location.startswith(f"{SITE}/")
        path = location.removeprefix(f"{SITE}/")
        paths.append(f"{path}index.html" if path == "" or path.endswith("/") else path)
    assert all((shared.output / path).is_file() for path in paths)
    assert sorted(paths) == sorted(name for name in public_pages(shared) if name != "401.html")
    assert "produkte/haus/index.html" in paths and "seminare/online/index.html" in paths
    assert not [path for path in paths if "members" in path or "vorschau" in path]
    assert (shared.output / "robots.txt").read_text() == \
        f"User-agent: *\nDisallow: /members/\nSitemap: {SITE}/sitemap.xml\n"
    assert not (shared.output / "members" / "sitemap.xml").exists()


def test_structured_data_parses_and_names_nothing_member_only(shared: Site) -> None:
    found: dict[str, list[dict[str, object]]] = {}
    for name, page in public_pages(shared).items():
        for match in LD_JSON.finditer(page):
            assert not any(canary in match["data"].lower() for canary in CANARIES), name
            found.setdefault(name, []).append(json.loads(match["data"]))
    product, = found["produkte/haus/index.html"]
    assert product["@type"] == "Product" and product["name"] == "Hausmischung"
    assert product["offers"] == {"@type": "Offer", "price": "14.90", "priceCurrency": "EUR",
                                 "availability": "https://schema.org/InStock",
                                 "url": "https://www.morgenrot-kaffee.example/shop/haus"}
    assert product["image"] == [next(m["content"] for m in META.finditer(public_pages(shared)[
        "produkte/haus/index.html"]) if m["name"] == "og:image")]
    event, = found["seminare/tag/index.html"]
    assert event["startDate"] == "2027-07-04T11:00:00+02:00" and event["endDate"] == "2027-07-04T17:00:00+02:00"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["location"] == {"@type": "Place", "name": "Kaffeerösterei Morgenrot",
                                 "address": "Kaffeerösterei Morgenrot, Gerberau 12, 79098 Freiburg im Breisgau"}
    online, = found["seminare/online/index.html"]
    assert online["location"] == {"@type": "VirtualLocation", "url": f"{SITE}/seminare/online/"}
    faq, = found["fragen/index.html"]
    assert faq["mainEntity"] == [{"@type": "Question", "name": "Wie lagere ich Kaffee?",
                                  "acceptedAnswer": {"@type": "Answer", "text": "Kühl und dunkel."}}]
    home, = found["index.html"]
    assert home["@type"] == "Organization" and home["url"] == f"{SITE}/"
    for data in found.values():
        assert all(d["@context"] == "https://schema.org" for d in data)
    public = b"".join(shared.files(members=False).values()).lower()
    assert not [canary for canary in CANARIES if canary.encode() in public]


def test_every_public_page_has_share_tags_with_an_absolute_raster_image(shared: Site) -> None:
    for name, page in public_pages(shared).items():
        if name == "401.html":
            assert "og:image" not in page and 'rel="canonical"' not in page
            continue
        tags = {m["name"]: m["content"] for m in META.finditer(page)}
        assert tags["twitter:card"] == "summary_large_image", name
        assert tags["og:url"] == f"{SITE}/{name.removesuffix('index.html')}", name
        assert f'<link rel="canonical" href="{tags["og:url"]}">' in page
        image = tags["og:image"]
        assert image.startswith(f"{SITE}/") and image.endswith((".jpg", ".png")), name
        with Image.open(shared.output / image.removeprefix(f"{SITE}/")) as opened:
            assert opened.size == (int(tags["og:image:width"]), int(tags["og:image:height"])) == (1200, 630)
    product = {m["name"]: m["content"] for m in META.finditer(public_pages(shared)["produkte/haus/index.html"])}
    assert re.fullmatch(rf"{SITE}/images/products/haus-1200\.[0-9a-f]{{10}}\.jpg", product["og:image"])
    assert product["og:image:alt"] == "Eine Tüte Hausmischung"


def test_the_member_area_gets_no_share_tags_and_noindex(shared: Site) -> None:
    pages = {name: data.decode("utf-8") for name, data in shared.files(members=True).items()
             if name.endswith(".html")}
    assert len(pages) > 5
    for name, page in pages.items():
        assert '<meta name="robots" content="noindex">' in page, name
        assert "og:" not in page and "ld+json" not in page and 'rel="canonical"' not in page, name


def test_the_meta_description_is_the_summary_cut_at_a_word(shared: Site) -> None:
    tags = {m["name"]: m["content"] for m in META.finditer(public_pages(shared)["produkte/haus/index.html"])}
    description = tags["description"]
    assert description == tags["og:description"]
    assert len(description) <= 155 and description.endswith("…")
    assert description == ("Unsere Hausmischung aus Brasilien, Guatemala und Indien schmeckt nach Haselnuss, "
                           "Zartbitterschokolade und Karamell und ist gutmütig in der Zubereitung, im…")  # whole words
    assert meta_description("<p>Kurz &amp; <em>gut</em>.</p>") == "Kurz & gut."
    assert meta_description("eins zwei drei", 10) == "eins zwei…"


def test_the_icons_are_referenced_on_every_page_of_both_sites(shared: Site) -> None:
    for name, data in shared.files(members=True).items() | shared.files(members=False).items():
        if name.endswith(".html"):
            page = data.decode("utf-8")
            assert re.search(r'<link rel="icon" href="[./]*/?theme/img/favicon-32\.png" type="image/png" '
                             r'sizes="32x32">', page), name
            assert re.search(r'<link rel="apple-touch-icon" href="[./]*/?theme/img/apple-touch-icon\.png">', page)


def test_the_sample_pictures_are_small_enough_to_commit() -> None:
    images = Path(__file__).resolve().parents[1] / "content" / "images"
    photos = sorted(images.rglob("*.jpg"))
    assert len(photos) >= 5
    assert [p.name for p in photos if p.stat().st_size > 400 * 1024] == []
    assert "CC0" in (images / "LICENSE").read_text(encoding="utf-8")
