"""One full Vorab build of a project, for the benchmark:
`python -m benchmark.build_once SETTINGS [--as-of CLOCK] [--output DIR --dist DIR --cache DIR]`.

Builds at the current clock unless told one. Prints JSON: the stage timings (`seconds`), the peak resident memory
of the build's own processes (the build and its Pelican and leak gate workers; the largest single one) and that of
Pagefind's, told apart: the kernel keeps one running maximum over all waited-for children, so the build reads it
as each stage starts and the search step reports Pagefind's own (plugins/search).
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path
from typing import Any

from search import index_sites, pagefind_peak_mb
from sitebuild import Project, build, parse_clock

SEARCH_STEP = f"step: {index_sites.__module__.split('.')[0]}"  # the progress message the search step starts with


def _children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class OwnPeak:
    """A progress callback that tells the build's own children apart from Pagefind's: the children's maximum
    before the search step is the build's own, and so is any rise after it (the leak gate's worker)."""

    def __init__(self) -> None:
        self.before_search: float | None = None
        self.after_search: float | None = None

    def __call__(self, message: str) -> None:
        if message == SEARCH_STEP:
            self.before_search = _children_mb()
        elif self.before_search is not None and self.after_search is None:
            self.after_search = _children_mb()

    def own_mb(self) -> float:
        """The largest of the build's own processes: itself and its children outside the search step. A worker
        after the search step that stays below Pagefind's peak cannot be seen (the maximum does not move)."""
        end = _children_mb()
        children = end
        if self.before_search is not None:
            after = end if self.after_search is None else self.after_search
            children = max(self.before_search, end if end > after else 0.0)
        return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, children)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("settings", type=Path)
    parser.add_argument("--as-of", help="the build clock (default: now)")
    parser.add_argument("--output", type=Path, help="instead of the settings' OUTPUT_PATH")
    parser.add_argument("--dist", type=Path, help="instead of dist/ beside the output")
    parser.add_argument("--cache", type=Path, help="instead of the settings' CACHE_PATH")
    options = parser.parse_args()
    project = Project(options.settings)
    overrides = {"CACHE_PATH": str(options.cache)} if options.cache else None
    peak = OwnPeak()
    result = build(project, parse_clock(options.as_of, project.settings(overrides)), output=options.output,
                   dist=options.dist, overrides=overrides, progress=peak)
    return {"seconds": result.seconds, "vorab_peak_rss_mb": peak.own_mb(),
            "pagefind_peak_rss_mb": pagefind_peak_mb(result.notes) or 0.0}


if __name__ == "__main__":
    print(json.dumps(main()))
