"""members-sync: a member export → private/members.htpasswd (+ members.caddy), all or nothing."""

from __future__ import annotations

import csv
import json
import re
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import bcrypt
import pytest

from conftest import HOST_URL, ROOT, tree_digest
from gate import MembersSyncFailed, SyncResult, new_calendar_address, sync_members
from gate.guards import credential_fingerprints
from gate.members import new_password

# The server gate and members-sync speak to operators, in English (plugins/gate is not translated).
pytestmark = pytest.mark.usefixtures("english_messages")

TODAY = date(2027, 1, 15)
COST = 4  # the lowest cost members-sync accepts (its default: README, "Hashing")


def export(private: Path, text: str, *, encoding: str = "utf-8") -> Path:
    private.mkdir(exist_ok=True)
    path = private / "members.csv"
    path.write_bytes(text.encode(encoding))
    return path


def sync(private: Path, text: str) -> object:
    return sync_members(export(private, text), private, site_url=HOST_URL, cost=COST, today=TODAY)


def htpasswd(private: Path) -> dict[str, str]:
    lines = (private / "members.htpasswd").read_text(encoding="utf-8").splitlines()
    return dict(line.split(":", 1) for line in lines)


def credentials(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture
def private(tmp_path: Path) -> Path:
    return tmp_path / "private"


def test_first_import_gives_every_member_a_bcrypt_entry_and_a_password_once(private: Path) -> None:
    # A spreadsheet's export: byte-order mark, semicolons, a quoted name with the delimiter, upper-case e-mail.
    result = sync(private, '\ufeffEmail;First_Name;Last_Name\nAnna.Meier@Example.DE;Anna;"Meier; Dr."\n'
                           "bernd@example.de;Bernd;Ohm\n;;\n")
    assert result.added == ["anna.meier@example.de", "bernd@example.de"]
    assert (result.removed, result.kept) == ([], 0)
    assert result.credentials == private / "new-credentials-2027-01-15.csv"

    rows = credentials(result.credentials)
    assert [(r["email"], r["first_name"], r["last_name"]) for r in rows] == [
        ("anna.meier@example.de", "Anna", "Meier; Dr."), ("bernd@example.de", "Bernd", "Ohm")]
    entries = htpasswd(private)
    assert sorted(entries) == ["anna.meier@example.de", "bernd@example.de"]
    for row in rows:
        assert len(row["password"]) >= 20
        hashed = entries[row["email"]]
        assert hashed.startswith(f"$2y${COST:02d}$")
        assert bcrypt.checkpw(row["password"].encode(), hashed.encode())
    assert rows[0]["password"] != rows[1]["password"]

    caddy = (private / "members.caddy").read_text(encoding="utf-8").splitlines()
    assert caddy[1:] == [f"{user} {hashed}" for user, hashed in sorted(entries.items())]
    assert caddy[0].startswith("# ")
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    for path in [private / "members.htpasswd", private / "members.caddy", result.credentials]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_sync_adds_new_members_keeps_the_others_and_removes_the_missing(private: Path) -> None:
    first = sync(private, "email,first_name,last_name\nanna@example.de,Anna,Meier\nbernd@example.de,Bernd,Ohm\n")
    before = htpasswd(private)
    first_credentials = first.credentials.read_bytes()

    result = sync(private, "email,first_name,last_name,tier\nanna@example.de,Anna,Meier,members\n"
                           "carla@example.de,Carla,Roth,\n")
    assert (result.added, result.removed, result.kept) == (["carla@example.de"], ["bernd@example.de"], 1)
    after = htpasswd(private)
    assert sorted(after) == ["anna@example.de", "carla@example.de"]
    assert after["anna@example.de"] == before["anna@example.de"]  # untouched: her password still works
    assert "bernd@example.de" not in (private / "members.caddy").read_text()
    # A second sync on the same day gets its own file; the first one is never overwritten.
    assert result.credentials == private / "new-credentials-2027-01-15-2.csv"
    assert [row["email"] for row in credentials(result.credentials)] == ["carla@example.de"]
    assert first.credentials.read_bytes() == first_credentials


def test_the_same_export_twice_changes_nothing(private: Path) -> None:
    text = "email,first_name,last_name\nanna@example.de,Anna,Meier\nbernd@example.de,Bernd,Ohm\n"
    sync(private, text)
    before = tree_digest(private)
    written = [private / "members.htpasswd", private / "members.caddy"]
    mtimes = [path.stat().st_mtime_ns for path in written]

    result = sync(private, text)
    assert (result.added, result.removed, result.kept, result.credentials) == ([], [], 2, None)
    assert tree_digest(private) == before
    assert [path.stat().st_mtime_ns for path in written] == mtimes  # not even rewritten


def test_malformed_rows_are_named_by_line_and_nothing_is_written(private: Path) -> None:
    sync(private, "email,first_name,last_name\nanna@example.de,Anna,Meier\n")
    before = tree_digest(private)

    with pytest.raises(MembersSyncFailed) as caught:
        sync(private, "email,first_name,last_name,tier\n"
                      "anna@example.de,Anna,Meier,\n"
                      "carla@example.de,Carla,Roth,\n"
                      "\n"
                      "anna@,Anna,Ohne,\n"
                      "Carla@Example.de,Carla,Doppelt,\n"
                      "dora@example.de,Dora,Zu,viele,Spalten\n"
                      "emil@example.de,Emil,Gold,gold\n"
                      '"fritz @example.de",Fritz,Leer,\n'
                      ",Greta,Ohne,\n")
    assert [str(problem) for problem in caught.value.problems] == [
        "private/members.csv:5: email: expected an e-mail address, found 'anna@'",
        "private/members.csv:6: email: expected each address once, found 'Carla@Example.de' again (first on line 3)",
        "private/members.csv:7: row: expected 4 columns (email, first_name, last_name, tier), found 5",
        "private/members.csv:8: tier: expected one of 'members' or nothing, found 'gold'",
        "private/members.csv:9: email: expected an e-mail address, found 'fritz @example.de'",
        "private/members.csv:10: email: expected an e-mail address, found nothing",
    ]
    assert str(caught.value).startswith("6 problems in private/members.csv; nothing was written:\n  private/")
    assert tree_digest(private) == {**before, "members.csv": tree_digest(private)["members.csv"]}


@pytest.mark.parametrize(("data", "message"), [
    (b"mail;vorname;name\nanna@example.de;Anna;Meier\n",
     "private/members.csv:1: header: expected the columns email, first_name, last_name and optionally tier, "
     "found 'mail;vorname;name'"),
    (b"email,first_name,last_name,email\n",
     "private/members.csv:1: header: expected the columns email, first_name, last_name and optionally tier, "
     "found 'email,first_name,last_name,email'"),
    (b"",
     "private/members.csv:1: header: expected the columns email, first_name, last_name and optionally tier, "
     "found nothing"),
    ("email,first_name,last_name\nanna@example.de,Anna,Meier\njörg@example.de,Jörg,Ähr\n".encode("latin-1"),
     "private/members.csv:3: encoding: expected UTF-8, found byte 0xf6"),
])
def test_an_unreadable_export_is_one_problem_and_nothing_is_written(private: Path, data: bytes,
                                                                    message: str) -> None:
    private.mkdir()
    (private / "members.csv").write_bytes(data)
    with pytest.raises(MembersSyncFailed) as caught:
        sync_members(private / "members.csv", private, site_url=HOST_URL, cost=COST, today=TODAY)
    assert [str(problem) for problem in caught.value.problems] == [message]
    assert sorted(p.name for p in private.iterdir()) == ["members.csv"]


def test_cost_below_bcrypts_minimum_is_refused(private: Path) -> None:
    with pytest.raises(ValueError, match=r"^GATE_BCRYPT_COST: expected at least 4, found 3$"):
        sync_members(export(private, "email,first_name,last_name\n"), private, site_url=HOST_URL, cost=3, today=TODAY)
    assert sorted(p.name for p in private.iterdir()) == ["members.csv"]


def test_nothing_in_a_credentials_file_runs_as_a_formula(private: Path) -> None:
    """OWASP's CSV-injection rule: a cell that starts with = + - @ (or a tab) gets a leading ', and no
    generated password starts with one of them."""
    result = sync(private, 'email,first_name,last_name\nanna@example.de,"=HYPERLINK(""https://x.example"")",'
                           "@SUM(A1)\nbernd@example.de,+49,-Ohm\n")
    rows = credentials(result.credentials)
    assert [(row["first_name"], row["last_name"]) for row in rows] == [
        ("'=HYPERLINK(\"https://x.example\")", "'@SUM(A1)"), ("'+49", "'-Ohm")]
    assert all(not row[name].startswith(("=", "+", "-", "@")) for row in rows for name in row)
    assert all(not new_password().startswith(("=", "+", "-", "@")) for _ in range(2000))


@pytest.mark.parametrize(("after", "message"), [
    ("email,first_name,last_name\n", "all 5 removed"),
    ("email,first_name,last_name\nm0@example.de,A,B\nm1@example.de,A,B\n", "3 removed"),
])
def test_an_export_that_would_remove_too_many_members_is_refused(private: Path, after: str, message: str) -> None:
    sync(private, "email,first_name,last_name\n" + "".join(f"m{n}@example.de,A,B\n" for n in range(5)))
    before = tree_digest(private)
    with pytest.raises(MembersSyncFailed) as caught:
        sync(private, after)
    expected = ("private/members.csv:1: members: expected at most 20% of the 5 members removed at once (run with "
                f"--allow-removals if that is meant), found {message.removeprefix('all ')}")
    assert [str(problem) for problem in caught.value.problems] == [expected]
    assert tree_digest(private) == {**before, "members.csv": tree_digest(private)["members.csv"]}
    result = sync_members(private / "members.csv", private, site_url=HOST_URL, cost=COST, today=TODAY,
                          allow_removals=True)
    assert len(result.removed) == (5 if message.startswith("all") else 3)


def test_a_field_too_big_or_binary_junk_is_a_line_not_a_traceback(private: Path) -> None:
    big = "x" * 200 * 1024
    with pytest.raises(MembersSyncFailed) as caught:
        sync(private, f"email,first_name,last_name\nanna@example.de,Anna,M\nbernd@example.de,{big},O\n")
    assert [str(problem) for problem in caught.value.problems] == [
        "private/members.csv:3: row: expected a CSV row of plain text, each field under 128 KiB, found field larger "
        "than field limit (131072)"]
    with pytest.raises(MembersSyncFailed) as caught:
        sync(private, "email,first_name,last_name\nanna@example.de,An\x00na,M\n")
    assert [str(problem) for problem in caught.value.problems] == [
        "private/members.csv:2: first_name: expected text without control characters, found 'An\\x00na'"]
    assert sorted(p.name for p in private.iterdir()) == ["members.csv"]


def test_a_disk_that_fails_half_way_leaves_every_member_file_as_it_was(private: Path) -> None:
    """The files are written beside the old ones first: when the second cannot be written (here: a file-size
    limit between the sizes of the new htpasswd and the new Caddy file), none is replaced."""
    members = "email,first_name,last_name\n" + "".join(f"m{n}@example.de,A,B\n" for n in range(20))
    sync(private, members)
    before = tree_digest(private)
    export(private, members.replace("m19@example.de", "neu@example.de"))
    htpasswd_size = (private / "members.htpasswd").stat().st_size
    script = (f"import resource, signal, sys; sys.path[:0] = {[str(ROOT / 'plugins')]!r}\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              f"resource.setrlimit(resource.RLIMIT_FSIZE, ({htpasswd_size + 40}, {htpasswd_size + 40}))\n"
              "from gate import sync_members\n"
              f"sync_members(__import__('pathlib').Path({str(private / 'members.csv')!r}), "
              f"__import__('pathlib').Path({str(private)!r}), site_url={HOST_URL!r}, cost=4)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "File too large" in done.stderr, done.stderr
    after = tree_digest(private)
    assert {name: after[name] for name in before if not name.startswith(("new-credentials-", "members.csv"))} == {
        name: before[name] for name in before if not name.startswith(("new-credentials-", "members.csv"))}
    assert not [name for name in after if name.endswith(".tmp")]


def test_a_thousand_new_members_are_hashed_on_every_core(private: Path) -> None:
    messages: list[str] = []
    result = sync_members(export(private, "email,first_name,last_name\n" + "".join(
        f"kunde{n}@example.de,K,{n}\n" for n in range(1000))), private, site_url=HOST_URL, today=TODAY,
        progress=messages.append)
    assert len(result.added) == 1000 and len(htpasswd(private)) == 1000
    assert messages == ["500 of 1000 new passwords hashed", "1000 of 1000 new passwords hashed"]
    assert all(hashed.startswith("$2y$04$") for hashed in htpasswd(private).values())  # the default cost


def test_every_member_has_a_personal_calendar_address_that_lasts_until_they_leave(tmp_path: Path) -> None:
    private = tmp_path / "private"
    first = sync(private, "email,first_name,last_name\nanna@example.de,Anna,M\nbernd@example.de,Bernd,O\n")
    rows = {row["email"]: row["calendar_url"] for row in credentials(private / "member-calendars.csv")}
    assert sorted(rows) == ["anna@example.de", "bernd@example.de"]
    tokens = {email: url.removeprefix(f"{HOST_URL}/kalender/").removesuffix(".ics") for email, url in rows.items()}
    assert all(re.fullmatch(r"[a-z2-7]{32}", token) for token in tokens.values())  # 160 bits
    assert sorted(path.name for path in (private / "kalender").iterdir()) == sorted(tokens.values())
    assert all((private / "kalender" / token).stat().st_size == 0 for token in tokens.values())
    assert {row["email"]: row["calendar_url"] for row in credentials(first.credentials)} == rows  # welcome mail

    before = tree_digest(private)
    sync(private, "email,first_name,last_name\nanna@example.de,Anna,M\nbernd@example.de,Bernd,O\n")
    assert tree_digest(private) == before  # the same export twice changes nothing

    sync(private, "email,first_name,last_name\nanna@example.de,Anna,M\ncarla@example.de,Carla,P\n")
    now = {row["email"]: row["calendar_url"] for row in credentials(private / "member-calendars.csv")}
    assert now["anna@example.de"] == rows["anna@example.de"] and "bernd@example.de" not in now
    assert tokens["bernd@example.de"] not in {path.name for path in (private / "kalender").iterdir()}

    new = new_calendar_address(private, HOST_URL, " Anna@Example.de ")
    assert new != rows["anna@example.de"] and len(list((private / "kalender").iterdir())) == 2
    with pytest.raises(ValueError, match=r"^bernd@example.de: expected a member of member-calendars.csv \(run "
                                         r"members-sync first\), found none$"):
        new_calendar_address(private, HOST_URL, "bernd@example.de")


# --- member tiers: one credential file per area ----------------------------------------------------------------------

TIERS = ("members", "gold")  # AUDIENCE_TIERS = ("public", "members", "gold") without the public


def sync_tiers(private: Path, text: str, **options: object) -> SyncResult:
    return sync_members(export(private, text), private, site_url=HOST_URL, cost=COST, today=TODAY, tiers=TIERS,
                        **options)


def accounts(private: Path, stem: str) -> dict[str, dict[str, str]]:
    """Each file of one area: user → hash (htpasswd, Caddy, edge)."""
    caddy = (private / f"{stem}.caddy").read_text(encoding="utf-8").splitlines()[1:]
    return {"htpasswd": htpasswd(private) if stem == "members" else dict(
                line.split(":", 1) for line in (private / f"{stem}.htpasswd").read_text().splitlines()),
            "caddy": dict(line.split(" ", 1) for line in caddy),
            "edge": json.loads((private / f"{stem}.edge.json").read_text(encoding="utf-8"))}


def test_the_tier_column_decides_which_areas_a_customer_may_enter(private: Path) -> None:
    result = sync_tiers(private, "email,first_name,last_name,tier\nanna@example.de,Anna,Gold,gold\n"
                                 "bernd@example.de,Bernd,Ohm,members\ncarla@example.de,Carla,Roth,\n")
    members, gold = accounts(private, "members"), accounts(private, "members-gold")
    for kind in ("htpasswd", "caddy", "edge"):
        assert sorted(members[kind]) == ["anna@example.de", "bernd@example.de", "carla@example.de"], kind
        assert sorted(gold[kind]) == ["anna@example.de"], kind  # the gold area: the gold customers only
        assert gold[kind]["anna@example.de"] == members[kind]["anna@example.de"], kind  # one password
    password = {row["email"]: row["password"] for row in credentials(result.credentials)}["anna@example.de"]
    assert bcrypt.checkpw(password.encode(), gold["htpasswd"]["anna@example.de"].encode())
    for name in ("members-gold.htpasswd", "members-gold.caddy", "members-gold.edge.json"):
        assert stat.S_IMODE((private / name).stat().st_mode) == 0o600, name
    assert result.areas == ["members.htpasswd", "members-gold.htpasswd"]
    assert result.summary(private.parent).splitlines()[:3] == [
        "members-sync: 3 added, 0 kept, 0 removed",
        "  new passwords: private/new-credentials-2027-01-15.csv — import it for the welcome mail, then delete it",
        "  deploy: copy private/members.htpasswd, private/members-gold.htpasswd and private/kalender/, "
        "private/kalender-gold/ to the server (nginx, Apache: effective at once); Caddy: copy private/members.caddy, "
        "private/members-gold.caddy too and run `caddy reload`; Cloudflare: wrangler secret put VORAB_MEMBERS < "
        "private/members.edge.json, VORAB_MEMBERS_GOLD < private/members-gold.edge.json, VORAB_CALENDARS < "
        "private/kalender.edge.json, VORAB_CALENDARS_GOLD < private/kalender-gold.edge.json"]

    # Calendar addresses: every customer's token in kalender/, the gold customers' also in kalender-gold/.
    tokens = {email: url.rpartition("/")[2].removesuffix(".ics")
              for email, url in ((row["email"], row["calendar_url"]) for row in credentials(result.credentials))}
    assert sorted(path.name for path in (private / "kalender").iterdir()) == sorted(tokens.values())
    assert [path.name for path in (private / "kalender-gold").iterdir()] == [tokens["anna@example.de"]]
    assert json.loads((private / "kalender-gold.edge.json").read_text()) == [tokens["anna@example.de"]]
    assert json.loads((private / "kalender.edge.json").read_text()) == sorted(tokens.values())
    new = new_calendar_address(private, HOST_URL, "anna@example.de").rpartition("/")[2].removesuffix(".ics")
    assert [path.name for path in (private / "kalender-gold").iterdir()] == [new]
    assert json.loads((private / "kalender-gold.edge.json").read_text()) == [new]
    assert sorted(path.name for path in (private / "kalender").iterdir()) == sorted(
        [new, tokens["bernd@example.de"], tokens["carla@example.de"]])
    new_calendar_address(private, HOST_URL, "bernd@example.de")
    assert [path.name for path in (private / "kalender-gold").iterdir()] == [new]

    # The credential fingerprints cover the gold area's files too (the same hashes: one fingerprint each).
    kinds = {(fp.kind, fp.item) for fp in credential_fingerprints(private)}
    assert ("password hash", "private/members.htpasswd") in kinds
    assert sum(fp.kind == "password hash" for fp in credential_fingerprints(private)) == 6  # bcrypt + PBKDF2, ×3


def test_a_customer_moved_between_tiers_keeps_the_password_and_changes_areas(private: Path) -> None:
    sync_tiers(private, "email,first_name,last_name,tier\nanna@example.de,Anna,Gold,gold\n"
                        "bernd@example.de,Bernd,Ohm,\n")
    before = accounts(private, "members")
    result = sync_tiers(private, "email,first_name,last_name,tier\nanna@example.de,Anna,Gold,members\n"
                                 "bernd@example.de,Bernd,Ohm,gold\n")
    assert (result.added, result.removed, result.kept, result.credentials) == ([], [], 2, None)
    assert result.moved == ["anna@example.de: gold → members", "bernd@example.de: members → gold"]
    assert result.summary(private.parent).splitlines()[0] == (
        "members-sync: 0 added, 2 kept, 0 removed, 2 moved between tiers")
    assert "deploy: copy private/members.htpasswd, private/members-gold.htpasswd" in result.summary(private.parent)
    assert accounts(private, "members") == before  # byte for byte: nobody needs a new password
    gold = accounts(private, "members-gold")
    assert {kind: sorted(users) for kind, users in gold.items()} == {kind: ["bernd@example.de"] for kind in gold}
    assert gold["htpasswd"]["bernd@example.de"] == before["htpasswd"]["bernd@example.de"]
    tokens = {row["email"]: row["calendar_url"].rpartition("/")[2].removesuffix(".ics")
              for row in credentials(private / "member-calendars.csv")}
    assert [path.name for path in (private / "kalender-gold").iterdir()] == [tokens["bernd@example.de"]]

    again = tree_digest(private)
    assert sync_tiers(private, (private / "members.csv").read_text()).moved == []
    assert tree_digest(private) == again  # the same export twice changes nothing


def test_an_unknown_tier_is_named_and_the_safety_rules_hold_across_tiers(private: Path) -> None:
    sync_tiers(private, "email,first_name,last_name,tier\n" + "".join(
        f"m{n}@example.de,A,B,gold\n" for n in range(5)))
    before = tree_digest(private)
    with pytest.raises(MembersSyncFailed) as caught:
        sync_tiers(private, "email,first_name,last_name,tier\nm0@example.de,A,B,platin\nm1@example.de,A,B,Gold\n")
    assert [str(problem) for problem in caught.value.problems] == [
        "private/members.csv:2: tier: expected one of 'members', 'gold' or nothing, found 'platin'",
        "private/members.csv:3: tier: expected one of 'members', 'gold' or nothing, found 'Gold'"]
    # Everyone moved down is no removal; three of five gone at once is, in every area.
    sync_tiers(private, "email,first_name,last_name,tier\n" + "".join(f"m{n}@example.de,A,B,\n" for n in range(5)))
    assert accounts(private, "members-gold")["htpasswd"] == {}
    with pytest.raises(MembersSyncFailed, match="expected at most 20% of the 5 members removed at once"):
        sync_tiers(private, "email,first_name,last_name,tier\nm0@example.de,A,B,gold\nm1@example.de,A,B,gold\n")
    assert tree_digest(private)["members.htpasswd"] == before["members.htpasswd"]
