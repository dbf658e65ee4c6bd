"""The tools speak the editors' language: German by default, English with MESSAGES_LANG = "en" in the settings
(or VORAB_MESSAGES_LANG=en), in the same `path:line: field:` shape; the German catalogue translates every string
the code marks, and nothing else (vorab/messages.py)."""

from __future__ import annotations

import re
import shutil
import string
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po
from invoke import Context, Exit

from conftest import ROOT, THEME, Site
from test_editor_check import broken_site, load_tasks
from test_editor_schedule import scheduled_site
from test_house import broken_theme, line_of
from vorab import messages
from vorab.messages import _, ngettext

CATALOGUE = ROOT / "plugins" / "vorab" / "translations" / "de.po"
MessageId = str | tuple[str, ...]


# --- the catalogue ---------------------------------------------------------------------------------------------------

def marked_messages() -> dict[MessageId, str]:
    """Every string the code marks with _, N_ or ngettext (plugins/ and tasks.py) → where it is first marked."""
    found: dict[MessageId, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(ROOT / "plugins"):
        found.setdefault(message, f"plugins/{filename}:{line}")
    for line, message, _comments, _context in extract_from_file("python", ROOT / "tasks.py"):
        found.setdefault(message, f"tasks.py:{line}")
    return found


def placeholders(text: MessageId) -> set[str]:
    forms = [text] if isinstance(text, str) else list(text)
    return {name for form in forms for _literal, name, _spec, _conversion in string.Formatter().parse(form)
            if name is not None}


def catalogue_problems(catalogue: Catalog, marked: Mapping[MessageId, str]) -> list[str]:
    """What is wrong with the catalogue for the strings the code marks: a missing, empty or fuzzy translation
    (gettext would show English), other placeholders than the source's (format() would fail), a stale entry."""
    entries = {entry.id: entry for entry in catalogue if entry.id}
    problems = []
    for msgid, where in marked.items():
        entry = entries.get(msgid)
        forms = [] if entry is None else [entry.string] if isinstance(entry.string, str) else list(entry.string)
        if entry is None or entry.fuzzy or not forms or not all(forms):
            problems.append(f"{where}: no German translation of {msgid!r}")
        elif (translated := placeholders(tuple(forms))) != placeholders(msgid):
            problems.append(f"{where}: the translation of {msgid!r} has the placeholders {sorted(translated)}, "
                            f"not {sorted(placeholders(msgid))}")
    problems += [f"de.po: {msgid!r} is marked nowhere in the code" for msgid in entries if msgid not in marked]
    return problems


def read_catalogue() -> Catalog:
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="de")


def test_every_marked_message_has_a_german_translation_and_the_catalogue_no_stale_entry() -> None:
    marked = marked_messages()
    assert len(marked) > 150  # the extraction found the code's messages
    assert catalogue_problems(read_catalogue(), marked) == []


def test_the_catalogue_check_finds_a_dropped_translation_a_stale_entry_and_a_wrong_placeholder() -> None:
    catalogue, marked = read_catalogue(), marked_messages()
    catalogue.delete("nothing")
    catalogue["a whole number"].string = ""
    catalogue["{path}: already exists; nothing was written"].string = "{pfad}: gibt es schon"
    catalogue.add("a message the code no longer has", "eine Meldung, die der Code nicht mehr hat")
    assert catalogue_problems(catalogue, marked) == [
        f"{marked['a whole number']}: no German translation of 'a whole number'",
        f"{marked['{path}: already exists; nothing was written']}: the translation of "
        "'{path}: already exists; nothing was written' has the placeholders ['pfad'], not ['path']",
        f"{marked['nothing']}: no German translation of 'nothing'",
        "de.po: 'a message the code no longer has' is marked nowhere in the code",
    ]


# --- the language ----------------------------------------------------------------------------------------------------

def test_german_by_default_english_by_the_setting_and_the_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (messages.language(), _("nothing"), ngettext("{count:g} day", "{count:g} days", 2)) == \
        ("de", "nichts", "{count:g} Tage")
    assert messages.use("en") == "en" and _("nothing") == "nothing"
    monkeypatch.setenv(messages.VARIABLE, "de")
    assert _("nothing") == "nichts"
    monkeypatch.setenv(messages.VARIABLE, "fr")  # no language of ours: the setting applies
    assert _("nothing") == "nothing"
    assert messages.use("fr") == "de"  # reported by the validation; until fixed, the default
    assert messages.translations("de") is messages.translations("de")  # compiled once per process


def english(site: Site, settings_file: Path | None = None) -> None:
    """The project's settings say MESSAGES_LANG = "en"."""
    settings_file = settings_file or site.settings_file
    settings_file.write_text(site.settings_file.read_text() + 'MESSAGES_LANG = "en"\n', encoding="utf-8")


