"""Public for a window, then members-only (`public_until`): real builds a second before, at and a second after
the boundary. The item — a canary in its body and title — is in every public channel until the boundary and in
none from then on (pages, listings, feeds, search index, calendars, sitemap-like lists), while the member area
keeps it with its archive badge; the release calendar lists the moment; the field is validated."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from invoke import Context

from audiences.rules import parse_moment
from conftest import Site
from sitebuild import ContentErrors
from test_editor_check import load_tasks
from test_promise_edges import public_texts

BOUNDARY = "2027-02-01T09:00"
CANARY = "Fensterkanarie"  # in the seminar's title and the article's body: every channel that lists them


def window_site(site: Site) -> None:
    site.write("pages/ernte-bericht.md", f"""\
        title: Erntebericht {CANARY}
        public_until: {BOUNDARY}

        Am Erscheinungstag für alle: der {CANARY}bericht aus Huila mit allen Zahlen der Ernte.
        """)
    site.write("seminars/offene-roesterei.md", f"""\
        title: Offene Rösterei {CANARY}
        audience: public
        public_until: {BOUNDARY}
        start: 2027-03-10 18:00
        end: 2027-03-10 20:00
        location: Rösterei, Halle 2

        Ein Abend für alle, danach im Archiv der Kunden.
        """)


def at(moment: str, seconds: int) -> str:
    return (parse_moment(moment, "Europe/Berlin") + timedelta(seconds=seconds)).isoformat()


def holding(texts: dict[str, list[str]], word: str) -> list[str]:
    return sorted(name for name, decoded in texts.items() if any(word.lower() in text for text in decoded))


def test_the_item_leaves_every_public_file_at_the_boundary_and_stays_for_members(site: Site) -> None:
    window_site(site)
    site.build(at(BOUNDARY, -1))
    before = holding(public_texts(site), CANARY)
    channels = {"ernte-bericht/index.html", "index.html", "seminare/index.html", "seminare/kalender.ics",
                "seminare/offene-roesterei/index.html", "seminare/offene-roesterei/offene-roesterei.ics"}
    assert channels <= {name.removeprefix("seiten/") for name in before}, before
    assert any(name.startswith("pagefind/fragment/") for name in before), before  # the public search found it

    for seconds in (0, 1):
        result = site.build(at(BOUNDARY, seconds))
        assert result.gate.passed
        assert holding(public_texts(site), CANARY) == []
        members = {name: data.decode("utf-8", "replace") for name, data in site.files(members=True).items()}
        page = next(text for name, text in members.items() if name.endswith("ernte-bericht/index.html"))
        assert f"{CANARY}bericht aus Huila" in page
        assert "Archiv für Kunden · bis" in page and 'datetime="2027-02-01T09:00:00+01:00"' in page
        assert CANARY in members["members/seminare/kalender.ics"]


def test_the_release_calendar_lists_the_end_of_the_window(site: Site, monkeypatch, capsys) -> None:
    window_site(site)
    load_tasks(monkeypatch, site.root).schedule_(Context(), from_="2027-01-15", days=30, json=True)
    rows = [(t["moment"], t["what"], t["path"]) for t in json.loads(capsys.readouterr().out)["transitions"]]
    assert rows == [
        ("2027-02-01T09:00:00+01:00", "no longer public: members only (archive)", "content/pages/ernte-bericht.md"),
        ("2027-02-01T09:00:00+01:00", "no longer public: members only (archive)",
         "content/seminars/offene-roesterei.md"),
    ]
    load_tasks(monkeypatch, site.root).schedule_(Context(), from_="2027-01-15", days=30)
    assert "2027-02-01T09:00+01:00  nicht mehr öffentlich: nur noch members (Archiv)  content/pages/ernte-bericht.md" \
        in capsys.readouterr().out


def test_a_window_that_ends_before_it_opens_is_refused(site: Site) -> None:
    site.write("products/geisha.md", "title: Geisha\npublic_from: 2027-03-01\npublic_until: 01.02.2027 09:00\n\n"
                                     "Blumig.\n")
    with pytest.raises(ContentErrors) as refused:
        site.build("2027-01-15T09:00")
    assert "content/products/geisha.md:3: public_until: erwartet einen Zeitpunkt nach public_from " \
           "(2027-03-01T00:00:00+01:00), gefunden '01.02.2027 09:00'" in str(refused.value)
    assert not site.output.exists()
