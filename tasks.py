"""Command layer (invoke). Thin: every task calls into plugins/. `invoke --list` shows them."""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
from datetime import datetime
from pathlib import Path

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

from sitebuild import BuildFailed, Project, parse_clock
from sitebuild import build as build_sites
from sitebuild.report import summary
from vorab import messages
from vorab.context import Validation
from vorab.messages import _, ngettext
from vorab.tiers import Tiers


def _project(production: bool) -> Project:
    """The project, and the language of its messages for this process (MESSAGES_LANG, or VORAB_MESSAGES_LANG)."""
    project = Project(ROOT / ("publishconf.py" if production else "pelicanconf.py"))
    messages.use(project.settings().get("MESSAGES_LANG"))
    return project


@task(help={"as_of": "build clock, ISO 8601 (e.g. 2027-01-15T09:00, site time zone); default now",
            "production": "use publishconf.py (absolute URLs)"})
def build(c: Context, as_of: str | None = None, production: bool = False) -> None:
    """Build the public site and the member area into output/ (validated, leak-gated, swapped atomically)."""
    project = _project(production)
    try:
        result = build_sites(project, parse_clock(as_of, project.settings()), progress=_progress)
    except BuildFailed as error:
        raise Exit(_("Build failed. output/ was not changed.") + f"\n{error}", code=1) from None
    print(summary(result))


@task
def clean(c: Context) -> None:
    """Remove output/, dist/, the preview, caches and build leftovers."""
    for name in ("output", "dist", ".staging", ".preview", "cache"):
        shutil.rmtree(ROOT / name, ignore_errors=True)


@task(help={"port": "port on 127.0.0.1 (default 8000)"})
def serve(c: Context, port: int = 8000) -> None:
    """Preview output/ on http://127.0.0.1:PORT/ — NOT gated: /members/ is open here (see README)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ROOT / "output"))
    print(_("Serving output/ at {url} — the member area is NOT protected in this preview.").format(
        url=f"http://127.0.0.1:{port}/"))
    with http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), handler) as server:
        server.serve_forever()


@task(help={"slug": "the issue, e.g. kundenbrief-november-2026", "to": "recipient address"})
def newsletter_send_test(c: Context, slug: str, to: str) -> None:
    """Send dist/newsletters/SLUG/preview.eml over SMTP (server and credentials from VORAB_SMTP_* variables)."""
    import os

    from newsletter.send import SendFailed, send_test

    try:
        send_test(ROOT / "dist" / "newsletters" / slug / "preview.eml", to, os.environ)
    except (SendFailed, OSError) as error:
        raise Exit(f"Test send failed: {error}", code=1) from None
    print(f"Sent the preview of {slug} to {to}.")


@task(help={"slug": "the issue, e.g. kundenbrief-november-2026"})
def newsletter_screenshots(c: Context, slug: str) -> None:
    """Screenshots of an issue at 320, 375 and 600 px into dist/newsletters/SLUG/screenshots/ (needs chromium)."""
    from newsletter.screenshots import look_at

    looks = look_at(ROOT / "dist" / "newsletters" / slug, ROOT / "output")
    for look in looks:
        state = [f"scrolls sideways by {look.overflow_px}px"] if look.overflow_px > 0 else []
        state += [f"image not shown: {src}" for src in look.broken_images]
        print(f"{look.width}px: {'; '.join(state) or 'ok'} → {look.screenshot.relative_to(ROOT)}")
    if not all(look.ok for look in looks):
        raise Exit(f"The e-mail {slug} does not show right; see above.", code=1)


@task
def screenshots(c: Context) -> None:
    """Screenshots of the main pages of both sites in output/ at 375 and 1280 px, light and dark, into
    dist/screenshots/ for review (needs chromium; run `invoke build` first)."""
    from design.screenshots import take

    settings = _project(False).settings()
    if not (ROOT / "output" / "index.html").is_file():
        raise Exit("output/ holds no site: run `invoke build` first.", code=1)
    shots = take(ROOT / "output", ROOT / "dist" / "screenshots", settings["MEMBERS_PATH"])
    for shot in shots:
        if shot.overflow_px > 0:
            print(f"{shot.path.name}: scrolls sideways by {shot.overflow_px}px")
    print(f"{len(shots)} screenshots in {(ROOT / 'dist' / 'screenshots').relative_to(ROOT)}/")
    if any(shot.overflow_px > 0 for shot in shots):
        raise Exit("Some pages scroll sideways; see above.", code=1)


# --- Editor workflow: check, schedule, preview, new, livereload, publish ---------------------------------------


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def _clock(as_of: str | None, project: Project, option: str = "--as-of") -> datetime:
    try:
        return parse_clock(as_of, project.settings(), option)
    except BuildFailed as error:
        raise Exit(str(error), code=1) from None


def _validated(project: Project, clock: datetime | None = None) -> Validation:
    from sitebuild.check import validate

    try:
        return validate(project.settings(), project.settings_file, clock or _clock(None, project))
    except BuildFailed as error:
        raise Exit(f"{error}\n" + _("Run `invoke check` after fixing these."), code=1) from None


@task
def check(c: Context) -> None:
    """Validate all content, newsletters and settings; print every problem and warning; exit 1 on errors."""
    import time

    started = time.perf_counter()
    validation = _validated(_project(False))
    for warning in validation.warnings:
        print(_("warning: {warning}").format(warning=warning))
    files = len(validation.items.items)
    print(ngettext("OK: {files} file checked, {warnings} warning(s) ({seconds:.2f} s).",
                   "OK: {files} files checked, {warnings} warning(s) ({seconds:.2f} s).", files).format(
        files=files, warnings=len(validation.warnings), seconds=time.perf_counter() - started))


@task(name="schedule", help={"from": "start of the period, ISO 8601 (default now)", "days": "length (default 90)",
                             "json": "machine-readable output"})
def schedule_(c: Context, from_: str | None = None, days: int = 90, json: bool = False) -> None:
    """The release calendar: every coming transition in time order, with the members' head start."""
    from datetime import timedelta

    from editor.schedule import as_json, as_table, transitions, warnings

    project = _project(False)
    start = _clock(from_, project, "--from")
    end = start + timedelta(days=int(days))
    coming = transitions(_validated(project, start).items, start, end)
    if json:
        print(as_json(coming, start, end))
        return
    print(_("Transitions from {start} to {end}:").format(start=start.isoformat(timespec="minutes"),
                                                         end=end.isoformat(timespec="minutes")))
    print(as_table(coming))
    for warning in warnings(coming):
        print(_("warning: {warning}").format(warning=warning))


