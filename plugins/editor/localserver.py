"""Serves a built site on 127.0.0.1 for editors, optionally with a live-reload script injected on the fly.

The script is added to HTML responses only, never to the files on disk, so nothing deployable ever contains it.
The served folder is looked up by name on every request: an atomic swap of the build is picked up at once.
NOT gated: the member area is open here.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable
from pathlib import Path

RELOAD_PATH = "/__vorab_reload"
RELOAD_SCRIPT = (b"<script>(function(){var seen=null;setInterval(function(){fetch('%s')"
                 b".then(function(r){return r.text()})\n.then(function(v){if(seen!==null&&v!==seen){location.reload()}"
                 b"seen=v}).catch(function(){})},250)})()</script>") % RELOAD_PATH.encode()


class _Handler(http.server.SimpleHTTPRequestHandler):
    version: Callable[[], str] | None = None  # the site's build generation; None: no live reload

    def do_GET(self) -> None:
        if self.version and self.path == RELOAD_PATH:
            return self._send(self.version().encode(), "text/plain")
        file = Path(self.translate_path(self.path))
        if self.version and file.is_dir() and self.path.endswith("/"):
            file = file / "index.html"
        if self.version and file.suffix == ".html" and file.is_file():
            html = file.read_bytes()
            return self._send(html.replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1), "text/html; charset=utf-8")
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


def make_server(directory: Path, port: int, version: Callable[[], str] | None = None) -> http.server.HTTPServer:
    """A threading HTTP server for `directory` on 127.0.0.1:`port` (0: any free port)."""
    handler = functools.partial(type("Handler", (_Handler,), {"version": staticmethod(version) if version else None}),
                                directory=str(directory))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_in_background(server: http.server.HTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def url(server: http.server.HTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/"
