"""The build (docs/architecture.md): validation → per-audience sources → Pelican runs in parallel → the
capabilities' build steps → leak gate → swap.

Nothing touches `output/` until every stage has passed; any failure raises BuildFailed and leaves the previous
`output/` as it was. Capabilities (the e-mail packages, the server gate, search) plug in through vorab.hooks:
the build loads every plugin named in PLUGINS and calls what they registered, and imports none of them.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import FileSystemBytecodeCache
from pelican import __version__ as pelican_version
from pelican.plugins._utils import load_plugins
from pelican.settings import read_settings

from audiences.rules import parse_moment
from leakgate import GateReport
from vorab import hooks
from vorab.context import BuildContext, Settings, SiteBuilt, Step
from vorab.errors import BuildFailed
from vorab.messages import _, ngettext
from vorab.model import Registry, RunSources
from vorab.options import fill_defaults
from vorab.tiers import Tiers

from .leakcheck import gate_build, report_lines
from .registry import FileMemo, load_registry
from .runner import Ended, Run, Runner, run_all
from .settings import CORE_OPTIONS
from .sources import write_run_sources
from .staging import SPARE, remove_unproduced, staging_for, swap_into_place


class LeakFound(BuildFailed):
    """Raised when the leak gate finds a fingerprint of non-public content in the public part of a build."""

    def __init__(self, report: GateReport) -> None:
        self.report = report
        problems = report_lines(report)
        lines = [f"  {problem}" for problem in problems[:50]]
        more = ["  " + _("… and {count} more").format(count=len(problems) - 50)] if len(problems) > 50 else []
        hits = ngettext("{count} fingerprint of non-public content or member data where it must not be",
                        "{count} fingerprints of non-public content or member data where they must not be",
                        len(report.hits)).format(count=len(report.hits))
        unread = ngettext("{count} file it cannot read and {hits}", "{count} files it cannot read and {hits}",
                          len(report.unread)).format(count=len(report.unread), hits=hits) if report.unread else hits
        heading = _("Leak gate: {found}; nothing was published:").format(found=unread)
        super().__init__("\n".join([heading, *lines, *more]))


@dataclass
class BuildResult:
    clock: datetime
    output: Path
    items: dict[str, int]  # audience → items built for it
    total_items: int
    gate: GateReport
    seconds: dict[str, float] = field(default_factory=dict)  # stage → wall seconds
    notes: list[str] = field(default_factory=list)  # one line per build step, for the summary
    registry: Registry | None = None  # what was built, for the summary's next scheduled transition
    sources: dict[str, RunSources] = field(default_factory=dict)  # audience → what its run was given


@dataclass(frozen=True)
class Project:
    """Where a build reads its settings from; everything else (content, theme, output) the settings name."""

    settings_file: Path

    def settings(self, overrides: dict[str, Any] | None = None) -> Settings:
        """The settings, with every registered option's default filled in (after the plugins registered)."""
        settings: Settings = read_settings(str(self.settings_file), override=overrides or {})
        # Pelican anchors CACHE_PATH at the settings file only when that file sets it; otherwise at the
        # working directory. Ours is always the project's.
        settings["CACHE_PATH"] = str(self.settings_file.parent / settings["CACHE_PATH"])
        register_plugins(settings)
        fill_defaults(settings, CORE_OPTIONS)
        fill_defaults(settings, hooks.OPTIONS)
        return settings


_registered: set[str] = set()


def default_steps(project: Project) -> list[Step]:
    """The build steps the project's plugins connect (vorab.hooks.building), in order."""
    project.settings()  # registers the plugins
    return list(hooks.building.receivers)


def register_plugins(settings: Settings) -> None:
    """Import every plugin of PLUGINS (from PLUGIN_PATHS, as Pelican does) and call its register() once per
    process: that connects the capabilities' validators and steps (vorab.hooks) and declares their settings."""
    for plugin in load_plugins(settings):
        name = getattr(plugin, "__name__", str(plugin))
        if name not in _registered:
            _registered.add(name)
            plugin.register()


def parse_clock(text: str | None, settings: Settings, option: str = "--as-of") -> datetime:
    """The build clock: an ISO 8601 or German moment in the site's zone, or now. `option`: what the editor
    typed it as, for the message."""
    if not text:
        return datetime.now(ZoneInfo(settings["TIMEZONE"]))
    try:
        return parse_moment(text, settings["TIMEZONE"])
    except ValueError:
        raise BuildFailed(_("{option}: expected a date or date-time (e.g. 15.01.2027 09:00 or 2027-01-15T09:00), "
                            "found {found}").format(option=option, found=repr(text))) from None


