"""Command layer (invoke). Thin: every task calls into plugins/. `invoke --list` shows them."""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

from sitebuild import BuildFailed, Project, build as build_sites, parse_clock  # noqa: E402
from sitebuild.report import summary  # noqa: E402


def _project(production: bool) -> Project:
    return Project(ROOT / ("publishconf.py" if production else "pelicanconf.py"))


@task(help={"as_of": "build clock, ISO 8601 (e.g. 2027-01-15T09:00, site time zone); default now",
            "production": "use publishconf.py (absolute URLs)"})
def build(c, as_of=None, production=False):
    """Build the public site and the member area into output/ (validated, leak-gated, swapped atomically)."""
    project = _project(production)
    try:
        result = build_sites(project, parse_clock(as_of, project.settings()))
    except BuildFailed as error:
        raise Exit(f"Build failed. output/ was not changed.\n{error}", code=1) from None
    print(summary(result))


@task
def clean(c):
    """Remove output/, dist/ and build leftovers."""
    for name in ("output", "dist", ".staging", "cache"):
        shutil.rmtree(ROOT / name, ignore_errors=True)


@task(help={"port": "port on 127.0.0.1 (default 8000)"})
def serve(c, port=8000):
    """Preview output/ on http://127.0.0.1:PORT/ — NOT gated: /members/ is open here (see README)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ROOT / "output"))
    print(f"Serving output/ at http://127.0.0.1:{port}/ — the member area is NOT protected in this preview.")
    with http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), handler) as server:
        server.serve_forever()


@task(help={"slug": "the issue, e.g. kundenbrief-november-2026", "to": "recipient address"})
def newsletter_send_test(c, slug, to):
    """Send dist/newsletters/SLUG/preview.eml over SMTP (server and credentials from VORAB_SMTP_* variables)."""
    import os

    from newsletter.send import SendFailed, send_test

    try:
        send_test(ROOT / "dist" / "newsletters" / slug / "preview.eml", to, os.environ)
    except (SendFailed, OSError) as error:
        raise Exit(f"Test send failed: {error}", code=1) from None
    print(f"Sent the preview of {slug} to {to}.")


@task(help={"slug": "the issue, e.g. kundenbrief-november-2026"})
def newsletter_screenshots(c, slug):
    """Screenshots of an issue at 320, 375 and 600 px into dist/newsletters/SLUG/screenshots/ (needs chromium)."""
    from newsletter.screenshots import look_at

    for look in look_at(ROOT / "dist" / "newsletters" / slug):
        state = "ok" if look.overflow_px <= 0 else f"scrolls sideways by {look.overflow_px}px"
        print(f"{look.width}px: {state} → {look.screenshot.relative_to(ROOT)}")
