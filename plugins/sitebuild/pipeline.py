"""The build (ARCHITECTURE §3): registry → per-audience sources → Pelican runs in parallel → leak gate → swap.

Nothing touches `output/` until every stage has passed; any failure raises BuildFailed and leaves the previous
`output/` as it was.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from audiences.rules import parse_moment
from leakgate import GateReport, drop_shared, scan, secret_fingerprints
from pelican.settings import read_settings

from .errors import BuildFailed
from .registry import Registry, load_registry
from .runner import Run, run_all
from .sources import RunSources, write_run_sources
from .staging import new_staging, swap_into_place


class LeakFound(BuildFailed):
    """Raised when the leak gate finds a fingerprint of non-public content in the public part of a build."""

    def __init__(self, report: GateReport) -> None:
        self.report = report
        lines = "\n".join(f"  {hit}" for hit in report.hits[:50])
        more = f"\n  … and {len(report.hits) - 50} more" if len(report.hits) > 50 else ""
        super().__init__(f"Leak gate: {len(report.hits)} fingerprint(s) of non-public content in the public "
                         f"site; nothing was published:\n{lines}{more}")


@dataclass
class BuildResult:
    clock: datetime
    output: Path
    items: dict[str, int]  # audience → items built for it
    total_items: int
    gate: GateReport
    seconds: dict[str, float] = field(default_factory=dict)  # stage → wall seconds


@dataclass(frozen=True)
class Project:
    """Where a build reads its settings from; everything else (content, theme, output) the settings name."""

    settings_file: Path

    def settings(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        return read_settings(str(self.settings_file), override=overrides or {})


def audience_folder(settings: dict[str, Any], audience: str) -> str:
    """The folder of an audience's site inside output/: '' for the public, MEMBERS_PATH for members, …"""
    if audience == settings["AUDIENCE_TIERS"][0]:
        return ""
    return settings.get(f"{audience.upper()}_PATH", audience)


def parse_clock(text: str | None, settings: dict[str, Any]) -> datetime:
    """The build clock: an ISO 8601 moment in the site's zone, or now."""
    if not text:
        return datetime.now().astimezone()
    try:
        return parse_moment(text, settings["TIMEZONE"])
    except ValueError:
        raise BuildFailed(f"--as-of: expected an ISO 8601 date or date-time (e.g. 2027-01-15T09:00), "
                          f"found {text!r}") from None


def load_project_registry(settings: dict[str, Any]) -> Registry:
    content = Path(settings["PATH"])
    templates = frozenset(p.stem for p in (Path(settings["THEME"]) / "templates").glob("[!_]*.html"))
    return load_registry(content, timezone=settings["TIMEZONE"], tiers=tuple(settings["AUDIENCE_TIERS"]),
                         templates=templates, display_root=content.parent)


def build(project: Project, clock: datetime | None = None, *, output: Path | None = None,
          overrides: dict[str, Any] | None = None) -> BuildResult:
    """Build every audience's site at `clock` into `output` (default: the settings' OUTPUT_PATH)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    settings = project.settings(overrides)
    clock = clock or parse_clock(None, settings)
    output = Path(output or settings["OUTPUT_PATH"]).resolve()
    tiers = tuple(settings["AUDIENCE_TIERS"])
    registry = load_project_registry(settings)
    timings["registry"] = time.perf_counter() - started

    staging = new_staging(output)
    try:
        site = staging / "site"
        runs: list[Run] = []
        sources: dict[str, RunSources] = {}
        for audience in tiers:
            sources[audience] = write_run_sources(registry, audience, clock, staging / "sources" / audience)
            runs.append(_run_for(project, settings, audience, clock, sources[audience], staging / "sites" / audience,
                                 registry, overrides))
        step = time.perf_counter()
        run_all(runs)
        timings["pelican"] = time.perf_counter() - step

        (staging / "sites" / tiers[0]).rename(site)
        for audience in tiers[1:]:
            (staging / "sites" / audience).rename(site / audience_folder(settings, audience))

        step = time.perf_counter()
        gate = gate_public_site(site, registry, sources[tiers[0]], settings)
        timings["leak gate"] = time.perf_counter() - step
        if not gate.passed:
            raise LeakFound(gate)

        swap_into_place(site, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    timings["total"] = time.perf_counter() - started
    return BuildResult(clock, output, {a: len(s.items) for a, s in sources.items()}, len(registry.items), gate,
                       timings)


def gate_public_site(site: Path, registry: Registry, public: RunSources, settings: dict[str, Any]) -> GateReport:
    """Scan the public part of `site` for fingerprints of everything the public may not see."""
    fingerprints = secret_fingerprints(registry.items, public.items, public.assets)
    public_texts = [*public.texts.values(), *public.assets, *(v for v in settings.values() if isinstance(v, str))]
    theme_texts = [p.read_text(encoding="utf-8", errors="replace")
                   for p in sorted(Path(settings["THEME"]).rglob("*")) if p.is_file()]
    fingerprints = drop_shared(fingerprints, public_texts, theme_texts)
    member_folders = [audience_folder(settings, a) for a in settings["AUDIENCE_TIERS"][1:]]
    return scan(site, fingerprints, skip_dirs=member_folders)


def _run_for(project: Project, settings: dict[str, Any], audience: str, clock: datetime, sources: RunSources,
             destination: Path, registry: Registry, overrides: dict[str, Any] | None) -> Run:
    folder = audience_folder(settings, audience)
    siteurl = settings["SITEURL"]
    if folder and siteurl:
        siteurl = f"{siteurl.rstrip('/')}/{folder}"
    tiers = tuple(settings["AUDIENCE_TIERS"])
    previews = sum(1 for item in registry.visible(tiers[1], clock)
                   if item.type.folder == "products" and not item.schedule.released(clock, tiers))
    run_overrides = {
        **(overrides or {}),
        "PATH": str(sources.path),
        "OUTPUT_PATH": str(destination),
        "SITEURL": siteurl,
        "AUDIENCE": audience,
        "AUDIENCE_CLOCK": clock,
        "AUDIENCE_PREVIEW_COUNT": previews,
        "DELETE_OUTPUT_DIRECTORY": False,
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
    }
    return Run(audience, project.settings_file, run_overrides)
