"""The search as customers use it, in Debian Chromium over HTTP on 127.0.0.1: the header field and the results
page of both sites, with the index in several bundles merged in the browser; the public site never asks for a
member index; umlauts folded; axe-clean in both colour schemes; usable by keyboard and without JavaScript. And the
FAQ page: the filter folds umlauts, a link to a question opens it."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import search
from conftest import Site, needs_program
from design.screenshots import chromium

CLOCK = "2027-01-15T09:00"
PUBLIC_WORD, CANARY = "röstfrischegarantie", "kanariensuchwort"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SITES = {"public": "", "members": "/members"}
NO_RESULTS = "Keine Treffer für „{q}“. Versuchen Sie ein anderes Wort, oder stöbern Sie in den Listen unten."


def write_content(site: Site) -> None:
    site.write("faq/lieferung.md", f"""\
        title: Wie frisch ist der Kaffee?
        audience: public
        category: Lieferung

        Unsere {PUBLIC_WORD} gilt für jede Bestellung.
        """)
    site.write("faq/muehle.md", """\
        title: Welche Mühle empfehlen Sie?
        audience: public
        category: Zubereitung

        Eine Kegelmahlwerk-Mühle mahlt gleichmäßig.
        """)
    site.write("faq/wasser.md", """\
        title: Welches Wasser nehmen Sie?
        audience: public
        category: Zubereitung

        Weiches Quellwasser von der alten Muehle am Bach.
        """)
    site.write("faq/codes.md", f"""\
        title: Wie nutze ich den {CANARY}?
        category: Kundenbereich

        Den {CANARY} geben Sie an der Kasse ein.
        """)
    site.write("pages/anfahrt.md", "title: Anfahrt\n\nSie finden uns an der Kaffeebahn.\n")


class Server:
    """The built output on a loopback HTTP server that remembers every path it was asked for."""

    def __init__(self, root: Path) -> None:
        self.paths: list[str] = []
        paths = self.paths

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                paths.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One build for the module, with bundles of three pages: every site's index comes in several bundles."""
    site = Site(tmp_path_factory.mktemp("search-ui") / "site")
    write_content(site)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PAGES_PER_BUNDLE", 3)
        result = site.build(CLOCK)
    assert result.gate.passed
    yield site


@pytest.fixture(scope="module")
def server(built: Site) -> Iterator[Server]:
    running = Server(built.output)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    needs_program("chromium", "chromium")
    with chromium() as browser:
        yield browser


def results_for(page, server: Server, site: str, word: str) -> tuple[str, list[str]]:
    """The results page of `site` asked for `word`: its live region's text and the results' paths."""
    page.goto(f"{server.url}{SITES[site]}/suche/?q={word}")
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    status = page.text_content("#search-status")
    paths = page.eval_on_selector_all(".search__results a", "links => links.map(a => new URL(a.href).pathname)")
    return status, paths


def test_every_site_is_indexed_in_bundles_and_the_public_ones_hold_no_member_word(built: Site) -> None:
    for root in (built.output, built.output / "members"):
        merged = json.loads((root / "pagefind" / "bundles.json").read_text(encoding="utf-8"))["merge"]
        assert merged and all((root / "pagefind" / folder / "pagefind-entry.json").is_file() for folder in merged)
    fragments = [gzip.decompress(path.read_bytes()).decode()
                 for path in (built.output / "pagefind").rglob("*.pf_fragment")]
    assert len(fragments) == len(search.site_pages(built.output, {"members"})) > 3
    assert any(PUBLIC_WORD in text for text in fragments) and not any(CANARY in text for text in fragments)


def test_a_page_keeps_its_bundle_while_the_site_grows_within_the_bundle_count() -> None:
    pages = [f"fragen/frage-{number}/index.html" for number in range(search.PAGES_PER_BUNDLE + 1)]
    before = search.split(pages)
    after = search.split([*pages, "fragen/neu/index.html"])
    assert len(before) == len(after) == 2
    assert all(set(old) <= set(new) for old, new in zip(before, after, strict=True))
    assert max(len(bundle) for bundle in before) < search.PAGES_PER_BUNDLE * 1.2


@pytest.mark.parametrize("site", SITES)
def test_the_header_field_finds_a_public_question_on_both_sites(server: Server, browser, site: str) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{server.url}{SITES[site]}/")
        page.fill("#site-search-q", PUBLIC_WORD)
        page.press("#site-search-q", "Enter")
        page.wait_for_url("**/suche/?q=*")
        page.wait_for_function("document.getElementById('search-status').textContent !== ''")
        paths = page.eval_on_selector_all(".search__results a", "links => links.map(a => new URL(a.href).pathname)")
        assert f"{SITES[site]}/fragen/lieferung/" in paths
        assert all(path.startswith(f"{SITES[site]}/") for path in paths)
        assert page.text_content("#search-status") == f"{len(paths)} Treffer für „{PUBLIC_WORD}“."
        assert page.input_value("#search-q") == PUBLIC_WORD == page.input_value("#site-search-q")
    finally:
        page.close()


def test_a_member_only_word_is_found_only_in_the_member_area(server: Server, browser) -> None:
    page = browser.new_page()
    try:
        assert results_for(page, server, "public", CANARY) == (NO_RESULTS.format(q=CANARY), [])
        status, paths = results_for(page, server, "members", CANARY)
        assert "/members/fragen/codes/" in paths
        assert status == (f"Ein Treffer für „{CANARY}“." if len(paths) == 1
                          else f"{len(paths)} Treffer für „{CANARY}“.")
    finally:
        page.close()


