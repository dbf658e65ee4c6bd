"""The gate's server configurations (dist/deploy/), proven against the real servers (the Cloudflare edge in
test_gate_edge.py); and the build step's guards.

Debian's nginx, apache2 and caddy run as subprocesses on 127.0.0.1 on free ports, each with the generated file
changed only in paths and ports, serving a test build whose member area holds canaries. Requests go out with
http.client, so paths like `//members/` reach the server as written. Every server is stopped by its PID.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import http.client
import http.server
import os
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urljoin

import pytest

from audiences.rules import parse_moment
from conftest import HOST_URL, Site, needs_program
from gate import new_calendar_address, sync_members, write_server_configs
from gate.guards import PUBLISHED_HINT
from gate.members import feed_folders, read_calendars
from gate.verify import verify_deploy
from sitebuild import BuildResult, ContentErrors, LeakFound, Project, build
from sitebuild.check import validate

# The server gate and members-sync speak to operators, in English (plugins/gate is not translated).
pytestmark = pytest.mark.usefixtures("english_messages")

CLOCK = "2027-01-15T09:00"
# Canaries in the member item's title, summary and body and in its image's bytes. (Its image's name holds one
# too, but a redirect may rightly echo the path that the client asked for.)
CONTENT_CANARIES = (b"kanarientitel", b"kanarienzusammenfassung", b"kanarienkoerper", b"kanarienpixel")
IMAGE = "/members/images/products/kanarienbild-tuete.svg"
MEMBERS = "email;first_name;last_name\nanna@example.de;Anna;Meier\nbernd@example.de;Bernd;Ohm\n"

# Every way to ask for the member area: (status without valid credentials, status with them).
PATHS = {
    "/members": (401, 301),
    "/members/": (401, 200),
    "/members/index.html": (401, 200),
    IMAGE: (401, 200),
    "/%6dembers/": (401, 200),
    "//members/": (401, 200),
    "/x/../members/": (401, 200),
    "/MEMBERS/": (404, 404),  # no such folder on a case-sensitive file system
}
# Caddy redirects to the folder with 308, and its path matcher ignores case, so it asks for credentials before
# finding nothing.
CADDY_PATHS = {**PATHS, "/members": (401, 308), "/MEMBERS/": (401, 404)}


# --- the test build --------------------------------------------------------------------------------------------------

def build_site(site: Site, *, steps=(write_server_configs,)) -> BuildResult:
    """A real build with the gate's step (and the 401 page, until pelicanconf lists it)."""
    return build(Project(site.settings_file), parse_moment(CLOCK, "Europe/Berlin"), steps=list(steps),
                 overrides={"DIRECT_TEMPLATES": ["index", "401"]})


def plant_member_content(site: Site) -> None:
    site.write("images/products/kanarienbild-tuete.svg",
               '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><title>kanarienpixel</title></svg>')
    site.write("products/vorschau.md", """\
        title: Röstung kanarientitel Panama
        summary: Eine kanarienzusammenfassung Röstung.
        audience: members
        image: images/products/kanarienbild-tuete.svg
        image_alt: Eine braune Kaffeetüte

        Ein blumiger kanarienkoerper Kaffee mit Noten von Jasmin und Bergamotte.
        """)
    site.write("seminars/kanarien-cupping.md", """\
        title: Cupping kanarientitel
        start: 2027-06-03T18:00
        end: 2027-06-03T20:00
        location: Rösterei

        Nur für Kunden.
        """)
    site.write("pages/ueber-uns.md", """\
        title: Über uns
        summary: Wer wir sind.

        Wir rösten Kaffee in Freiburg.
        """)


def passwords(private: Path) -> dict[str, str]:
    """E-mail → password from every new-credentials file members-sync wrote."""
    found = {}
    for path in sorted(private.glob("new-credentials-*.csv")):
        with path.open(encoding="utf-8", newline="") as file:
            found |= {row["email"]: row["password"] for row in csv.DictReader(file)}
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("gate") / "site")
    plant_member_content(site)
    (site.root / "private").mkdir()
    (site.root / "private" / "members.csv").write_text(MEMBERS, encoding="utf-8")
    sync_members(site.root / "private" / "members.csv", site.root / "private", site_url=HOST_URL)
    build_site(site)
    assert member_content((site.output / IMAGE.lstrip("/")).read_bytes())
    return site


# --- running a server ------------------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def adapt(text: str, replacements: dict[str, str]) -> str:
    """The generated configuration with paths and ports replaced; each original must be there (or the test is
    no longer testing what we ship)."""
    for old, new in replacements.items():
        assert old in text, f"{old!r} not in the generated configuration"
        text = text.replace(old, new)
    return text


@dataclass
class Server:
    """A server subprocess on loopback. `root` is a world-readable folder (server workers drop privileges):
    www/ is the deployed output/, etc/ the deployed member files, and the server's own files."""

    root: Path
    port: int  # the site (HTTPS for nginx and Apache, HTTP for Caddy)
    http_port: int  # the plain-HTTP port that only redirects (nginx, Apache); equals `port` for Caddy
    tls: ssl.SSLContext | None
    kind: str = ""
    process: subprocess.Popen | None = None
    reload: list[str] | None = None  # Caddy: the command that makes it read the accounts again
    env: dict[str, str] | None = None

    def start(self, command: list[str], env: dict[str, str] | None = None) -> None:
        with (self.root / "server.log").open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not self._listening():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"{command[0]} did not start:\n{self.logs()}")
            time.sleep(0.05)

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.root.glob("*.log")))

    def get(self, path: str, *, user: str | None = None, password: str = "", cookie: str | None = None,
            plain_http: bool = False) -> Response:
        if plain_http or self.tls is None:
            connection = http.client.HTTPConnection("127.0.0.1", self.http_port if plain_http else self.port,
                                                    timeout=10)
        else:
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls, timeout=10)
        headers = {}
        if user is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if cookie is not None:
            headers["Cookie"] = cookie
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()


def deploy_members(private: Path, root: Path) -> None:
    """What an operator does after members-sync: copy the member files (of every area) to the server."""
    for name in sorted(path.name for pattern in ("members*.htpasswd", "members*.caddy")
                       for path in private.glob(pattern)):
        shutil.copyfile(private / name, root / "etc" / name)
        (root / "etc" / name).chmod(0o644)
    for feeds in feed_folders(private):  # kalender/ (and kalender-gold/ with a gold tier)
        shutil.rmtree(root / "etc" / feeds.name, ignore_errors=True)  # like rsync --delete
        shutil.copytree(feeds, root / "etc" / feeds.name)
        (root / "etc" / feeds.name).chmod(0o755)


