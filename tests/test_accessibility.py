"""WCAG 2.1 A/AA: axe-core in Debian Chromium over one page of every template of both sites, at 320 px and
1280 px, and no horizontal scrolling on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import build_sample, needs_program

CLOCK = "2027-01-15T09:00"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# One page per template and site (the sample content has every template in both sites).
PAGES = {
    "public": ["index.html", "produkte/index.html", "produkte/morgenrot-hausmischung/index.html",
               "seminare/index.html", "seminare/tag-der-offenen-roesterei/index.html", "fragen/index.html",
               "fragen/wie-lagere-ich-kaffee-richtig/index.html", "ansprechpartner/index.html",
               "fuer-kunden/index.html", "lieferung/index.html", "suche/index.html"],
    "members": ["members/index.html", "members/produkte/index.html", "members/produkte/hochland-geisha/index.html",
                "members/seminare/index.html", "members/seminare/cupping-fuer-kunden/index.html",
                "members/fragen/index.html", "members/fragen/wie-funktionieren-die-vorbestellcodes/index.html",
                "members/ansprechpartner/index.html", "members/ansprechpartner/lena-hofmann/index.html",
                "members/willkommen/index.html", "members/lieferung/index.html", "members/suche/index.html"],
}


@pytest.fixture(scope="module")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("sample"), CLOCK).output


@pytest.fixture(scope="module")
def browser():
    needs_program("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil_which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


def shutil_which(program: str) -> str:
    import shutil

    return shutil.which(program) or program


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("page_path", [*PAGES["public"], *PAGES["members"]])
def test_no_wcag_violations(sample_output: Path, browser, page_path: str, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    assert (sample_output / page_path).is_file(), f"{page_path} was not built"
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto((sample_output / page_path).as_uri())
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
                      for v in results.response["violations"]]
        assert violations == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{page_path} scrolls horizontally by {overflow}px at {width}px"
    finally:
        page.close()


ISSUES = ("kundenbrief-november-2026", "neues-aus-der-roesterei")
# listmonk's variant is a Go template, not yet an e-mail: what listmonk makes of it is the preview, byte for byte
# (test_newsletter_tools), so the preview's results are its.
TOOLS = ("mailchimp", "brevo", "sendgrid", "sendgrid-dynamic", "mautic", "klaviyo")
LOGO = "img[width='48']"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("variant", ["preview.html", *(f"{tool}/email.html" for tool in TOOLS)])
@pytest.mark.parametrize("slug", ISSUES)
def test_no_wcag_violations_in_the_e_mails(sample_output: Path, browser, slug: str, variant: str,
                                           scheme: str) -> None:
    """Every tool's variant and the preview, in the light and the dark scheme of mail programs that follow the
    system's (the dark @media rules): axe-core finds nothing, contrast included, and the logo keeps its slot."""
    from axe_playwright_python.sync_playwright import Axe

    from newsletter.screenshots import from_output

    email = sample_output.parent / "dist" / "newsletters" / slug / variant
    page = browser.new_page(viewport={"width": 600, "height": 900}, color_scheme=scheme)
    try:
        page.route("**/*", lambda route: from_output(route, sample_output))
        page.goto(email.as_uri(), wait_until="load")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
                      for v in results.response["violations"]]
        assert violations == []
        if variant == "preview.html":  # the tools' variants carry tags for URLs: their images load in the tool
            box = page.eval_on_selector(LOGO, "i => [i.naturalWidth, i.getBoundingClientRect().width, "
                                              "i.getBoundingClientRect().height]")
            assert box == [96, 48, 48]  # drawn at twice its size, shown at its slot's
    finally:
        page.close()
