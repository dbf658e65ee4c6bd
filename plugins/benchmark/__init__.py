"""`invoke bench`: Vorab's full build (A) against plain Pelican on the same Markdown (B), side by side.

Whole processes are timed: wall clock, CPU (user + system, children included) and peak resident memory of the
largest single process (wait4's rusage), alternating A B A B after one warm-up of each, medians reported.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .synthetic import CLOCK, write_site

PLUGINS = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sample:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    stdout: str


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


def run_benchmark(items: int, runs: int = 3) -> dict[str, Any]:
    """Measure A and B on a fresh synthetic site of `items` items; return the figures."""
    with tempfile.TemporaryDirectory(prefix="vorab-bench-") as folder:
        root = Path(folder)
        settings_file = write_site(root, items)
        vorab = [sys.executable, "-m", "benchmark.build_once", str(settings_file), CLOCK]
        pelican = [sys.executable, "-m", "pelican", "-s", str(root / "plainconf.py"), "-q"]
        samples: dict[str, list[Sample]] = {"vorab": [], "pelican": []}
        for attempt in range(runs + 1):  # the first pair warms the file cache and is not counted
            for name, command in (("vorab", vorab), ("pelican", pelican)):
                subprocess.run(["rm", "-rf", str(root / "plain-output")], check=True)
                sample = measure(command, root)
                if attempt:
                    samples[name].append(sample)
        cold = []  # the leak gate with no memory of clean files: as after a release changes what is secret
        for _attempt in range(runs):
            for memory in (root / "cache").glob("gate-*"):
                shutil.rmtree(memory)
            cold.append(json.loads(measure(vorab, root).stdout)["leak gate"])
        incremental = []
        for edit in range(3):
            item = next((root / "content" / "faq").glob("*.md"))
            item.write_text(item.read_text(encoding="utf-8") + f"\nNachtrag {edit}.\n", encoding="utf-8")
            incremental.append(measure(vorab, root).wall_s)
        figures = _figures(items, samples)
        figures["incremental_s"] = statistics.median(incremental)
        figures["leak_gate_cold_s"] = statistics.median(cold)
        figures["newsletter_ms_median"] = newsletter_ms(settings_file)
        return figures


def _figures(items: int, samples: dict[str, list[Sample]]) -> dict[str, Any]:
    def median(name: str, field: str) -> float:
        return float(statistics.median(getattr(s, field) for s in samples[name]))

    stages = [json.loads(s.stdout) for s in samples["vorab"]]
    figures = {
        "items": items,
        "runs": len(samples["vorab"]),
        "vorab_wall_s": median("vorab", "wall_s"),
        "pelican_wall_s": median("pelican", "wall_s"),
        "vorab_cpu_s": median("vorab", "cpu_s"),
        "pelican_cpu_s": median("pelican", "cpu_s"),
        "vorab_peak_rss_mb": median("vorab", "peak_rss_mb"),
        "pelican_peak_rss_mb": median("pelican", "peak_rss_mb"),
        "leak_gate_s": statistics.median(stage["leak gate"] for stage in stages),
        "stages_s": {name: statistics.median(stage[name] for stage in stages) for name in stages[0]},
    }
    figures["ratio"] = figures["vorab_wall_s"] / figures["pelican_wall_s"]
    return figures


def report(figures: dict[str, Any]) -> str:
    return "\n".join([
        f"{figures['items']} items, medians of {figures['runs']} runs (after one warm-up):",
        f"  Vorab (both sites, newsletters, leak gate, swap): {figures['vorab_wall_s']:.2f} s wall, "
        f"{figures['vorab_cpu_s']:.2f} s CPU, {figures['vorab_peak_rss_mb']:.0f} MB peak",
        f"  plain Pelican (one site):                         {figures['pelican_wall_s']:.2f} s wall, "
        f"{figures['pelican_cpu_s']:.2f} s CPU, {figures['pelican_peak_rss_mb']:.0f} MB peak",
        f"  ratio A/B: {figures['ratio']:.2f}   leak gate: {figures['leak_gate_s']:.2f} s "
        f"({figures['leak_gate_cold_s']:.2f} s with no memory of clean files)   "
        f"incremental rebuild: {figures['incremental_s']:.2f} s   newsletter issue: "
        f"{figures['newsletter_ms_median']:.1f} ms",
        "  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in figures["stages_s"].items()),
    ])


def scaling_report(all_figures: list[dict[str, Any]]) -> str:
    """Each figure per item, and how that grows from the smallest size: linear growth keeps it near 1.0×."""
    names = {"vorab_wall_s": "Vorab wall s", "pelican_wall_s": "Pelican wall s", "vorab_cpu_s": "Vorab CPU s",
             "leak_gate_s": "leak gate s", "leak_gate_cold_s": "gate, no memory s", "incremental_s": "incremental s",
             "vorab_peak_rss_mb": "Vorab peak MB", "pelican_peak_rss_mb": "Pelican peak MB"}
    base = all_figures[0]
    lines = [f"{'figure (growth per item)':<20}" + "".join(f"{str(f['items']) + ' items':>23}" for f in all_figures)]
    for key, name in names.items():
        cells = []
        for figures in all_figures:
            growth = (figures[key] / figures["items"]) / (base[key] / base["items"])
            cells.append(f"{figures[key]:>14.2f} ({growth:>5.2f}×)")
        lines.append(f"{name:<20}" + "".join(cells))
    lines.append(f"{'ratio A/B':<20}" + "".join(f"{f['ratio']:>14.2f}         " for f in all_figures))
    return "\n".join(lines)
