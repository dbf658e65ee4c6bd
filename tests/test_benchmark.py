"""`invoke bench --items 50` runs end to end and writes a complete results.json (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

FIELDS = ("items", "vorab_wall_s", "pelican_wall_s", "ratio", "vorab_peak_rss_mb", "pelican_peak_rss_mb",
          "newsletter_ms_median", "leak_gate_s", "leak_gate_cold_s", "incremental_s")


def test_bench_smoke(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    subprocess.run([sys.executable, "-m", "invoke", "bench", "--items", "50", "--runs", "1", "--results",
                    str(results)], cwd=ROOT, check=True, capture_output=True, text=True)
    figures = json.loads(results.read_text())
    assert figures["items"] == 50
    for field in FIELDS:
        assert figures[field] > 0, field
    assert figures["ratio"] == figures["vorab_wall_s"] / figures["pelican_wall_s"]
