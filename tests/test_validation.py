"""Bad input: every problem reported at once as `path:line: field: erwartet …, gefunden …` (German, as editors read
it; vorab/messages.py); nothing written."""

from __future__ import annotations

import pytest

from conftest import Site, tree_digest
from sitebuild import ContentErrors

GOOD_PAGE = """\
    title: Über uns
    summary: Wer wir sind.

    Wir rösten Kaffee.
    """


def problems(site: Site, as_of: str = "2027-01-15T09:00") -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        site.build(as_of)
    return [str(p) for p in caught.value.problems]


def test_every_problem_is_reported_at_once_and_output_is_untouched(site: Site) -> None:
    site.write("pages/ueber-uns.md", GOOD_PAGE)
    site.build("2027-01-15T09:00")
    before = tree_digest(site.output)

    site.write("products/bohne.md", """\
        title: Bohne
        audience: everyone
        status: secret
        public_from: 31.2.2027
        image: images/products/fehlt.svg

        Text.
        """)
    site.write("seminars/cupping.md", """\
        title: Cupping
        start: 2027-05-14T18:00
        end: 2027-05-14T17:00
        members_from: 2027-04-01
        public_from: 2027-03-01
        """)
    site.write("faq/ohne-titel.md", """\
        summary: Die Frage fehlt.
        publc_from: 2027-02-01

        Antwort.
        """)
    site.write("pages/doppelt.md", """\
        title: Doppelt
        slug: ueber-uns
        """)
    site.write("news/neu.md", "title: Neu\n")

    assert problems(site) == [
        "content/faq/ohne-titel.md:1: title: erwartet einen Wert für title, gefunden nichts",
        "content/faq/ohne-titel.md:2: publc_from: erwartet ein Feld von faq (meinten Sie 'public_from'?), "
        "gefunden 'publc_from'",
        "content/news/neu.md:1: Ordner: erwartet einen der Werte products, seminars, faq, contacts, pages, "
        "newsletters, gefunden 'news'",
        "content/pages/ueber-uns.md:1: slug: erwartet einen Slug, der sonst nirgends vorkommt (er steht schon in "
        "content/pages/doppelt.md), gefunden 'ueber-uns'",
        "content/products/bohne.md:2: audience: erwartet einen der Werte public, members, gefunden 'everyone'",
        "content/products/bohne.md:3: status: erwartet einen der Werte published, draft, gefunden 'secret'",
        "content/products/bohne.md:4: public_from: erwartet ein Datum oder Datum mit Uhrzeit "
        "(z. B. 15.01.2027, 15.01.2027 09:00, 2027-01-15 oder 2027-01-15T09:00), gefunden '31.2.2027'",
        "content/products/bohne.md:5: image: erwartet eine vorhandene Datei unter content/images/, "
        "gefunden 'images/products/fehlt.svg'",
        "content/seminars/cupping.md:3: end: erwartet einen Zeitpunkt nach start (2027-05-14T18:00:00+02:00), "
        "gefunden '2027-05-14T17:00'",
        "content/seminars/cupping.md:4: members_from: erwartet einen Zeitpunkt, der nicht nach public_from liegt "
        "(2027-03-01T00:00:00+01:00), gefunden '2027-04-01'",
    ]
    assert tree_digest(site.output) == before


def test_header_typos_never_become_body_text(site: Site) -> None:
    site.write("products/bohne.md", """\
        title: Bohne
        Public from: 2027-02-01
        offer_code: GEHEIM

        Text.
        """)
    assert problems(site) == [
        "content/products/bohne.md:2: Kopfzeilen: erwartet 'feld: wert' oder eine eingerückte Fortsetzungszeile, "
        "gefunden 'Public from: 2027-02-01'",
    ]


def test_image_needs_alt_text_and_body_links_must_resolve(site: Site) -> None:
    site.image("images/products/bohne.svg")
    site.write("products/bohne.md", """\
        title: Bohne
        image: images/products/bohne.svg

        Siehe ![Tüte]({static}/images/products/tuete.svg).
        """)
    assert problems(site) == [
        "content/products/bohne.md:1: image_alt: erwartet einen Alternativtext für image "
        "'images/products/bohne.svg', gefunden nichts",
        "content/products/bohne.md:4: Text: erwartet eine vorhandene Datei unter content/images/, "
        "gefunden '/images/products/tuete.svg'",
    ]


def test_bad_clock_is_reported(site: Site) -> None:
    from sitebuild import BuildFailed, parse_clock

    with pytest.raises(BuildFailed) as caught:
        parse_clock("Montag", {"TIMEZONE": "Europe/Berlin"})
    assert str(caught.value) == ("--as-of: erwartet ein Datum oder Datum mit Uhrzeit (z. B. 15.01.2027 09:00 oder "
                                 "2027-01-15T09:00), gefunden 'Montag'")
    assert parse_clock("15.01.2027 09:00", {"TIMEZONE": "Europe/Berlin"}).isoformat() == "2027-01-15T09:00:00+01:00"


def test_german_dates_work_like_iso_dates(site: Site) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    site.write("products/bohne.md", "title: Bohne\naudience: public\npublic_from: 10.01.2027 09:00\n"
                                    "expires: 15.01.2027\n\nKräftig.\n")
    site.build("2027-01-10T08:59")
    assert "produkte/bohne/index.html" not in site.files(members=False)
    site.build("2027-01-14T23:59")
    assert "produkte/bohne/index.html" in site.files(members=False)
    site.build("2027-01-15T00:00")  # expires: the day begins without it
    assert "produkte/bohne/index.html" not in site.files(members=False)


def test_a_plain_path_to_a_content_file_is_refused_with_the_link_to_write(site: Site) -> None:
    site.image("images/products/bohne.svg")
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    site.write("products/bohne.md", """\
        title: Bohne

        ![Tüte](../images/products/bohne.svg) und [über uns](../pages/ueber-uns.md).
        ![Fehlt](../images/products/fehlt.png), [extern](https://example.org/x.md), [Seite](../ueber-uns/)
        ![Richtig]({static}/images/products/bohne.svg)

        ```
        ![Beispiel](../images/products/bohne.svg)
        ```
        """)
    assert problems(site) == [
        "content/products/bohne.md:3: Link: erwartet {filename}/pages/ueber-uns.md (ein einfacher Pfad zu einer "
        "Datei in content/ funktioniert auf der Website nicht), gefunden '../pages/ueber-uns.md'",
        "content/products/bohne.md:3: Link: erwartet {static}/images/products/bohne.svg (ein einfacher Pfad zu "
        "einer Datei in content/ funktioniert auf der Website nicht), gefunden '../images/products/bohne.svg'",
        "content/products/bohne.md:4: Bild: erwartet eine vorhandene Datei unter content/, geschrieben als "
        "{static}/images/…, gefunden '../images/products/fehlt.png'",
    ]