def world_readable_copy(site: Site, root: Path) -> None:
    shutil.copytree(site.output, root / "www")
    (root / "etc").mkdir()
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def tls_files(root: Path) -> ssl.SSLContext:
    """A throw-away certificate for 127.0.0.1, and a client context that trusts only it."""
    needs_program("openssl", "openssl")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
                   check=True, capture_output=True)
    (root / "key.pem").chmod(0o644)  # a test key, readable by the server's workers
    return ssl.create_default_context(cafile=str(root / "cert.pem"))


def deployed_paths(root: Path, *names: str) -> dict[str, str]:
    """Where the generated files expect things on the server (the GATE_* defaults) → where this test has them."""
    paths = {
        "document root": ("/var/www/vorab", root / "www"),
        "htpasswd": ("/etc/vorab/members.htpasswd", root / "etc" / "members.htpasswd"),
        "caddy accounts": ("/etc/vorab/members.caddy", root / "etc" / "members.caddy"),
        "gold htpasswd": ("/etc/vorab/members-gold.htpasswd", root / "etc" / "members-gold.htpasswd"),
        "gold caddy accounts": ("/etc/vorab/members-gold.caddy", root / "etc" / "members-gold.caddy"),
        # (also the start of /etc/vorab/kalender-gold, which so becomes <root>/etc/kalender-gold)
        "calendars": ("/etc/vorab/kalender", root / "etc" / "kalender"),
        "certificate": ("/etc/letsencrypt/live/www.example.com/fullchain.pem", root / "cert.pem"),
        "key": ("/etc/letsencrypt/live/www.example.com/privkey.pem", root / "key.pem"),
    }
    return {paths[name][0]: str(paths[name][1]) for name in names}


def start_nginx(site: Site, root: Path, variant: str = "vorab.conf", auth_port: int = 0, *,
                gold: bool = False) -> Server:
    needs_program("nginx", "nginx")
    server = Server(root, free_port(), free_port(), tls_files(root), kind="nginx")
    generated = (site.root / "dist" / "deploy" / "nginx" / variant).read_text()
    replacements = {**deployed_paths(root, "document root", "certificate", "key", "calendars"),
                    "listen 443 ssl;": f"listen 127.0.0.1:{server.port} ssl;",
                    "listen 80;": f"listen 127.0.0.1:{server.http_port};",
                    "    listen [::]:443 ssl;\n": "", "    listen [::]:80;\n": ""}  # loopback only
    if variant == "vorab.conf":
        replacements |= deployed_paths(root, "htpasswd", *(["gold htpasswd"] if gold else []))
    else:
        replacements |= {"127.0.0.1:4180": f"127.0.0.1:{auth_port}",
                         "/var/log/nginx/vorab-members.log": str(root / "members-access.log")}
    (root / "vorab.conf").write_text(adapt(generated, replacements))
    temp = root / "temp"
    temp.mkdir()
    temp.chmod(0o777)
    temp_paths = " ".join(f"{kind}_temp_path {temp}/{kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
    # The http context of Debian's nginx.conf that a site file relies on, with this test's paths.
    (root / "nginx.conf").write_text(f"""\
        pid {root}/nginx.pid;
        worker_processes 1;
        events {{ worker_connections 64; }}
        http {{
            include /etc/nginx/mime.types;
            access_log {root}/access.log;
            {temp_paths}
            include {root}/vorab.conf;
        }}
        """)
    server.start(["nginx", "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log"),
                  "-g", "daemon off;"])
    return server


def start_apache(site: Site, root: Path, *, gold: bool = False) -> Server:
    needs_program("apache2", "apache2")
    server = Server(root, free_port(), free_port(), tls_files(root), kind="apache")
    deploy = site.root / "dist" / "deploy" / "apache"
    vhost = adapt((deploy / "vorab.conf").read_text(),
                  {**deployed_paths(root, "document root", "certificate", "key", "calendars"),
                   "<VirtualHost *:80>": f"<VirtualHost *:{server.http_port}>",
                   "<VirtualHost *:443>": f"<VirtualHost *:{server.port}>"})
    (root / "vorab.conf").write_text(vhost)
    areas = {"members": ("members", "htpasswd"), **({"gold": ("members-gold", "gold htpasswd")} if gold else {})}
    for folder, (name, htpasswd) in areas.items():
        htaccess = adapt((deploy / name / ".htaccess").read_text(), deployed_paths(root, htpasswd))
        (root / "www" / folder / ".htaccess").write_text(htaccess)
        (root / "www" / folder / ".htaccess").chmod(0o644)
    # Debian's default modules that matter here (autoindex would list folders but for "Options -Indexes"),
    # and the ones the generated files need (ssl, headers).
    modules = ["mpm_event", "authn_core", "authn_file", "authz_core", "authz_user", "auth_basic", "alias", "dir",
               "autoindex", "mime", "headers", "ssl", "socache_shmcb", "rewrite"]
    # The server part of Debian's apache2.conf that a virtual host relies on; run as nobody when started as root.
    (root / "apache2.conf").write_text("\n".join([
        f"ServerRoot {root}", "ServerName 127.0.0.1", f"PidFile {root}/apache.pid", f"ErrorLog {root}/error.log",
        f"DefaultRuntimeDir {root}", "LogLevel warn",
        *(f"LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so" for name in modules),
        *(["User nobody", "Group nogroup"] if os.geteuid() == 0 else []),
        "TypesConfig /etc/mime.types", "DirectoryIndex index.html", "AccessFileName .htaccess",
        f"Listen 127.0.0.1:{server.port}", f"Listen 127.0.0.1:{server.http_port}",
        "<Directory />", "    AllowOverride None", "    Require all denied", "</Directory>",
        '<FilesMatch "^\\.ht">', "    Require all denied", "</FilesMatch>",
        f"Include {root}/vorab.conf", ""]))
    program = shutil.which("apache2") or "/usr/sbin/apache2"
    server.start([program, "-f", str(root / "apache2.conf"), "-DFOREGROUND"])
    return server


def start_caddy(site: Site, root: Path, *, gold: bool = False) -> Server:
    needs_program("caddy", "caddy")
    port = free_port()
    server = Server(root, port, port, None, kind="caddy")
    admin = f"127.0.0.1:{free_port()}"
    generated = (site.root / "dist" / "deploy" / "caddy" / "Caddyfile").read_text()
    # Caddy's automatic HTTPS would want a public certificate: the test site is plain HTTP on loopback.
    (root / "Caddyfile").write_text(f"{{\n\tadmin {admin}\n}}\n\n" + adapt(
        generated, {**deployed_paths(root, "document root", "caddy accounts", "calendars",
                                     *(["gold caddy accounts"] if gold else [])),
                    "\nwww.example.com {": f"\nhttp://127.0.0.1:{port} {{"}))
    server.reload = ["caddy", "reload", "--config", str(root / "Caddyfile"), "--adapter", "caddyfile",
                     "--address", admin]
    server.env = {**os.environ, "HOME": str(root), "XDG_CONFIG_HOME": str(root / "config"),
                  "XDG_DATA_HOME": str(root / "data")}
    server.start(["caddy", "run", "--config", str(root / "Caddyfile"), "--adapter", "caddyfile"], env=server.env)
    return server


