"""members-sync: a member export from a CRM or e-mail tool → `private/members.htpasswd` (and its Caddy twin),
and each member's personal calendar address.

One bcrypt entry per member, user name = the lower-cased e-mail. New members get a random password, written once
to `private/new-credentials-<date>.csv` for the welcome mail; members missing from the export are removed (that is
revocation); the entries of everyone else are kept byte for byte, so the same export twice changes nothing. Every
problem of the export is reported at once and then nothing is written.

Calendar apps cannot log in, so each member also gets a personal address of the members' seminar feed,
`https://<host>/kalender/<token>.ics` (160 random bits, like Google Calendar's "secret address"). The tokens are
listed with the e-mails in `private/member-calendars.csv` (for the e-mail tool's merge field) and each is an empty
file in `private/kalender/`: deployed beside the htpasswd file, the web server serves the one members' feed for
every token that has a file there — a stat per request, so a removed member's address answers 404 from the next
request on, and 10,000 members are 10,000 empty files, not 10,000 copies of the feed (gate/templates).

With more than one member tier (AUDIENCE_TIERS = ("public", "members", "gold")) every member tier's area has its
own credential files, each listing everyone allowed in: `members.htpasswd` for the lowest member tier's area
(every customer), `members-gold.htpasswd` for the gold area (the gold customers). The export's `tier` column
(empty: the lowest member tier) says which: a customer of a tier may enter the area of that tier and of every
member tier below it. A customer keeps one password (the same hash in every file they are in); moving them between
tiers only adds or drops their line in the files above the lower tier.
A customer's calendar token has a file in each of their areas' folders (private/kalender/, kalender-gold/): the
servers answer with the feed of the highest area whose folder holds it, so a gold customer's one address brings the
gold seminars too, and a move between tiers changes the feed behind it from the next request on.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import bcrypt

from vorab.errors import ContentProblem, found

# bcrypt's own minimum. The cost slows down guessing a password from its hash; members-sync's passwords are 144
# random bits, which no cost makes easier or harder to guess, while nginx and Apache pay the cost on every request
# (README, "Hashing"). 4 is about a millisecond per request.
MIN_COST = 4
DEFAULT_COST = 4
MAX_REMOVED_SHARE = 0.2  # more than this share (or all) of the members gone at once needs --allow-removals
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: what a spreadsheet may run as a formula
HTPASSWD = "members.htpasswd"
CADDY_ACCOUNTS = "members.caddy"
COLUMNS = ("email", "first_name", "last_name")
OPTIONAL_COLUMNS = ("tier",)
# Deliberately narrower than RFC 5322: the address becomes a user name in htpasswd (no ':') and a token in a
# Caddyfile (no quotes, braces or spaces), and it must survive a browser's Basic-auth dialog unchanged.
EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
PASSWORD_BYTES = 18  # secrets.token_urlsafe → 24 characters
CALENDARS = "member-calendars.csv"  # email, calendar_url
# The same members for the Cloudflare edge (gate/templates/cloudflare/worker.js): Workers have no bcrypt, but
# WebCrypto's PBKDF2. Made from the password, so only for members who got theirs from members-sync since.
EDGE_ACCOUNTS = "members.edge.json"
EDGE_ITERATIONS = 1000
FEEDS = "kalender"  # private/kalender/<token>, and the URL folder /kalender/<token>.ics
FEED_TOKEN = re.compile(r"[a-z2-7]{32}")  # 20 random bytes in lower-case base32


class MembersSyncFailed(Exception):
    """The export could not be used; nothing was written. `problems` name the line of each one."""

    def __init__(self, source: str, problems: list[ContentProblem]) -> None:
        self.problems = problems
        count = len(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in {source}; nothing was written:\n{lines}")


@dataclass(frozen=True)
class Member:
    email: str  # lower-cased: the user name
    first_name: str
    last_name: str
    tier: str = "members"  # the highest member tier whose area they may enter


@dataclass
class SyncResult:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: int = 0
    moved: list[str] = field(default_factory=list)  # kept members whose tier changed ("anna@…: gold → members")
    areas: list[str] = field(default_factory=lambda: [HTPASSWD])  # the credential file of each member area
    credentials: Path | None = None  # the new passwords, if anyone was added
    calendars: Path | None = None  # private/member-calendars.csv
    without_edge: int = 0  # members whose password predates members.edge.json: new passwords for the edge

    def summary(self, root: Path) -> str:
        line = f"members-sync: {len(self.added)} added, {self.kept} kept, {len(self.removed)} removed"
        if self.moved:
            line += f", {len(self.moved)} moved between tiers"
        if self.credentials:
            line += (f"\n  new passwords: {_display(self.credentials, root)} — import it for the welcome mail, "
                     f"then delete it")
        if (self.added or self.removed or self.moved) and len(self.areas) == 1:
            line += ("\n  deploy: copy private/members.htpasswd and private/kalender/ to the server (nginx, Apache: "
                     "effective at once); Caddy: copy private/members.caddy too and run `caddy reload`; Cloudflare: "
                     "wrangler secret put VORAB_MEMBERS < private/members.edge.json, VORAB_CALENDARS < "
                     "private/kalender.edge.json")
        elif self.added or self.removed or self.moved:
            stems = [name.removesuffix(".htpasswd") for name in self.areas]
            calendars = [calendar_files(stem) for stem in stems]
            line += (f"\n  deploy: copy {', '.join(f'private/{name}' for name in self.areas)} and "
                     f"{', '.join(f'private/{folder}/' for folder, _, _ in calendars)} to the server (nginx, Apache: "
                     f"effective at once); Caddy: copy {', '.join(f'private/{stem}.caddy' for stem in stems)} too "
                     f"and run `caddy reload`; Cloudflare: wrangler secret put "
                     f"{', '.join(f'{edge_binding(stem)} < private/{stem}.edge.json' for stem in stems)}, "
                     f"{', '.join(f'{secret} < private/{edge}' for _, edge, secret in calendars)}")
        if self.without_edge:
            line += (f"\n  {self.without_edge} members have passwords from before members.edge.json: they need new "
                     f"ones for the Cloudflare edge (README, \"Cloudflare\")")
        if self.calendars:
            line += (f"\n  calendar addresses: {_display(self.calendars, root)} — import it into the e-mail tool "
                     f"(merge field for \"Ihr persönlicher Seminarkalender\")")
        return line


def read_export(path: Path, *, tiers: Sequence[str] = ("members",), display: str | None = None) -> list[Member]:
    """The members of an export (UTF-8, comma- or semicolon-separated, header row), or MembersSyncFailed."""
    source = display or str(path)
    data = path.read_bytes()  # a missing file is an OSError for the caller to report
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise MembersSyncFailed(source, [ContentProblem(source, line, "encoding", "UTF-8",
                                                        f"byte {data[error.start]:#04x}")]) from None

    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(rows, [])]
    allowed = set(COLUMNS) | set(OPTIONAL_COLUMNS)
    if not set(COLUMNS) <= set(header) <= allowed or len(set(header)) != len(header):
        raise MembersSyncFailed(source, [ContentProblem(
            source, 1, "header", f"the columns {', '.join(COLUMNS)} and optionally {', '.join(OPTIONAL_COLUMNS)}",
            found(header_line.strip()))])

    members: list[Member] = []
    first_line: dict[str, int] = {}
    problems: list[ContentProblem] = []
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:  # a field over the csv module's limit, a NUL byte, an open quote at the end
            raise MembersSyncFailed(source, [*problems, ContentProblem(
                source, rows.line_num, "row", "a CSV row of plain text, each field under 128 KiB",
                str(error))]) from None
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank lines, and the ";;;" lines spreadsheets leave at the end
        if len(row) != len(header):
            problems.append(ContentProblem(source, line, "row", f"{len(header)} columns ({', '.join(header)})",
                                           str(len(row))))
            continue
        values = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
        for name, value in values.items():
            if any(unicodedata.category(char) == "Cc" for char in value):
                problems.append(ContentProblem(source, line, name, "text without control characters",
                                               found(value[:40])))
        email = values["email"].lower()
        tier = values.get("tier", "")
        if not EMAIL.fullmatch(email):
            problems.append(ContentProblem(source, line, "email", "an e-mail address", found(values["email"])))
        elif email in first_line:
            problems.append(ContentProblem(source, line, "email", "each address once",
                                           f"{values['email']!r} again (first on line {first_line[email]})"))
        if tier and tier not in tiers:
            problems.append(ContentProblem(source, line, "tier", f"one of {', '.join(map(repr, tiers))} or nothing",
                                           found(tier)))
        first_line.setdefault(email, line)
        members.append(Member(email, values["first_name"], values["last_name"], tier or tiers[0]))
    if problems:
        raise MembersSyncFailed(source, problems)
    return members


def area_stems(tiers: Sequence[str]) -> dict[str, str]:
    """Member tier (lowest first) → the name of its area's credential files without the suffix: `members` for the
    lowest (private/members.htpasswd, as with one member tier), `members-<tier>` above it."""
    return {tier: "members" if number == 0 else f"members-{tier}" for number, tier in enumerate(tiers)}


def edge_binding(stem: str) -> str:
    """The Cloudflare secret holding an area's edge accounts: VORAB_MEMBERS, VORAB_MEMBERS_GOLD, …"""
    return "VORAB_" + stem.upper().replace("-", "_")


