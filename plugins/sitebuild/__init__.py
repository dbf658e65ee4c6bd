"""The Vorab build around Pelican (docs/architecture.md): the validation, one Pelican run per audience given only
that audience's sources, the capabilities' build steps, the leak gate, and the atomic swap into `output/`.

Not a Pelican plugin: `tasks.py` calls `build()`; the Pelican plugins (audiences, catalog, design, …) run inside
each audience's run, and capabilities plug into the build through vorab.hooks.
"""

from vorab.errors import BuildFailed, ContentErrors, ContentProblem

from .pipeline import BuildResult, LeakFound, Project, build, parse_clock

__all__ = ["BuildFailed", "BuildResult", "ContentErrors", "ContentProblem", "LeakFound", "Project", "build",
           "parse_clock"]
