"""The server side of the gate, written by every build into `dist/deploy/` (build step `write_server_configs`).

The files under `templates/` mirror `dist/deploy/`: nginx (basic auth, and auth_request for an oauth2-proxy
compatible single sign-on), Apache (virtual host + the member folder's .htaccess), Caddy and Netlify. Each gates
`/members` and everything below it, marks member responses `Cache-Control: private, no-store` and
`X-Robots-Tag: noindex`, lists no directories and answers refusals with the public site's /401.html.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2

from outputs import write_output
from sitebuild.errors import BuildFailed
from sitebuild.leakcheck import PublicFolder

from .guards import credential_fingerprints, refuse_tracked_private
from .members import CADDY_ACCOUNTS, HTPASSWD, read_htpasswd

if TYPE_CHECKING:
    from sitebuild.pipeline import BuildContext

TEMPLATES = Path(__file__).parent / "templates"
# What a setting may contain, so that no value can break out of a directive in any of the configurations.
PATH = (re.compile(r"/[\w./-]*", re.ASCII), "an absolute path (letters, digits, . _ - /)")
HOST = (re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+"), "a host name")
URL = (re.compile(r"https?://[\w.-]+(:\d+)?/[\w./-]*", re.ASCII), "an http(s) URL with a path")
SEGMENT = (re.compile(r"[\w-]+", re.ASCII), "a folder name (letters, digits, _ -)")
WORDS = (re.compile(r"[\w -]+", re.ASCII), "letters, digits, spaces or -")
ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# GATE_HOSTING: how the site is served, and the gate files that hosting reads from inside the site (dist/deploy/
# path → path in output/); the build puts them there, so no upload can leave the member area without them.
HOSTINGS: dict[str, dict[str, str]] = {
    "nginx": {},
    "nginx-sso": {},
    "apache": {"apache/members/.htaccess": "{members}/.htaccess"},
    "caddy": {},
    "netlify": {"netlify/_redirects": "_redirects", "netlify/_headers": "_headers"},
}


@dataclass(frozen=True)
class GateSettings:
    """The GATE_* settings (publishconf.py), checked. Paths are where things live on the web server."""

    server_name: str  # the public host name
    document_root: str  # where output/ is deployed
    members_path: str  # the member area's folder and URL segment (MEMBERS_PATH)
    htpasswd: str  # private/members.htpasswd, deployed
    caddy_accounts: str  # private/members.caddy, deployed beside the htpasswd file
    tls_certificate: str
    tls_key: str
    auth_request_url: str  # the single-sign-on proxy's check, e.g. oauth2-proxy's /oauth2/auth
    realm: str  # the name browsers show in the login dialog
    netlify_role: str  # the Netlify Identity role that opens the member area
    hosting: str | None = None  # GATE_HOSTING: how the site is served; its in-tree gate files go into output/
    published_emails: tuple[str, ...] = ()  # member addresses that pages may show on purpose

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> GateSettings:
        tiers = tuple(settings["AUDIENCE_TIERS"])
        if len(tiers) != 2:
            raise BuildFailed(f"AUDIENCE_TIERS: the server configurations gate one member area; found the member "
                              f"tiers {', '.join(tiers[1:])}. Extend plugins/gate before adding a tier.")
        members_setting = f"{tiers[1].upper()}_PATH"
        host = urlsplit(settings.get("SITEURL") or "").hostname or "www.example.com"
        certificates = f"/etc/letsencrypt/live/{settings.get('GATE_SERVER_NAME', host)}"
        table = {  # field: (setting, default, rule)
            "server_name": ("GATE_SERVER_NAME", host, HOST),
            "document_root": ("GATE_DOCUMENT_ROOT", "/var/www/vorab", PATH),
            "members_path": (members_setting, tiers[1], SEGMENT),
            "htpasswd": ("GATE_HTPASSWD_PATH", "/etc/vorab/members.htpasswd", PATH),
            "tls_certificate": ("GATE_TLS_CERTIFICATE", f"{certificates}/fullchain.pem", PATH),
            "tls_key": ("GATE_TLS_KEY", f"{certificates}/privkey.pem", PATH),
            "auth_request_url": ("GATE_AUTH_REQUEST_URL", "http://127.0.0.1:4180/oauth2/auth", URL),
            "realm": ("GATE_REALM", "Kundenbereich", WORDS),
            "netlify_role": ("GATE_NETLIFY_ROLE", "member", WORDS),
        }
        values: dict[str, str] = {}
        problems = []
        for field, (setting, default, (pattern, expected)) in table.items():
            value = settings.get(setting, default)
            if isinstance(value, str) and pattern.fullmatch(value):
                values[field] = value.rstrip("/") if pattern is PATH[0] else value
            elif setting in settings or not field.startswith("tls_"):
                # (A default certificate path is wrong only because the host name is, and that is reported.)
                problems.append(f"  {setting}: expected {expected}, found {value!r}")
        hosting = settings.get("GATE_HOSTING")
        if hosting is not None and hosting not in HOSTINGS:
            problems.append(f"  GATE_HOSTING: expected one of {', '.join(HOSTINGS)} (or no setting), found {hosting!r}")
        published = settings.get("GATE_PUBLISHED_MEMBER_EMAILS", ())
        if not isinstance(published, (list, tuple)):
            problems.append(f"  GATE_PUBLISHED_MEMBER_EMAILS: expected a list of e-mail addresses, found {published!r}")
            published = ()
        for address in published:
            if not (isinstance(address, str) and ADDRESS.fullmatch(address)):
                problems.append(f"  GATE_PUBLISHED_MEMBER_EMAILS: expected e-mail addresses, found {address!r}")
        if problems:
            raise BuildFailed("The gate's settings cannot be written into server configurations:\n"
                              + "\n".join(problems))
        caddy_accounts = posixpath.join(posixpath.dirname(values["htpasswd"]), CADDY_ACCOUNTS)
        return cls(**values, caddy_accounts=caddy_accounts, hosting=hosting, published_emails=tuple(published))

    def in_tree(self) -> dict[str, str]:
        """The files of dist/deploy/ that the chosen hosting reads from the site itself → their path in output/."""
        files = HOSTINGS.get(self.hosting or "", {})
        return {deploy: site.format(members=self.members_path) for deploy, site in files.items()}

    @property
    def auth_origin(self) -> str:
        """Where the single-sign-on proxy listens, e.g. http://127.0.0.1:4180."""
        parts = urlsplit(self.auth_request_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def auth_path(self) -> str:
        return urlsplit(self.auth_request_url).path

    @property
    def auth_prefix(self) -> str:
        """The proxy's own pages (sign-in, callback), e.g. /oauth2/."""
        return posixpath.dirname(self.auth_path).rstrip("/") + "/"


def render_configs(gate: GateSettings, target: Path) -> list[Path]:
    """Write every configuration under `target`, one file per template; return the files written."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                                     keep_trailing_newline=True, autoescape=False)
    written = []
    for template in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
        relative = template.relative_to(TEMPLATES)
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(environment.get_template(relative.as_posix()).render(gate=gate), encoding="utf-8")
        written.append(path)
    return written


def write_server_configs(context: BuildContext) -> None:
    """Build step: refuse tracked member data, write `dist/deploy/`, and look for every member e-mail and
    credential of `private/` in the whole site (member area included) now and in `dist/deploy/` in the leak gate."""
    root = Path(context.settings["PATH"]).parent
    refuse_tracked_private(root)
    gate = GateSettings.from_settings(context.settings)
    if not (context.site / "401.html").is_file():
        # Every configuration answers a refusal with it; without it nginx turns the 401 into a 404, and no
        # browser would ask for the password.
        raise BuildFailed("The server configurations need the public page 401.html: add \"401\" to "
                          "DIRECT_TEMPLATES in pelicanconf.py.")
    written = render_configs(gate, context.dist / "deploy")
    context.public_dist.append(PublicFolder("deploy"))
    for deploy, site in gate.in_tree().items():  # e.g. the .htaccess that is Apache's gate on shared hosting
        write_output(context.site / site, (context.dist / "deploy" / deploy).read_bytes())
        context.produced.add(str(context.site / site))

    prints = credential_fingerprints(root / "private", gate.published_emails)
    context.fingerprints.extend(prints)  # the leak gate looks for them everywhere: site, member area, dist/deploy/

    members = len(read_htpasswd(root / "private" / HTPASSWD))
    context.notes.append(f"gate: {len(written)} server configurations in dist/deploy/ for {gate.server_name} "
                         f"(/{gate.members_path}); {members} members in private/{HTPASSWD}, "
                         f"{len(prints)} member e-mails and credentials fingerprinted")
