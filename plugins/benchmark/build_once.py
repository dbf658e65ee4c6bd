"""One full Vorab build of a project, for the benchmark: `python -m benchmark.build_once SETTINGS CLOCK`.
Prints the build's stage timings as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from audiences.rules import parse_moment
from sitebuild import Project, build

if __name__ == "__main__":
    settings_file, clock = Path(sys.argv[1]), sys.argv[2]
    project = Project(settings_file)
    result = build(project, parse_moment(clock, project.settings()["TIMEZONE"]))
    print(json.dumps(result.seconds))
