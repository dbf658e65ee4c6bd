"""Real builds: canaries planted in every channel of member items never reach a public file."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from audiences.rules import parse_moment
from conftest import THEME, Site, tree_digest
from sitebuild import BuildFailed, LeakFound, Project, build

PUBLIC_FROM = "2027-03-01T09:00"
BEFORE, AT_RELEASE, AFTER = "2027-03-01T08:59:59", "2027-03-01T09:00:00", "2027-03-01T09:00:01"

# One canary per channel of a member item; each a word no other text contains.
CANARIES = {
    "title": "kanarientitel",
    "summary": "kanarienzusammenfassung",
    "body": "kanarienkoerper",
    "tag": "kanarienschlagwort",
    "category": "kanarienkategorie",
    "members-only part": "kanarienkundenteil",
    "offer code": "kanariencode",
    "offer": "kanarienangebot",
    "image": "kanarienbild",
    "slug": "kanarienslug",
}
MEMBER_ONLY_CHANNELS = ("members-only part", "offer code", "offer")


def plant_canary_product(site: Site, *, public_from: str | None = PUBLIC_FROM) -> None:
    site.image("images/products/kanarienbild-tuete.svg")
    release = f"public_from: {public_from}\n        " if public_from else ""
    site.write("products/vorschau.md", f"""\
        title: Röstung {CANARIES['title']} Panama
        slug: {CANARIES['slug']}-panama
        summary: Eine {CANARIES['summary']} Röstung aus Panama.
        audience: members
        {release}tags: {CANARIES['tag']}, Panama
        category: {CANARIES['category']}
        image: images/products/kanarienbild-tuete.svg
        image_alt: Eine braune Kaffeetüte
        price: 18,90 €
        offer: Zehn Prozent {CANARIES['offer']} für Stammkunden
        offer_code: {CANARIES['offer code'].upper()}-10

        Ein blumiger {CANARIES['body']} Kaffee mit Noten von Jasmin und Bergamotte.

        <!-- members-only -->

        Nur für Kunden: die {CANARIES['members-only part']} Mengenstaffel ab drei Kilogramm.
        """)
    site.write("pages/ueber-uns.md", """\
        title: Über uns
        summary: Wer wir sind.

        Wir rösten Kaffee in Freiburg.
        """)


def found_canaries(files: dict[str, bytes]) -> set[str]:
    """Canary channels found in file names or bytes (gzip members decompressed)."""
    found = set()
    for name, data in files.items():
        texts = [name.lower(), data.decode("utf-8", "replace").lower()]
        if data[:2] == b"\x1f\x8b":
            texts.append(gzip.decompress(data).decode("utf-8", "replace").lower())
        found |= {channel for channel, canary in CANARIES.items() if any(canary in text for text in texts)}
    return found


def test_member_preview_reaches_members_only(site: Site) -> None:
    plant_canary_product(site)
    result = site.build(BEFORE)
    assert found_canaries(site.files(members=False)) == set()
    assert found_canaries(site.files(members=True)) == set(CANARIES)
    assert result.items == {"public": 1, "members": 2}
    assert result.gate.passed and result.gate.fingerprints > 0
    robots = (site.output / "robots.txt").read_text()
    assert robots == "User-agent: *\nDisallow: /members/\nSitemap: https://www.morgenrot-kaffee.example/sitemap.xml\n"
    assert b'<meta name="robots" content="noindex">' in site.files(members=True)["members/index.html"]


@pytest.mark.parametrize("clock", [AT_RELEASE, AFTER])
def test_released_item_is_public_but_its_member_parts_are_not(site: Site, clock: str) -> None:
    plant_canary_product(site)
    site.build(clock)
    assert found_canaries(site.files(members=False)) == set(CANARIES) - set(MEMBER_ONLY_CHANNELS)
    assert found_canaries(site.files(members=True)) == set(CANARIES)


def test_drafts_and_expired_items_appear_nowhere(site: Site) -> None:
    plant_canary_product(site)
    site.write("products/vorschau.md", (site.root / "content/products/vorschau.md").read_text()
               .replace("audience: members", "audience: members\nstatus: draft"))
    site.build(AFTER)
    assert found_canaries(site.files(members=False)) == set()
    assert found_canaries(site.files(members=True)) == set()
    assert not any("draft" in name for name in [*site.files(members=False), *site.files(members=True)])

    site.write("products/vorschau.md", (site.root / "content/products/vorschau.md").read_text()
               .replace("status: draft", "expires: 2027-03-01T09:00:01"))
    site.build(AFTER)
    assert found_canaries(site.files(members=False) | site.files(members=True)) == set()


def test_item_going_back_to_members_only_leaves_nothing_behind(site: Site) -> None:
    plant_canary_product(site)
    site.build(AFTER)
    assert "title" in found_canaries(site.files(members=False))
    (site.output / "stray-file-from-elsewhere.txt").write_text("stale")

    plant_canary_product(site, public_from="2028-01-01")  # the release is postponed
    site.build(AFTER)
    assert found_canaries(site.files(members=False)) == set()
    assert not (site.output / "stray-file-from-elsewhere.txt").exists()


def test_each_build_equals_a_build_from_nothing(site: Site, tmp_path) -> None:
    """A build updates the tree the swap before left in staging (plugins/outputs): whatever that tree held —
    pages that went back to members-only, a stray file, an older search index, a static file since replaced by
    an older one — the published site is byte-identical to one built from nothing."""
    plant_canary_product(site)
    for step, clock in enumerate([AFTER, BEFORE, AFTER, BEFORE, AFTER]):
        if site.output.exists():
            (site.output / "stray-file-from-elsewhere.txt").write_text("stale")
        if step == 2:  # the image is replaced by a different one that is older than the copy in the spare tree
            image = site.root / "content/images/products/kanarienbild-tuete.svg"
            image.write_text(image.read_text().replace("</svg>", "<title>neu</title></svg>"))
            os.utime(image, (978307200, 978307200))
        if step == 3:
            site.remove("products/vorschau.md")
        if step == 4:
            plant_canary_product(site)
        site.build(clock)
        fresh = tmp_path / f"fresh-{step}"
        build(Project(site.settings_file), parse_moment(clock, "Europe/Berlin"), output=fresh)
        assert tree_digest(site.output) == tree_digest(fresh), f"build {step} at {clock}"
    assert "title" in found_canaries(site.files(members=False))
    assert not (site.output / "stray-file-from-elsewhere.txt").exists()


def test_a_build_with_nothing_changed_rewrites_no_file_but_the_themes(site: Site) -> None:
    """Unchanged pages, static files and calendars keep their bytes and their times (a copy of a static file
    takes its source's time, so no build copies it again); only Pelican's copy of the theme's files is new."""
    plant_canary_product(site)
    site.write("seminars/cupping.md", "title: Cupping\nstart: 2027-06-03T18:00\nend: 2027-06-03T20:00\n\nText.\n")

    def times() -> dict[str, int]:
        return {p.relative_to(site.output).as_posix(): p.stat().st_mtime_ns for p in site.output.rglob("*")
                if p.is_file()}

    for _ in range(3):  # the build alternates between two trees; the third fills the first one again
        site.build(AFTER)
    before = times()
    for _ in range(2):
        site.build(AFTER)
    after = times()
    assert after.keys() == before.keys()
    rewritten = {name for name in after if after[name] != before[name]}
    assert rewritten and all(f"/{name}".count("/theme/") == 1 for name in rewritten), sorted(rewritten)
    assert any(name.endswith(".svg") and "theme" not in name for name in after)  # static files were there
    assert any(name.endswith(".ics") for name in after)


def test_a_second_build_of_the_same_output_stops_at_once(site: Site) -> None:
    plant_canary_product(site)
    lock_file = site.root / ".staging" / "output.lock"
    lock_file.parent.mkdir()
    holder = subprocess.Popen(  # another process, as a running build (a record lock binds other processes only)
        [sys.executable, "-c", "import fcntl, sys, time\nlock = open(sys.argv[1], 'w')\n"
         "fcntl.lockf(lock, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(120)", str(lock_file)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(BuildFailed) as caught:
            site.build(AFTER)
    finally:
        os.kill(holder.pid, signal.SIGTERM)
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    assert str(caught.value) == (f"ein anderer Build von {site.output} läuft; bitte erneut versuchen, wenn er "
                                 "fertig ist")
    assert not site.output.exists()
    site.build(AFTER)  # the lock is free again


def test_failed_builds_leave_output_byte_identical(site: Site, tmp_path) -> None:
    plant_canary_product(site)
    site.build(BEFORE)
    before = tree_digest(site.output)

    # 1. a template error in one of the Pelican runs
    broken_theme = tmp_path / "broken-theme"
    shutil.copytree(THEME, broken_theme)
    (broken_theme / "templates" / "product.html").write_text("{% extends 'base.html' %}{% block x %}{{ }}")
    site.use_theme(broken_theme)
    with pytest.raises(BuildFailed, match=r"^Pelican hat Probleme gemeldet; nichts wurde veröffentlicht:\n"):
        site.build(AFTER)
    assert tree_digest(site.output) == before
    assert [p.name for p in (site.root / ".staging" / "output").iterdir()] == ["site"]  # only the spare tree

    # 2. a leak found by the gate
    leaky_theme = tmp_path / "leaky-theme"
    shutil.copytree(THEME, leaky_theme)
    base = leaky_theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", "Demnächst: Röstung kanarientitel Panama</footer>"))
    site.use_theme(leaky_theme)
    with pytest.raises(LeakFound) as caught:
        site.build(BEFORE)
    assert tree_digest(site.output) == before
    hits = {str(hit) for hit in caught.value.report.hits}
    assert "index.html: title of content/products/vorschau.md: 'Röstung kanarientitel Panama'" in hits
    lines = str(caught.value).splitlines()  # what the editor reads: in German
    count = len(caught.value.report.hits)
    assert lines[0] == (f"Leak-Gate: {count} Fingerabdrücke nicht öffentlicher Inhalte oder Kundendaten, wo sie nicht "
                        "sein dürfen; nichts wurde veröffentlicht:")
    assert "  index.html: title von content/products/vorschau.md: 'Röstung kanarientitel Panama'" in lines
    assert len(lines) == 1 + count


def test_shared_text_raises_no_false_alarm(site: Site) -> None:
    plant_canary_product(site)
    # A public page with the same heading and a sentence that the member item also has.
    site.write("pages/geisha.md", """\
        title: Röstung kanarientitel Panama
        summary: Auch öffentlich.

        Ein blumiger kanarienkoerper Kaffee mit Noten von Jasmin und Bergamotte.
        """)
    result = site.build(BEFORE)
    assert result.gate.passed


def test_leak_gate_reads_compressed_escaped_and_named_files(site: Site, tmp_path) -> None:
    from leakgate import scan, secret_fingerprints
    from sitebuild.registry import load_registry
    from vorab.tiers import Tiers

    plant_canary_product(site)
    registry = load_registry(site.root / "content", timezone="Europe/Berlin", tiers=Tiers())
    public = [item for item in registry.items if item.schedule.audience == "public"]
    fingerprints = secret_fingerprints(registry.items, public, set())
    planted = {
        "index.json.gz": gzip.compress(json.dumps({"t": "Röstung kanarientitel Panama"}).encode()),
        "search.json": json.dumps({"t": "Röstung kanarientitel Panama"}, ensure_ascii=True).encode(),
        "a.html": b"<p>R&ouml;stung <em>kanarientitel</em> Panama</p>",
        "link.html": b'<a href="/produkte/kanarienslug-panama/">x</a>',
        "meta.html": "<meta content=\"Mia's Röstung kanarientitel Panama\">".encode(),  # apostrophe first
        "unquoted.html": b"<img alt=kanarienbild-tuete.svg>",
        "img/kanarienbild-tuete.svg": b"<svg/>",
        "clean.html": b"<p>Kaffee</p>",
    }
    root = tmp_path / "public"
    for name, data in planted.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    report = scan(root, fingerprints)
    assert {hit.file for hit in report.hits} == set(planted) - {"clean.html"}
    assert report.files == len(planted)


def test_public_link_to_an_embargoed_item_is_explained(site: Site) -> None:
    from sitebuild import ContentErrors

    plant_canary_product(site)
    site.write("pages/neu.md", """\
        title: Neu
        summary: Bald.

        Demnächst: [unser neuer Kaffee]({filename}../products/vorschau.md).
        """)
    with pytest.raises(ContentErrors) as caught:
        site.build(BEFORE)
    assert [str(p) for p in caught.value.problems] == [
        "content/pages/neu.md:4: Link: erwartet einen Link auf etwas, das die Zielgruppe public am "
        "2027-03-01T08:59+01:00 sehen darf, gefunden '../products/vorschau.md'"]
    site.build(AFTER)  # once the product is public, the link works
    assert b"produkte/kanarienslug-panama/" in site.files(members=False)["neu/index.html"]


def test_a_site_with_nothing_public_yet_still_builds(site: Site) -> None:
    plant_canary_product(site)
    site.remove("pages/ueber-uns.md")
    result = site.build(BEFORE)
    assert result.items == {"public": 0, "members": 1}
    assert found_canaries(site.files(members=False)) == set()
    assert (site.output / "index.html").is_file()
