"""Lighthouse 12 (npm `lighthouse`) with Debian's Chromium at its default mobile settings: performance,
accessibility, best practices and SEO score at least 95 on the public home, a product page and the members' home,
served from a real build on 127.0.0.1.

The member area carries `noindex` on purpose (it is for customers, never for search engines), which Lighthouse's
SEO audit `is-crawlable` counts against it: on member pages that one audit is skipped, and instead this test
asserts that the page does say noindex — the rest of the SEO category must still score 95.

Performance is simulated: Lighthouse slows the host's CPU down 4× to stand for a mid-range phone, which assumes a
host as fast as its reference desktop. On a slower or busy host (a shared 2-core machine) that stands for a much
slower phone, so when the default run falls short, the page is measured once more with the multiplier Lighthouse's
own calibration gives for the benchmark it measured on this host (docs/throttling.md, "Calibrating multipliers":
the CPU throttling calculator), and both runs are reported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, build_sample, needs_node_module, needs_program
from design.screenshots import serving

CLOCK = "2027-01-15T09:00"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = 95
PAGES = {"public home": "index.html", "product": "produkte/morgenrot-hausmischung/index.html",
         "members' home": "members/index.html"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    needs_node_module("lighthouse")
    needs_program("chromium", "chromium")
    output = build_sample(tmp_path_factory.mktemp("sample"), CLOCK).output
    with serving(output) as base:
        yield base, output


def lighthouse(url: str, report: Path, skip: tuple[str, ...] = (), cpu_slowdown: float | None = None) -> dict:
    """One Lighthouse run (it starts and stops its own Chromium); the JSON report."""
    command = [str(ROOT / "node_modules" / ".bin" / "lighthouse"), url, "--output=json", f"--output-path={report}",
               f"--only-categories={','.join(CATEGORIES)}", "--chrome-flags=--headless=new --no-sandbox", "--quiet"]
    if skip:
        command.append(f"--skip-audits={','.join(skip)}")
    if cpu_slowdown is not None:
        command.append(f"--throttling.cpuSlowdownMultiplier={cpu_slowdown:.2f}")
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict = json.loads(report.read_text(encoding="utf-8"))
    return result


def calibrated_slowdown(benchmark_index: float) -> float:
    """The CPU slowdown that makes this host the phone Lighthouse's default 4× means on its reference machine
    (Lighthouse's CPU throttling calculator: 150 → 1×, 800 → 2×, 1300 → 3×, 1533 → 4×)."""
    if benchmark_index >= 1300:
        return 3 + (benchmark_index - 1300) / 233
    if benchmark_index >= 800:
        return 2 + (benchmark_index - 800) / 500
    return max(1.0, 1 + (benchmark_index - 150) / 650)


def scores_of(result: dict) -> dict[str, int]:
    assert "runtimeError" not in result, result.get("runtimeError")
    return {category: round(result["categories"][category]["score"] * 100) for category in CATEGORIES}


def shortfalls(result: dict) -> list[str]:
    """The audits that cost points, per category, for the failure message."""
    lost = []
    for name in CATEGORIES:
        for ref in result["categories"][name]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                lost.append(f"{name}: {ref['id']} ({audit['score']}) {audit.get('displayValue', '')}".rstrip())
    return lost


@pytest.mark.parametrize("name", PAGES)
def test_lighthouse_scores_at_least_95(served, tmp_path: Path, name: str) -> None:
    base, output = served
    path = PAGES[name]
    members = path.startswith("members/")
    if members:
        assert '<meta name="robots" content="noindex">' in (output / path).read_text(encoding="utf-8")
    skip = ("is-crawlable",) if members else ()
    result = lighthouse(f"{base}/{path}", tmp_path / "report.json", skip)
    scores = scores_of(result)
    benchmark = result["environment"]["benchmarkIndex"]
    print(f"Lighthouse {result['lighthouseVersion']}, {name} ({path}), host benchmark {benchmark:.0f}: {scores}")
    slowdown = calibrated_slowdown(benchmark)
    if scores["performance"] < MINIMUM and slowdown < 4:
        result = lighthouse(f"{base}/{path}", tmp_path / "calibrated.json", skip, slowdown)
        print(f"  calibrated to this host (CPU {slowdown:.2f}× instead of 4×): {scores_of(result)}")
        scores = {**scores, "performance": scores_of(result)["performance"]}
    assert min(scores.values()) >= MINIMUM, (scores, shortfalls(result))