def calendar_files(stem: str) -> tuple[str, str, str]:
    """An area's calendar addresses — its folder of token files, their edge twin and its Cloudflare secret:
    kalender/, kalender.edge.json and VORAB_CALENDARS for the lowest member area, kalender-gold/, … above it."""
    suffix = stem.removeprefix("members")
    return f"{FEEDS}{suffix}", f"{FEEDS}{suffix}.edge.json", "VORAB_CALENDARS" + suffix.upper().replace("-", "_")


def read_htpasswd(path: Path) -> dict[str, str]:
    """User name → hash of an htpasswd file (empty if there is none)."""
    if not path.exists():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            user, _, hashed = line.partition(":")
            entries[user] = hashed
    return entries


def edge_hash(password: str) -> str:
    """PBKDF2-SHA256, as the edge worker checks it: `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64)."""
    salt = secrets.token_bytes(16)
    derived = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, EDGE_ITERATIONS)
    return "$".join(["pbkdf2-sha256", str(EDGE_ITERATIONS), base64.b64encode(salt).decode(),
                     base64.b64encode(derived).decode()])


def read_edge_accounts(private: Path, name: str = EDGE_ACCOUNTS) -> dict[str, str]:
    path = private / name
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def hash_password(password: str, cost: int) -> str:
    """bcrypt as `$2y$`, the prefix Apache's own `htpasswd -B` writes; nginx, Caddy and Python read it too."""
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(cost)).decode()
    return "$2y$" + hashed.removeprefix("$2b$")


