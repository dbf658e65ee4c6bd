"""`invoke preview --as-of DATE`: the sites as they will be at a date, built beside (never into) output/.

The preview is a full build at that clock — validation, both audiences' runs, the leak gate — written to
`.preview/site/` (and `.preview/dist/`), so what an editor sees is exactly what the build will publish then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sitebuild import BuildResult, Project, build
from sitebuild.registry import FileMemo
from sitebuild.runner import Runner, run_all
from vorab.context import Step
from vorab.tiers import Tiers

PREVIEW_FOLDER = ".preview"


def preview_paths(root: Path) -> tuple[Path, Path]:
    """Where a preview's site and e-mail packages go: (.preview/site, .preview/dist)."""
    return root / PREVIEW_FOLDER / "site", root / PREVIEW_FOLDER / "dist"


def build_preview(project: Project, clock: datetime, root: Path, *, overrides: dict[str, Any] | None = None,
                  steps: Sequence[Step] | None = None,
                  progress: Callable[[str], None] = lambda message: None, runner: Runner = run_all,
                  memo: FileMemo | None = None) -> BuildResult:
    """Build every audience's site at `clock` into .preview/ under `root` (`memo`: see sitebuild.build)."""
    site, dist = preview_paths(root)
    return build(project, clock, output=site, dist=dist, overrides=overrides, steps=steps, progress=progress,
                 runner=runner, memo=memo)


def start_page(settings: dict[str, Any], audience: str) -> str:
    """The path, relative to the served site, of an audience's home page: '' or 'members/'."""
    folder = Tiers.from_settings(settings).folder(audience)
    return f"{folder}/" if folder else ""
