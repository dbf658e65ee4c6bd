"""`invoke schedule`: every coming transition in time order, by the one visibility rule."""

from __future__ import annotations

import json

import pytest
from invoke import Context
from invoke.exceptions import Exit

from conftest import Site
from test_editor_check import load_tasks


def scheduled_site(site: Site) -> None:
    site.write("products/geisha.md", """\
        title: Geisha
        members_from: 2027-02-01T09:00
        public_from: 2027-03-01T09:00
        expires: 2027-06-01

        Blumig.
        """)
    site.write("seminars/cupping.md", """\
        title: Cupping
        start: 2027-02-20T18:00
        end: 2027-02-20T20:00

        Verkosten.
        """)
    site.write("faq/intern.md", """\
        title: Nur intern
        members_from: 2027-01-20

        Antwort.
        """)
    site.write("pages/frueher.md", "title: Früher\nexpires: 2027-01-10\n\nVorbei.\n")  # before the period
    site.write("../newsletters/februar.md", "subject: Februar\nsend_date: 2027-02-02T09:00\nproducts: geisha\n\n"
                                            "Hallo.\n")


def test_json_lists_the_transitions_in_time_order(site: Site, monkeypatch, capsys) -> None:
    scheduled_site(site)
    load_tasks(monkeypatch, site.root).schedule_(Context(), from_="2027-01-15", days=365, json=True)
    calendar = json.loads(capsys.readouterr().out)
    assert [(t["moment"], t["what"], t["path"], t["head_start_days"]) for t in calendar["transitions"]] == [
        ("2027-01-20T00:00:00+01:00", "visible to members", "content/faq/intern.md", None),
        ("2027-02-01T09:00:00+01:00", "visible to members", "content/products/geisha.md", 28),
        ("2027-02-02T09:00:00+01:00", "newsletter sent to members", "newsletters/februar.md", None),
        ("2027-02-20T18:00:00+01:00", "seminar starts", "content/seminars/cupping.md", None),
        ("2027-03-01T09:00:00+01:00", "public", "content/products/geisha.md", 28),
        ("2027-06-01T00:00:00+02:00", "expires", "content/products/geisha.md", None),
    ]
    assert calendar["warnings"] == [  # for people: in the language of messages; `what` stays English for programs
        "content/faq/intern.md: Kunden sehen es ab 2027-01-20T00:00+01:00, öffentlich wird es aber nie "
        "(kein public_from, oder public_from nicht vor expires)"]


def test_table_shows_the_head_start_and_the_window(site: Site, monkeypatch, capsys) -> None:
    scheduled_site(site)
    load_tasks(monkeypatch, site.root).schedule_(Context(), from_="2027-02-01T12:00", days=20)
    assert capsys.readouterr().out.splitlines() == [
        "Änderungen von 2027-02-01T12:00+01:00 bis 2027-02-21T12:00+01:00:",
        "2027-02-02T09:00+01:00  Newsletter an members versandt  newsletters/februar.md  Februar",
        "2027-02-20T18:00+01:00  Seminar beginnt                 content/seminars/cupping.md  Cupping"]


def test_table_shows_the_members_head_start_and_what_is_never_public(site: Site, monkeypatch, capsys) -> None:
    scheduled_site(site)
    load_tasks(monkeypatch, site.root).schedule_(Context(), from_="2027-01-15", days=20)
    assert capsys.readouterr().out.splitlines() == [
        "Änderungen von 2027-01-15T00:00+01:00 bis 2027-02-04T00:00+01:00:",
        "2027-01-20T00:00+01:00  sichtbar für members            content/faq/intern.md  Nur intern (nie öffentlich)",
        "2027-02-01T09:00+01:00  sichtbar für members            content/products/geisha.md  Geisha "
        "(Vorsprung der Kunden: 28 Tage)",
        "2027-02-02T09:00+01:00  Newsletter an members versandt  newsletters/februar.md  Februar",
        "Warnung: content/faq/intern.md: Kunden sehen es ab 2027-01-20T00:00+01:00, öffentlich wird es aber nie "
        "(kein public_from, oder public_from nicht vor expires)"]


def test_a_bad_start_is_reported_as_the_option_the_editor_typed(site: Site, monkeypatch) -> None:
    scheduled_site(site)
    with pytest.raises(Exit) as refused:
        load_tasks(monkeypatch, site.root).schedule_(Context(), from_="31.2.2027")
    assert refused.value.message == ("--from: erwartet ein Datum oder Datum mit Uhrzeit (z. B. 15.01.2027 09:00 oder "
                                     "2027-01-15T09:00), gefunden '31.2.2027'")
