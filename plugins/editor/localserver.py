"""Serves a built site on 127.0.0.1 for editors, optionally with a live-reload script injected on the fly.

The script is added to HTML responses only, never to the files on disk, so nothing deployable ever contains it.
The served folder is looked up by name on every request: an atomic swap of the build is picked up at once.
NOT gated: the member area is open here.
"""

from __future__ import annotations

import functools
import html
import http.server
import threading
from collections.abc import Callable
from pathlib import Path

from vorab.messages import N_, _

RELOAD_PATH = "/__vorab_reload"
RELOAD_SCRIPT = (b"<script>(function(){var seen=null;setInterval(function(){fetch('%s')"
                 b".then(function(r){return r.text()})\n.then(function(v){if(seen!==null&&v!==seen){location.reload()}"
                 b"seen=v}).catch(function(){})},100)})()</script>") % RELOAD_PATH.encode()


OVERLAY_HEADING = N_("The preview could not be built again")
OVERLAY_NOTE = N_("Below is the last state without errors. This notice goes once the file is fixed.")
OVERLAY = ('<div id="vorab-build-problems" role="alert" style="position:fixed;inset:0 0 auto 0;z-index:2147483647;'
           'max-height:70vh;overflow:auto;background:#fff4f4;color:#1a1a1a;border-bottom:4px solid #b00020;'
           'padding:1rem 1.25rem;font:16px/1.5 system-ui,sans-serif;box-shadow:0 2px 12px rgba(0,0,0,.3)">'
           '<h2 style="margin:0 0 .5rem;font-size:1.25rem;color:#b00020">{heading}</h2><p style="margin:0 0 .5rem">'
           '{note}</p><pre style="white-space:pre-wrap;margin:0;font:14px/1.45 ui-monospace,monospace">{problems}'
           '</pre></div>')


def overlay(problems: str) -> bytes:
    """What a page shows over itself while the last build failed: every problem, as the terminal says them."""
    return OVERLAY.format(heading=_(OVERLAY_HEADING), note=_(OVERLAY_NOTE),
                          problems=html.escape(problems)).encode("utf-8")


class _Handler(http.server.SimpleHTTPRequestHandler):
    version: Callable[[], str] | None = None  # the site's build generation; None: no live reload
    problems: Callable[[], str | None] | None = None  # what the last build failed with (None: it did not)

    def do_GET(self) -> None:
        if self.version and self.path == RELOAD_PATH:
            return self._send(self.version().encode(), "text/plain")
        file = Path(self.translate_path(self.path))
        if self.version and file.is_dir() and self.path.endswith("/"):
            file = file / "index.html"
        if self.version and file.suffix == ".html" and file.is_file():
            page = file.read_bytes()
            problems = self.problems() if self.problems else None
            shown = overlay(problems) if problems else b""
            return self._send(page.replace(b"</body>", shown + RELOAD_SCRIPT + b"</body>", 1),
                              "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — quiet: the editor watches the build
        pass


def make_server(directory: Path, port: int, version: Callable[[], str] | None = None,
                problems: Callable[[], str | None] | None = None) -> http.server.HTTPServer:
    """A threading HTTP server for `directory` on 127.0.0.1:`port` (0: any free port); with `version`, pages
    reload when it changes, and show what `problems` returns over themselves."""
    hooks = {"version": staticmethod(version) if version else None,
             "problems": staticmethod(problems) if problems else None}
    handler = functools.partial(type("Handler", (_Handler,), hooks), directory=str(directory))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_in_background(server: http.server.HTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def url(server: http.server.HTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/"
