"""A third tier (`AUDIENCE_TIERS = ("public", "members", "gold")`) end to end in real builds: a gold-only item
with canaries in its body, its member-only field and its members-only part is in the gold area only until its
`members_from`, then in the member area too, then public (without its member-only field and part); the leak gate
proves the member area holds nothing of it before `members_from`, as it proves it for the public site; the date
order must follow the tier order."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest
from invoke import Context

from audiences.rules import parse_moment
from conftest import Site
from sitebuild import ContentErrors, LeakFound, Project, build
from test_editor_check import load_tasks

BODY, FIELD, PART = "kanariengoldbohne", "GOLDKANARIE10", "kanarienkundenpreis"
BEFORE, MEMBERS, PUBLIC = "2027-01-15T09:00", "2027-02-01T09:00", "2027-03-01T09:00"


def three_tiers(site: Site) -> None:
    with site.settings_file.open("a", encoding="utf-8") as settings:
        settings.write('AUDIENCE_TIERS = ("public", "members", "gold")\n')
    site.write("products/goldbohne.md", f"""\
        title: Goldbohne aus Nariño
        audience: gold
        members_from: {MEMBERS}
        public_from: {PUBLIC}
        offer: Zehn Prozent auf die erste Bestellung
        offer_code: {FIELD}

        Die {BODY} aus Nariño schmeckt nach Honig und reifen Pflaumen.

        <!-- members-only -->

        Der {PART} gilt bis Ende März für jede Bestellung ab fünf Kilo.
        """)
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten Kaffee.\n")


def texts(site: Site, folder: str) -> str:
    """Every file of one area (folder '' = the public site: everything outside the member areas), lower-cased."""
    areas = ("members/", "gold/")
    return " ".join(path.read_text(encoding="utf-8", errors="replace").lower()
                    for path in sorted(site.output.rglob("*")) if path.is_file()
                    and (path.relative_to(site.output).as_posix().startswith(f"{folder}/") if folder
                         else not path.relative_to(site.output).as_posix().startswith(areas)))


@pytest.mark.parametrize(("clock", "seen_by"), [
    (BEFORE, {"gold"}),
    (MEMBERS, {"gold", "members"}),
    (PUBLIC, {"gold", "members", ""}),
])
def test_each_tier_sees_the_item_from_its_own_moment(site: Site, clock: str, seen_by: set[str]) -> None:
    three_tiers(site)
    result = site.build(clock)
    assert result.gate.passed
    for folder in ("", "members", "gold"):
        found = texts(site, folder)
        assert (BODY in found) == (folder in seen_by), (folder, clock)
        assert (FIELD.lower() in found) == (folder in seen_by and folder != ""), (folder, clock)
        assert (PART in found) == (folder in seen_by and folder != ""), (folder, clock)
    assert (site.output / "gold" / "produkte" / "goldbohne" / "index.html").is_file()


def test_the_gate_proves_the_member_area_holds_nothing_of_gold_before_members_from(site: Site) -> None:
    """A step that copies the gold area's page into the member area (as a broken step or template would) is
    refused before `members_from`, and is no leak from then on."""
    three_tiers(site)

    def copy_gold_page(context) -> None:
        page = context.audience_root("gold") / "produkte" / "goldbohne" / "index.html"
        target = context.audience_root("members") / "kopie" / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
        context.produced.add(str(target))

    project = Project(site.settings_file)
    with pytest.raises(LeakFound) as caught:
        build(project, parse_moment(BEFORE, "Europe/Berlin"), steps=[copy_gold_page])
    hits = {(hit.file, hit.fingerprint.kind) for hit in caught.value.report.hits}
    assert ("members/kopie/index.html", "body") in hits and ("members/kopie/index.html", "offer_code") in hits
    assert all(file.startswith("members/") for file, _kind in hits)
    assert not site.output.exists()
    assert build(project, parse_moment(MEMBERS, "Europe/Berlin"), steps=[copy_gold_page]).gate.passed


def test_a_tier_may_not_see_an_item_after_a_lower_one(site: Site) -> None:
    three_tiers(site)
    site.write("products/bourbon.md", f"title: Bourbon\ngold_from: 2027-02-15\nmembers_from: {MEMBERS}\n\nRund.\n")
    with pytest.raises(ContentErrors) as refused:
        site.build(BEFORE)
    assert "content/products/bourbon.md:2: gold_from: erwartet einen Zeitpunkt, der nicht nach members_from liegt " \
           "(2027-02-01T09:00:00+01:00), gefunden '2027-02-15'" in str(refused.value)


def test_two_tiers_know_no_gold_from(site: Site) -> None:
    site.write("products/bourbon.md", "title: Bourbon\ngold_from: 2027-02-15\n\nRund.\n")
    with pytest.raises(ContentErrors) as refused:
        site.build(BEFORE)
    assert "content/products/bourbon.md:2: gold_from: erwartet ein Feld von products" in str(refused.value)


def test_a_gold_issue_reaches_gold_before_members_and_says_by_how_much(site: Site) -> None:
    three_tiers(site)
    site.write("../newsletters/gold-januar.md", "subject: Nur für Top-Kunden\naudience: gold\n"
                                                 "send_date: 2027-01-16T09:00\nproducts: goldbohne\n\nHallo.\n")
    site.build(BEFORE)
    manifest = json.loads((site.root / "dist" / "newsletters" / "gold-januar" / "manifest.json").read_text())
    assert (manifest["audience"], manifest["head_start_over"]) == ("gold", "members")
    assert [(f["slug"], f["head_start_days"]) for f in manifest["featured"]] == [("goldbohne", 16)]
    assert (site.output / "gold" / "newsletter" / "gold-januar" / "index.html").is_file()
    assert not (site.output / "members" / "newsletter" / "gold-januar").exists()

    site.write("../newsletters/gold-januar.md", "subject: Nur für Top-Kunden\naudience: gold\n"
                                                 "send_date: 2027-01-31T21:00\nproducts: goldbohne\n\nHallo.\n")
    with pytest.raises(ContentErrors) as refused:
        site.build(BEFORE)
    assert "newsletters/gold-januar.md:4: products: erwartet einen Vorsprung von mindestens 1 Tag, bevor members " \
           "es sehen (2027-02-01T09:00:00+01:00 liegt nur 12 Stunden nach send_date), gefunden 'goldbohne'" \
           in str(refused.value)


def test_the_gold_area_says_how_far_ahead_its_readers_are(site: Site) -> None:
    three_tiers(site)
    site.write("products/bourbon.md", "title: Bourbon\ngold_from: 2027-01-10\nmembers_from: 2027-02-05T09:00\n\n"
                                      "Rund.\n")
    site.build(BEFORE)
    gold = (site.output / "gold" / "produkte" / "index.html").read_text(encoding="utf-8")
    assert "Vorschau für Top-Kunden · für alle Kunden ab <time datetime=\"2027-02-05T09:00:00+01:00\">" in gold
    assert "Sie sehen es 3 Wochen vor allen Kunden" in gold  # 21 days
    assert "Sie sehen es 2 Wochen vor allen Kunden" in gold  # the gold item, for members from 1 February: 17 days
    assert "<span class=\"brand__area\">Bereich für Top-Kunden</span>" in gold
    members = (site.output / "members" / "produkte" / "index.html").read_text(encoding="utf-8")
    assert "Top-Kunden" not in members and "Bourbon" not in members


def test_search_calendars_and_the_schedule_per_tier(site: Site, monkeypatch, capsys) -> None:
    three_tiers(site)
    site.write("seminars/gold-cupping.md", f"title: Cupping für Top-Kunden\naudience: gold\nmembers_from: {MEMBERS}\n"
                                          "start: 2027-03-10 18:00\nend: 2027-03-10 20:00\nlocation: Rösterei\n\n"
                                          "Wir verkosten die Goldbohne.\n")
    site.build(BEFORE)
    index = {folder: " ".join(gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
                              for p in (site.output / folder / "pagefind" / "fragment").glob("*.pf_fragment"))
             for folder in ("", "members", "gold")}
    assert BODY in index["gold"].lower() and BODY not in index["members"].lower() + index[""].lower()
    assert "Cupping für Top-Kunden" in (site.output / "gold" / "seminare" / "kalender.ics").read_text()
    assert "Cupping für Top-Kunden" not in (site.output / "members" / "seminare" / "kalender.ics").read_text()
    load_tasks(monkeypatch, site.root).schedule_(Context(), from_="2027-01-15", days=60, json=True)
    rows = [(t["moment"], t["what"], t["path"]) for t in json.loads(capsys.readouterr().out)["transitions"]]
    assert ("2027-02-01T09:00:00+01:00", "visible to members", "content/products/goldbohne.md") in rows
    assert ("2027-03-01T09:00:00+01:00", "public", "content/products/goldbohne.md") in rows


ONCE = "erwartet die Öffentlichkeit und mindestens eine Kundenstufe, jede einmal, die niedrigste zuerst (z. B. " \
       "('public', 'members'))"


@pytest.mark.parametrize(("tiers", "problems"), [
    ('("public",)', [f"pelicanconf.py:6: AUDIENCE_TIERS: {ONCE}, gefunden ('public',)"]),
    ('("public", "public")', [f"pelicanconf.py:6: AUDIENCE_TIERS: {ONCE}, gefunden ('public', 'public')"]),
    ('("public", "Gold Kunden")', [
        "pelicanconf.py:6: AUDIENCE_TIERS: erwartet eine Liste; jedes Element: einen Slug aus Kleinbuchstaben, "
        "Ziffern und Bindestrichen, gefunden ('public', 'Gold Kunden')",
        "pelicanconf.py:6: GOLD KUNDEN_PATH: erwartet einen Ordnernamen (Buchstaben, Ziffern, _ -), gefunden "
        "'Gold Kunden'"]),
])
def test_tiers_that_cannot_be_are_refused_before_any_file_is_read(site: Site, tiers: str, problems: list[str]) -> None:
    with site.settings_file.open("a", encoding="utf-8") as settings:
        settings.write(f"AUDIENCE_TIERS = {tiers}\n")
    site.write("products/bourbon.md", "title: Bourbon\n\nRund.\n")
    with pytest.raises(ContentErrors) as refused:
        site.build(BEFORE)
    assert [line.strip() for line in str(refused.value).splitlines()[1:]] == problems
    assert not site.output.exists()


def test_a_tier_with_a_dash_has_settings_python_can_name(site: Site) -> None:
    with site.settings_file.open("a", encoding="utf-8") as settings:
        settings.write('AUDIENCE_TIERS = ("public", "members", "top-kunden")\nTOP_KUNDEN_PATH = "top"\n')
    site.write("products/bourbon.md", "title: Bourbon\naudience: top-kunden\n\nRund.\n")
    site.build(BEFORE)
    assert (site.output / "top" / "produkte" / "bourbon" / "index.html").is_file()
    assert "Bereich für top-kunden" in (site.output / "top" / "index.html").read_text(encoding="utf-8")
