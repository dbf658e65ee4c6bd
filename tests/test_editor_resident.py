"""The resident preview (editor.resident): after every edit of a scripted series its tree is byte for byte the
tree a full build makes of the same files at the same clock; edits it can follow page by page rewrite only what
they change; a failing edit shows every problem over the pages and keeps the last good tree."""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from audiences.rules import parse_moment
from conftest import THEME, Site, tree_digest
from editor.livereload import LiveSite
from editor.localserver import make_server, serve_in_background, url
from editor.preview import build_preview, preview_paths
from editor.resident import ResidentPreview, _KeptTexts
from leakgate.fingerprints import Fingerprint
from leakgate.text import normalise
from sitebuild import BuildFailed, Project

AS_OF = "2027-01-15T09:00"


def full_build_of(site: Site, root: Path) -> dict[str, str]:
    """A full preview build of the same files (same times), in a project of its own."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(site.root, root, ignore=shutil.ignore_patterns(".preview", "cache", ".staging"))
    settings = root / "pelicanconf.py"
    build_preview(Project(settings), parse_moment(AS_OF, "Europe/Berlin"), root, steps=())
    return tree_digest(preview_paths(root)[0])


@pytest.fixture
def resident(site: Site, tmp_path: Path) -> Iterator[ResidentPreview]:
    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme)
    site.use_theme(theme)
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten Kaffee.\n")
    site.write("products/geisha.md", "title: Geisha\npublic_from: 2027-03-01\n\nBlumig und hell.\n")
    site.write("products/bourbon.md", "title: Bourbon\n\nSchokoladig.\n")
    site.write("faq/lagern.md", "title: Wie lagere ich Kaffee?\ncategory: Kaffee\n\nKühl und dunkel.\n")
    site.write("seminars/cupping.md", "title: Cupping\nstart: 2027-02-10 18:00\nend: 2027-02-10 20:00\n"
                                      "location: Rösterei\n\nWir verkosten.\n")
    preview = ResidentPreview(Project(site.settings_file), site.root, as_of=AS_OF)
    preview.build()
    yield preview
    preview.close()


def edit(site: Site, relpath: str, old: str, new: str, path: Path | None = None) -> tuple[str, Path]:
    """Replace `old` by `new` in a content file (or in `path`); the change as the file watcher reports it."""
    path = path or site.root / "content" / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return ("modified", path)


def remove(site: Site, relpath: str) -> tuple[str, Path]:
    site.remove(relpath)
    return ("deleted", site.root / "content" / relpath)


def test_after_every_edit_the_tree_is_the_full_builds(site: Site, resident: ResidentPreview, tmp_path: Path) -> None:
    tree = preview_paths(site.root)[0]
    steps = [
        ("pages", lambda: [edit(site, "products/bourbon.md", "title: Bourbon", "title: Bourbon Santos")]),
        ("pages", lambda: [edit(site, "products/bourbon.md", "Schokoladig.",
                                "Schokoladig.\n\n<!-- members-only -->\n\nKundenpreis: 9 € je Kilo.")]),
        ("pages", lambda: [edit(site, "faq/lagern.md", "Kühl und dunkel.", "Kühl, dunkel und luftdicht.")]),
        ("pages", lambda: [edit(site, "seminars/cupping.md", "location: Rösterei", "location: Rösterei, Halle 2\n"
                                                                                "sequence: 1")]),
        ("pages", lambda: [edit(site, "pages/ueber-uns.md", "Wir rösten", "Seit 1998 rösten wir")]),
        ("full", lambda: [edit(site, "products/geisha.md", "public_from: 2027-03-01", "public_from: 2027-01-10")]),
        ("full", lambda: [edit(site, "pages/ueber-uns.md", "title: Über uns", "title: Über uns\naudience: members")]),
        ("full", lambda: [("added", site.write("products/typica.md", "title: Typica\n\nNussig.\n"))]),
        ("full", lambda: [remove(site, "products/bourbon.md")]),
        ("full", lambda: [edit(site, "", "</footer>", "<p>Neu</p></footer>", tmp_path / "theme/templates/base.html")]),
    ]
    for number, (expected, change) in enumerate(steps, 1):
        how, rewritten = resident.update(change())
        assert how == expected, f"step {number}"
        assert tree_digest(tree) == full_build_of(site, tmp_path / f"full-{number}"), f"step {number}"
        if how == "pages":
            assert rewritten and len(rewritten) < 12, f"step {number}: {rewritten}"


def test_a_title_edit_rewrites_the_item_and_the_pages_that_list_it(site: Site, resident: ResidentPreview) -> None:
    how, rewritten = resident.update([edit(site, "products/bourbon.md", "title: Bourbon", "title: Bourbon Santos")])

    assert how == "pages"  # products are for members by default: the public site does not change
    assert set(rewritten) == {"members/index.html", "members/produkte/index.html",
                              "members/produkte/bourbon/index.html"}


def test_a_failing_edit_keeps_the_last_good_tree_and_the_fix_clears_it(site: Site, resident: ResidentPreview) -> None:
    tree = preview_paths(site.root)[0]
    good = tree_digest(tree)

    with pytest.raises(BuildFailed) as failed:
        resident.update([edit(site, "products/bourbon.md", "title: Bourbon",
                              "title: Bourbon\npublic_from: 15.13.2027")])

    assert "content/products/bourbon.md:2: public_from:" in str(failed.value)
    assert tree_digest(tree) == good
    how, _ = resident.update([edit(site, "products/bourbon.md", "public_from: 15.13.2027", "public_from: 15.01.2027")])
    assert how == "full"  # after a failure the runs may be half way through a change: a full build follows


def test_the_browser_shows_every_problem_over_the_last_good_page_until_the_fix(site: Site) -> None:
    site.write("products/bourbon.md", "title: Bourbon\n\nSchokoladig.\n")
    said: list[str] = []
    live = LiveSite(Project(site.settings_file), site.root, AS_OF, said.append)
    assert live.rebuild()
    server = make_server(preview_paths(site.root)[0], 0, version=lambda: live.generation,
                         problems=lambda: live.problems)
    serve_in_background(server)

    def page() -> str:
        with urllib.request.urlopen(url(server) + "members/produkte/bourbon/", timeout=10) as response:
            return str(response.read().decode("utf-8"))

    try:
        assert "vorab-build-problems" not in page()
        generation = live.generation
        assert not live.rebuild([edit(site, "products/bourbon.md", "title: Bourbon", "title: Bourbon\nprice: <9 €\n"
                                                                                   "public_from: 15.13.2027")])
        shown = page()
        assert live.generation != generation  # the browser reloads to show it
        assert 'role="alert"' in shown and "Die Vorschau konnte nicht neu gebaut werden" in shown
        assert "content/products/bourbon.md:3: public_from:" in shown and "Schokoladig." in shown
        assert live.rebuild([edit(site, "products/bourbon.md", "public_from: 15.13.2027", "public_from: 15.01.2027")])
        assert "vorab-build-problems" not in page()
    finally:
        live.close()
        server.shutdown()
        server.server_close()


def test_the_dated_preview_runs_the_build_steps_and_follows_edits_page_by_page(site: Site) -> None:
    """`invoke preview`: the steps of a full build (search indexes, e-mail packages) run; an edit is then
    followed page by page like in livereload."""
    site.write("products/bourbon.md", "title: Bourbon\n\nSchokoladig.\n")
    preview = ResidentPreview(Project(site.settings_file), site.root, as_of=AS_OF, steps=None)
    try:
        result = preview.build()
        tree, dist = preview_paths(site.root)
        assert (tree / "pagefind" / "pagefind-entry.json").is_file()
        assert (tree / "members" / "pagefind" / "pagefind-entry.json").is_file()
        assert (dist / "deploy").is_dir() and any("Pagefind" in note for note in result.notes)
        how, files = preview.update([edit(site, "products/bourbon.md", "title: Bourbon", "title: Bourbon Santos")])
        assert how == "pages" and "members/produkte/bourbon/index.html" in files
        assert "Bourbon Santos" in (tree / "members" / "produkte" / "bourbon" / "index.html").read_text()
    finally:
        preview.close()


def test_the_gates_memory_of_texts_follows_every_change() -> None:
    """The preview's gate memo keeps the automaton while the fingerprints stay the same and what each text
    held; a changed text or a changed fingerprint (its hint too) is looked at again."""
    memo = _KeptTexts()
    secret = Fingerprint(normalise("Kundenpreis neun Euro je Kilo"), "body", "products/geisha.md", "…")
    prints = [secret]
    matcher = memo.matcher(prints)
    assert memo.matcher(list(prints)) is matcher
    quoted, plain = memo.words("Der Kundenpreis neun Euro je Kilo gilt."), memo.words("Kühl und dunkel.")
    assert memo.words("Der Kundenpreis neun Euro je Kilo gilt.") is quoted
    assert memo.found_in(matcher, [quoted, plain]) == {secret.words}
    edited = memo.words("Der Preis gilt.")
    assert memo.found_in(matcher, [edited, plain]) == set()
    hinted = [Fingerprint(secret.words, "body", "products/geisha.md", "…", hint="anders")]
    assert memo.matcher(hinted) is not matcher
    assert memo.found_in(memo.matcher(hinted), [quoted]) == {secret.words}


def test_page_by_page_updates_keep_the_calendars_memory_whole(site: Site, resident: ResidentPreview) -> None:
    """Each run's memory of calendars (seminars.calendar.remembered) holds exactly the calendars of its current
    seminars after every update: an edit elsewhere leaves it as it was, a seminar's edit replaces that one's."""
    import pickle

    def remembered() -> tuple[set[str], int]:
        _code, tables = pickle.loads(memory.read_bytes())  # noqa: S301 — the test site's own cache/
        return {event.location for event, _stamp in tables["vevents"]}, len(tables["calendars"])

    memory = site.root / "cache" / "calendars-members.pickle"
    before = memory.read_bytes()
    assert resident.update([edit(site, "faq/lagern.md", "Kühl und dunkel.", "Kühl und trocken.")])[0] == "pages"
    assert memory.read_bytes() == before
    assert resident.update([edit(site, "seminars/cupping.md", "location: Rösterei", "location: Rösterei, Halle 2\n"
                                                                                   "sequence: 1")])[0] == "pages"
    assert remembered() == ({"Rösterei, Halle 2"}, 2)  # its VEVENT, its own file and the feed
