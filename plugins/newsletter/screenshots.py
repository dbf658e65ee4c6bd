"""Look at an issue as phones and desktops show it: Chromium at 320, 375 and 600 px, screenshots into the
package for review, horizontal overflow and column stacking measured."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

WIDTHS = (320, 375, 600)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
# MJML columns are divs with a class like mj-column-per-40; on a phone each must span the whole e-mail.
COLUMN_WIDTHS = ("""() => [...document.querySelectorAll('[class*="mj-column-"]')]"""
                 """.map(c => c.getBoundingClientRect().width)""")


@dataclass(frozen=True)
class Look:
    width: int
    overflow_px: int  # > 0: the e-mail scrolls sideways
    column_widths: list[float]
    screenshot: Path


def look_at(package: Path, chromium: str | None = None) -> list[Look]:
    """Render `preview.html` of a package at each width; write screenshots/preview-<width>.png."""
    from playwright.sync_api import sync_playwright

    executable = chromium or shutil.which("chromium")
    if executable is None:
        raise FileNotFoundError("chromium not found: apt-get install chromium")
    folder = package / "screenshots"
    folder.mkdir(exist_ok=True)
    looks = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            # The preview's images live on the real site; offline they must not hold up the screenshot.
            page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:")
                       else route.continue_())
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto((package / "preview.html").as_uri())
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                screenshot = folder / f"preview-{width}.png"
                page.screenshot(path=str(screenshot), full_page=True)
                looks.append(Look(width, int(overflow), page.evaluate(COLUMN_WIDTHS), screenshot))
        finally:
            browser.close()
    return looks
