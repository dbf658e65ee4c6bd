"""The shop's frame: whole cards as one link each, the header's menu without JavaScript, the 401 page naming who
gives access — and nothing of the member area on that public page."""

from __future__ import annotations

import re

import pytest

from conftest import Site, needs_program
from sitebuild import BuildFailed

CLOCK = "2027-01-15T09:00"


def contact(site: Site, slug: str, audience: str) -> None:
    site.write(f"contacts/{slug}.md", f"""\
        name: Jonas Kanarienberger
        audience: {audience}
        role: Kundenservice
        email: {slug}@example.org
        phone: +49 761 1234 5

        Text.
        """)


def test_the_401_page_names_the_access_contact_and_nothing_of_the_member_area(site: Site) -> None:
    contact(site, "jonas", "public")
    site.write("products/geheim.md", "title: Kanarienröstung\nsummary: Eine kanarienbohne.\n\nText.\n")
    site.settings_file.write_text(site.settings_file.read_text() + 'GATE_ACCESS_CONTACT = "jonas"\n')
    site.build(CLOCK)
    page = (site.output / "401.html").read_text(encoding="utf-8")
    assert "Jonas Kanarienberger hilft Ihnen gern." in page
    assert 'href="mailto:jonas@example.org?subject=Zugang%20zum%20Kundenbereich"' in page
    assert 'href="tel:+4976112345"' in page
    assert "kanarienröstung" not in page.lower() and "kanarienbohne" not in page.lower()


def test_without_an_access_contact_the_401_page_asks_to_get_in_touch(site: Site) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nText.\n")
    site.build(CLOCK)
    page = (site.output / "401.html").read_text(encoding="utf-8")
    assert "Sprechen Sie uns an – wir helfen Ihnen gern weiter." in page and "hilft Ihnen gern." not in page


@pytest.mark.usefixtures("english_messages")
def test_a_members_only_access_contact_is_refused(site: Site) -> None:
    """The public run never has a members' contact: the 401 page would silently name no one."""
    contact(site, "jonas", "members")
    contact(site, "lena", "public")
    site.settings_file.write_text(site.settings_file.read_text() + 'GATE_ACCESS_CONTACT = "jonas"\n')
    with pytest.raises(BuildFailed) as failure:
        site.build(CLOCK)
    assert "GATE_ACCESS_CONTACT: expected the slug of a contact person in contacts/ whom the public may see " \
           "(lena), found 'jonas'" in str(failure.value)


def test_every_card_is_one_link_and_the_menu_a_disclosure(site: Site) -> None:
    site.write("products/bohne.md", "title: Bohne\nsummary: Mit [Link](https://example.org/).\n"
                                    "public_from: 2027-02-05T09:00\n\nText.\n")
    site.write("seminars/kurs.md", "title: Kurs\naudience: public\nstart: 2027-05-14T18:00\n"
                                   "end: 2027-05-14T20:00\n\nText.\n")
    site.build(CLOCK)
    for path in ("members/index.html", "members/produkte/index.html", "index.html", "seminare/index.html"):
        page = (site.output / path).read_text(encoding="utf-8")
        cards = re.findall(r'<article class="card.*?</article>', page, re.S)
        assert cards, path
        for card in cards:
            links = re.findall(r"<a\b[^>]*>", card)
            assert len(links) == 1 and 'class="card__title"' in card, (path, links)
        header = re.search(r"<header class=\"site-header.*?</header>", page, re.S)[0]
        assert re.search(r'<details class="menu">\s*<summary class="menu__toggle">.*?</summary>\s*<nav ', header,
                         re.S), path


def test_screenshots_of_both_sites_at_phone_and_desktop_width(site: Site, tmp_path) -> None:
    """`invoke screenshots`: every main page that was built, both sites, 375 and 1280 px, light and dark."""
    needs_program("chromium", "chromium")
    from design.screenshots import take

    site.write("products/bohne.md", "title: Bohne\npublic_from: 2027-02-05T09:00\n\nText.\n")
    site.write("pages/ueber-uns.md", "title: Über uns\n\nText.\n")
    site.build(CLOCK)
    shots = take(site.output, tmp_path / "screenshots")
    names = {shot.path.name for shot in shots}
    for page in ("public-index", "public-products", "public-401", "members-index", "members-product"):
        for variant in ("375-light", "1280-light", "375-dark", "1280-dark"):
            assert f"{page}-{variant}.png" in names
    assert "public-product-375-light.png" not in names  # the public run has no product yet
    for shot in shots:
        header = shot.path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(header[16:20], "big") == shot.width
        assert shot.overflow_px <= 0, shot.path.name


def test_a_card_is_one_target_but_its_contact_links_stay_reachable(site: Site) -> None:
    """In Chromium with a touch screen's coarse pointer: a tap on a product card's picture or summary lands on its
    title's link; a contact card's e-mail link is not covered by its card."""
    needs_program("chromium", "chromium")
    from design.screenshots import chromium, serving

    site.image("images/products/bohne.svg")
    site.write("products/bohne.md", "title: Bohne\nsummary: Eine blumige Bohne.\nimage: images/products/bohne.svg\n"
                                    "image_alt: Eine Tüte\npublic_from: 2027-02-05T09:00\n\nText.\n")
    contact(site, "jonas", "members")
    site.build(CLOCK)
    hit = "([x, y]) => { const e = document.elementFromPoint(x, y); return e.closest('a')?.getAttribute('href'); }"
    centre = "e => { const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }"
    with serving(site.output) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 900}, has_touch=True, is_mobile=True)
        page.goto(f"{base}/members/produkte/")
        title = page.get_attribute(".card .card__title a", "href")
        assert title and title.endswith("produkte/bohne/")
        for part in (".card__image", ".card__summary", ".badge"):
            assert page.evaluate(hit, page.eval_on_selector(f".card {part}", centre)) == title, part
        page.goto(f"{base}/members/ansprechpartner/")
        mail = page.eval_on_selector(".card .contact__ways a[href^='mailto:']", centre)
        assert page.evaluate(hit, mail) == "mailto:jonas@example.org"
