"""A synthetic Vorab site for benchmarks: products, seminars, FAQs, pages and contacts in realistic German
Markdown (headings, lists, links, images), 30 % members-only and 10 % members-only previews whose public release
is years ahead, and five sent newsletter issues. Every date is a distance from `today` (by default CLOCK's day),
so a build at the current clock sees the same mix as one at CLOCK. Deterministic for a given size and day.

`commit_history` makes the site a git repository with two commits, the second moving a third of the seminars
(with `sequence: 1`), so the SEQUENCE check reads real history and calendars get SEQUENCE > 0."""

from __future__ import annotations

import os
import random
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from catalog.schema import CONTENT_TYPES

WORDS = ("Kaffee", "Röstung", "Bohne", "Aroma", "Säure", "Körper", "Frucht", "Schokolade", "Nuss", "Karamell",
         "Filter", "Espresso", "Mühle", "Wasser", "Temperatur", "Ernte", "Finca", "Hochland", "Aufbereitung",
         "Trocknung", "Lagerung", "Frische", "Geschmack", "Tasse", "Crema", "Milch", "Kirsche", "Jasmin",
         "Bergamotte", "Süße", "Abgang", "Brühzeit", "Mahlgrad", "Siebträger", "Handfilter", "Genuss")
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" viewBox="0 0 4 3">'
       '<rect width="4" height="3"/></svg>')
FOLDERS = [t.folder for t in CONTENT_TYPES if t.folder != "newsletters"]
CLOCK = "2027-01-15T09:00"  # the default `today` (its day) and the clock tests build at; the bench uses now
REFERENCE_DAY = date(2027, 1, 15)  # the dates below are as a site written for CLOCK's day has them
PUBLIC_FROM = date(2030, 1, 1)  # an embargo's end, years after the clock
SEMINAR_DAY = date(2028, 5, 14)
SEND_DAYS = [date(2026, month, 15) for month in range(1, 6)]  # five issues, sent months before the clock
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Vorab Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
                "GIT_COMMITTER_NAME": "Vorab Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
                "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}  # no one's own git configuration
IGNORED = "/output/\n/dist/\n/.staging/\n/private/\n/cache/\n/cold-*/\n/plain-*/\n/hugo-*/\n__pycache__/\n"


def shifted(day: date, today: date) -> date:
    """`day`, one of the reference dates above, moved to the same distance from `today`."""
    return today + (day - REFERENCE_DAY)


def write_site(root: Path, items: int, *, seed: int = 7, today: date | None = None) -> Path:
    """Write a project (pelicanconf.py using the repository's theme and plugins; plainconf.py and plaincache.py
    for plain Pelican, cold and with its own cache) and return its settings file."""
    rng = random.Random(seed)
    repository = Path(__file__).resolve().parents[2]
    today = today or REFERENCE_DAY
    seminar_day = shifted(SEMINAR_DAY, today)

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
            head += ["audience: members", f"public_from: {shifted(PUBLIC_FROM, today)}"]
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
            head += [f"start: {seminar_day}T18:00", f"end: {seminar_day}T20:00", "location: Freiburg"]
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
            f"subject: Ausgabe {number + 1}\npreheader: {sentence()}\n"
            f"send_date: {shifted(SEND_DAYS[number], today)}T09:00\n"
            f"products: {featured}\n\n{paragraph()}\n\n{paragraph()}\n", encoding="utf-8")

    settings = root / "pelicanconf.py"
    settings.write_text(
        "from pathlib import Path\n"
        f"exec(Path({str(repository / 'pelicanconf.py')!r}).read_text(encoding='utf-8'))\n"
        f"THEME = {str(repository / 'themes' / 'member-area')!r}\n"
        f"PLUGIN_PATHS = [{str(repository / 'plugins')!r}]\n"
        "FAQ_DEFAULT_CONTACT = GATE_ACCESS_CONTACT = None  # the sample's contact persons do not exist here\n",
        encoding="utf-8")
    plain = ("# Plain Pelican over the same Markdown: every folder as articles, default theme, no plugins.\n"
             "# Contacts have a name, not a title: the file name stands in, or Pelican would skip them.\n"
             f'PATH = "content"\nOUTPUT_PATH = "plain-output"\nTIMEZONE = "Europe/Berlin"\nDEFAULT_DATE = "fs"\n'
             'FILENAME_METADATA = r"(?P<title>.*)"\n'
             f"ARTICLE_PATHS = {FOLDERS!r}\nPAGE_PATHS = []\nPLUGINS = []\n")
    (root / "plainconf.py").write_text(plain, encoding="utf-8")
    (root / "plaincache.py").write_text(
        plain + "# The best plain Pelican does warm: its own content cache, and its output folder kept.\n"
        'OUTPUT_PATH = "plain-cached-output"\nCACHE_PATH = "plain-cache"\nCACHE_CONTENT = True\n'
        "LOAD_CONTENT_CACHE = True\n", encoding="utf-8")
    return settings


def _git(root: Path, *args: str, when: datetime) -> None:
    moment = when.isoformat(timespec="seconds")
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, **GIT_IDENTITY, "GIT_AUTHOR_DATE": moment, "GIT_COMMITTER_DATE": moment})


def commit_history(root: Path, today: date) -> int:
    """Make the site at `root` a git repository: everything committed 400 days before `today`, then a commit a
    week before it that moves every third seminar a day later (raising its `sequence` to 1, as an editor must)
    and adds a sentence to the next one (no raise needed). Returns how many seminars were moved."""
    (root / ".gitignore").write_text(IGNORED, encoding="utf-8")
    first = datetime.combine(today - timedelta(days=400), time(9), tzinfo=UTC)
    _git(root, "init", "--quiet", "--initial-branch=main", when=first)
    _git(root, "add", "--all", when=first)
    _git(root, "commit", "--quiet", "--message=Synthetic site", when=first)
    seminars = sorted((root / "content" / "seminars").glob("*.md"))
    for path in seminars[1::3]:
        path.write_text(path.read_text(encoding="utf-8") + "\nJetzt mit Verkostung.\n", encoding="utf-8")
    moved = seminars[::3]
    for path in moved:
        head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        later = [_a_day_later(line) if line.startswith(("start:", "end:")) else line for line in head.splitlines()]
        path.write_text("\n".join([*later, "sequence: 1"]) + "\n\n" + body, encoding="utf-8")
    _git(root, "commit", "--quiet", "--all", "--message=Seminars moved", when=first + timedelta(days=393))
    return len(moved)


def _a_day_later(line: str) -> str:
    """`start: 2028-05-14T18:00` → `start: 2028-05-15T18:00`."""
    key, _, moment = line.partition(": ")
    return f"{key}: {(datetime.fromisoformat(moment) + timedelta(days=1)).isoformat(timespec='minutes')}"
