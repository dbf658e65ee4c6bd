"""`invoke bench`: Vorab's full build against plain Pelican on the same Markdown, like with like.

Vorab's synthetic site is a git repository with history (seminars with SEQUENCE > 0) and is built at the current
clock. Warm: Vorab with its caches and its previous trees against plain Pelican with its own content cache and
its output kept; cold: both from nothing (no cache, empty output). `--hugo` adds Hugo over the same Markdown
with two minimal templates, the speed anchor. Whole processes are timed: wall clock, CPU (user + system, children
included) and peak resident memory of the largest single process (wait4's rusage) — for Vorab its own processes,
with Pagefind's reported apart (benchmark.build_once). Each round runs every contender once, in turn; one round
warms up uncounted, medians are reported. After the rounds: the leak gate without its memory, and the
measurements after an editor's save (AFTER_AN_EDIT).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .hugosite import HugoMissing, hugo_binary, hugo_command, write_hugo_site
from .synthetic import commit_history, write_site

__all__ = ["AFTER_AN_EDIT", "Bench", "HugoMissing", "report", "run_benchmark", "scaling_report"]

PLUGINS = Path(__file__).resolve().parents[1]
SEQUENCE = re.compile(r"^SEQUENCE:(\d+)\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Sample:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    stdout: str

    def build(self) -> dict[str, Any]:
        """What benchmark.build_once printed: stage seconds, its own and Pagefind's peak memory."""
        result: dict[str, Any] = json.loads(self.stdout)
        return result


@dataclass(frozen=True)
class Contender:
    """One command the rounds time, and what is removed before each of its runs (a cold one starts from
    nothing; a warm one keeps everything)."""

    name: str
    command: list[str]
    clear: tuple[Path, ...] = ()

    def run(self, root: Path) -> Sample:
        for path in self.clear:
            shutil.rmtree(path, ignore_errors=True)
        return measure(self.command, root)


@dataclass(frozen=True)
class Bench:
    """The synthetic project after the rounds, for the measurements that follow an editor's save."""

    root: Path
    settings_file: Path
    vorab_warm: list[str]  # a full build into the warm trees, at the current clock

    def save_edit(self, number: int) -> Path:
        """What an editor's save does to the content: one FAQ item gets a sentence more."""
        item = sorted((self.root / "content" / "faq").glob("*.md"))[0]
        item.write_text(item.read_text(encoding="utf-8") + f"\nNachtrag {number}.\n", encoding="utf-8")
        return item


def incremental_s(bench: Bench) -> float:
    """Median wall seconds of a full build after one saved edit (three edits): what `invoke build` costs."""
    timings = []
    for number in range(3):
        bench.save_edit(number)
        timings.append(measure(bench.vorab_warm, bench.root).wall_s)
    return statistics.median(timings)


def preview_edit_s(bench: Bench) -> float:
    """Median wall seconds from a saved edit to the page rewritten in the resident preview (`invoke livereload`,
    editor.resident), over five edits after its first, full build. The file watcher's debounce and the
    browser's poll for the reload (every 0.1 s) come on top."""
    from editor.resident import ResidentPreview
    from sitebuild import Project

    preview = ResidentPreview(Project(bench.settings_file), bench.root)
    try:
        preview.build()
        timings = []
        for number in range(100, 106):
            path = bench.save_edit(number)
            started = time.perf_counter()
            how, _files = preview.update([("modified", path)])
            timings.append(time.perf_counter() - started)
            if how != "pages":
                raise RuntimeError(f"the resident preview built fully after an edit of {path.name}")
    finally:
        preview.close()
    return statistics.median(timings[1:])  # the first pays for what the runs load on first use


# Figure → (label, measurement), each run on the warm project after the rounds, in this order.
AFTER_AN_EDIT: dict[str, tuple[str, Callable[[Bench], float]]] = {
    "incremental_s": ("rebuild after an edit", incremental_s),
    "preview_edit_s": ("live preview, save → page", preview_edit_s),
}


def measure(command: list[str], cwd: Path) -> Sample:
    """Run `command` to completion and read the kernel's accounting of it (and its waited-for children)."""
    env = {**os.environ, "PYTHONPATH": str(PLUGINS)}
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=errors)
        stdout = ""
        if process.stdout is not None:
            stdout = process.stdout.read().decode()
            process.stdout.close()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{errors.read().decode()[-3000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)


def newsletter_ms(settings_file: Path, repeats: int = 20) -> float:
    """Median milliseconds for one issue end-to-end: render, MJML, premailer, every tool's variant, text, .eml."""
    from newsletter import ISSUES
    from newsletter.package import write_package
    from newsletter.render import Renderer
    from sitebuild import Project, parse_clock
    from sitebuild.check import validate
    from vorab.context import private_folder
    from vorab.unlisted import load_key

    project = Project(settings_file)
    settings = project.settings()
    clock = parse_clock(None, settings)
    validation = validate(settings, settings_file, clock)
    issue = validation.results.get(ISSUES, [])[0]
    renderer = Renderer(settings, validation.items, load_key(private_folder(settings), os.environ))
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        for attempt in range(repeats + 1):
            started = time.perf_counter()
            write_package(issue, renderer.render(issue), settings, Path(folder) / str(attempt), clock)
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings[1:])  # the first call pays for imports and cssutils' set-up


