"""Sent issues are history: what an issue featured when it went out never changes, and what it featured that is
gone since never fails a build. The project is a real git repository with commits at set times."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from audiences.rules import parse_moment
from conftest import Site, needs_program
from newsletter import package_newsletters
from sitebuild import ContentErrors, Project, build


def git(root: Path, *args: str, when: str = "2027-01-01T08:00:00+01:00") -> str:
    environ = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "Redaktion",
               "GIT_AUTHOR_EMAIL": "redaktion@example.com", "GIT_COMMITTER_NAME": "Redaktion",
               "GIT_COMMITTER_EMAIL": "redaktion@example.com", "GIT_CONFIG_GLOBAL": "/dev/null"}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=environ).stdout


def commit(root: Path, when: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"Redaktion {when}", when=when)


def featured(site_root: Path, slug: str) -> list[str]:
    manifest = json.loads((site_root / "dist" / "newsletters" / slug / "manifest.json").read_text())
    return [f["slug"] for f in manifest["featured"] if f["type"] == "products"]


def build_newsletters(root: Path, as_of: str = "2027-01-15T09:00"):
    return build(Project(root / "pelicanconf.py"), parse_moment(as_of, "Europe/Berlin"), steps=[package_newsletters])


def product(site: Site, slug: str, extra: str = "") -> None:
    site.write(f"products/{slug}.md", f"title: {slug.title()}\npublic_from: 2027-06-01\n{extra}\nNeu.\n")


def issue(site: Site, slug: str, send_date: str, products: str = "auto") -> None:
    (site.root / "newsletters").mkdir(exist_ok=True)
    (site.root / "newsletters" / f"{slug}.md").write_text(
        f"subject: {slug.title()}\nsend_date: {send_date}\nproducts: {products}\n\nLiebe Kundschaft.\n",
        encoding="utf-8")


@pytest.fixture
def repository(site: Site) -> Site:
    needs_program("git", "git")
    git(site.root, "init", "-q", "-b", "main")
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir.\n")
    product(site, "geisha")
    issue(site, "januar", "2027-01-10T09:00")
    issue(site, "februar", "2027-02-05T09:00")
    commit(site.root, "2027-01-02T10:00:00+01:00")
    return site


def test_what_came_after_an_issue_was_sent_joins_the_next_one(repository: Site) -> None:
    product(repository, "kenia")
    commit(repository.root, "2027-01-12T10:00:00+01:00")  # two days after "januar" went out
    product(repository, "sumatra")  # written, not yet committed: it arrives now
    build_newsletters(repository.root)
    assert featured(repository.root, "januar") == ["geisha"]
    assert featured(repository.root, "februar") == ["kenia", "sumatra"]


def test_a_renamed_file_keeps_its_arrival(repository: Site) -> None:
    git(repository.root, "mv", "content/products/geisha.md", "content/products/hochland-geisha.md")
    commit(repository.root, "2027-01-12T10:00:00+01:00")
    build_newsletters(repository.root)
    assert featured(repository.root, "januar") == ["hochland-geisha"]
    assert featured(repository.root, "februar") == []


def test_an_archive_committed_after_it_was_sent_keeps_what_came_with_it(repository: Site) -> None:
    """An issue brought into the project after its send date features what came in with it or before."""
    issue(repository, "dezember", "2026-12-10T09:00")
    product(repository, "kenia")
    commit(repository.root, "2027-01-12T10:00:00+01:00")
    product(repository, "sumatra")
    commit(repository.root, "2027-01-13T10:00:00+01:00")
    build_newsletters(repository.root)
    assert featured(repository.root, "dezember") == ["geisha", "kenia"]
    assert featured(repository.root, "januar") == []  # both were featured by December's issue
    assert featured(repository.root, "februar") == ["sumatra"]


def test_a_shallow_clone_cannot_tell_and_says_so(repository: Site, tmp_path: Path) -> None:
    product(repository, "kenia")
    commit(repository.root, "2027-01-12T10:00:00+01:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repository.root.as_uri(), str(clone)], check=True)
    (clone / "pelicanconf.py").write_text((repository.root / "pelicanconf.py").read_text(), encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        build_newsletters(clone)
    assert [str(p) for p in caught.value.problems] == [
        "newsletters/januar.md:3: products: erwartet die ganze Git-Geschichte des Projekts, die sagt, was diese "
        "versandte Ausgabe enthielt (ein vollständiger Klon: fetch-depth: 0 für actions/checkout, oder git fetch "
        "--unshallow), gefunden 'ein flacher Klon'"]


@pytest.mark.parametrize("change", ["expires: 2027-01-14\n", "status: draft\n", None])
def test_a_featured_item_that_is_gone_since_fails_no_build(repository: Site, change: str | None) -> None:
    issue(repository, "januar", "2027-01-10T09:00", products="geisha")
    if change is None:
        repository.remove("products/geisha.md")
    else:
        product(repository, "geisha", change)
    result = repository.build("2027-01-15T09:00")
    warnings = [note for note in result.notes if note.startswith("Warnung: newsletters/januar.md")]
    if change == "expires: 2027-01-14\n":  # visible when it went out: still featured, its page is gone
        assert featured(repository.root, "januar") == ["geisha"]
        assert warnings == [
            "Warnung: newsletters/januar.md: Link: erwartet eine Seite der Website für members, gefunden "
            "'https://www.morgenrot-kaffee.example/members/produkte/geisha/' (die Ausgabe ist versandt; der Link "
            "darin führt jetzt ins Leere)"]
    else:
        assert featured(repository.root, "januar") == []
        expected = "products, die die Zielgruppe members am send_date 2027-01-10T09:00:00+01:00 sehen darf" if change \
            else "Slugs aus content/products/"
        assert warnings == [f"Warnung: newsletters/januar.md:3: products: erwartet {expected} (die Ausgabe ist "
                            "versandt: ihre Archivseite lässt weg, was es nicht mehr gibt), gefunden 'geisha'"]
    archive = (repository.output / "members" / "newsletter" / "januar" / "index.html").read_text()
    assert "<h1>Januar</h1>" in archive and "produkte/geisha/" not in archive
