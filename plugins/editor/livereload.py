"""`invoke livereload`: rebuild on every change to content, newsletters, theme or settings, and reload the
browser.

Each rebuild is a full, validated, leak-gated build at the current clock (or a fixed `--as-of`) into
`.preview/`, never `output/`. The sites only: e-mail packages are made by `invoke build`. A failed build is
reported and the last good one stays on screen. Templates are compiled once into a Jinja bytecode cache, so a
rebuild costs little more than the Pelican runs themselves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import watchfiles

from sitebuild import BuildFailed, Project, parse_clock
from sitebuild.report import summary

from .localserver import make_server, serve_in_background, url
from .preview import PREVIEW_FOLDER, build_preview, preview_paths

Say = Callable[[str], None]


def watched_paths(project: Project, settings: dict[str, Any]) -> list[Path]:
    """Content, newsletters, theme and the settings files: what a build reads."""
    content = Path(settings["PATH"])
    candidates = [content, content.parent / settings["NEWSLETTER_PATH"], Path(settings["THEME"]),
                  project.settings_file, project.settings_file.with_name("publishconf.py")]
    return [path for path in candidates if path.exists()]


def fast_overrides(settings: dict[str, Any], root: Path) -> dict[str, Any]:
    """Settings for quick rebuilds: compiled templates are kept between builds (checked against the source)."""
    cache = root / PREVIEW_FOLDER / "jinja-cache"
    cache.mkdir(parents=True, exist_ok=True)
    return {"JINJA_ENVIRONMENT": {**settings["JINJA_ENVIRONMENT"],
                                  "bytecode_cache": jinja2.FileSystemBytecodeCache(str(cache))}}


class LiveSite:
    """The preview being served: rebuilt on demand; `generation` changes after each good build."""

    def __init__(self, project: Project, root: Path, as_of: str | None, say: Say) -> None:
        self.project, self.root, self.as_of, self.say = project, root, as_of, say
        self.generation = "0"

    def rebuild(self) -> bool:
        settings = self.project.settings()
        clock: datetime = parse_clock(self.as_of, settings)
        try:
            result = build_preview(self.project, clock, self.root, overrides=fast_overrides(settings, self.root),
                                   steps=())
        except BuildFailed as error:
            self.say(f"Build failed; still showing the last good build.\n{error}")
            return False
        except Exception as error:  # noqa: BLE001 — a half-saved settings file must not end the session
            self.say(f"Build failed ({type(error).__name__}: {error}); still showing the last good build.")
            return False
        self.generation = str(time.time_ns())
        self.say(summary(result))
        return True


def live(project: Project, root: Path, *, port: int = 8000, as_of: str | None = None,
         stop: threading.Event | None = None, say: Say = print) -> None:
    """Build, serve on 127.0.0.1:`port`, and rebuild on every change until `stop` is set (or Ctrl-C)."""
    site = LiveSite(project, root, as_of, say)
    site.rebuild()
    folder = preview_paths(root)[0]
    folder.mkdir(parents=True, exist_ok=True)
    server = make_server(folder, port, version=lambda: site.generation)
    serve_in_background(server)
    say(f"Live preview at {url(server)} — NOT gated: /members/ is open here. Watching for changes (Ctrl-C ends).")
    try:
        paths = watched_paths(project, project.settings())
        for changes in watchfiles.watch(*paths, debounce=400, step=20, stop_event=stop, raise_interrupt=False):
            say(f"Changed: {', '.join(sorted(Path(p).name for _, p in changes))}")
            site.rebuild()
    finally:
        server.shutdown()
        server.server_close()