def run_benchmark(items: int, runs: int = 3, *, hugo: bool = False) -> dict[str, Any]:
    """Measure Vorab and plain Pelican, warm and cold (and Hugo with `hugo`), on a fresh synthetic site of
    `items` items in a git repository, at the current clock; return the figures."""
    hugo_executable = hugo_binary() if hugo else None  # HugoMissing before any work
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="vorab-bench-") as folder:
        root = Path(folder)
        settings_file = write_site(root, items, today=started.date())
        moved = commit_history(root, started.date())
        build_once = [sys.executable, "-m", "benchmark.build_once", str(settings_file)]
        cold_trees = ("--output", str(root / "cold-output"), "--dist", str(root / "cold-dist"),
                      "--cache", str(root / "cold-cache"))
        pelican = [sys.executable, "-m", "pelican", "-q", "-s"]
        contenders = [
            Contender("vorab_warm", build_once),
            Contender("pelican_cached", [*pelican, str(root / "plaincache.py")]),
            Contender("vorab_cold", [*build_once, *cold_trees],
                      tuple(root / name for name in ("cold-output", "cold-dist", "cold-cache",
                                                      ".staging/cold-output"))),
            Contender("pelican_cold", [*pelican, str(root / "plainconf.py")], (root / "plain-output",)),
        ]
        if hugo_executable:
            site = write_hugo_site(root / "hugo-site", root / "content")
            contenders.append(Contender("hugo", hugo_command(hugo_executable, site, root / "hugo-public",
                                                             root / "hugo-cache")))
        contenders[0].run(root)  # a warm build updates the tree the one before last left: fill both first
        samples: dict[str, list[Sample]] = {contender.name: [] for contender in contenders}
        for attempt in range(runs + 1):  # the first round warms caches and trees and is not counted
            for contender in contenders:
                sample = contender.run(root)
                if attempt:
                    samples[contender.name].append(sample)
        figures = _figures(items, samples)
        figures["clock"] = started.isoformat(timespec="seconds")
        figures.update(_sequences(root / "output", moved))
        cold = []  # the leak gate with no memory of clean files: as after a release changes what is secret
        for _attempt in range(runs):
            for memory in (root / "cache").glob("gate-*"):
                shutil.rmtree(memory)
            cold.append(measure(build_once, root).build()["seconds"]["leak gate"])
        figures["leak_gate_cold_s"] = statistics.median(cold)
        bench = Bench(root, settings_file, build_once)
        for key, (_label, measurement) in AFTER_AN_EDIT.items():
            figures[key] = measurement(bench)
        figures["newsletter_ms_median"] = newsletter_ms(settings_file)
        return figures


def _sequences(output: Path, moved: int) -> dict[str, int]:
    """How many seminars' calendar files (not the feeds) carry SEQUENCE > 0, and the highest, against how many
    the second commit moved: the SEQUENCE check and the calendars read the repository's history."""
    raised: dict[str, int] = {}
    for path in output.rglob("*.ics"):
        numbers = [int(n) for n in SEQUENCE.findall(path.read_text(encoding="utf-8"))]
        if path.stem != "kalender" and numbers and max(numbers) > 0:
            raised[path.stem] = max(numbers)
    return {"git_commits": 2, "seminars_moved": moved, "ics_resequenced": len(raised),
            "ics_sequence_max": max(raised.values(), default=0)}


def _figures(items: int, samples: dict[str, list[Sample]]) -> dict[str, Any]:
    def median(name: str, field: str) -> float:
        return float(statistics.median(getattr(s, field) for s in samples[name]))

    def reported(name: str, key: str) -> float:
        return float(statistics.median(s.build()[key] for s in samples[name]))

    def stages(name: str) -> dict[str, float]:
        seconds = [s.build()["seconds"] for s in samples[name]]
        return {stage: statistics.median(run[stage] for run in seconds) for stage in seconds[0]}

    figures: dict[str, Any] = {"items": items, "runs": len(samples["vorab_warm"])}
    for name in samples:
        figures[f"{'hugo_wall' if name == 'hugo' else name}_s"] = median(name, "wall_s")
        figures[f"{name}_cpu_s"] = median(name, "cpu_s")
    figures["ratio_warm"] = figures["vorab_warm_s"] / figures["pelican_cached_s"]
    figures["ratio_cold"] = figures["vorab_cold_s"] / figures["pelican_cold_s"]
    if "hugo" in samples:
        figures["ratio_hugo"] = figures["vorab_warm_s"] / figures["hugo_wall_s"]
        figures["hugo_peak_rss_mb"] = median("hugo", "peak_rss_mb")
    # Vorab's own processes (without Pagefind), the larger of warm and cold; Pagefind indexes every page cold.
    figures["vorab_peak_rss_mb"] = max(reported("vorab_warm", "vorab_peak_rss_mb"),
                                       reported("vorab_cold", "vorab_peak_rss_mb"))
    figures["pagefind_peak_rss_mb"] = reported("vorab_cold", "pagefind_peak_rss_mb")
    figures["pelican_peak_rss_mb"] = max(median("pelican_cold", "peak_rss_mb"), median("pelican_cached", "peak_rss_mb"))
    figures["leak_gate_s"] = stages("vorab_warm")["leak gate"]
    figures["stages_s"] = stages("vorab_warm")
    figures["stages_cold_s"] = stages("vorab_cold")
    return figures


