"""`invoke publish`: only a build that passed, leak gate included, is synchronised, and never partially."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import THEME, Site, tree_digest
from editor import publish as publishing
from editor.publish import PublishFailed, publish
from sitebuild import ContentErrors, LeakFound, Project


def published_site(site: Site, target: Path) -> dict[str, str]:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten Kaffee.\n")
    site.write("products/geheim.md", "title: Röstung kanarientitel Panama\n\nNur für Kunden.\n")  # never public
    publish(Project(site.settings_file), str(target))
    return tree_digest(target)


def test_publish_replaces_the_local_target_with_the_whole_build(site: Site, tmp_path: Path) -> None:
    target = tmp_path / "www"
    target.mkdir()
    (target / "stale.html").write_text("alt", encoding="utf-8")
    digest = published_site(site, target)
    assert digest == tree_digest(site.output)
    assert "stale.html" not in digest and "ueber-uns/index.html" in digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "www"]  # no scratch folder left beside it


def test_publish_refuses_after_a_failed_build(site: Site, tmp_path: Path) -> None:
    target = tmp_path / "www"
    before = published_site(site, target)
    site.write("faq/abo.md", "title: Abo\npublc_from: 2027-02-01\n\nAntwort.\n")
    with pytest.raises(ContentErrors):
        publish(Project(site.settings_file), str(target))
    assert tree_digest(target) == before


def test_publish_refuses_after_a_failed_leak_gate(site: Site, tmp_path: Path) -> None:
    target = tmp_path / "www"
    before = published_site(site, target)
    leaky_theme = tmp_path / "leaky-theme"
    shutil.copytree(THEME, leaky_theme)
    base = leaky_theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", "Demnächst: Röstung kanarientitel Panama</footer>"))
    site.use_theme(leaky_theme)
    with pytest.raises(LeakFound):
        publish(Project(site.settings_file), str(target))
    assert tree_digest(target) == before


def test_a_failing_copy_leaves_the_target_whole(site: Site, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "www"
    before = published_site(site, target)

    def copy_half(source: Path, destination: Path) -> None:
        destination.mkdir()
        (destination / "index.html").write_text("halb", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(publishing.shutil, "copytree", copy_half)
    with pytest.raises(PublishFailed, match="disk full"):
        publish(Project(site.settings_file), str(target))
    assert tree_digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "www"]


def test_publish_needs_a_target(site: Site) -> None:
    with pytest.raises(PublishFailed) as caught:
        publish(Project(site.settings_file), None)
    assert str(caught.value) == ("VORAB_PUBLISH_TARGET: erwartet user@host:/pfad oder einen lokalen Ordner, "
                                 "gefunden nichts")


def test_publish_in_ci_needs_the_key_of_the_e_mail_images(site: Site, tmp_path: Path) -> None:
    """A CI machine starts without private/: a key of its own would move the images of every e-mail sent."""
    target = tmp_path / "www"
    before = published_site(site, target)
    with pytest.raises(PublishFailed) as caught:
        publish(Project(site.settings_file), str(target), environ={"CI": "true"})
    assert str(caught.value) == (
        "VORAB_UNLISTED_KEY: erwartet den Schlüssel der E-Mail-Bilder als Secret der CI (private/unlisted.key des "
        "Rechners, der bisher veröffentlicht hat, oder einmalig: python3 -c 'import secrets; "
        "print(secrets.token_hex(32))'), gefunden nichts")
    assert tree_digest(target) == before
    publish(Project(site.settings_file), str(target), environ={"CI": "true", "VORAB_UNLISTED_KEY": "ab" * 32})