def failing(task: Callable[..., object], *args: object, **options: object) -> list[str]:
    """The lines of the Exit a task raises."""
    with pytest.raises(Exit) as caught:
        task(Context(), *args, **options)
    assert caught.value.code == 1
    return str(caught.value.message).splitlines()


def test_check_in_english_by_the_setting_and_in_german_by_the_variable(site: Site, monkeypatch) -> None:
    broken_site(site)
    english(site)
    tasks = load_tasks(monkeypatch, site.root)
    assert failing(tasks.check) == [
        "2 problems in the content or settings; nothing was built:",
        "  content/faq/abo.md:2: publc_from: expected a field of faq (did you mean 'public_from'?), "
        "found 'publc_from'",
        "  content/pages/ueber-uns.md:3: link: expected an existing file under content/, found 'lieferung.md'",
        "Run `invoke check` after fixing these.",
    ]
    monkeypatch.setenv(messages.VARIABLE, "de")
    assert failing(tasks.check)[0] == "2 Probleme in den Inhalten oder Einstellungen; nichts wurde erstellt:"


def test_a_passing_check_in_english(site: Site, monkeypatch, capsys) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    english(site)
    load_tasks(monkeypatch, site.root).check(Context())
    assert re.fullmatch(r"OK: 1 file checked, 0 warning\(s\) \(\d+\.\d\d s\)\.\n", capsys.readouterr().out)


def test_a_messages_lang_of_no_language_is_reported_in_german(site: Site, monkeypatch) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    site.settings_file.write_text(site.settings_file.read_text() + 'MESSAGES_LANG = "fr"\n', encoding="utf-8")
    line = len(site.settings_file.read_text().splitlines())
    assert failing(load_tasks(monkeypatch, site.root).check) == [
        "1 Problem in den Inhalten oder Einstellungen; nichts wurde erstellt:",
        f"  pelicanconf.py:{line}: MESSAGES_LANG: erwartet einen der Werte de, en, gefunden 'fr'",
        "Nach dem Beheben `invoke check` ausführen.",
    ]


def test_build_in_english_content_and_a_template_that_fails_in_a_pelican_run(site: Site, tmp_path: Path,
                                                                             monkeypatch) -> None:
    """The Pelican runs are forked from the build: the language chosen before is theirs too (the template's
    problem is written inside the run)."""
    site.write("products/geisha.md", "title: Geisha\naudience: public\nstatus: publihsed\n\nBlumig.\n")
    english(site)
    tasks = load_tasks(monkeypatch, site.root)
    assert failing(tasks.build, as_of="2027-01-15T09:00") == [
        "Build failed. output/ was not changed.",
        "1 problem in the content or settings; nothing was built:",
        "  content/products/geisha.md:3: status: expected one of published, draft, found 'publihsed'",
    ]
    site.write("products/geisha.md", "title: Geisha\naudience: public\n\nBlumig.\n")
    theme = broken_theme(tmp_path, "templates/product.html", "<h1>{{ item.title }}</h1>",
                         "<h1>{{ item.title }}{{ item.farbe.name }}</h1>")
    site.use_theme(theme)
    english(site)
    line = line_of(theme / "templates" / "product.html", "item.farbe")
    assert failing(tasks.build, as_of="2027-01-15T09:00") == [
        "Build failed. output/ was not changed.",
        "Pelican reported problems; nothing was published:",
        f"  {theme / 'templates' / 'product.html'}:{line}: template: expected a template that renders, found "
        "UndefinedError: 'catalog.contents.Product object' has no attribute 'farbe' (rendering "
        "produkte/geisha/index.html from content/products/geisha.md) [public, members site]",
    ]


