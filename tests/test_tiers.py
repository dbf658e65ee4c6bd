"""A third tier (`AUDIENCE_TIERS = ("public", "members", "gold")`) end to end in real builds: a gold-only item
with canaries in its body, its member-only field and its members-only part is in the gold area only until its
`members_from`, then in the member area too, then public (without its member-only field and part); the leak gate
proves the member area holds nothing of it before `members_from`, as it proves it for the public site; the date
order must follow the tier order."""

from __future__ import annotations

import shutil

import pytest

from audiences.rules import parse_moment
from conftest import Site
from sitebuild import ContentErrors, LeakFound, Project, build

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
    assert str(refused.value).count("\n") >= 1
    assert "content/products/bourbon.md:2: gold_from: erwartet einen Zeitpunkt, der nicht nach members_from liegt " \
           "(2027-02-01T09:00:00+01:00), gefunden '2027-02-15'" in str(refused.value)


def test_two_tiers_know_no_gold_from(site: Site) -> None:
    site.write("products/bourbon.md", "title: Bourbon\ngold_from: 2027-02-15\n\nRund.\n")
    with pytest.raises(ContentErrors, match="content/products/bourbon.md:2: gold_from: erwartet ein Feld von "
                                            "products"):
        site.build(BEFORE)
