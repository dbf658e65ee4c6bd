"""The server side of the gate, written by every build into `dist/deploy/` (build step `write_server_configs`).

The files under `templates/` mirror `dist/deploy/`: nginx (basic auth, and auth_request for an oauth2-proxy
compatible single sign-on), Apache (virtual host + the member folder's .htaccess), Caddy and the Cloudflare edge (a
Worker in front of the static assets). Each gates
`/members` and everything below it — and with further member tiers each tier's folder (`/gold`) with that area's
own credentials (members-sync) — marks member responses `Cache-Control: private, no-store` and
`X-Robots-Tag: noindex`, lists no directories and answers refusals with the public site's /401.html.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from audiences.rules import is_visible
from outputs import write_output
from vorab import unlisted
from vorab.context import BuildContext, PublicFolder, Settings, Validation, private_folder
from vorab.errors import ContentProblem
from vorab.messages import _
from vorab.options import EMAIL, Choice, Integer, ListOf, Option, Pattern, Slug, setting_lines
from vorab.tiers import Tiers, setting_of

from .guards import credential_fingerprints, private_in_history, tracked_private
from .members import DEFAULT_COST, FEEDS, HTPASSWD, MIN_COST, area_stems, calendar_files, edge_binding, read_htpasswd

TEMPLATES = Path(__file__).parent / "templates"
# What a setting may contain, so that no value can break out of a directive in any of the configurations.
PATH = r"/[\w./-]*"
PATH_EXPECTED = "an absolute path (letters, digits, . _ - /)"
HOST = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+"
WORDS = r"[\w -]+"
# GATE_HOSTING: how the site is served, and the gate files that hosting reads from inside the site (dist/deploy/
# path → path in output/); the build puts them there, so no upload can leave the member area without them.
HOSTINGS: dict[str, dict[str, str]] = {
    "nginx": {},
    "nginx-sso": {},
    "apache": {"apache/{area}/.htaccess": "{folder}/.htaccess", "apache/.htaccess": ".htaccess"},
    "caddy": {},
    "cloudflare": {},  # the worker gates every request before the assets (cloudflare/worker.js)
}
# Templates written once per member area, to dist/deploy/ with `members` replaced by the area's name
# (apache/members/.htaccess, apache/members-gold/.htaccess, …).
PER_AREA = ("apache/members/.htaccess",)


def _host(settings: Mapping[str, Any]) -> str:
    return urlsplit(settings.get("SITEURL") or "").hostname or "www.example.com"


GATE_OPTIONS: dict[str, Option] = {
    "GATE_SERVER_NAME": Pattern(HOST, "a host name", _host),
    "GATE_DOCUMENT_ROOT": Pattern(PATH, PATH_EXPECTED, "/var/www/vorab"),
    "GATE_HTPASSWD_PATH": Pattern(PATH, PATH_EXPECTED, "/etc/vorab/members.htpasswd"),
    # Where private/kalender/ (members-sync: one empty file per personal calendar address) is on the server
    "GATE_CALENDARS_PATH": Pattern(PATH, PATH_EXPECTED, lambda s: posixpath.join(
        posixpath.dirname(str(s["GATE_HTPASSWD_PATH"]).rstrip("/")), FEEDS)),
    # The members' seminar feed that every personal calendar address answers with (plugins/seminars)
    "GATE_MEMBER_FEED": Pattern(r"[\w.-]+(/[\w.-]+)*", "a path inside the member area",
                                lambda s: s.get("SEMINAR_FEED_SAVE_AS", "seminare/kalender.ics")),
    "GATE_TLS_CERTIFICATE": Pattern(PATH, PATH_EXPECTED,
                                    lambda s: f"/etc/letsencrypt/live/{s['GATE_SERVER_NAME']}/fullchain.pem"),
    "GATE_TLS_KEY": Pattern(PATH, PATH_EXPECTED,
                            lambda s: f"/etc/letsencrypt/live/{s['GATE_SERVER_NAME']}/privkey.pem"),
    "GATE_AUTH_REQUEST_URL": Pattern(r"https?://[\w.-]+(:\d+)?/[\w./-]*", "an http(s) URL with a path",
                                     "http://127.0.0.1:4180/oauth2/auth"),
    "GATE_REALM": Pattern(WORDS, "letters, digits, spaces or -", "Kundenbereich"),
    "GATE_BCRYPT_COST": Integer(DEFAULT_COST, minimum=MIN_COST),  # members-sync's cost, README "Hashing"
    "GATE_HOSTING": Choice(HOSTINGS, None, optional=True),
    "GATE_PUBLISHED_MEMBER_EMAILS": ListOf(EMAIL, ()),
    # The contact person the public 401 page names for getting access: a slug of contacts/ the public may see
    "GATE_ACCESS_CONTACT": Slug(None),
}


@dataclass(frozen=True)
class Area:
    """One member tier's area: its folder, and its credentials on the server (members-sync's files, deployed
    beside GATE_HTPASSWD_PATH), each listing everyone allowed in."""

    tier: str
    path: str  # the folder and URL segment, e.g. members, gold
    name: str  # members for the lowest member tier, members-<tier> above it: the stem of its files
    htpasswd: str  # private/<name>.htpasswd, deployed
    caddy_accounts: str  # private/<name>.caddy, deployed
    edge_binding: str  # the Cloudflare secret with private/<name>.edge.json
    calendars: str  # private/kalender/ (kalender-gold/, …), deployed: its customers' personal calendar addresses
    calendars_binding: str  # the Cloudflare secret with private/kalender.edge.json (kalender-gold.edge.json, …)


@dataclass(frozen=True)
class GateSettings:
    """The GATE_* settings (publishconf.py), validated by every check. Paths are where things live on the web
    server."""

    server_name: str  # the public host name
    document_root: str  # where output/ is deployed
    members_path: str  # the member area's folder and URL segment (MEMBERS_PATH)
    htpasswd: str  # private/members.htpasswd, deployed
    calendars: str  # private/kalender/, deployed: one empty file per personal calendar address
    member_feed: str  # the members' feed inside the member area, e.g. seminare/kalender.ics
    caddy_accounts: str  # private/members.caddy, deployed beside the htpasswd file
    tls_certificate: str
    tls_key: str
    auth_request_url: str  # the single-sign-on proxy's check, e.g. oauth2-proxy's /oauth2/auth
    realm: str  # the name browsers show in the login dialog
    hosting: str | None = None  # GATE_HOSTING: how the site is served; its in-tree gate files go into output/
    unlisted_path: str = unlisted.FOLDER  # the folder of the unguessable addresses (vorab/unlisted.py)
    calendars_path: str = FEEDS  # the URL folder of the personal calendar addresses
    published_emails: tuple[str, ...] = ()  # member addresses that pages may show on purpose
    areas: tuple[Area, ...] = ()  # every member tier's area, lowest first (the first is members_path's)

    @classmethod
    def from_settings(cls, settings: Settings) -> GateSettings:
        paths = {name: str(settings[name]).rstrip("/") for name in ("GATE_DOCUMENT_ROOT", "GATE_HTPASSWD_PATH")}
        tiers = Tiers.from_settings(settings)
        folder = posixpath.dirname(paths["GATE_HTPASSWD_PATH"])
        calendars = str(settings["GATE_CALENDARS_PATH"]).rstrip("/")
        areas = tuple(Area(tier, tiers.folder(tier), stem,
                           paths["GATE_HTPASSWD_PATH"] if tier == tiers.members
                           else posixpath.join(folder, f"{stem}.htpasswd"),
                           posixpath.join(folder, f"{stem}.caddy"), edge_binding(stem),
                           calendars + stem.removeprefix("members"), calendar_files(stem)[2])
                      for tier, stem in area_stems(tiers.member_tiers).items())
        return cls(server_name=settings["GATE_SERVER_NAME"], document_root=paths["GATE_DOCUMENT_ROOT"],
                   members_path=areas[0].path, htpasswd=areas[0].htpasswd, calendars=calendars,
                   member_feed=settings["GATE_MEMBER_FEED"], caddy_accounts=areas[0].caddy_accounts,
                   tls_certificate=settings["GATE_TLS_CERTIFICATE"], tls_key=settings["GATE_TLS_KEY"],
                   auth_request_url=settings["GATE_AUTH_REQUEST_URL"], realm=settings["GATE_REALM"],
                   hosting=settings["GATE_HOSTING"],
                   published_emails=tuple(settings["GATE_PUBLISHED_MEMBER_EMAILS"]), areas=areas)

    def in_tree(self) -> dict[str, str]:
        """The files of dist/deploy/ that the chosen hosting reads from the site itself → their path in output/."""
        files = HOSTINGS.get(self.hosting or "", {})
        return {deploy.format(area=area.name): site.format(folder=area.path)
                for deploy, site in files.items() for area in (self.areas if "{area}" in deploy else self.areas[:1])}

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
                                     keep_trailing_newline=True, autoescape=False)  # noqa: S701 — configs, not HTML
    written = []
    for template in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
        relative = template.relative_to(TEMPLATES).as_posix()
        for area in gate.areas if relative in PER_AREA else gate.areas[:1]:
            path = target / (relative.replace("members", area.name, 1) if relative in PER_AREA else relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(environment.get_template(relative).render(gate=gate, area=area), encoding="utf-8")
            written.append(path)
    return written


def check_gate(validation: Validation) -> None:
    """Validator: what the server configurations need — a folder of its own for each member tier's area, the
    public 401 page every refusal answers with — and no member data tracked by git."""
    settings, problems = validation.settings, validation.problems
    lines = setting_lines(validation.settings_file)
    tiers = Tiers.from_settings(settings)
    for tier in tiers.member_tiers:  # (sitebuild checks that each is a folder name: safe in every configuration)
        if tiers.folders.index(tiers.folder(tier)) < tiers.rank(tier):
            setting = setting_of(tier, "PATH")
            path, line = lines.get(setting, (validation.settings_file.name, 1))
            problems.append(ContentProblem(path, line, setting, "a folder of its own for each member tier's area: "
                                           "each area has its own credentials", repr(tiers.folder(tier))))
    if "401" not in settings.get("DIRECT_TEMPLATES", ()):
        # Every configuration answers a refusal with it; without it nginx turns the 401 into a 404, and no
        # browser would ask for the password.
        path, line = lines.get("DIRECT_TEMPLATES", (validation.settings_file.name, 1))
        problems.append(ContentProblem(path, line, "DIRECT_TEMPLATES", "\"401\" among them: the server "
                                       "configurations answer every refusal with the public page 401.html",
                                       repr(settings.get("DIRECT_TEMPLATES"))))
    problems += access_contact(validation)
    problems += tracked_private(Path(settings["PATH"]).parent)
    validation.warnings += private_in_history(Path(settings["PATH"]).parent)
    validation.warnings += slow_hashes(private_folder(settings), settings["GATE_BCRYPT_COST"])


def access_contact(validation: Validation) -> list[ContentProblem]:
    """GATE_ACCESS_CONTACT must name a contact person the public sees at the build clock: the 401 page is public
    and its run is given public contacts only, so anyone else would silently go missing from it."""
    slug = validation.settings.get("GATE_ACCESS_CONTACT")
    if not slug or validation.registry is None:
        return []
    tiers = validation.tiers
    public = sorted(item.slug for item in validation.registry.of_type("contacts")
                    if is_visible(item.schedule, tiers.public, validation.clock, tiers))
    if slug in public:
        return []
    path, line = setting_lines(validation.settings_file).get("GATE_ACCESS_CONTACT", (validation.settings_file.name, 1))
    expected = _("the slug of a contact person in contacts/ whom the public may see ({slugs})").format(
        slugs=", ".join(public) or _("there is none"))
    return [ContentProblem(path, line, "GATE_ACCESS_CONTACT", expected, repr(slug))]


def slow_hashes(private: Path, cost: int) -> list[ContentProblem]:
    """A warning while members' entries cost more than GATE_BCRYPT_COST: nginx and Apache pay it per request."""
    costs = [int(hashed.split("$")[2]) for hashed in read_htpasswd(private / HTPASSWD).values()
             if hashed.count("$") >= 3 and hashed.split("$")[2].isdigit()]
    slow = [found for found in costs if found > cost]
    if not slow:
        return []
    return [ContentProblem(f"private/{HTPASSWD}", 1, "GATE_BCRYPT_COST", f"entries of cost {cost}: every member "
                           f"request pays the cost of its entry (README, \"Hashing\"); delete those lines and run "
                           f"members-sync to give their members new passwords",
                           f"{len(slow)} of {len(costs)} entries of cost {max(slow)}")]