@task(help={"as_of": "the date to preview, ISO 8601 (e.g. 2027-01-15T09:00)", "audience": "public or members",
            "port": "port on 127.0.0.1 (default 8001)"})
def preview(c: Context, as_of: str, audience: str = "members", port: int = 8001) -> None:
    """The sites as they will be at AS_OF, with search and e-mail packages, in .preview/ (never output/), served
    on 127.0.0.1 and rebuilt on every change, like livereload."""
    from editor.livereload import live
    from editor.preview import start_page

    project = _project(False)
    settings = project.settings()
    if audience not in Tiers.from_settings(settings):
        raise Exit(_("--audience: expected one of {choices}, found {found}").format(
            choices=Tiers.from_settings(settings), found=repr(audience)), code=1)
    _clock(as_of, project)  # refused before anything is built
    live(project, ROOT, port=int(port), as_of=as_of, steps=None, start=start_page(settings, audience))


@task(help={"type": "products, seminars, faq, contacts, pages or newsletters", "title": "the title, in quotes"})
def new(c: Context, type: str, title: str) -> None:  # noqa: A002 — the editor's word for it
    """Create content/TYPE/SLUG.md (or a newsletter) with every field explained; never overwrites."""
    from editor.scaffold import ScaffoldError, content_type, scaffold, target_path

    project = _project(False)
    settings = project.settings()
    try:
        kind = content_type(type)
        path = scaffold(target_path(settings, kind, title), kind, title, _clock(None, project).date(),
                        Tiers.from_settings(settings))
    except ScaffoldError as error:
        raise Exit(str(error), code=1) from None
    print(_("Created {path} (status: draft). Fill it in, then: invoke check").format(path=path.relative_to(ROOT)))


@task(help={"port": "port on 127.0.0.1 (default 8000)", "as_of": "fixed build clock (default: now, each build)"})
def livereload(c: Context, port: int = 8000, as_of: str | None = None) -> None:
    """Rebuild into .preview/ on every change to content, newsletters, theme or settings; the browser reloads."""
    from editor.livereload import live

    live(_project(False), ROOT, port=int(port), as_of=as_of)


@task
def publish(c: Context) -> None:
    """Production build (publishconf.py) at the current clock, sync output/ to $VORAB_PUBLISH_TARGET, then
    verify-deploy against SITEURL."""
    import os

    from editor.publish import TARGET_VARIABLE, GateCheckFailed, PublishFailed
    from editor.publish import publish as publish_site

    target = os.environ.get(TARGET_VARIABLE)
    project = _project(True)
    url = project.settings()["SITEURL"]
    try:
        result = publish_site(project, target, verify_url=url, environ=os.environ, progress=_progress)
    except BuildFailed as error:
        raise Exit(_("Build failed; nothing was published.") + f"\n{error}", code=1) from None
    except GateCheckFailed as error:
        raise Exit(_loud(_("Gate check failed: {error}").format(error=error)), code=1) from None
    except PublishFailed as error:
        raise Exit(_("Publishing failed: {error}").format(error=error), code=1) from None
    print(summary(result))
    print(_("Published to {target}; the gate of {url} passed its check from outside.").format(target=target, url=url))


