"""The Nu HTML Checker (npm vnu-jar, on Java) finds no error on one page of every template of both sites."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import ROOT, build_sample, needs_node_module, needs_program

CLOCK = "2027-01-15T09:00"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TEMPLATES = ROOT / "themes" / "member-area" / "templates"
# One page of each template, per site, as the sample builds it at CLOCK ("*": the first match).
PAGES = {
    "index.html": "index.html",
    "products.html": "produkte/index.html",
    "product.html": "produkte/*/index.html",
    "seminars.html": "seminare/index.html",
    "seminar.html": "seminare/*/index.html",
    "faqs.html": "fragen/index.html",
    "faq.html": "fragen/*/index.html",
    "contacts.html": "ansprechpartner/index.html",
    "contact.html": "ansprechpartner/*/index.html",
    "page.html": "ueber-uns/index.html",  # with a photograph in its text
    "customers.html": "fuer-kunden/index.html",
    "newsletters.html": "newsletter/index.html",
    "newsletter.html": "newsletter/*/index.html",
    "401.html": "401.html",
    "search.html": "suche/index.html",
}


def test_every_template_is_checked() -> None:
    partials = {path.name for path in TEMPLATES.glob("_*.html")} | {"base.html"}
    assert {path.name for path in TEMPLATES.glob("*.html")} - partials == set(PAGES)


def test_the_nu_html_checker_finds_no_error_on_any_template(tmp_path: Path) -> None:
    needs_program("java", "default-jre-headless")
    needs_node_module("vnu-jar")
    output = build_sample(tmp_path, CLOCK).output
    pages: list[Path] = []
    for template, pattern in PAGES.items():
        found = [next(iter(sorted(root.glob(pattern))), None) for root in (output, output / "members")]
        assert any(found), f"no page of {template}"
        pages += [page for page in found if page is not None]
    broken = tmp_path / "kaputt.html"  # the checker must see what it is given: one page with a known error
    broken.write_text('<!doctype html><html lang="de"><title>x</title><img src="a.png"></html>', encoding="utf-8")
    done = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--skip-non-html", str(broken),
                           *map(str, pages)], capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(done.stderr or done.stdout)
    errors = [f"{m['url'].split('/output/')[-1]}:{m.get('lastLine')}: {m['message']}" for m in report["messages"]
              if m["type"] in ("error", "non-document-error")]
    assert [e for e in errors if "kaputt.html" in e] == [
        f"file:{broken}:1: An “img” element must have an “alt” attribute, except under certain conditions. For "
        "details, consult guidance on providing text alternatives for images."]
    assert [e for e in errors if "kaputt.html" not in e] == []
    assert len(pages) >= 24
