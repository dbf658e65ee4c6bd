"""`invoke check`: every problem at once, as `path:line: field: erwartet …, gefunden …` (in German unless the
project sets MESSAGES_LANG = "en"); the build runs the same validation; warnings never fail."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest
from invoke import Context, Exit

from conftest import ROOT, Site
from sitebuild import ContentErrors


def load_tasks(monkeypatch: pytest.MonkeyPatch, root) -> object:
    """tasks.py, pointed at a test site instead of the repository."""
    spec = importlib.util.spec_from_file_location("vorab_tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    monkeypatch.setattr(tasks, "ROOT", root)
    return tasks


def broken_site(site: Site) -> None:
    site.write("pages/ueber-uns.md", """\
        title: Über uns

        Siehe [Lieferung]({filename}lieferung.md) und [FAQ]({filename}/faq/abo.md#pause).
        """)
    site.write("faq/abo.md", """\
        title: Abo pausieren
        publc_from: 2027-02-01

        Antwort.
        """)


def test_check_reports_every_problem_with_path_line_and_suggestion(site: Site, monkeypatch, capsys) -> None:
    broken_site(site)
    tasks = load_tasks(monkeypatch, site.root)
    with pytest.raises(Exit) as caught:
        tasks.check(Context())
    assert caught.value.code == 1
    assert caught.value.message.splitlines() == [
        "2 Probleme in den Inhalten oder Einstellungen; nichts wurde erstellt:",
        "  content/faq/abo.md:2: publc_from: erwartet ein Feld von faq (meinten Sie 'public_from'?), "
        "gefunden 'publc_from'",
        "  content/pages/ueber-uns.md:3: Link: erwartet eine vorhandene Datei unter content/, gefunden 'lieferung.md'",
        "Nach dem Beheben `invoke check` ausführen.",
    ]


def test_newsletter_references_and_links_are_reported_together(site: Site) -> None:
    site.write("products/geisha.md", "title: Geisha\n\nBlumig, siehe [Abo]({filename}../faq/abo.md).\n")
    site.write("faq/abo.md", "title: Abo\n\nAntwort.\n")
    site.write("../newsletters/januar.md", "subject: Januar\nsend_date: 2027-01-20\nproducts: geisha, gesha\n\n"
                                           "Hallo, siehe [Geisha]({filename}/products/geissha.md).\n")
    with pytest.raises(ContentErrors) as caught:
        site.build("2027-01-15T09:00")
    assert [str(p) for p in caught.value.problems] == [
        "newsletters/januar.md:3: products: erwartet Slugs aus content/products/ (meinten Sie 'geisha'?), "
        "gefunden 'gesha'",
        "newsletters/januar.md:5: Link: erwartet eine vorhandene Datei unter content/, gefunden '/products/geissha.md'",
    ]


def test_warnings_are_printed_and_do_not_fail(site: Site, monkeypatch, capsys) -> None:
    site.write("products/geisha.md", """\
        title: Geisha
        public_from: 2027-03-01
        expires: 2027-02-01

        Blumig.
        """)
    load_tasks(monkeypatch, site.root).check(Context())
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("Warnung: content/products/geisha.md:2: public_from: erwartet einen Zeitpunkt vor expires "
                      "(2027-02-01T00:00:00+01:00) — so wird es nie öffentlich, gefunden '2027-03-01'")
    assert re.fullmatch(r"OK: 1 Datei geprüft, 1 Warnung\(en\) \(\d+\.\d\d s\)\.", out[1])
    assert len(out) == 2


def test_check_passes_on_the_sample() -> None:
    done = subprocess.run([sys.executable, "-m", "invoke", "check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.fullmatch(r"OK: \d+ Dateien geprüft, 0 Warnung\(en\) \(\d+\.\d\d s\)\.\n", done.stdout)
