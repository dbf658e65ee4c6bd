"""The Cloudflare edge target in Cloudflare's own open-source runtime (workerd, through Miniflare, on 127.0.0.1):
the generated worker in front of the built site, as the generated wrangler.toml configures it, with the members
of private/members.edge.json bound as at deploy time — every credential state and path form of the server tests."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import HOST_URL, ROOT, Site, needs_node_module
from gate import sync_members
from gate.members import read_calendars
from test_gate_servers import (
    GOLD_MEMBERS,
    GOLD_TIERS,
    MEMBERS,
    PATHS,
    build_site,
    gold_content,
    member_content,
    passwords,
    plant_member_content,
    three_tier_site,
)

# The server gate and members-sync speak to operators, in English (plugins/gate is not translated).
pytestmark = pytest.mark.usefixtures("english_messages")

# The asset store matches paths case-sensitively and sends /x and /x/index.html on to /x/ (307), but the worker
# refuses every spelling of the member area first.
EDGE_PATHS = {**PATHS, "/MEMBERS/": (401, 404), "/members": (401, 307), "/members/index.html": (401, 307)}


@pytest.fixture(scope="module")
def edge_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("edge") / "site")
    plant_member_content(site)
    (site.root / "private").mkdir()
    (site.root / "private" / "members.csv").write_text(MEMBERS, encoding="utf-8")
    sync_members(site.root / "private" / "members.csv", site.root / "private", site_url=HOST_URL)
    site.settings_file.write_text(site.settings_file.read_text() + 'GATE_HOSTING = "cloudflare"\n')
    build_site(site)
    return site


def at_the_edge(site: Site, requests: list[tuple[str, str | None]], members: str | None = None,
                tmp: Path | None = None, calendars: str | None = None,
                bindings: dict[str, str] | None = None) -> list[dict[str, object]]:
    """Run the generated worker in workerd with the site's output as its assets; one result per request."""
    needs_node_module("miniflare")
    deploy = site.root / "dist" / "deploy" / "cloudflare"
    config = tomllib.loads((deploy / "wrangler.toml").read_text())
    assert config["assets"]["run_worker_first"] is True and config["assets"]["binding"] == "ASSETS"
    spec = {"worker": str(deploy / config["main"]), "assets": str((deploy / config["assets"]["directory"]).resolve()),
            "compatibilityDate": config["compatibility_date"], "requests": requests,
            "members": members if members is not None else
            (site.root / "private" / "members.edge.json").read_text(),
            "calendars": calendars if calendars is not None else
            (site.root / "private" / "kalender.edge.json").read_text(), "bindings": bindings or {}}
    assert spec["assets"] == str(site.output.resolve())
    path = (tmp or site.root) / "edge-spec.json"
    path.write_text(json.dumps(spec))
    done = subprocess.run(["node", str(ROOT / "tests" / "js" / "edge_gate.mjs"), str(path)], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for result in results:
        result["body"] = base64.b64decode(result["body"])
    return results


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_the_edge_refuses_strangers_and_lets_members_in(edge_site: Site) -> None:
    page_401 = (edge_site.output / "401.html").read_bytes()
    anna = passwords(edge_site.root / "private")["anna@example.de"]
    states = {"no credentials": None, "wrong password": basic("anna@example.de", "falsch"),
              "unknown member": basic("zora@example.de", anna), "no colon": "Basic " + base64.b64encode(
                  b"anna@example.de").decode(), "not base64": "Basic %%%", "other scheme": f"Bearer {anna}",
              "member": basic("anna@example.de", anna), "member, upper-case address": basic("Anna@Example.DE", anna)}
    requests = [(path, auth) for path in EDGE_PATHS for auth in states.values()]
    results = iter(at_the_edge(edge_site, requests))
    for path, (refused, allowed) in EDGE_PATHS.items():
        for state in states:
            result = next(results)
            what = f"{path} ({state})"
            if state.startswith("member"):
                assert result["status"] == allowed, what
                if allowed == 200:
                    assert result["headers"]["cache-control"] == "private, no-store", what
                    assert result["headers"]["x-robots-tag"] == "noindex", what
            else:
                assert result["status"] == refused, what
                assert result["body"] == page_401, what
                assert not member_content(result["body"]), what
                assert result["headers"]["www-authenticate"] == 'Basic realm="Kundenbereich", charset="UTF-8"'


def test_the_edge_serves_the_public_site_as_before_and_no_member_byte(edge_site: Site) -> None:
    public = sorted(path for path in edge_site.files(members=False) if path.endswith("index.html"))
    results = at_the_edge(edge_site, [(f"/{path.removesuffix('index.html')}", None) for path in public])
    for path, result in zip(public, results, strict=True):
        assert result["status"] == 200, path
        assert result["body"] == (edge_site.output / path).read_bytes(), path
        assert not member_content(result["body"]), path


def test_a_member_removed_from_the_binding_is_refused(edge_site: Site, tmp_path: Path) -> None:
    anna = passwords(edge_site.root / "private")["anna@example.de"]
    members = json.loads((edge_site.root / "private" / "members.edge.json").read_text())
    del members["anna@example.de"]
    [result] = at_the_edge(edge_site, [("/members/", basic("anna@example.de", anna))], json.dumps(members), tmp_path)
    assert result["status"] == 401 and not member_content(result["body"])


def test_a_members_calendar_address_works_at_the_edge_too(edge_site: Site, tmp_path: Path) -> None:
    feed = (edge_site.output / "members" / "seminare" / "kalender.ics").read_bytes()
    tokens = read_calendars(edge_site.root / "private")
    anna, bernd = tokens["anna@example.de"], tokens["bernd@example.de"]
    paths = [f"/kalender/{anna}.ics", f"/kalender/{'a' * 32}.ics", f"/kalender/{anna.upper()}.ics",
             f"/kalender/{anna}", "/kalender/", f"/kalender/{bernd}.ics", "/members/seminare/kalender.ics"]
    results = at_the_edge(edge_site, [(path, None) for path in paths], tmp=tmp_path,
                          calendars=json.dumps([anna]))  # bernd's address was revoked
    assert (results[0]["status"], results[0]["body"]) == (200, feed)
    assert results[0]["headers"]["content-type"].startswith("text/calendar")
    assert "private" in results[0]["headers"]["cache-control"] and results[0]["headers"]["x-robots-tag"] == "noindex"
    assert [result["status"] for result in results[1:]] == [404, 404, 404, 404, 404, 401]
    assert not any(member_content(result["body"]) for result in results[1:])


# --- a third tier: the gold area, with its own secret ----------------------------------------------------------------

@pytest.fixture(scope="module")
def gold_edge_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = three_tier_site(tmp_path_factory.mktemp("gold-edge") / "site", settings='GATE_HOSTING = "cloudflare"\n')
    build_site(site)
    return site


def gold_bindings(private: Path) -> dict[str, str]:
    """What `wrangler secret put VORAB_MEMBERS_GOLD < private/members-gold.edge.json` (and VORAB_CALENDARS_GOLD <
    private/kalender-gold.edge.json) binds."""
    return {"VORAB_MEMBERS_GOLD": (private / "members-gold.edge.json").read_text(),
            "VORAB_CALENDARS_GOLD": (private / "kalender-gold.edge.json").read_text()}


def test_at_the_edge_each_tier_enters_its_areas_and_no_other(gold_edge_site: Site) -> None:
    private = gold_edge_site.root / "private"
    page_401 = (gold_edge_site.output / "401.html").read_bytes()
    secrets = passwords(private)
    people = {"gold": basic("anna@example.de", secrets["anna@example.de"]),
              "member": basic("bernd@example.de", secrets["bernd@example.de"]), "stranger": None,
              "member with the gold password": basic("bernd@example.de", secrets["anna@example.de"])}
    expected = {"/gold/": {"gold": 200, "member": 401, "stranger": 401, "member with the gold password": 401},
                "/members/": {"gold": 200, "member": 200, "stranger": 401, "member with the gold password": 401},
                "/": dict.fromkeys(people, 200), "/goldrausch/": dict.fromkeys(people, 200),
                "/gold/produkte/gold-vorschau/": {"gold": 200, "member": 401, "stranger": 401,
                                                  "member with the gold password": 401}}
    for spelling in ("//gold/", "/%67old/", "/x/../gold/", "/GOLD/", "/gold"):
        expected[spelling] = {"gold": 307 if spelling == "/gold" else 404 if spelling == "/GOLD/" else 200,
                              "member": 401, "stranger": 401, "member with the gold password": 401}
    requests = [(path, auth) for path in expected for auth in people.values()]
    results = iter(at_the_edge(gold_edge_site, requests, bindings=gold_bindings(private)))
    for path, statuses in expected.items():
        for who in people:
            result = next(results)
            what = f"{path} as {who}"
            assert result["status"] == statuses[who], what
            if result["status"] == 401:
                assert result["body"] == page_401 and not gold_content(result["body"]), what
            elif result["status"] == 200 and path not in ("/", "/goldrausch/"):
                assert result["headers"]["cache-control"] == "private, no-store", what
                assert result["headers"]["x-robots-tag"] == "noindex", what
            if path in ("/", "/goldrausch/"):
                assert not gold_content(result["body"]) and not member_content(result["body"]), what
    [page] = at_the_edge(gold_edge_site, [("/gold/produkte/gold-vorschau/", people["gold"])],
                         bindings=gold_bindings(private))
    assert gold_content(page["body"])


def test_at_the_edge_a_customer_moved_from_gold_to_members_loses_the_gold_area(gold_edge_site: Site,
                                                                               tmp_path: Path) -> None:
    """With the new data (members-sync's files, bound again as the worker's secrets)."""
    private = tmp_path / "private"
    shutil.copytree(gold_edge_site.root / "private", private)
    anna = basic("anna@example.de", passwords(private)["anna@example.de"])
    (private / "members.csv").write_text(GOLD_MEMBERS.replace(";gold\n", ";members\n"), encoding="utf-8")
    assert sync_members(private / "members.csv", private, site_url=HOST_URL, tiers=GOLD_TIERS).moved == [
        "anna@example.de: gold → members"]
    before = at_the_edge(gold_edge_site, [("/gold/", anna)], tmp=tmp_path,
                         bindings=gold_bindings(gold_edge_site.root / "private"))
    after = at_the_edge(gold_edge_site, [("/gold/", anna), ("/members/", anna)], tmp=tmp_path,
                        members=(private / "members.edge.json").read_text(), bindings=gold_bindings(private))
    assert [result["status"] for result in before + after] == [200, 401, 200]
    assert not gold_content(after[0]["body"])


def test_at_the_edge_a_missing_gold_secret_keeps_the_gold_area_closed(gold_edge_site: Site) -> None:
    anna = basic("anna@example.de", passwords(gold_edge_site.root / "private")["anna@example.de"])
    results = at_the_edge(gold_edge_site, [("/gold/", anna), ("/members/", anna)])
    assert [result["status"] for result in results] == [401, 200]


def test_at_the_edge_a_customers_calendar_address_opens_the_feed_of_their_tier(gold_edge_site: Site) -> None:
    private = gold_edge_site.root / "private"
    tokens = read_calendars(private)
    gold_feed = (gold_edge_site.output / "gold" / "seminare" / "kalender.ics").read_bytes()
    members_feed = (gold_edge_site.output / "members" / "seminare" / "kalender.ics").read_bytes()
    assert gold_content(gold_feed) and not gold_content(members_feed)
    results = at_the_edge(gold_edge_site, [(f"/kalender/{tokens['anna@example.de']}.ics", None),
                                           (f"/kalender/{tokens['bernd@example.de']}.ics", None),
                                           (f"/kalender/{'a' * 32}.ics", None)], bindings=gold_bindings(private))
    assert [(result["status"], result["body"]) for result in results[:2]] == [(200, gold_feed), (200, members_feed)]
    assert results[2]["status"] == 404