def test_a_word_that_matches_nothing_says_so_and_lists_nothing(server: Server, browser) -> None:
    page = browser.new_page()
    try:
        for site in SITES:
            assert results_for(page, server, site, "xylophonwort") == (NO_RESULTS.format(q="xylophonwort"), [])
    finally:
        page.close()


def test_the_public_site_never_requests_a_member_index(built: Site, server: Server, browser) -> None:
    """The server's own log of every path: the public pages load the public bundles, all of them, and nothing
    under /members/ — whatever is searched, the canary included. And no public file names a member bundle."""
    context = browser.new_context()
    page = context.new_page()
    try:
        server.paths.clear()
        for word in (PUBLIC_WORD, CANARY, "muehle", "kaffee"):
            results_for(page, server, "public", word)
        page.goto(f"{server.url}/")
        page.fill("#site-search-q", "Mühle")
        page.press("#site-search-q", "Enter")
        page.wait_for_function("document.getElementById('search-status').textContent !== ''")
        asked = list(server.paths)
    finally:
        context.close()
    assert any(path.startswith("/pagefind/pagefind.js") for path in asked)
    assert any(path.startswith("/pagefind/part-2/") for path in asked)  # the merged bundles are loaded too
    assert [path for path in asked if path.lower().startswith("/members")] == []
    public = [path for path in built.output.rglob("*") if path.is_file() and "members" not in
              path.relative_to(built.output).parts and path.suffix in (".html", ".js", ".json", ".css")]
    assert public and [path for path in public if b"members/pagefind" in path.read_bytes()] == []


@pytest.mark.parametrize("word", ["muehle", "Mühle", "MÜHLE"])
def test_umlauts_are_folded_both_ways_in_search(server: Server, browser, word: str) -> None:
    page = browser.new_page()
    try:
        _status, paths = results_for(page, server, "public", word)
        assert {"/fragen/muehle/", "/fragen/wasser/"} <= set(paths)  # "Mühle" and "Muehle"
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("site", SITES)
def test_the_search_page_has_no_wcag_violations(server: Server, browser, site: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        _status, paths = results_for(page, server, site, "kaffee")
        assert paths
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
                      for v in results.response["violations"]]
        assert violations == []
    finally:
        page.close()


def test_the_results_page_works_by_keyboard_and_announces_the_count(server: Server, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/suche/")
        status = page.locator("#search-status")
        assert (status.get_attribute("role"), status.get_attribute("aria-live")) == ("status", "polite")
        assert page.get_attribute("#search-q", "aria-describedby") == "search-status"
        page.focus("#search-q")
        page.keyboard.type("Kaffee")
        page.wait_for_function("document.getElementById('search-status').textContent !== ''")
        assert page.evaluate("document.activeElement.id") == "search-q"  # typing is never interrupted
        found = re.fullmatch(r"(\d+) Treffer für „Kaffee“\.", status.text_content() or "")
        assert found and page.locator(".search__results li").count() == min(int(found[1]), 10) > 1
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Suchen"
        page.keyboard.press("Tab")
        first = page.eval_on_selector(".search__results a", "a => a.href")
        assert page.evaluate("document.activeElement.href") == first
        assert page.url.endswith("/suche/?q=Kaffee")  # the address names the search: reload or share it
    finally:
        page.close()


def test_without_javascript_the_results_page_offers_the_lists(server: Server, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for site, prefix in SITES.items():
            page.goto(f"{server.url}{prefix}/")
            page.fill("#site-search-q", "kaffee")
            page.press("#site-search-q", "Enter")  # a plain GET form: no script needed to get here
            page.wait_for_url("**/suche/?q=kaffee")
            assert page.is_visible("[data-search-nojs]"), site
            assert "Die Suche braucht JavaScript" in page.text_content("[data-search-nojs]")
            links = page.eval_on_selector_all(".tiles a", "links => links.map(a => new URL(a.href).pathname)")
            assert {f"{prefix}/produkte/", f"{prefix}/seminare/", f"{prefix}/fragen/"} <= set(links)
    finally:
        context.close()


def test_the_faq_filter_folds_umlauts_both_ways(server: Server, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/fragen/")

        def shown(text: str) -> tuple[list[str], str]:
            page.fill("#faq-filter-input", text)
            return (page.eval_on_selector_all("[data-faq]:not([hidden]) summary", "s => s.map(e => e.textContent)"),
                    page.text_content("#faq-filter-status"))

        mills = ["Welche Mühle empfehlen Sie?", "Welches Wasser nehmen Sie?"]
        assert shown("muehle") == (mills, "2 Fragen passen zu Ihrer Suche.")
        assert shown("Mühle") == (mills, "2 Fragen passen zu Ihrer Suche.")
        assert shown("MUEHLE gleichmässig") == (mills[:1], "Eine Frage passt zu Ihrer Suche.")
        assert shown("xylophonwort") == ([], "Keine Treffer: Keine Frage passt zu Ihrer Suche.")
    finally:
        page.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no script"])
def test_a_link_to_a_question_opens_it(server: Server, browser, javascript: bool) -> None:
    """With or without the script: Chromium opens the closed <details> that holds the link's target."""
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 375, "height": 700})
    page = context.new_page()
    try:
        for prefix in SITES.values():
            page.goto(f"{server.url}{prefix}/fragen/#muehle")
            page.wait_for_function("document.getElementById('muehle').closest('details').open")
            summary = page.eval_on_selector("#muehle", "a => a.closest('details').querySelector('summary')"
                                                       ".getBoundingClientRect().top")
            assert 0 <= summary < 700  # the question is in view above its answer
            others = page.eval_on_selector_all("details[open]", "d => d.length")
            assert others == 1
    finally:
        context.close()