def feed_token() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().lower()


def feed_url(site_url: str, token: str) -> str:
    return f"{site_url.rstrip('/')}/{FEEDS}/{token}.ics"


def read_calendars(private: Path) -> dict[str, str]:
    """E-mail → calendar token, from private/member-calendars.csv (empty if there is none)."""
    path = private / CALENDARS
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as file:
        return {row["email"].removeprefix("'"): row["calendar_url"].rpartition("/")[2].removesuffix(".ics")
                for row in csv.DictReader(file)}  # ' as spreadsheet_safe wrote it, before e.g. -anna@…


def new_password() -> str:
    """24 random characters (144 bits) that no spreadsheet reads as a formula."""
    while (password := secrets.token_urlsafe(PASSWORD_BYTES)).startswith(FORMULA_START):
        pass
    return password


def sync_members(export: Path, private: Path, *, site_url: str, cost: int = DEFAULT_COST,
                 tiers: Sequence[str] = ("members",), today: date | None = None, allow_removals: bool = False,
                 progress: Callable[[str], None] = lambda message: None) -> SyncResult:
    """Make `private/members.htpasswd`, `private/members.caddy` and the calendar addresses match the export (see
    the module docstring); `site_url` is the site's address, e.g. https://www.example.com. An export that would
    remove more than MAX_REMOVED_SHARE of the members is refused unless `allow_removals`."""
    if cost < MIN_COST:
        raise ValueError(f"GATE_BCRYPT_COST: expected at least {MIN_COST}, found {cost}")
    display = _display(export, private.parent)
    members = read_export(export, tiers=tiers, display=display)
    stems = area_stems(tiers)
    existing = read_htpasswd(private / HTPASSWD)  # everyone: each customer may enter the lowest member area
    exported = {member.email for member in members}
    rank = {member.email: list(tiers).index(member.tier) for member in members}
    was = dict.fromkeys(existing, 0)  # each one's tier so far: the highest area whose file lists them
    for number, stem in enumerate(list(stems.values())[1:], 1):
        was |= dict.fromkeys(set(read_htpasswd(private / f"{stem}.htpasswd")) & set(existing), number)
    removed = sorted(set(existing) - exported)
    too_many = len(removed) == len(existing) or len(removed) > max(1.0, MAX_REMOVED_SHARE * len(existing))
    if existing and removed and too_many and not allow_removals:
        raise MembersSyncFailed(display, [ContentProblem(
            display, 1, "members", f"at most {MAX_REMOVED_SHARE:.0%} of the {len(existing)} members removed at once "
            f"(run with --allow-removals if that is meant)", f"{len(removed)} removed")])
    new = [member for member in members if member.email not in existing]
    passwords = [new_password() for _ in new]
    hashes: list[str] = []
    # bcrypt releases the GIL, so threads hash on every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        for number, hashed in enumerate(pool.map(hash_password, passwords, [cost] * len(new)), 1):
            hashes.append(hashed)
            if number % 500 == 0 or number == len(new) > 500:
                progress(f"{number} of {len(new)} new passwords hashed")

    entries = {user: hashed for user, hashed in existing.items() if user in exported}
    entries.update((member.email, hashed) for member, hashed in zip(new, hashes, strict=True))
    result = SyncResult(added=[m.email for m in new], removed=removed, kept=len(exported) - len(new),
                        moved=[f"{user}: {tiers[was[user]]} → {tiers[rank[user]]}" for user in sorted(entries)
                               if user in was and was[user] != rank[user]],
                        areas=[f"{stem}.htpasswd" for stem in stems.values()])

    known = read_calendars(private)
    tokens = {email: known.get(email) or feed_token() for email in sorted(exported)}
    edge = {user: hashed for user, hashed in read_edge_accounts(private).items() if user in exported}
    edge.update((member.email, edge_hash(password)) for member, password in zip(new, passwords, strict=True))

    private.mkdir(exist_ok=True)
    private.chmod(0o700)
    # The passwords first: if anything fails after this, no member has a password that nobody knows.
    if new:
        result.credentials = _write_credentials(private, today or date.today(), new, passwords,
                                                [feed_url(site_url, tokens[m.email]) for m in new])
    texts: dict[Path, str] = {}
    feeds: dict[str, set[str]] = {}
    for number, stem in enumerate(stems.values()):  # each area lists everyone of its tier and every tier above
        users = sorted(user for user in entries if rank[user] >= number)
        folder, edge_calendars, _secret = calendar_files(stem)
        feeds[folder] = {tokens[user] for user in users}
        texts[private / edge_calendars] = _edge_calendars(feeds[folder])
        texts |= {
            private / f"{stem}.htpasswd": "".join(f"{user}:{entries[user]}\n" for user in users),
            private / f"{stem}.caddy": "# Written by members-sync for Caddy's basicauth block (import); do not "
                                       "edit.\n" + "".join(f"{user} {entries[user]}\n" for user in users),
            private / f"{stem}.edge.json": json.dumps({user: edge[user] for user in users if user in edge},
                                                      indent=1) + "\n"}
    # One consistent set: every file is written beside its old one first, and only then all are moved into place,
    # so a failing disk leaves the old set as it was.
    _replace_together({**texts, private / CALENDARS: _calendars_csv(site_url, tokens)})
    _sync_feed_files(private, feeds)
    result.calendars = private / CALENDARS
    result.without_edge = len(exported) - len(edge)
    return result