def leaky(site: Site, tmp_path: Path) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten Kaffee.\n")
    site.write("products/geheim.md", "title: Röstung kanarientitel Panama\n\nNur für Kunden.\n")  # never public
    theme = tmp_path / "leaky-theme"
    shutil.copytree(THEME, theme)
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", "Demnächst: Röstung kanarientitel Panama</footer>"))
    site.use_theme(theme)


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", ["Build fehlgeschlagen. output/ wurde nicht verändert.",
            "Leak-Gate: {count} Fingerabdrücke nicht öffentlicher Inhalte oder Kundendaten, wo sie nicht sein dürfen; "
            "nichts wurde veröffentlicht:",
            "  ueber-uns/index.html: title von content/products/geheim.md: 'Röstung kanarientitel Panama'"]),
    ("en", ["Build failed. output/ was not changed.",
            "Leak gate: {count} fingerprints of non-public content or member data where they must not be; nothing was "
            "published:",
            "  ueber-uns/index.html: title of content/products/geheim.md: 'Röstung kanarientitel Panama'"]),
])
def test_a_leak_in_both_languages(site: Site, tmp_path: Path, monkeypatch, lang: str, expected: list[str]) -> None:
    leaky(site, tmp_path)
    if lang == "en":
        english(site)
    lines = failing(load_tasks(monkeypatch, site.root).build, as_of="2027-01-15T09:00")
    count = len(lines) - 2
    assert lines[:2] == [expected[0], expected[1].format(count=count)]
    assert expected[2] in lines[2:]
    assert not site.output.exists()


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", ["Erstellt für den Zeitpunkt 2027-01-15T09:00+01:00",
            "  Einträge: 1 in content/; sichtbar für public 1, members 1",
            "  Leak-Gate: bestanden ({files} öffentliche Dateien, ",
            "  nächste Änderung: keine geplant",
            "  Newsletter: 0 Ausgaben nach dist/newsletters/ gepackt"]),
    ("en", ["Built at clock 2027-01-15T09:00+01:00",
            "  items: 1 in content/; visible to public 1, members 1",
            "  leak gate: passed ({files} public files, ",
            "  next transition: none scheduled",
            "  newsletters: 0 issues packaged into dist/newsletters/"]),
])
def test_the_build_summary_in_both_languages(site: Site, monkeypatch, capsys, lang: str, expected: list[str]) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    if lang == "en":
        english(site)
    load_tasks(monkeypatch, site.root).build(Context(), as_of="2027-01-15T09:00")
    lines = capsys.readouterr().out.splitlines()
    files = re.search(r"\((\d+) ", lines[2])
    assert files is not None
    assert lines[:2] == expected[:2]
    assert lines[2].startswith(expected[2].format(files=files[1]))
    assert expected[3] in lines and expected[4] in lines


def test_new_in_english(site: Site, monkeypatch, capsys) -> None:
    english(site)
    tasks = load_tasks(monkeypatch, site.root)
    tasks.new(Context(), "faq", "Wie lange hält Kaffee?")
    path = site.root / "content" / "faq" / "wie-lange-haelt-kaffee.md"
    assert capsys.readouterr().out == ("Created content/faq/wie-lange-haelt-kaffee.md (status: draft). Fill it in, "
                                       "then: invoke check\n")
    body = path.read_text(encoding="utf-8").split("\n\n", 1)[1]
    assert body.startswith("<!--\nThe fields of faq (an empty value means not set; delete this note when you like):\n"
                           "title         required; text\n")
    assert body.endswith("Then: invoke check, invoke schedule, invoke preview.\n-->\n\nWrite the text here.\n")
    assert failing(tasks.new, "faq", "Wie lange hält Kaffee?") == [f"{path}: already exists; nothing was written"]
    assert failing(tasks.new, "blog", "Hallo") == [
        "type: expected one of products, seminars, faq, contacts, pages, newsletters, found 'blog'"]


def test_schedule_in_english(site: Site, monkeypatch, capsys) -> None:
    scheduled_site(site)
    english(site)
    load_tasks(monkeypatch, site.root).schedule_(Context(), from_="2027-01-15", days=20)
    assert capsys.readouterr().out.splitlines() == [
        "Transitions from 2027-01-15T00:00+01:00 to 2027-02-04T00:00+01:00:",
        "2027-01-20T00:00+01:00  visible to members          content/faq/intern.md  Nur intern (never public)",
        "2027-02-01T09:00+01:00  visible to members          content/products/geisha.md  Geisha "
        "(members' head start: 28 days)",
        "2027-02-02T09:00+01:00  newsletter sent to members  newsletters/februar.md  Februar",
        "warning: content/faq/intern.md: members see it from 2027-01-20T00:00+01:00, but it will never be public "
        "(no public_from, or public_from not before expires)"]


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "Veröffentlichen fehlgeschlagen: VORAB_PUBLISH_TARGET: erwartet user@host:/pfad oder einen lokalen "
           "Ordner, gefunden nichts"),
    ("en", "Publishing failed: VORAB_PUBLISH_TARGET: expected user@host:/path or a local folder, found nothing"),
])
def test_publish_without_a_target_in_both_languages(site: Site, monkeypatch, lang: str, expected: str) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    publishconf = site.root / "publishconf.py"
    shutil.copy(site.settings_file, publishconf)
    if lang == "en":
        english(site, publishconf)
    monkeypatch.delenv("VORAB_PUBLISH_TARGET", raising=False)
    assert failing(load_tasks(monkeypatch, site.root).publish) == [expected]


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "--audience: erwartet einen der Werte public, members, gefunden 'gold'"),
    ("en", "--audience: expected one of public, members, found 'gold'"),
])
def test_preview_of_an_unknown_audience_in_both_languages(site: Site, monkeypatch, lang: str, expected: str) -> None:
    if lang == "en":
        english(site)
    tasks = load_tasks(monkeypatch, site.root)
    assert failing(tasks.preview, as_of="15.01.2027 09:00", audience="gold") == [expected]
