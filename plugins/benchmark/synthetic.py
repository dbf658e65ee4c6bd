"""A synthetic Vorab site for benchmarks: products, seminars, FAQs, pages and contacts in realistic German
Markdown (headings, lists, links, images), 30 % members-only and 10 % embargoed at the clock, and five
newsletter issues. Deterministic for a given size."""

from __future__ import annotations

import random
from pathlib import Path

from catalog.schema import CONTENT_TYPES

WORDS = ("Kaffee", "Röstung", "Bohne", "Aroma", "Säure", "Körper", "Frucht", "Schokolade", "Nuss", "Karamell",
         "Filter", "Espresso", "Mühle", "Wasser", "Temperatur", "Ernte", "Finca", "Hochland", "Aufbereitung",
         "Trocknung", "Lagerung", "Frische", "Geschmack", "Tasse", "Crema", "Milch", "Kirsche", "Jasmin",
         "Bergamotte", "Süße", "Abgang", "Brühzeit", "Mahlgrad", "Siebträger", "Handfilter", "Genuss")
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" viewBox="0 0 4 3">'
       '<rect width="4" height="3"/></svg>')
FOLDERS = [t.folder for t in CONTENT_TYPES if t.folder != "newsletters"]
CLOCK = "2027-01-15T09:00"  # the benchmark's build clock; embargoes end in 2030


def write_site(root: Path, items: int, *, seed: int = 7) -> Path:
    """Write a project (pelicanconf.py using the repository's theme and plugins) and return its settings file."""
    rng = random.Random(seed)
    repository = Path(__file__).resolve().parents[2]

    def sentence() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."

    def paragraph() -> str:
        return " ".join(sentence() for _ in range(4))

    embargoed_products: list[str] = []
    for number in range(items):
        folder = FOLDERS[number % len(FOLDERS)]
        slug = f"{folder}-{number}"
        roll = rng.random()
        head = [f"title: {folder.capitalize()} {number} {rng.choice(WORDS)}", f"summary: {sentence()}"]
        if roll < 0.3:
            head.append("audience: members")
        elif roll < 0.4:
            head += ["audience: members", "public_from: 2030-01-01"]
            if folder == "products":
                embargoed_products.append(slug)
        else:
            head.append("audience: public")
        if folder == "products":
            image = f"images/products/{slug}.svg"
            (root / "content" / image).parent.mkdir(parents=True, exist_ok=True)
            (root / "content" / image).write_text(SVG)
            head += [f"image: {image}", "image_alt: Eine Kaffeetüte", "price: 12,90 € / 250 g",
                     "offer: 10 % Rabatt für Stammkunden", f"offer_code: CODE-{number}"]
        elif folder == "seminars":
            head += ["start: 2028-05-14T18:00", "end: 2028-05-14T20:00", "location: Freiburg"]
        elif folder == "faq":
            head += [f"category: Kategorie {number % 4}", f"order: {number}"]
        elif folder == "contacts":
            head[0] = f"name: Person {number}"
            head += ["role: Beratung", f"email: person{number}@example.com"]
        body = (f"{paragraph()}\n\n## Details\n\n- {sentence()}\n- {sentence()}\n- {sentence()}\n\n"
                f"{paragraph()} [Mehr erfahren](https://www.example.com/{slug}).\n")
        path = root / "content" / folder / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(head) + "\n\n" + body, encoding="utf-8")

    newsletters = root / "newsletters"
    newsletters.mkdir(parents=True, exist_ok=True)
    for number in range(5):
        featured = ", ".join(embargoed_products[number * 3:number * 3 + 3])
        (newsletters / f"ausgabe-{number + 1}.md").write_text(
            f"subject: Ausgabe {number + 1}\npreheader: {sentence()}\nsend_date: 2026-0{number + 1}-15T09:00\n"
            f"products: {featured}\n\n{paragraph()}\n\n{paragraph()}\n", encoding="utf-8")

    settings = root / "pelicanconf.py"
    settings.write_text(
        "from pathlib import Path\n"
        f"exec(Path({str(repository / 'pelicanconf.py')!r}).read_text(encoding='utf-8'))\n"
        f"THEME = {str(repository / 'themes' / 'member-area')!r}\n"
        f"PLUGIN_PATHS = [{str(repository / 'plugins')!r}]\n"
        "FAQ_DEFAULT_CONTACT = None  # the sample's contact person does not exist here\n", encoding="utf-8")
    (root / "plainconf.py").write_text(
        "# Plain Pelican over the same Markdown: every folder as articles, default theme, no plugins.\n"
        "# Contacts have a name, not a title: the file name stands in, or Pelican would skip them.\n"
        f'PATH = "content"\nOUTPUT_PATH = "plain-output"\nTIMEZONE = "Europe/Berlin"\nDEFAULT_DATE = "fs"\n'
        'FILENAME_METADATA = r"(?P<title>.*)"\n'
        f"ARTICLE_PATHS = {FOLDERS!r}\nPAGE_PATHS = []\nPLUGINS = []\n", encoding="utf-8")
    return settings