@task(positional=["url"], help={"url": "the live site (default: SITEURL of publishconf.py)"})
def verify_deploy(c: Context, url: str | None = None) -> None:
    """Check the live site's gate from outside: the member area refused to strangers in every spelling, no member
    content in any answer; with VORAB_VERIFY_USER/VORAB_VERIFY_PASSWORD, a member gets in, privately."""
    import os

    from gate.verify import verify_deploy as verify

    project = _project(True)
    settings = project.settings()
    url = url or settings["SITEURL"]
    validation = _validated(project)
    check = verify(url, settings, validation.items, parse_clock(None, settings), Path(settings["OUTPUT_PATH"]),
                   os.environ)
    print("\n".join(check.checked))
    if not check.passed:
        lines = "\n".join(f"  {failure}" for failure in check.failures)
        raise Exit(_loud(f"verify-deploy: the gate of {url} failed; the member area may be open:\n{lines}"), code=1)
    print(f"verify-deploy: the gate of {url} holds.")


def _loud(message: str) -> str:
    """A failure that must not go unnoticed: in GitHub Actions also an error annotation on the run."""
    import os

    if os.environ.get("GITHUB_ACTIONS") == "true":
        first = message.splitlines()[0]
        return f"::error title=Vorab gate check failed::{first}\n{message}"
    return message


@task(help={"items": "size of the synthetic site (default 2000)", "runs": "counted runs of each build (default 3)",
            "scaling": "run 500, 2,000 and 8,000 items and show how each figure grows",
            "hugo": "also time Hugo on the same Markdown (the [bench] extra of pyproject.toml)",
            "results": "where the figures go (default dist/bench/results.json or scaling.json)"})
def bench(c: Context, items: int = 2000, runs: int = 3, scaling: bool = False, hugo: bool = False,
          results: str | None = None) -> None:
    """Vorab's full build against plain Pelican (warm with its cache, and cold) on the same synthetic Markdown in
    a git repository, at the current clock; writes dist/bench/results.json."""
    import json

    from benchmark import HugoMissing, report, run_benchmark, scaling_report

    sizes = (500, 2000, 8000) if scaling else (int(items),)
    figures_of = []
    for size in sizes:
        try:
            figures = run_benchmark(size, runs=int(runs), hugo=hugo)
        except HugoMissing as missing:
            raise Exit(str(missing), code=1) from None
        print(report(figures))
        figures_of.append(figures)
    if scaling:
        print(scaling_report(figures_of))
    target = Path(results) if results else ROOT / "dist" / "bench" / ("scaling.json" if scaling else "results.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures_of if scaling else figures_of[0], indent=2), encoding="utf-8")
    print(f"→ {target}")


@task(help={"file": "the member export (CSV: email, first_name, last_name[, tier]); default private/members.csv",
            "allow_removals": "remove more than a fifth (or all) of the members, as the export says"})
def members_sync(c: Context, file: str | None = None, allow_removals: bool = False) -> None:
    """Make private/members.htpasswd (and members.caddy) and the members' calendar addresses match a member export:
    add, keep, revoke. The GATE_* settings come from publishconf.py, like the server configurations'."""
    from gate import MembersSyncFailed, sync_members

    settings = _project(True).settings()
    export = Path(file) if file else ROOT / "private" / "members.csv"
    try:
        result = sync_members(export, ROOT / "private", site_url=f"https://{settings['GATE_SERVER_NAME']}",
                              cost=settings["GATE_BCRYPT_COST"], tiers=Tiers.from_settings(settings).member_tiers,
                              allow_removals=allow_removals, progress=_progress)
    except (MembersSyncFailed, ValueError, OSError) as error:
        raise Exit(str(error), code=1) from None
    print(result.summary(ROOT))


@task(positional=["email"], help={"email": "the member whose calendar address was passed on"})
def members_new_calendar_address(c: Context, email: str) -> None:
    """Give one member a new personal calendar address; the old one answers 404 once private/kalender/ is on the
    server."""
    from gate import new_calendar_address

    settings = _project(True).settings()
    try:
        url = new_calendar_address(ROOT / "private", f"https://{settings['GATE_SERVER_NAME']}", email)
    except (ValueError, OSError) as error:
        raise Exit(str(error), code=1) from None
    print(f"New calendar address of {email.strip().lower()}: {url}\n  deploy: copy private/kalender/ to the server "
          f"and private/member-calendars.csv into the e-mail tool")
