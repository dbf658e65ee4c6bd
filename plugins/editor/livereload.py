"""`invoke livereload` and `invoke preview`: rebuild on every change to content, newsletters, theme or settings,
and reload the browser.

The preview is resident (editor.resident): after an edit of Markdown it validates again, renders only the pages
that depend on the edit and gates them; anything else is a full, validated, leak-gated build at the current
clock (or a fixed `--as-of`). Into `.preview/`, never `output/`; `livereload` makes the sites only, `preview`
runs every build step (search indexes, e-mail packages in `.preview/dist/`) on each full build — a page by page
update leaves what the steps made as the last full build made it. A failed build is reported in the terminal
and, over every page, in the browser; the last good build stays browsable beneath it until a build succeeds
again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
import watchfiles

from sitebuild import BuildFailed, Project
from sitebuild.report import summary
from vorab.context import Step
from vorab.messages import _, ngettext

from .localserver import make_server, serve_in_background, url
from .preview import PREVIEW_FOLDER, preview_paths
from .resident import ResidentPreview

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
    """The preview being served: rebuilt on demand, page by page where it can (editor.resident); `generation`
    changes after each build, good or failed, and `problems` holds what the last failed one reported."""

    def __init__(self, project: Project, root: Path, as_of: str | None, say: Say,
                 steps: Sequence[Step] | None = ()) -> None:
        self.project, self.root, self.as_of, self.say = project, root, as_of, say
        self.generation = "0"
        self.problems: str | None = None
        self.resident = ResidentPreview(project, root, as_of=as_of, steps=steps,
                                        overrides=fast_overrides(project.settings(), root))

    def rebuild(self, changes: list[tuple[str, Path]] | None = None) -> bool:
        """A full build (no `changes`), or what `changes` need."""
        started = time.perf_counter()
        try:
            if changes is None:
                self.say(summary(self.resident.build()))
            else:
                how, files = self.resident.update(changes)
                seconds = f"{time.perf_counter() - started:.2f}"
                self.say(ngettext("{count} file rewritten in {seconds} s", "{count} files rewritten in {seconds} s",
                                  len(files)).format(count=len(files), seconds=seconds) if how == "pages"
                         else _("full build in {seconds} s").format(seconds=seconds))
        except BuildFailed as error:
            self._failed(str(error))
            return False
        except Exception as error:  # noqa: BLE001 — a half-saved settings file must not end the session
            self._failed(f"{type(error).__name__}: {error}")
            return False
        self.problems = None
        self.generation = str(time.time_ns())
        return True

    def _failed(self, problems: str) -> None:
        self.problems = problems
        self.generation = str(time.time_ns())  # the browser reloads and shows them
        self.say(_("Build failed; still showing the last good build.") + f"\n{problems}")

    def close(self) -> None:
        self.resident.close()


def live(project: Project, root: Path, *, port: int = 8000, as_of: str | None = None,
         stop: threading.Event | None = None, say: Say = print, steps: Sequence[Step] | None = (),
         start: str = "") -> None:
    """Build, serve on 127.0.0.1:`port`, and rebuild on every change until `stop` is set (or Ctrl-C). `steps`:
    those of a full build (None: all); `start`: the page to name, relative to the site."""
    site = LiveSite(project, root, as_of, say, steps)
    site.rebuild()
    folder = preview_paths(root)[0]
    folder.mkdir(parents=True, exist_ok=True)
    server = make_server(folder, port, version=lambda: site.generation, problems=lambda: site.problems)
    serve_in_background(server)
    say(_("Live preview at {url} — NOT gated: /members/ is open here. Watching for changes (Ctrl-C ends).").format(
        url=url(server) + start))
    try:
        paths = watched_paths(project, project.settings())
        for changes in watchfiles.watch(*paths, debounce=50, step=20, stop_event=stop, raise_interrupt=False):
            say(_("Changed: {files}").format(files=", ".join(sorted(Path(path).name for _kind, path in changes))))
            site.rebuild([(kind.name, Path(path)) for kind, path in changes])
    finally:
        site.close()
        server.shutdown()
        server.server_close()