def _calendars_csv(site_url: str, tokens: dict[str, str]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["email", "calendar_url"])
    writer.writerows([spreadsheet_safe(email), feed_url(site_url, token)] for email, token in tokens.items())
    return buffer.getvalue()


def _edge_calendars(tokens: Collection[str]) -> str:
    return json.dumps(sorted(tokens), indent=0) + "\n"


def _sync_feed_files(private: Path, folders: dict[str, set[str]]) -> None:
    """One empty file per token in each folder (private/kalender/, private/kalender-gold/, …), and no other file
    there."""
    for folder, wanted in folders.items():
        feeds = private / folder
        feeds.mkdir(mode=0o700, exist_ok=True)
        for token in sorted(wanted - {path.name for path in feeds.iterdir()}):
            os.close(os.open(feeds / token, os.O_WRONLY | os.O_CREAT, 0o644))  # the server's workers read it
        for path in feeds.iterdir():
            if path.name not in wanted:
                path.unlink()


def feed_folders(private: Path) -> list[Path]:
    """private/kalender/ and the calendar folders of the areas above it (kalender-gold/, …)."""
    return sorted(path for path in private.glob(f"{FEEDS}*") if path.is_dir()
                  and (path.name == FEEDS or path.name.startswith(f"{FEEDS}-")))