def load_project_registry(settings: Settings, memo: FileMemo | None = None) -> Registry:
    content = Path(settings["PATH"])
    templates = frozenset(p.stem for p in (Path(settings["THEME"]) / "templates").glob("[!_]*.html"))
    return load_registry(content, timezone=settings["TIMEZONE"], tiers=Tiers.from_settings(settings),
                         templates=templates, display_root=content.parent,
                         newsletters_dir=content.parent / settings["NEWSLETTER_PATH"], memo=memo)


def build(project: Project, clock: datetime | None = None, *, output: Path | None = None, dist: Path | None = None,
          overrides: dict[str, Any] | None = None, steps: Sequence[Step] | None = None,
          progress: Callable[[str], None] = lambda message: None, runner: Runner = run_all,
          memo: FileMemo | None = None) -> BuildResult:
    """Build every audience's site at `clock` into `output` (default: the settings' OUTPUT_PATH), and what the
    build steps make into `dist` (default: `dist/` beside `output`). `steps`: instead of the registered ones.
    `progress` is told each stage as it starts. `runner` runs the audiences' Pelican runs and `memo` keeps what
    the validation found in each file (the live preview keeps both for its next update)."""
    from .check import validate  # check.py reads the registry through this module

    timings: dict[str, float] = {}
    started = time.perf_counter()
    settings = project.settings(overrides)
    clock = clock or parse_clock(None, settings)
    output = Path(output or settings["OUTPUT_PATH"]).resolve()
    dist = Path(dist or output.parent / "dist").resolve()
    progress(_("validating content, newsletters and settings"))
    validation = validate(settings, project.settings_file, clock, memo)
    registry = validation.items
    tiers = registry.tiers
    timings["registry"] = time.perf_counter() - started

    output_key = hashlib.sha256(bytes(output)).hexdigest()[:12]  # caches that belong to this output tree
    with staging_for(output) as staging:
        context = BuildContext(settings, registry, clock, staging / SPARE, staging / "dist", {},
                               results=validation.results,
                               notes=[_("warning: {warning}").format(warning=w) for w in validation.warnings])
        mark = time.perf_counter()
        runs: list[Run] = []
        previews = preview_count(registry, clock)
        sources_root = _cache_folder(settings, f"sources-{output_key}")
        for audience in tiers:
            sources = write_run_sources(registry, audience, clock, sources_root / audience)
            context.sources[audience] = sources
            runs.append(_run_for(project, settings, audience, clock, sources, context.audience_root(audience),
                                 previews, overrides))
        timings["sources"] = time.perf_counter() - mark
        mark = time.perf_counter()
        progress(_("Pelican: {count} items, one run per audience ({audiences})").format(count=len(registry.items),
                                                                                       audiences=tiers))
        steps = hooks.building.receivers if steps is None else steps
        try:
            context.produced = runner(runs, _site_built(context, hooks.site_built.of(steps)))
            timings["pelican"] = time.perf_counter() - mark
            _run_steps(context, steps, timings, progress)
        finally:
            _stop(context.background)  # what a step started and, the build having failed, never waited for

        mark = time.perf_counter()
        progress(_("leak gate: scanning the public files"))
        gate = gate_build(context, memory=_cache_folder(settings, f"gate-{output_key}"),
                          memo=_cache_folder(settings, "leakgate-memo") / "memo.pickle")
        timings["leak gate"] = time.perf_counter() - mark
        if not gate.passed:
            raise LeakFound(gate)

        mark = time.perf_counter()
        swap_into_place(context.site, output, keep_previous=True)
        for folder in sorted(context.dist.iterdir()):
            dist.mkdir(parents=True, exist_ok=True)
            swap_into_place(folder, dist / folder.name)
        _keep_private(context.private_files, context.private)
        timings["swap"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return BuildResult(clock, output, {a: len(s.items) for a, s in context.sources.items()}, len(registry.items),
                       gate, timings, context.notes, registry, context.sources)


def _site_built(context: BuildContext, receivers: list[Callable[[SiteBuilt], None]]) -> Ended:
    """What the build does as soon as one audience's run has ended: delete the pages of that audience's site no
    run produced (search must not index them; the other audiences' folders and the folders steps update in
    place themselves are left alone), then let the steps start on it (vorab.hooks.site_built)."""

    def ended(run: Run, produced: set[str]) -> None:
        remove_unproduced(context.audience_root(run.audience), produced,
                          except_in=frozenset(hooks.SITE_FOLDERS) | context.nested_sites(run.audience))
        for receiver in receivers:
            receiver(SiteBuilt(context, run.audience))

    return ended


def _run_steps(context: BuildContext, steps: Sequence[Step], timings: dict[str, float],
               progress: Callable[[str], None]) -> None:
    """The build steps in order, then the removal of what no run or step produced (in the steps' folders)."""
    for step in steps:
        mark = time.perf_counter()
        progress(_("step: {name}").format(name=step.__module__.split(".")[0]))
        step(context)
        timings[step.__module__.split(".")[0]] = time.perf_counter() - mark
    remove_unproduced(context.site, context.produced)


def _stop(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        if process.returncode is None:
            process.kill()
            process.communicate()  # reaps it and closes its pipes


def _keep_private(files: dict[str, bytes], private: Path) -> None:
    """What steps made for private/ (a new key), readable by its owner only; never replaces a file."""
    for name, data in files.items():
        private.mkdir(mode=0o700, exist_ok=True)
        try:
            descriptor = os.open(private / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)


def _reader_cache(settings: Settings, audience: str) -> dict[str, Any]:
    """Pelican's reader-level cache: the HTML of each source file, checked by the MD5 of its bytes. It holds
    nothing that depends on the clock (content objects and their schedules are built fresh in every run), so
    it is safe across clock changes; one cache per audience, and a new one when the Markdown settings or
    Pelican's version change."""
    reader_settings = repr((pelican_version, settings["MARKDOWN"], settings.get("FORMATTED_FIELDS")))
    key = hashlib.sha256(reader_settings.encode()).hexdigest()[:12]
    return {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "CONTENT_CACHING_LAYER": "reader",
            "CHECK_MODIFIED_METHOD": "md5", "GZIP_CACHE": False,
            "CACHE_PATH": str(_cache_folder(settings, f"pelican-{audience}-{key}"))}


def preview_count(registry: Registry, clock: datetime) -> int:
    """How many products members see before the public at `clock` (the public may know how many, not which)."""
    tiers = registry.tiers
    return sum(1 for item in registry.visible(tiers.members, clock)
               if item.type.folder == "products" and not item.schedule.released(clock, tiers))


def _cache_folder(settings: Settings, name: str) -> Path:
    folder = Path(settings["CACHE_PATH"]) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _run_for(project: Project, settings: Settings, audience: str, clock: datetime, sources: RunSources,
             destination: Path, previews: int, overrides: dict[str, Any] | None) -> Run:
    folder = Tiers.from_settings(settings).folder(audience)
    siteurl = settings["SITEURL"]
    if folder and siteurl:
        siteurl = f"{siteurl.rstrip('/')}/{folder}"
    # Compiled templates are kept between builds (keyed by the template's source, so edits are picked up).
    jinja = {**settings["JINJA_ENVIRONMENT"],
             "bytecode_cache": FileSystemBytecodeCache(str(_cache_folder(settings, "jinja")))}
    run_overrides = {
        **(overrides or {}),
        "JINJA_ENVIRONMENT": jinja,
        "PATH": str(sources.path),
        "CONTENT_SOURCE_PATH": settings["PATH"],  # the editors' files PATH was made from (their git history)
        "PROJECT_CACHE_PATH": settings["CACHE_PATH"],  # the project's cache/ (CACHE_PATH is Pelican's own in a run)
        "OUTPUT_PATH": str(destination),
        "SITEURL": siteurl,
        "AUDIENCE": audience,
        "AUDIENCE_CLOCK": clock,
        "AUDIENCE_PREVIEW_COUNT": previews,
        "DELETE_OUTPUT_DIRECTORY": False,  # the build deletes what no run produced (plugins/outputs)
        "STATIC_CHECK_IF_MODIFIED": True,  # static files already in the spare tree are not copied again
        **_reader_cache(settings, audience),
    }
    content = Path(settings["PATH"])
    shown = content.relative_to(project.settings_file.parent) if content.is_relative_to(project.settings_file.parent) \
        else content
    return Run(audience, project.settings_file, run_overrides, shown.as_posix())
