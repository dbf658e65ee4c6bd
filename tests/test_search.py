"""Search per audience with Pagefind, queried through Pagefind's own JavaScript in Debian Chromium: the public
index finds public pages only, the members' index finds members' pages too; the leak gate reads the index."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from audiences.rules import parse_moment
from conftest import Site, needs_program
from design.screenshots import chromium, serving
from search import index_command, index_sites
from sitebuild import LeakFound, Project, build
from sitebuild.runner import Ended, Run, checked, run_pelican
from vorab.errors import BuildFailed

CLOCK = "2027-01-15T09:00"
PUBLIC_WORD, CANARY = "röstfrischegarantie", "kanariensuchwort"
QUERY = """async (args) => {
  const pagefind = await import(args.bundle + "pagefind.js");
  const search = await pagefind.search(args.word);
  const pages = await Promise.all(search.results.map((result) => result.data()));
  return pages.map((page) => page.url);
}"""


def write_faqs(site: Site) -> None:
    site.write("faq/lieferung.md", f"""\
        title: Wie frisch ist der Kaffee?
        audience: public
        category: Lieferung

        Unsere {PUBLIC_WORD} gilt für jede Bestellung.
        """)
    site.write("faq/codes.md", f"""\
        title: Wie nutze ich den {CANARY}?
        category: Kundenbereich

        Den {CANARY} geben Sie an der Kasse ein.
        """)


@pytest.fixture
def served(site: Site) -> Iterator[str]:
    """The built output on a loopback HTTP server (Pagefind's JavaScript fetches its index; file:// cannot)."""
    write_faqs(site)
    site.build(CLOCK)
    with serving(site.output) as base:
        yield base


@pytest.fixture
def browser():
    needs_program("chromium", "chromium")
    with chromium() as browser:
        yield browser


def test_each_audience_finds_its_own_pages(served: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{served}/")

        def search(bundle: str, word: str) -> list[str]:
            return page.evaluate(QUERY, {"bundle": bundle, "word": word})

        assert "/fragen/lieferung/" in search(f"{served}/pagefind/", PUBLIC_WORD)
        assert search(f"{served}/pagefind/", CANARY) == []
        assert "/members/fragen/codes/" in search(f"{served}/members/pagefind/", CANARY)
        assert "/members/fragen/lieferung/" in search(f"{served}/members/pagefind/", PUBLIC_WORD)
    finally:
        page.close()


def test_public_index_holds_no_member_page(site: Site) -> None:
    write_faqs(site)
    result = site.build(CLOCK)
    assert result.gate.passed
    public_index = site.output / "pagefind"
    assert any(public_index.glob("fragment/*.pf_fragment")) and any((site.output / "members" / "pagefind").iterdir())
    assert "Suche: Seiten im Pagefind-Index: " in " ".join(result.notes)


def test_leak_gate_reads_the_index_fragments(site: Site) -> None:
    """Index the member area into the public index on purpose: the gate must find the canary in a fragment."""
    write_faqs(site)

    fragments: dict[str, bytes] = {}

    def leaky_index(context) -> None:
        members = context.audience_root("members")
        subprocess.run(index_command(members, members / "pagefind", context.settings), check=True,
                       capture_output=True)
        shutil.move(members / "pagefind", context.site / "pagefind")
        context.produced.update(str(p) for p in (context.site / "pagefind").rglob("*"))  # as every step does
        fragments.update((p.relative_to(context.site).as_posix(), p.read_bytes())
                         for p in (context.site / "pagefind" / "fragment").iterdir())

    with pytest.raises(LeakFound) as caught:
        build(Project(site.settings_file), parse_moment(CLOCK, "Europe/Berlin"), steps=[leaky_index])
    hits = [hit for hit in caught.value.report.hits if hit.file in fragments]
    assert any(CANARY in hit.fingerprint.text for hit in hits)
    for hit in hits:  # found only by decompressing: the fragment's bytes do not hold the words
        data = fragments[hit.file]
        assert data[:2] == b"\x1f\x8b" and gzip.decompress(data).startswith(b"pagefind_dcd")
        assert CANARY.encode() not in data
    assert not (site.output / "pagefind").exists()  # nothing was published


def test_leak_gate_reads_every_bundle_of_the_public_index(site: Site) -> None:
    """After the real search step, a member index slipped in as a further public bundle: the gate reads its
    fragments as well (only the stems in index/ and the metadata of a bundle are read for phrases alone)."""
    write_faqs(site)
    bundle = Path("pagefind") / "part-2"

    def leaky_bundle(context) -> None:
        members = context.audience_root("members")
        subprocess.run(index_command(members, context.site / bundle, context.settings), check=True,
                       capture_output=True)
        (context.site / "pagefind" / "bundles.json").write_text('{"merge": ["part-2/"]}\n', encoding="utf-8")
        context.produced.update(str(p) for p in (context.site / "pagefind").rglob("*"))

    with pytest.raises(LeakFound) as caught:
        build(Project(site.settings_file), parse_moment(CLOCK, "Europe/Berlin"), steps=[index_sites, leaky_bundle])
    files = {hit.file for hit in caught.value.report.hits if CANARY in hit.fingerprint.text}
    assert any(file.startswith(f"{bundle.as_posix()}/fragment/") for file in files), files
    assert not (site.output / "pagefind").exists()  # nothing was published


def fragment_texts(index: Path) -> str:
    return " ".join(gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
                    for path in index.glob("fragment/*.pf_fragment"))


def test_an_audience_whose_pages_did_not_change_keeps_its_index(site: Site) -> None:
    """Pagefind runs only where a page changed: the index kept is the one made from exactly these pages."""
    write_faqs(site)
    notes = [" ".join(site.build(CLOCK).notes) for _ in range(3)]
    assert "index kept" not in notes[0] + notes[1]  # the first two builds fill the two trees
    assert "(unverändert, Index behalten: public, members)" in notes[2]
    before = fragment_texts(site.output / "pagefind")

    site.write("faq/lieferung.md", (site.root / "content" / "faq" / "lieferung.md").read_text()
               .replace("jede Bestellung", "jede Bestellung und jede Kanarienlieferung"))
    for _ in range(2):  # both trees get the new page
        note = " ".join(site.build(CLOCK).notes)
        assert "index kept" not in note  # a public page changed, and the member area shows it too
        assert "kanarienlieferung" in fragment_texts(site.output / "pagefind").lower()
    assert fragment_texts(site.output / "pagefind") != before
    note = " ".join(site.build(CLOCK).notes)
    assert "(unverändert, Index behalten: public, members)" in note
    assert "kanarienlieferung" in fragment_texts(site.output / "pagefind").lower()


def _children() -> set[int]:
    """The processes this test's process started (Linux: /proc/<pid>/task/*/children)."""
    return {int(pid) for task in Path(f"/proc/{os.getpid()}/task").iterdir()
            for pid in (task / "children").read_text().split()}


def one_after_another(runs: list[Run], ended: Ended, between: Callable[[Run], None]) -> set[str]:
    """A runner that runs the audiences one after another in this process, calling `between` after each
    run has ended and been told."""
    results = []
    for run in runs:
        results.append(run_pelican(run))
        ended(run, results[-1].produced)
        between(run)
    return checked(runs, results)


def test_an_audiences_index_is_started_as_soon_as_its_run_ends(site: Site) -> None:
    """Before the members' run starts, the public index is made: Pagefind was started when the public run
    ended, not after every run."""
    write_faqs(site)
    seen: dict[str, bool] = {}

    def between(run: Run) -> None:
        entry = Path(run.overrides["OUTPUT_PATH"]) / "pagefind" / "pagefind-entry.json"
        deadline = time.monotonic() + 120  # generous: Pagefind takes a fraction of a second here
        while not entry.is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        seen[run.audience] = entry.is_file()

    result = build(Project(site.settings_file), parse_moment(CLOCK, "Europe/Berlin"),
                   runner=lambda runs, ended: one_after_another(runs, ended, between))
    assert seen == {"public": True, "members": True}
    assert result.gate.passed and "/fragen/lieferung/" in fragment_texts(site.output / "pagefind")


def test_an_index_started_for_a_build_that_fails_is_stopped(site: Site) -> None:
    write_faqs(site)
    started: list[int] = []

    def between(run: Run) -> None:
        started.extend(_children())
        raise BuildFailed("the members' run failed")

    before = _children()
    with pytest.raises(BuildFailed, match="the members' run failed"):
        build(Project(site.settings_file), parse_moment(CLOCK, "Europe/Berlin"),
              runner=lambda runs, ended: one_after_another(runs, ended, between))
    pagefind = list(set(started) - before)
    assert pagefind, "Pagefind was not started when the public run ended"
    for pid in pagefind:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # stopped and reaped by the build
    assert not site.output.exists()
