"""`invoke new`: every field of the type, explained, a German-aware slug, never an overwrite; the new file is
valid as it stands and builds once published."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from invoke import Context, Exit

from catalog.schema import BY_FOLDER
from conftest import Site
from sitebuild.frontmatter import parse_source
from test_editor_check import load_tasks


def test_new_writes_every_field_and_a_german_slug(site: Site, monkeypatch, capsys) -> None:
    load_tasks(monkeypatch, site.root).new(Context(), "product", "Röstung für Büros: Straße")
    path = site.root / "content" / "products" / "roestung-fuer-bueros-strasse.md"
    source = parse_source(path.read_text(encoding="utf-8"), "x")
    assert list(source.entries) == list(BY_FOLDER["products"].fields)
    assert source.value("title") == "Röstung für Büros: Straße"
    assert source.value("status") == "draft"
    # Written the way the editors write dates, from today in the site's zone: a day before or after this
    # machine's date around midnight
    four_weeks = datetime.now().date() + timedelta(weeks=4)
    assert source.value("public_from") in {(four_weeks + timedelta(days=days)).strftime("%d.%m.%Y")
                                           for days in (-1, 0, 1)}
    assert source.body.startswith("<!--\nDie Felder von products (ein leerer Wert heißt: nicht gesetzt; diese Notiz "
                                  "darf jederzeit gelöscht werden):\ntitle         Pflichtfeld; Text\n")
    assert "offer_code    Text; nur im Kundenbereich: nie auf der öffentlichen Website\n" in source.body
    assert source.body.endswith("\nDanach: invoke check, invoke schedule, invoke preview.\n-->\n\n"
                                "Hier den Text schreiben.")
    assert capsys.readouterr().out == ("content/products/roestung-fuer-bueros-strasse.md angelegt (status: draft). "
                                       "Ausfüllen, dann: invoke check\n")


def test_new_refuses_to_overwrite(site: Site, monkeypatch) -> None:
    tasks = load_tasks(monkeypatch, site.root)
    tasks.new(Context(), "faq", "Wie lange hält Kaffee?")
    path = site.root / "content" / "faq" / "wie-lange-haelt-kaffee.md"
    path.write_text("title: Mein Text\n\nSchon geschrieben.\n", encoding="utf-8")
    with pytest.raises(Exit) as caught:
        tasks.new(Context(), "faq", "Wie lange hält Kaffee?")
    assert caught.value.code == 1
    assert caught.value.message == f"{path}: gibt es schon; nichts wurde geschrieben"
    assert path.read_text(encoding="utf-8") == "title: Mein Text\n\nSchon geschrieben.\n"


def test_unknown_type_is_refused(site: Site, monkeypatch) -> None:
    with pytest.raises(Exit) as caught:
        load_tasks(monkeypatch, site.root).new(Context(), "blog", "Hallo")
    assert caught.value.message == ("type: erwartet einen der Werte products, seminars, faq, contacts, pages, "
                                    "newsletters, gefunden 'blog'")


def test_every_new_file_passes_check_and_builds_once_published(site: Site, monkeypatch) -> None:
    tasks = load_tasks(monkeypatch, site.root)
    for folder in BY_FOLDER:
        tasks.new(Context(), folder, f"Neu in {folder}")
    tasks.check(Context())  # drafts as scaffolded: valid
    files = [*site.root.joinpath("content").rglob("*.md"), *site.root.joinpath("newsletters").glob("*.md")]
    for path in files:
        path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: published"),
                        encoding="utf-8")
    clock = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    result = site.build(clock)
    assert result.items == {"public": 1, "members": 6}  # the page; and every type, the newsletter included
    assert (site.root / "dist" / "newsletters" / "neu-in-newsletters").is_dir()