def spreadsheet_safe(value: str) -> str:
    """A CSV cell that a spreadsheet shows as text (OWASP, "CSV Injection"): a leading ' where it could start a
    formula."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def new_calendar_address(private: Path, site_url: str, email: str) -> str:
    """A new token for one member (the old address answers 404 once private/kalender/ is deployed)."""
    tokens = read_calendars(private)
    address = email.strip().lower()
    if address not in tokens:
        raise ValueError(f"{address}: expected a member of {CALENDARS} (run members-sync first), found none")
    old, tokens[address] = tokens[address], feed_token()
    # The new token goes into every area's folder that held the old one (kalender/, and kalender-gold/ for gold).
    folders = {path.name: {file.name for file in path.iterdir()} for path in feed_folders(private)}
    folders = {name: names - {old} | ({tokens[address]} if old in names else set()) for name, names in folders.items()}
    _replace_together({private / CALENDARS: _calendars_csv(site_url, tokens),
                       **{private / f"{name}.edge.json": _edge_calendars(names) for name, names in folders.items()}})
    _sync_feed_files(private, folders)
    return feed_url(site_url, tokens[address])


def _write_credentials(private: Path, today: date, members: list[Member], passwords: list[str],
                       calendars: list[str]) -> Path:
    """A new file, never an existing one: a second sync on the same day gets `-2`, `-3`, …"""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([*COLUMNS, "password", "calendar_url"])
    writer.writerows([spreadsheet_safe(cell) for cell in (m.email, m.first_name, m.last_name, password, calendar)]
                     for m, password, calendar in zip(members, passwords, calendars, strict=True))
    for number in range(1, 1000):
        path = private / f"new-credentials-{today.isoformat()}{'' if number == 1 else f'-{number}'}.csv"
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with open(descriptor, "w", encoding="utf-8", newline="") as file:
            file.write(buffer.getvalue())
        return path
    raise FileExistsError(f"{private}/new-credentials-{today.isoformat()}-*.csv: too many files for one day")


def _replace_together(texts: dict[Path, str]) -> None:
    """Write every changed file beside itself (readable by its owner only, flushed to disk), then move them all
    into place; if any write fails, none is moved and the temporary files are removed."""
    changed = {path: text for path, text in texts.items()
               if not (path.exists() and path.read_text(encoding="utf-8") == text)}
    temporaries = {path: path.with_name(f".{path.name}.tmp") for path in changed}
    try:
        for path, text in changed.items():
            descriptor = os.open(temporaries[path], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(descriptor, "w", encoding="utf-8", newline="") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
    except BaseException:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
        raise
    for path, temporary in temporaries.items():
        os.replace(temporary, path)


def _display(path: Path, root: Path) -> str:
    """A path as messages show it: relative to the project root when it is inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
