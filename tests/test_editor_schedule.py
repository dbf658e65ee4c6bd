"""`invoke schedule`: every coming transition in time order, by the one visibility rule."""

from __future__ import annotations

import json

from invoke import Context

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
    assert calendar["warnings"] == [
        "content/faq/intern.md: members see it from 2027-01-20T00:00+01:00, but it will never be public "
        "(no public_from, or public_from not before expires)"]


def test_table_shows_the_head_start_and_the_window(site: Site, monkeypatch, capsys) -> None:
    scheduled_site(site)
    load_tasks(monkeypatch, site.root).schedule_(Context(), from_="2027-02-01T12:00", days=20)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Transitions from 2027-02-01T12:00+01:00 to 2027-02-21T12:00+01:00:"
    assert [line.split()[1] for line in lines[1:]] == ["newsletter", "seminar"]