def write_server_configs(context: BuildContext) -> None:
    """Build step: write `dist/deploy/`, put the chosen hosting's in-tree gate files into the site, and look for
    every member e-mail and credential of `private/` in the whole site (member area included) and in `dist/`
    in the leak gate."""
    gate = GateSettings.from_settings(context.settings)
    written = render_configs(gate, context.dist / "deploy")
    context.public_dist.append(PublicFolder("deploy"))
    for deploy, site in gate.in_tree().items():  # e.g. the .htaccess that is Apache's gate on shared hosting
        write_output(context.site / site, (context.dist / "deploy" / deploy).read_bytes())
        context.produced.add(str(context.site / site))

    prints = credential_fingerprints(context.private, gate.published_emails)
    context.fingerprints.extend(prints)  # the leak gate looks for them everywhere: site, member area, dist/deploy/

    counts = ", ".join(f"{len(read_htpasswd(context.private / f'{area.name}.htpasswd'))} "
                       f"{'members' if area.name == 'members' else area.tier} in private/{area.name}.htpasswd"
                       for area in gate.areas)
    context.notes.append(f"gate: {len(written)} server configurations in dist/deploy/ for {gate.server_name} "
                         f"({', '.join(f'/{area.path}' for area in gate.areas)}); {counts}, "
                         f"{len(prints)} member e-mails and credentials fingerprinted")
