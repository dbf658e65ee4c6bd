"""Look at an issue as phones and desktops show it: Chromium at 320, 375 and 600 px, screenshots into the
package for review, horizontal overflow, column stacking and broken images measured.

The e-mail's images live on the site, under /unlisted/: they are read from the built output folder, so that an
image the build did not write shows as broken here, as it would in every inbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from design.screenshots import chromium
from vorab.unlisted import FOLDER

WIDTHS = (320, 375, 600)
# MJML columns are divs with a class like mj-column-per-40; on a phone each must span the whole e-mail.
COLUMN_WIDTHS = ("""() => [...document.querySelectorAll('[class*="mj-column-"]')]"""
                 """.map(c => c.getBoundingClientRect().width)""")
BROKEN_IMAGES = "() => [...document.images].filter(i => i.naturalWidth === 0).map(i => i.getAttribute('src'))"


@dataclass(frozen=True)
class Look:
    width: int
    overflow_px: int  # > 0: the e-mail scrolls sideways
    column_widths: list[float]
    broken_images: list[str]  # the src of every image the browser could not show
    screenshot: Path

    @property
    def ok(self) -> bool:
        return self.overflow_px <= 0 and not self.broken_images


def look_at(package: Path, output: Path, executable: str | None = None) -> list[Look]:
    """Render `preview.html` of a package at each width, its images from the site built into `output`; write
    screenshots/preview-<width>.png."""
    folder = package / "screenshots"
    folder.mkdir(exist_ok=True)
    looks = []
    with chromium(executable) as browser:
        page = browser.new_page()
        page.route("**/*", lambda route: from_output(route, output))
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto((package / "preview.html").as_uri(), wait_until="load")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            screenshot = folder / f"preview-{width}.png"
            page.screenshot(path=str(screenshot), full_page=True)
            looks.append(Look(width, int(overflow), page.evaluate(COLUMN_WIDTHS), page.evaluate(BROKEN_IMAGES),
                              screenshot))
    return looks


def from_output(route: Any, output: Path) -> None:
    """The package's own files as they are, the site's e-mail images from `output`, nothing from the network."""
    url = urlsplit(route.request.url)
    if url.scheme == "file":
        route.continue_()
        return
    path = unquote(url.path).lstrip("/")
    local = (output / path).resolve()
    if url.scheme == "https" and path.startswith(f"{FOLDER}/") and local.is_relative_to(output.resolve()) \
            and local.is_file():
        route.fulfill(path=str(local))
    else:
        route.abort()
