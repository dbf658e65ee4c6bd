"""Look at both sites as customers do: headless Chromium at a phone's and a desktop's width, light and dark, one
full-page PNG per main page into a folder for review (`invoke screenshots`).

The built `output/` is served on 127.0.0.1 for the run (the 401 page links from the site root, and a browser
treats file:// differently), and the browser is shared with the newsletter's screenshots (`chromium()`)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
# Per site folder: the main pages, by name; a "*" stands for the first item of a section (sorted by path).
PAGES = {"index": "index.html", "products": "produkte/index.html", "product": "produkte/*/index.html",
         "seminars": "seminare/index.html", "seminar": "seminare/*/index.html", "faq": "fragen/index.html",
         "contacts": "ansprechpartner/index.html", "401": "401.html"}


@dataclass(frozen=True)
class Shot:
    site: str  # "public" or the member area's folder
    page: str  # a key of PAGES
    width: int
    scheme: str
    overflow_px: int  # > 0: the page scrolls sideways
    path: Path


@contextmanager
def chromium(executable: str | None = None) -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright, closed afterwards."""
    from playwright.sync_api import sync_playwright

    program = executable or shutil.which("chromium")
    if program is None:
        raise FileNotFoundError("chromium not found: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=program, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1 (a free port) while the block runs: its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — the base class's name
        pass


def main_pages(output: Path, members_path: str) -> list[tuple[str, str, str]]:
    """(site, page name, path below output/) of every main page that was built, public site first."""
    found = []
    for site, root in (("public", output), (members_path, output / members_path)):
        for name, pattern in PAGES.items():
            matches = sorted(root.glob(pattern))
            if matches:
                found.append((site, name, matches[0].relative_to(output).as_posix()))
    return found


def take(output: Path, target: Path, members_path: str = "members", chromium_path: str | None = None) -> list[Shot]:
    """Screenshots of the main pages of both sites in `output` at every width and scheme, into `target`
    (`<site>-<page>-<width>-<scheme>.png`; the folder is emptied first)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shots = []
    with serving(output) as base, chromium(chromium_path) as browser:
        for scheme in SCHEMES:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
                try:
                    for site, name, path in main_pages(output, members_path):
                        page.goto(f"{base}/{path}", wait_until="load")
                        overflow = page.evaluate(
                            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                        file = target / f"{site}-{name}-{width}-{scheme}.png"
                        page.screenshot(path=str(file), full_page=True)
                        shots.append(Shot(site, name, width, scheme, int(overflow), file))
                finally:
                    page.close()
    return shots