def report(figures: dict[str, Any]) -> str:
    def timed(name: str, key: str) -> str:
        return f"  {name:<56}{figures[f'{key}_s']:>7.2f} s wall, {figures[f'{key}_cpu_s']:.2f} s CPU"

    hugo = "hugo_wall_s" in figures
    after = "   ".join(f"{label}: {figures[key]:.2f} s" for key, (label, _) in AFTER_AN_EDIT.items())
    return "\n".join([
        f"{figures['items']} items, medians of {figures['runs']} runs (after one warm-up round), in a git repository "
        f"of {figures['git_commits']} commits, at the current clock:",
        timed("Vorab warm (both sites, newsletters, leak gate, swap)", "vorab_warm"),
        timed("plain Pelican with its own cache, output kept", "pelican_cached"),
        timed("Vorab cold (no cache/, empty output)", "vorab_cold"),
        timed("plain Pelican cold (no cache, empty output)", "pelican_cold"),
        *([f"  {'Hugo (same Markdown, two templates, output kept)':<56}{figures['hugo_wall_s']:>7.2f} s wall, "
           f"{figures['hugo_cpu_s']:.2f} s CPU"] if hugo else []),
        f"  ratios: warm {figures['ratio_warm']:.2f} (Vorab / Pelican cached), cold {figures['ratio_cold']:.2f} "
        f"(Vorab / Pelican)" + (f", Hugo {figures['ratio_hugo']:.2f} (Vorab warm / Hugo)" if hugo else ""),
        f"  peak memory, largest process: Vorab {figures['vorab_peak_rss_mb']:.0f} MB, Pagefind "
        f"{figures['pagefind_peak_rss_mb']:.0f} MB, plain Pelican {figures['pelican_peak_rss_mb']:.0f} MB"
        + (f", Hugo {figures['hugo_peak_rss_mb']:.0f} MB" if hugo else ""),
        f"  leak gate: {figures['leak_gate_s']:.2f} s ({figures['leak_gate_cold_s']:.2f} s with no memory of clean "
        f"files)   {after}   newsletter issue: {figures['newsletter_ms_median']:.1f} ms",
        f"  SEQUENCE: {figures['ics_resequenced']} of the {figures['seminars_moved']} seminars moved in the second "
        f"commit have SEQUENCE {figures['ics_sequence_max']} in their .ics",
        "  stages warm: " + ", ".join(f"{k} {v:.2f} s" for k, v in figures["stages_s"].items()),
        "  stages cold: " + ", ".join(f"{k} {v:.2f} s" for k, v in figures["stages_cold_s"].items()),
    ])


SCALED = {"vorab_warm_s": "Vorab warm s", "pelican_cached_s": "Pelican cached s", "vorab_cold_s": "Vorab cold s",
          "pelican_cold_s": "Pelican cold s", "hugo_wall_s": "Hugo s", "vorab_warm_cpu_s": "Vorab warm CPU s",
          "leak_gate_s": "leak gate s", "leak_gate_cold_s": "gate, no memory s",
          **{key: f"{label} s" for key, (label, _) in AFTER_AN_EDIT.items()},
          "vorab_peak_rss_mb": "Vorab peak MB", "pagefind_peak_rss_mb": "Pagefind peak MB",
          "pelican_peak_rss_mb": "Pelican peak MB", "hugo_peak_rss_mb": "Hugo peak MB"}
RATIOS = {"ratio_warm": "ratio warm", "ratio_cold": "ratio cold", "ratio_hugo": "ratio Hugo"}


def scaling_report(all_figures: list[dict[str, Any]]) -> str:
    """Each figure per item, and how that grows from the smallest size: linear growth keeps it near 1.0×."""
    base = all_figures[0]
    lines = [f"{'figure (growth per item)':<24}" + "".join(f"{str(f['items']) + ' items':>23}" for f in all_figures)]
    for key, name in SCALED.items():
        if not all(key in figures for figures in all_figures):
            continue  # Hugo's only with --hugo
        cells = []
        for figures in all_figures:
            growth = (figures[key] / figures["items"]) / (base[key] / base["items"]) if base[key] else 0.0
            cells.append(f"{figures[key]:>14.2f} ({growth:>5.2f}×)")
        lines.append(f"{name:<24}" + "".join(cells))
    for key, name in RATIOS.items():
        if all(key in figures for figures in all_figures):
            lines.append(f"{name:<24}" + "".join(f"{f[key]:>14.2f}         " for f in all_figures))
    return "\n".join(lines)