STARTERS = {"nginx": start_nginx, "apache": start_apache, "caddy": start_caddy}


@pytest.fixture
def server_root() -> Iterator[Path]:
    """A folder the server's unprivileged workers can read (pytest's tmp_path is private to its user)."""
    root = Path(tempfile.mkdtemp(prefix="vorab-gate-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def private(built: Site, tmp_path: Path) -> Path:
    """This test's own copy of private/, so that a test that removes a member changes nothing for the others."""
    shutil.copytree(built.root / "private", tmp_path / "private")
    return tmp_path / "private"


@pytest.fixture(params=sorted(STARTERS))
def server(request: pytest.FixtureRequest, built: Site, server_root: Path, private: Path) -> Iterator[Server]:
    world_readable_copy(built, server_root)
    server = None
    try:
        deploy_members(private, server_root)
        server = STARTERS[request.param](built, server_root)
        yield server
    finally:
        if server:
            server.stop()


# --- checks ----------------------------------------------------------------------------------------------------------

def member_content(body: bytes) -> bool:
    return any(canary in body.lower() for canary in CONTENT_CANARIES)


def assert_refused(response: Response, status: int, page_401: bytes, what: str) -> None:
    assert response.status == status, what
    assert not member_content(response.body), f"member content in a refused response: {what}"
    if status in (401, 403):
        assert response.body == page_401, f"not the public 401 page: {what}"


def assert_member_headers(response: Response, what: str) -> None:
    assert response.headers["Cache-Control"] == "private, no-store", what
    assert response.headers["X-Robots-Tag"] == "noindex", what


def test_servers_refuse_strangers_and_let_members_in(server: Server, built: Site, private: Path) -> None:
    page_401 = (built.output / "401.html").read_bytes()
    anna = passwords(private)["anna@example.de"]
    paths = CADDY_PATHS if server.kind == "caddy" else PATHS
    for path, (refused, allowed) in paths.items():
        for user, password in [(None, ""), ("anna@example.de", "falsch"), ("niemand@example.de", anna),
                               ("anna@example.de", "")]:
            response = server.get(path, user=user, password=password)
            assert_refused(response, refused, page_401, f"{server.kind} {path} as {user}:{password}")
            if refused == 401:
                assert response.headers["WWW-Authenticate"] == 'Basic realm="Kundenbereich"', path

        response = server.get(path, user="anna@example.de", password=anna)
        what = f"{server.kind} {path} as a member"
        assert response.status == allowed, what
        if allowed == 200:
            assert member_content(response.body), what
        if allowed != 404:
            assert_member_headers(response, what)
        if allowed in (301, 308):
            assert response.headers["Location"].endswith("/members/"), what


def test_servers_list_no_directories_and_serve_public_pages_openly(server: Server, built: Site,
                                                                   private: Path) -> None:
    anna = passwords(private)["anna@example.de"]
    for path in ("/", "/ueber-uns/", "/401.html", "/theme/css/site.css"):
        assert server.get(path).status == 200, path
    no_listing = 404 if server.kind == "caddy" else 403  # Caddy's file_server browses only when told to
    for path in ("/members/images/", "/members/images/products/", "/theme/", "/theme/css/"):
        response = server.get(path, user="anna@example.de", password=anna)
        assert response.status == no_listing, path
        assert b"kanarienbild" not in response.body and b"site.css" not in response.body, path


# Caddy redirects to HTTPS on its own; this test runs it on plain HTTP.
@pytest.mark.parametrize("server", ["apache", "nginx"], indirect=True)
def test_servers_redirect_plain_http_without_member_content(server: Server) -> None:
    for path in ("/members/", "/members/index.html", IMAGE, "/"):
        response = server.get(path, plain_http=True)
        assert response.status == 301, path
        assert response.headers["Location"] == f"https://www.example.com{path}", path
        assert not member_content(response.body), path


def test_a_member_removed_by_members_sync_is_refused(server: Server, private: Path) -> None:
    bernd = passwords(private)["bernd@example.de"]
    anna = passwords(private)["anna@example.de"]
    assert server.get("/members/", user="bernd@example.de", password=bernd).status == 200

    (private / "members.csv").write_text(MEMBERS.replace("bernd@example.de;Bernd;Ohm\n", ""), encoding="utf-8")
    result = sync_members(private / "members.csv", private, site_url=HOST_URL)
    assert result.removed == ["bernd@example.de"]
    deploy_members(private, server.root)
    if server.kind == "caddy":  # Caddy reads the accounts only when it loads its configuration
        subprocess.run(server.reload, check=True, capture_output=True, env=server.env)

    response = server.get("/members/", user="bernd@example.de", password=bernd)
    assert_refused(response, 401, (server.root / "www" / "401.html").read_bytes(), "removed member")
    assert server.get("/members/", user="anna@example.de", password=anna).status == 200
    assert server.process.poll() is None  # the same process: nginx and Apache were not restarted


def test_a_members_calendar_address_opens_the_feed_without_a_login(server: Server, private: Path) -> None:
    """Calendar apps cannot log in: a member's personal address answers with the members' feed; a wrong, removed
    or replaced one answers 404 with no member byte, from the next request on; the member area still needs a
    login."""
    feed = (server.root / "www" / "members" / "seminare" / "kalender.ics").read_bytes()
    assert member_content(feed)  # the members-only seminar's title
    anna, bernd = (read_calendars(private)[email] for email in ("anna@example.de", "bernd@example.de"))
    response = server.get(f"/kalender/{anna}.ics")
    assert (response.status, response.body) == (200, feed)
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "private" in response.headers["Cache-Control"] and response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Referrer-Policy"] == "no-referrer"

    for path in (f"/kalender/{'a' * 32}.ics", f"/kalender/{anna.upper()}.ics", f"/kalender/{anna}",
                 f"/kalender/{anna}.ics/", f"/kalender/{anna[:-1]}.ics", f"/kalender/{anna}x.ics", "/kalender/",
                 "/kalender", f"/kalender/{'b' * 32}.ics?x={anna}", "/kalender/%2e%2e/members/seminare/kalender.ics"):
        response = server.get(path)
        assert response.status in (404, 401), path
        assert not member_content(response.body), path
    assert server.get("/members/seminare/kalender.ics").status == 401

    (private / "members.csv").write_text(MEMBERS.replace("bernd@example.de;Bernd;Ohm\n", ""), encoding="utf-8")
    sync_members(private / "members.csv", private, site_url=HOST_URL)
    new = new_calendar_address(private, HOST_URL, "Anna@Example.de")
    deploy_members(private, server.root)  # no reload, not even for Caddy
    for revoked in (bernd, anna):
        response = server.get(f"/kalender/{revoked}.ics")
        assert response.status == 404 and not member_content(response.body), revoked
    assert new == f"{HOST_URL}/kalender/{read_calendars(private)['anna@example.de']}.ics"
    assert server.get(new.removeprefix(HOST_URL)).body == feed
    assert server.process.poll() is None


def test_apache_without_the_htaccess_fails_closed(built: Site, server_root: Path) -> None:
    world_readable_copy(built, server_root)
    server = start_apache(built, server_root)
    try:
        (server_root / "www" / "members" / ".htaccess").unlink()  # e.g. an upload that replaced the folder
        for path in ("/members", "/members/", IMAGE):
            response = server.get(path)
            assert response.status == 403, path
            assert not member_content(response.body), path
        assert server.get("/").status == 200
    finally:
        server.stop()


# --- nginx with auth_request (single sign-on), against a stub that follows oauth2-proxy's contract -----------------

SESSIONS = {"sesam-anna": "anna@example.de", "sesam-bernd": "bernd@example.de", "sesam-carla": "carla@example.de"}
REVOKED = {"sesam-bernd"}  # signed in at the identity provider, but no longer a member
GROUPS = {"sesam-anna": {"gold"}}  # the identity provider's groups: Anna is a gold customer, Carla a member


class StubAuthProxy(http.server.BaseHTTPRequestHandler):
    """oauth2-proxy's contract: /oauth2/auth answers 202 with X-Auth-Request-User for a valid session cookie,
    401 without one and 403 for a user who may not enter (with `?allowed_groups=…`: who is in none of them);
    /oauth2/start sends the browser to the provider."""

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/oauth2/auth" and query in ("", "allowed_groups=gold"):
            cookie = SimpleCookie(self.headers.get("Cookie", "")).get("_oauth2_proxy")
            session = cookie.value if cookie else None
            if session not in SESSIONS:
                self.send_response(401)
            elif session in REVOKED or (query and "gold" not in GROUPS.get(session, set())):
                self.send_response(403)
            else:
                self.send_response(202)
                self.send_header("X-Auth-Request-User", SESSIONS[session])
                self.send_header("X-Auth-Request-Email", SESSIONS[session])
        elif self.path.startswith("/oauth2/start"):
            self.send_response(302)
            self.send_header("Location", "https://id.example/authorize")
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — http.server's signature
        pass


@contextlib.contextmanager
def running_sso(site: Site, root: Path) -> Iterator[Server]:
    world_readable_copy(site, root)
    auth = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubAuthProxy)
    thread = threading.Thread(target=auth.serve_forever, daemon=True)
    thread.start()
    server = None
    try:
        server = start_nginx(site, root, "vorab-sso.conf", auth.server_address[1])
        yield server
    finally:
        if server:
            server.stop()
        auth.shutdown()
        auth.server_close()
        thread.join()


@pytest.fixture
def sso_server(built: Site, server_root: Path) -> Iterator[Server]:
    with running_sso(built, server_root) as server:
        yield server


def test_with_single_sign_on_a_calendar_address_opens_the_feed_too(sso_server: Server, built: Site) -> None:
    """Calendar apps cannot sign in either: vorab-sso.conf serves the personal addresses like vorab.conf."""
    deploy_members(built.root / "private", sso_server.root)
    token = read_calendars(built.root / "private")["anna@example.de"]
    response = sso_server.get(f"/kalender/{token}.ics")
    assert (response.status, response.body) == (
        200, (sso_server.root / "www" / "members" / "seminare" / "kalender.ics").read_bytes())
    assert response.headers["Cache-Control"].startswith("private")
    wrong = sso_server.get(f"/kalender/{'a' * 32}.ics")
    assert wrong.status == 404 and not member_content(wrong.body)


def test_nginx_auth_request_follows_the_oauth2_proxy_contract(sso_server: Server, built: Site) -> None:
    page_401 = (built.output / "401.html").read_bytes()
    for path, (refused, allowed) in PATHS.items():
        for cookie, status in [(None, refused), ("_oauth2_proxy=gefaelscht", refused),
                               ("_oauth2_proxy=sesam-bernd", 403 if refused == 401 else refused)]:
            assert_refused(sso_server.get(path, cookie=cookie), status, page_401, f"{path} with {cookie}")

        response = sso_server.get(path, cookie="_oauth2_proxy=sesam-anna")
        assert response.status == allowed, path
        if allowed == 200:
            assert member_content(response.body), path
        if allowed != 404:
            assert_member_headers(response, path)

    # The identity the proxy passed on is in the member access log; the proxy's own pages are reachable.
    assert "anna@example.de" in (sso_server.root / "members-access.log").read_text()
    response = sso_server.get("/oauth2/start?rd=/members/")
    assert (response.status, response.headers["Location"]) == (302, "https://id.example/authorize")
    assert sso_server.get("/oauth2/auth").status == 404  # the check itself is internal


# --- the build step --------------------------------------------------------------------------------------------------

def test_build_writes_every_configuration_and_the_401_page(built: Site) -> None:
    deploy = built.root / "dist" / "deploy"
    assert sorted(p.relative_to(deploy).as_posix() for p in deploy.rglob("*") if p.is_file()) == [
        "apache/.htaccess", "apache/members/.htaccess", "apache/vorab.conf", "caddy/Caddyfile",
        "cloudflare/worker.js", "cloudflare/wrangler.toml", "nginx/vorab-sso.conf", "nginx/vorab.conf"]
    page = (built.output / "401.html").read_text()
    assert "Bitte melden Sie sich an" in page and "kanarien" not in page
    private = built.root / "private"
    secrets = [*passwords(private).values(), *passwords(private), "$2y$10$"]
    for path in [*deploy.rglob("*"), *built.output.rglob("*")]:
        if path.is_file():
            assert not any(secret.encode() in path.read_bytes() for secret in secrets), path


def test_build_refuses_without_the_401_page(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    plant_member_content(site)
    with pytest.raises(ContentErrors) as caught:
        build(Project(site.settings_file), parse_moment(CLOCK, "Europe/Berlin"), steps=[write_server_configs],
              overrides={"DIRECT_TEMPLATES": ["index"]})
    assert [str(problem) for problem in caught.value.problems] == [
        'pelicanconf.py:1: DIRECT_TEMPLATES: expected "401" among them: the server configurations answer every '
        "refusal with the public page 401.html, found ['index']"]


def test_settings_name_the_host_and_the_htpasswd_location(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    plant_member_content(site)
    site.settings_file.write_text(site.settings_file.read_text() + (
        "SITEURL = 'https://www.morgenrot-kaffee.example'\n"
        "GATE_HTPASSWD_PATH = '/srv/geheim/kunden.htpasswd'\n"))
    build_site(site)
    nginx = (site.root / "dist" / "deploy" / "nginx" / "vorab.conf").read_text()
    assert "server_name www.morgenrot-kaffee.example;" in nginx
    assert "auth_basic_user_file /srv/geheim/kunden.htpasswd;" in nginx
    caddy = (site.root / "dist" / "deploy" / "caddy" / "Caddyfile").read_text()
    assert "\nwww.morgenrot-kaffee.example {" in caddy and "import /srv/geheim/members.caddy" in caddy


def test_settings_that_would_break_a_configuration_stop_the_build(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    plant_member_content(site)
    site.settings_file.write_text(site.settings_file.read_text() + (
        "GATE_SERVER_NAME = 'www.example.com; include /etc/passwd'\n"
        "GATE_HTPASSWD_PATH = 'members.htpasswd'\n"))
    with pytest.raises(ContentErrors) as caught:
        build_site(site)
    assert [str(problem) for problem in caught.value.problems] == [
        "pelicanconf.py:6: GATE_SERVER_NAME: expected a host name, found 'www.example.com; include /etc/passwd'",
        "pelicanconf.py:7: GATE_HTPASSWD_PATH: expected an absolute path (letters, digits, . _ - /), "
        "found 'members.htpasswd'"]
    assert not site.output.exists()


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_build_refuses_while_git_tracks_private(tmp_path: Path) -> None:
    needs_program("git", "git")
    site = Site(tmp_path / "site")
    plant_member_content(site)
    (site.root / "private").mkdir()
    (site.root / "private" / "members.csv").write_text(MEMBERS, encoding="utf-8")
    (site.root / ".gitignore").write_text("/private/\n")
    git(site.root, "init", "-q")
    git(site.root, "add", ".gitignore", "content")
    build_site(site)  # ignored, untracked: fine

    git(site.root, "add", "--force", "private/members.csv")
    with pytest.raises(ContentErrors) as caught:
        build_site(site)
    assert [str(problem) for problem in caught.value.problems] == [
        "private/members.csv:1: git: expected member data that git does not track: remove it from git (it stays "
        "on disk) with `git rm -r --cached private/`, keep /private/ in .gitignore, and treat the credentials as "
        "exposed, found it tracked"]

    # Committed once and removed since: still in every clone's history, so every build warns.
    git(site.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "oops")
    git(site.root, "rm", "-q", "-r", "--cached", "private/")
    git(site.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "fix")
    commit = subprocess.run(["git", "-C", str(site.root), "log", "--format=%h", "-1", "--", "private/"],
                            capture_output=True, text=True, check=True).stdout.strip()
    validation = validate(Project(site.settings_file).settings(), site.settings_file,
                          parse_moment(CLOCK, "Europe/Berlin"))
    assert validation.problems == []
    assert [str(warning) for warning in validation.warnings if warning.field == "git"] == [
        "private/:1: git: expected member data in no commit: every clone still has it — treat the credentials as "
        "exposed (new passwords: delete private/members.htpasswd and run members-sync) and purge it from the "
        "history (git filter-repo --invert-paths --path private/, then force-push and re-clone), found it in "
        f"commit {commit}"]


def site_with_members(root: Path) -> tuple[Site, Path]:
    site = Site(root)
    plant_member_content(site)
    private = site.root / "private"
    private.mkdir()
    (private / "members.csv").write_text(MEMBERS, encoding="utf-8")
    sync_members(private / "members.csv", private, site_url=HOST_URL)
    return site, private


@pytest.mark.parametrize("audience", ["public", "members"])
def test_member_emails_and_passwords_in_any_page_stop_the_build(tmp_path: Path, audience: str) -> None:
    site, private = site_with_members(tmp_path / "site")
    password = passwords(private)["bernd@example.de"]
    site.write("pages/kontakt.md", f"""\
        title: Kontakt
        audience: {audience}

        Schreiben Sie an anna@example.de oder nutzen Sie den Code {password}.
        """)
    with pytest.raises(LeakFound) as caught:
        build_site(site)
    message = str(caught.value)
    credentials = next(private.glob("new-credentials-*.csv")).name
    pages = ["members/kontakt/index.html"] + (["kontakt/index.html"] if audience == "public" else [])
    assert message.startswith(f"Leak gate: {2 * len(pages)} fingerprints of non-public content or member data "
                              f"where they must not be; nothing was published:\n")
    assert set(message.splitlines()[1:]) == {
        line for page in pages for line in (
            f"  {page}: member e-mail of private/members.csv: 'line 2' — {PUBLISHED_HINT}",
            f"  {page}: new password of private/{credentials}: 'line 3'")}
    assert password not in message and "anna@example.de" not in message
    assert not site.output.exists()


def test_the_leak_gate_looks_for_member_credentials_in_dist(tmp_path: Path) -> None:
    site, private = site_with_members(tmp_path / "site")
    hashed = (private / "members.htpasswd").read_text().splitlines()[1].split(":", 1)[1]

    def later_step(context) -> None:  # e.g. a newsletter step that puts a member list into its package
        (context.dist / "deploy" / "stray.txt").write_text(f"bernd@example.de {hashed}")

    with pytest.raises(LeakFound) as caught:
        build_site(site, steps=(write_server_configs, later_step))
    assert {str(hit) for hit in caught.value.report.hits} == {
        f"dist/deploy/stray.txt: member e-mail of private/members.csv: 'line 3' — {PUBLISHED_HINT}",
        "dist/deploy/stray.txt: password hash of private/members.htpasswd: 'entry 2'"}


@pytest.mark.parametrize("audience", ["public", "members"])
def test_a_personal_calendar_address_in_any_page_stops_the_build(tmp_path: Path, audience: str) -> None:
    """A member's calendar address is theirs alone: not on a public page, and not on a page of the member area."""
    site, private = site_with_members(tmp_path / "site")
    token = read_calendars(private)["bernd@example.de"]
    site.write("pages/kalender-abo.md", f"title: Abo\naudience: {audience}\n\nHier: {HOST_URL}/kalender/{token}.ics\n")
    with pytest.raises(LeakFound) as caught:
        build_site(site)
    pages = ["members/kalender-abo/index.html"] + (["kalender-abo/index.html"] if audience == "public" else [])
    assert {str(hit) for hit in caught.value.report.hits} == {
        f"{page}: calendar address of private/member-calendars.csv: 'line 3'" for page in pages}
    assert token not in str(caught.value)
    assert not site.output.exists()


def test_wrong_passwords_do_not_slow_the_public_site_and_members_get_in_fast(built: Site, server_root: Path,
                                                                             private: Path) -> None:
    """The latency bound the gate promises (README, "Hashing"), against real nginx with generous margins: while 20
    clients keep sending wrong passwords, a public page's median answer stays under 10 ms (bcrypt at cost 4, and
    nginx's limit per address answers the flood with 429 before any hash); a member page and every asset it names
    authenticate in under 50 ms of wall time together (one keep-alive connection)."""
    world_readable_copy(built, server_root)
    deploy_members(private, server_root)
    server = start_nginx(built, server_root)
    needs_program("ab", "apache2-utils")
    # 20 clients at once, each sending wrong passwords as fast as nginx answers (Apache's ab, over keep-alive)
    attack = subprocess.Popen(["ab", "-q", "-k", "-c", "20", "-t", "30", "-n", "10000000", "-A",
                               "anna@example.de:falsch", f"https://127.0.0.1:{server.port}/members/"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        public = []
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=server.tls, timeout=10)
        for _ in range(30):
            start = time.perf_counter()
            connection.request("GET", "/ueber-uns/")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            public.append(time.perf_counter() - start)
        connection.close()
        assert attack.poll() is None  # the attack ran all along
        os.kill(attack.pid, signal.SIGTERM)
        attack.wait()
        # Limited by its address, the attack also used up 127.0.0.1's allowance; a member has an address of their own.
        time.sleep(3.5)

        password = passwords(private)["anna@example.de"]
        page = server.get("/members/", user="anna@example.de", password=password).body.decode()
        assets = sorted({urljoin("/members/", url) for url in re.findall(r'(?:src|href)="([^":#?]+)"', page)
                         if url.endswith((".css", ".svg", ".png", ".jpg", ".js", ".woff2", ".ico"))})
        assert len(assets) >= 2, assets  # the styles and the logo at least
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=server.tls, timeout=10)
        authorization = {"Authorization": "Basic " + base64.b64encode(f"anna@example.de:{password}".encode())
                         .decode()}
        start = time.perf_counter()
        for path in ["/members/", *assets]:
            connection.request("GET", path, headers=authorization)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, path
        member_wall = time.perf_counter() - start
        connection.close()
    finally:
        if attack.poll() is None:
            os.kill(attack.pid, signal.SIGTERM)
            attack.wait()
        server.stop()
    assert statistics.median(public) < 0.010, f"public page median {statistics.median(public) * 1000:.1f} ms"
    assert member_wall < 0.050, f"member page and {len(assets)} assets: {member_wall * 1000:.1f} ms"


# --- a third tier: AUDIENCE_TIERS = ("public", "members", "gold") ----------------------------------------------------

GOLD_CANARIES = (b"goldkanarientitel", b"goldkanarienkoerper")
# Anna is a gold customer, Bernd a member (the tier column left empty: the lowest member tier).
GOLD_MEMBERS = "email;first_name;last_name;tier\nanna@example.de;Anna;Meier;gold\nbernd@example.de;Bernd;Ohm;\n"
GOLD_TIERS = ("members", "gold")


def gold_content(body: bytes) -> bool:
    return any(canary in body.lower() for canary in GOLD_CANARIES)


def three_tier_site(root: Path, members: str = GOLD_MEMBERS, settings: str = "") -> Site:
    site = Site(root)
    site.settings_file.write_text(site.settings_file.read_text() + 'AUDIENCE_TIERS = ("public", "members", "gold")\n'
                                  + settings)
    plant_member_content(site)
    site.write("products/gold-vorschau.md", """\
        title: Röstung goldkanarientitel Geisha
        summary: Nur für Top-Kunden.
        audience: gold

        Ein goldkanarienkoerper Kaffee.
        """)
    site.write("seminars/gold-verkostung.md", """\
        title: Verkostung goldkanarientitel
        audience: gold
        start: 2027-06-10T18:00
        end: 2027-06-10T20:00
        location: Rösterei

        Nur für Top-Kunden.
        """)
    # A public page whose address begins like the gold area's: it stays public.
    site.write("pages/goldrausch.md", "title: Goldrausch\nsummary: Öffentlich.\n\nFür alle.\n")
    private = site.root / "private"
    private.mkdir()
    (private / "members.csv").write_text(members, encoding="utf-8")
    sync_members(private / "members.csv", private, site_url=HOST_URL, tiers=GOLD_TIERS)
    return site


@pytest.fixture(scope="module")
def gold_built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = three_tier_site(tmp_path_factory.mktemp("gold") / "site")
    build_site(site)
    return site


def gold_page(site: Site) -> str:
    """The address of the gold-only product in the gold area."""
    page = site.output / "gold" / "produkte" / "gold-vorschau" / "index.html"
    assert gold_content(page.read_bytes())
    return "/gold/produkte/gold-vorschau/"


@pytest.fixture
def gold_private(gold_built: Site, tmp_path: Path) -> Path:
    shutil.copytree(gold_built.root / "private", tmp_path / "private")
    return tmp_path / "private"


@pytest.fixture(params=sorted(STARTERS))
def gold_server(request: pytest.FixtureRequest, gold_built: Site, server_root: Path,
                gold_private: Path) -> Iterator[Server]:
    world_readable_copy(gold_built, server_root)
    server = None
    try:
        deploy_members(gold_private, server_root)
        server = STARTERS[request.param](gold_built, server_root, gold=True)
        yield server
    finally:
        if server:
            server.stop()


def test_the_three_tier_build_keeps_gold_content_in_the_gold_area(gold_built: Site) -> None:
    """What the servers below gate: the gold product in output/gold/ only, beside the member area."""
    output = gold_built.output
    assert (output / "gold" / "index.html").is_file() and (output / "members" / "index.html").is_file()
    where = {path.relative_to(output).parts[0] for path in output.rglob("*")
             if path.is_file() and gold_content(path.read_bytes())}
    assert where == {"gold"}, where
    assert gold_page(gold_built).startswith("/gold/")


def test_each_tier_enters_its_areas_and_no_other(gold_server: Server, gold_built: Site, gold_private: Path) -> None:
    """A gold customer gets into the gold area and the member area, a member only into the member area, a
    stranger into neither; the public site is open to all."""
    page_401 = (gold_built.output / "401.html").read_bytes()
    secrets = passwords(gold_private)
    people = {"gold": ("anna@example.de", secrets["anna@example.de"]),
              "member": ("bernd@example.de", secrets["bernd@example.de"]), "stranger": (None, "")}
    expected = {"/gold/": {"gold": 200, "member": 401, "stranger": 401},
                "/members/": {"gold": 200, "member": 200, "stranger": 401},
                "/": {"gold": 200, "member": 200, "stranger": 200}}
    for path, statuses in expected.items():
        for who, (user, password) in people.items():
            response = gold_server.get(path, user=user, password=password)
            what = f"{gold_server.kind} {path} as {who}"
            assert response.status == statuses[who], what
            if response.status == 401:
                assert_refused(response, 401, page_401, what)
                assert not gold_content(response.body), what
                assert response.headers["WWW-Authenticate"] == 'Basic realm="Kundenbereich"', what
            elif path != "/":
                assert_member_headers(response, what)
    page = gold_page(gold_built)
    response = gold_server.get(page, user=people["gold"][0], password=people["gold"][1])
    assert response.status == 200 and gold_content(response.body), page
    assert_member_headers(response, page)
    # The member's password, and every way to spell the gold area, is refused there with no gold byte.
    bernd = people["member"]
    redirect = 308 if gold_server.kind == "caddy" else 301
    for path in (page, "/gold", "//gold/", "/%67old/", "/x/../gold/", "/gold/index.html"):
        for user, password in (bernd, (None, ""), ("anna@example.de", bernd[1])):
            response = gold_server.get(path, user=user, password=password)
            assert response.status == 401, f"{gold_server.kind} {path} as {user}"
            assert response.body == page_401 and not gold_content(response.body), path
    assert gold_server.get("/gold", user=people["gold"][0], password=people["gold"][1]).status == redirect
    # The public page whose address begins like the gold area's stays public.
    response = gold_server.get("/goldrausch/")
    assert response.status == 200 and b"Goldrausch" in response.body


def test_a_customer_moved_from_gold_to_members_loses_the_gold_area(gold_server: Server, gold_private: Path) -> None:
    """nginx and Apache read the area's file on every request: the move counts from the next request; Caddy
    reads its accounts when it loads its configuration: after `caddy reload`."""
    anna = passwords(gold_private)["anna@example.de"]
    assert gold_server.get("/gold/", user="anna@example.de", password=anna).status == 200

    (gold_private / "members.csv").write_text(GOLD_MEMBERS.replace(";gold\n", ";members\n"), encoding="utf-8")
    result = sync_members(gold_private / "members.csv", gold_private, site_url=HOST_URL, tiers=GOLD_TIERS)
    assert (result.moved, result.removed, result.added) == (["anna@example.de: gold → members"], [], [])
    deploy_members(gold_private, gold_server.root)
    if gold_server.kind == "caddy":
        assert gold_server.get("/gold/", user="anna@example.de", password=anna).status == 200  # until the reload
        subprocess.run(gold_server.reload, check=True, capture_output=True, env=gold_server.env)

    response = gold_server.get("/gold/", user="anna@example.de", password=anna)
    assert_refused(response, 401, (gold_server.root / "www" / "401.html").read_bytes(), "moved to members")
    assert not gold_content(response.body)
    assert gold_server.get("/members/", user="anna@example.de", password=anna).status == 200  # same password
    assert gold_server.process.poll() is None  # the same process: nobody restarted it

    # And back up: Bernd becomes a gold customer with the password he has.
    (gold_private / "members.csv").write_text(GOLD_MEMBERS.replace(";gold\n", ";members\n")
                                              .replace("Ohm;\n", "Ohm;gold\n"), encoding="utf-8")
    sync_members(gold_private / "members.csv", gold_private, site_url=HOST_URL, tiers=GOLD_TIERS)
    deploy_members(gold_private, gold_server.root)
    if gold_server.kind == "caddy":
        subprocess.run(gold_server.reload, check=True, capture_output=True, env=gold_server.env)
    bernd = passwords(gold_private)["bernd@example.de"]
    assert gold_server.get("/gold/", user="bernd@example.de", password=bernd).status == 200


def test_a_customers_calendar_address_opens_the_feed_of_their_tier(gold_server: Server, gold_private: Path) -> None:
    """A gold customer's personal address answers with the gold area's feed (the gold seminar too), a member's
    with the members' feed; moved to members, the gold customer's address answers with the members' feed from
    the next request on — no reload, not even for Caddy."""
    www = gold_server.root / "www"
    gold_feed, members_feed = (www / "gold" / "seminare" / "kalender.ics").read_bytes(), \
        (www / "members" / "seminare" / "kalender.ics").read_bytes()
    assert gold_content(gold_feed) and not gold_content(members_feed) and member_content(members_feed)
    tokens = read_calendars(gold_private)
    for email, feed in (("anna@example.de", gold_feed), ("bernd@example.de", members_feed)):
        response = gold_server.get(f"/kalender/{tokens[email]}.ics")
        assert (response.status, response.body) == (200, feed), email
        assert response.headers["Content-Type"].startswith("text/calendar"), email
        assert "private" in response.headers["Cache-Control"] and response.headers["X-Robots-Tag"] == "noindex"
    assert gold_server.get(f"/kalender/{'a' * 32}.ics").status == 404
    assert gold_server.get("/gold/seminare/kalender.ics").status == 401

    (gold_private / "members.csv").write_text(GOLD_MEMBERS.replace(";gold\n", ";members\n"), encoding="utf-8")
    sync_members(gold_private / "members.csv", gold_private, site_url=HOST_URL, tiers=GOLD_TIERS)
    deploy_members(gold_private, gold_server.root)
    response = gold_server.get(f"/kalender/{tokens['anna@example.de']}.ics")
    assert (response.status, response.body) == (200, members_feed)
    assert read_calendars(gold_private) == tokens  # the same address: only the feed behind it changed


def test_apache_without_the_gold_areas_htaccess_fails_closed(gold_built: Site, server_root: Path,
                                                             gold_private: Path) -> None:
    world_readable_copy(gold_built, server_root)
    deploy_members(gold_private, server_root)
    server = start_apache(gold_built, server_root, gold=True)
    try:
        (server_root / "www" / "gold" / ".htaccess").unlink()
        anna = passwords(gold_private)["anna@example.de"]
        for path in ("/gold", "/gold/", gold_page(gold_built)):
            response = server.get(path, user="anna@example.de", password=anna)
            assert response.status == 403 and not gold_content(response.body), path
        assert server.get("/members/", user="anna@example.de", password=anna).status == 200
    finally:
        server.stop()


def test_the_build_writes_a_gate_for_every_member_area(gold_built: Site) -> None:
    deploy = gold_built.root / "dist" / "deploy"
    assert sorted(p.relative_to(deploy).as_posix() for p in deploy.rglob("*") if p.is_file()) == [
        "apache/.htaccess", "apache/members-gold/.htaccess", "apache/members/.htaccess", "apache/vorab.conf",
        "caddy/Caddyfile", "cloudflare/worker.js", "cloudflare/wrangler.toml", "nginx/vorab-sso.conf",
        "nginx/vorab.conf"]
    assert "AuthUserFile /etc/vorab/members-gold.htpasswd\n" in (deploy / "apache/members-gold/.htaccess").read_text()
    # Shared hosting: the site's .htaccess sends a gold customer's calendar address to the gold area's feed.
    assert ('RewriteCond "/etc/vorab/kalender-gold/$1" -f\n    RewriteRule "^kalender/([a-z2-7]{32})\\.ics$" '
            '"gold/seminare/kalender.ics" [E=VORAB_CALENDAR:1,L]\n') in (deploy / "apache/.htaccess").read_text()


def test_on_shared_hosting_every_member_area_gets_its_htaccess_in_the_site(tmp_path: Path) -> None:
    site = three_tier_site(tmp_path / "site", settings='GATE_HOSTING = "apache"\n')
    build_site(site)
    deploy = site.root / "dist" / "deploy" / "apache"
    for folder, name in (("members", "members"), ("gold", "members-gold")):
        assert (site.output / folder / ".htaccess").read_bytes() == (deploy / name / ".htaccess").read_bytes()
    assert (site.output / ".htaccess").read_bytes() == (deploy / ".htaccess").read_bytes()
    assert "AuthUserFile /etc/vorab/members-gold.htpasswd\n" in (site.output / "gold" / ".htaccess").read_text()


@pytest.mark.parametrize(("settings", "message"), [
    ('GOLD_PATH = "members"\n',
     "pelicanconf.py:7: GOLD_PATH: expected a folder of its own for each member tier's area: each area has its own "
     "credentials, found 'members'"),
    ('GOLD_PATH = "/gold; allow all"\n',  # sitebuild's check: a folder name is safe in every configuration
     "pelicanconf.py:7: GOLD_PATH: expected a folder name (letters, digits, _ -), found '/gold; allow all'"),
])
def test_tier_folders_that_would_break_a_configuration_stop_the_build(tmp_path: Path, settings: str,
                                                                      message: str) -> None:
    site = three_tier_site(tmp_path / "site", settings=settings)
    with pytest.raises(ContentErrors) as caught:
        build_site(site)
    assert [str(problem) for problem in caught.value.problems] == [message]
    assert not site.output.exists()


def test_verify_deploy_checks_every_member_area(gold_built: Site, server_root: Path, gold_private: Path) -> None:
    """verify-deploy asks for the gold area in every spelling too: a server whose configuration gates only the
    member area (as one written before the gold tier) fails the check at /gold/, and the right one passes."""
    clock = parse_moment(CLOCK, "Europe/Berlin")
    settings = Project(gold_built.settings_file).settings()
    registry = validate(settings, gold_built.settings_file, clock).items
    world_readable_copy(gold_built, server_root)
    deploy_members(gold_private, server_root)
    checks = {}
    for variant in ("generated", "without the gold area"):
        server = start_caddy(gold_built, server_root, gold=True)
        try:
            if variant != "generated":
                caddyfile = (server_root / "Caddyfile").read_text()
                start = caddyfile.index('\t# "/gold/*"')
                (server_root / "Caddyfile").write_text(caddyfile[:start] + caddyfile[caddyfile.index(
                    "\t# E-mail images", start):])
                subprocess.run(server.reload, check=True, capture_output=True, env=server.env)
            checks[variant] = verify_deploy(f"http://127.0.0.1:{server.port}", settings, registry, clock,
                                            gold_built.output, {})
        finally:
            server.stop()
    good, open_gold = checks["generated"], checks["without the gold area"]
    assert good.failures == [], good.failures
    assert good.checked[7:] == [  # after the member area's seven
        "/gold/: 401 refused", "/gold: 401 refused", "/GOLD/: 401 refused", "/%67old/: 401 refused",
        "//gold/: 401 refused", "/gold/produkte/gold-vorschau/: 401 refused",
        "/gold/images/products/kanarienbild-tuete.svg: 401 refused", "/members/seminare/kalender.ics: 401 refused"]
    # Caddy redirects /gold and finds no /GOLD/: refusals enough; every other way in is named.
    assert [failure.split(": expected")[0] for failure in open_gold.failures if "refusal" in failure] == [
        "/gold/ (the gold area)", "/%67old/ (the gold area, percent-encoded)",
        "//gold/ (the gold area with a double slash)",
        "/gold/produkte/gold-vorschau/ (a gold page (content/products/gold-vorschau.md))",
        "/gold/images/products/kanarienbild-tuete.svg (a gold image)"]
    page = "/gold/produkte/gold-vorschau/ (a gold page (content/products/gold-vorschau.md)): expected no member " \
        "content, found "
    assert [failure for failure in open_gold.failures if failure.startswith(page)
            and "of content/products/gold-vorschau.md" in failure], open_gold.failures
    assert not any(failure.startswith(("/members", "//members", "/%6dembers", "/MEMBERS"))
                   for failure in open_gold.failures), open_gold.failures


def test_with_single_sign_on_the_gold_area_asks_for_the_gold_group(gold_built: Site, server_root: Path) -> None:
    """vorab-sso.conf checks the gold area with oauth2-proxy's allowed_groups=gold: a signed-in member outside
    that group is refused there (403, the public 401 page) and still gets into the member area."""
    page_401 = (gold_built.output / "401.html").read_bytes()
    with running_sso(gold_built, server_root) as server:
        for path in ("/gold/", gold_page(gold_built), "/gold", "//gold/"):
            for cookie, status in [(None, 401), ("_oauth2_proxy=sesam-carla", 403),
                                   ("_oauth2_proxy=sesam-bernd", 403)]:
                response = server.get(path, cookie=cookie)
                assert_refused(response, status, page_401, f"{path} with {cookie}")
                assert not gold_content(response.body), path
        response = server.get(gold_page(gold_built), cookie="_oauth2_proxy=sesam-anna")
        assert response.status == 200 and gold_content(response.body)
        assert_member_headers(response, "gold page with single sign-on")
        assert server.get("/members/", cookie="_oauth2_proxy=sesam-carla").status == 200
        assert server.get("/oauth2/auth-gold").status == 404  # the check itself is internal
        assert server.get("/goldrausch/").status == 200
