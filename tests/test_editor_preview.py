"""`invoke preview` and `invoke livereload`: builds at a date into .preview/, never output/; served locally with
a reload script injected on the fly, never written into the files."""

from __future__ import annotations

import re
import threading
import time
import urllib.request

from audiences.rules import parse_moment
from conftest import Site, tree_digest
from editor.livereload import live
from editor.localserver import RELOAD_PATH, make_server, serve_in_background, url
from editor.preview import build_preview, preview_paths
from sitebuild import Project


def product_site(site: Site) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten Kaffee.\n")
    site.write("products/geisha.md", "title: Geisha Vorschau\npublic_from: 2027-03-01\n\nBlumig.\n")


def fetch(address: str) -> str:
    with urllib.request.urlopen(address, timeout=10) as response:
        return response.read().decode("utf-8")


def test_preview_builds_at_the_date_and_never_touches_output(site: Site) -> None:
    product_site(site)
    site.build("2027-01-15T09:00")
    before = tree_digest(site.output)

    build_preview(Project(site.settings_file), parse_moment("2027-03-02", "Europe/Berlin"), site.root)

    assert tree_digest(site.output) == before
    preview_site = preview_paths(site.root)[0]
    assert (preview_site / "produkte" / "geisha" / "index.html").is_file()  # public by then
    assert not (site.output / "produkte" / "geisha").exists()
    server = make_server(preview_site, 0)
    serve_in_background(server)
    try:
        page = fetch(url(server) + "produkte/geisha/")
    finally:
        server.shutdown()
        server.server_close()
    assert "Geisha Vorschau" in page and RELOAD_PATH not in page  # a plain preview has no reload script


def test_livereload_rebuilds_on_change_and_injects_the_script_only_when_served(site: Site) -> None:
    product_site(site)
    said: list[str] = []
    stop = threading.Event()
    session = threading.Thread(target=live, args=(Project(site.settings_file), site.root),
                               kwargs={"port": 0, "as_of": "2027-01-15T09:00", "stop": stop, "say": said.append})
    session.start()
    try:
        address = wait_for(lambda: next((m for line in said if (m := re.search(r"http://\S+/", line))), None))[0]
        page = fetch(address + "ueber-uns/")
        generation = fetch(address + RELOAD_PATH.lstrip("/"))
        assert RELOAD_PATH in page and "Wir rösten Kaffee." in page
        on_disk = (preview_paths(site.root)[0] / "ueber-uns" / "index.html").read_text(encoding="utf-8")
        assert RELOAD_PATH not in on_disk

        time.sleep(0.2)  # let the watcher settle before the edit
        site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten Kaffee in Freiburg.\n")
        wait_for(lambda: "in Freiburg" in fetch(address + "ueber-uns/"))
        wait_for(lambda: fetch(address + RELOAD_PATH.lstrip("/")) != generation)  # the browser reloads
        assert not site.output.exists()
    finally:
        stop.set()
        session.join(timeout=30)
    assert not session.is_alive()


def wait_for(condition, timeout: float = 60):
    """Poll `condition` until it is truthy; fail after `timeout` seconds (a generous limit, not a timing test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
