"""Deploys keep the gate: the in-tree gate files of the chosen hosting come with every build, a publish never
removes one from the target, and `verify-deploy` checks the live site from outside — against real Apache on
127.0.0.1 in shared-hosting mode, where the .htaccess is the only gate."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from invoke import Context, Exit

from conftest import HOST_URL, Site, needs_program
from editor.publish import GateCheckFailed, publish, rsync_command
from gate import sync_members
from gate.members import read_calendars
from gate.verify import PASSWORD_VARIABLE, USER_VARIABLE
from sitebuild import ContentErrors, Project
from test_editor_check import load_tasks
from test_gate_servers import Server, free_port, member_content, passwords, plant_member_content

# The server gate and members-sync speak to operators, in English (plugins/gate is not translated).
pytestmark = pytest.mark.usefixtures("english_messages")

CLOCK = "2027-01-15T09:00"


def with_settings(site: Site, text: str) -> None:
    site.settings_file.write_text(site.settings_file.read_text() + text)


def test_the_build_puts_the_hostings_gate_files_into_the_output(site: Site) -> None:
    plant_member_content(site)
    with_settings(site, 'GATE_HOSTING = "apache"\n')
    site.build(CLOCK)
    assert (site.output / "members" / ".htaccess").read_bytes() == \
        (site.root / "dist" / "deploy" / "apache" / "members" / ".htaccess").read_bytes()
    assert not (site.output / "_redirects").exists()

    with_settings(site, 'GATE_HOSTING = "cloudflare"\n')  # gated by its worker, in front of every file
    site.build(CLOCK)
    assert not (site.output / "members" / ".htaccess").exists()  # the build removes what it no longer writes
    assert not (site.output / ".htaccess").exists()


def test_an_unknown_hosting_is_refused(site: Site) -> None:
    plant_member_content(site)
    with_settings(site, 'GATE_HOSTING = "iis"\n')
    with pytest.raises(ContentErrors) as caught:
        site.build(CLOCK)
    assert [str(problem) for problem in caught.value.problems] == [
        "pelicanconf.py:6: GATE_HOSTING: expected one of nginx, nginx-sso, apache, caddy, cloudflare (or no setting), "
        "found 'iis'"]


def test_a_local_publish_keeps_a_gate_file_the_build_does_not_write(site: Site, tmp_path: Path) -> None:
    plant_member_content(site)
    target = tmp_path / "www"
    publish(Project(site.settings_file), str(target))
    (target / "members" / ".htaccess").write_text("Require all denied\n")  # placed by hand on the server
    (target / "_headers").write_text("/members/*\n  X-Robots-Tag: noindex\n")
    (target / "stale.html").write_text("alt")
    publish(Project(site.settings_file), str(target))
    assert (target / "members" / ".htaccess").read_text() == "Require all denied\n"
    assert (target / "_headers").is_file() and not (target / "stale.html").exists()


def test_rsync_keeps_a_gate_file_the_build_does_not_write(site: Site, tmp_path: Path) -> None:
    """The command `invoke publish` runs, against a local folder (rsync's own semantics; ssh is not used)."""
    needs_program("rsync", "rsync")
    plant_member_content(site)
    site.build(CLOCK)
    target = tmp_path / "www"
    (target / "members").mkdir(parents=True)
    (target / "members" / ".htaccess").write_text("Require all denied\n")
    (target / "_redirects").write_text("/members/* /401.html 401!\n")
    (target / "stale.html").write_text("alt")
    subprocess.run(rsync_command(site.output, str(target)), check=True, capture_output=True)
    assert (target / "members" / ".htaccess").read_text() == "Require all denied\n"
    assert (target / "_redirects").is_file() and not (target / "stale.html").exists()
    assert (target / "index.html").read_bytes() == (site.output / "index.html").read_bytes()


# --- real Apache, shared hosting: only the .htaccess gates ------------------------------------------------------------

def start_shared_hosting(root: Path) -> Server:
    """Apache as a shared hoster runs it: the customer's folder as document root, `AllowOverride All`, no
    virtual host of ours — only the .htaccess in members/ stands between strangers and the member area."""
    needs_program("apache2", "apache2")
    server = Server(root, free_port(), 0, None, kind="apache")
    server.http_port = server.port
    modules = ["mpm_event", "authn_core", "authn_file", "authz_core", "authz_user", "auth_basic", "dir", "autoindex",
               "mime", "headers", "rewrite"]
    (root / "apache2.conf").write_text("\n".join([
        f"ServerRoot {root}", "ServerName 127.0.0.1", f"PidFile {root}/apache.pid", f"ErrorLog {root}/error.log",
        f"DefaultRuntimeDir {root}", "LogLevel warn",
        *(f"LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so" for name in modules),
        *(["User nobody", "Group nogroup"] if os.geteuid() == 0 else []),
        "TypesConfig /etc/mime.types", "DirectoryIndex index.html", "AccessFileName .htaccess",
        f"Listen 127.0.0.1:{server.port}",
        "<Directory />", "    AllowOverride None", "    Require all denied", "</Directory>",
        f"DocumentRoot {root}/www", f"<Directory {root}/www>", "    AllowOverride All", "    Require all granted",
        "</Directory>", '<FilesMatch "^\\.ht">', "    Require all denied", "</FilesMatch>", ""]))
    server.start([shutil.which("apache2") or "/usr/sbin/apache2", "-f", str(root / "apache2.conf"), "-DFOREGROUND"])
    return server


@pytest.fixture
def hosting(tmp_path: Path) -> Iterator[tuple[Site, Path, dict[str, str]]]:
    """A site to publish with GATE_HOSTING = "apache", its members, and a world-readable server folder."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="vorab-shared-"))
    root.chmod(0o755)
    try:
        site = Site(tmp_path / "site")
        plant_member_content(site)
        site.write("products/vorschau.md", (site.root / "content/products/vorschau.md").read_text() +
                   "\n<!-- members-only -->\n\nNur für Kunden.\n")
        (site.root / "private").mkdir()
        (site.root / "private" / "members.csv").write_text("email;first_name;last_name\nanna@example.de;Anna;M\n")
        sync_members(site.root / "private" / "members.csv", site.root / "private", site_url=HOST_URL)
        (root / "etc").mkdir(mode=0o755)
        shutil.copyfile(site.root / "private" / "members.htpasswd", root / "etc" / "members.htpasswd")
        (root / "etc" / "members.htpasswd").chmod(0o644)
        shutil.copytree(site.root / "private" / "kalender", root / "etc" / "kalender")
        (root / "etc" / "kalender").chmod(0o755)
        with_settings(site, f'GATE_HOSTING = "apache"\nGATE_HTPASSWD_PATH = "{root}/etc/members.htpasswd"\n'
                            f'GATE_CALENDARS_PATH = "{root}/etc/kalender"\n')
        # `invoke publish` and `invoke verify-deploy` read publishconf.py beside the content.
        (site.root / "publishconf.py").write_text(f"from pathlib import Path\n"
                                                  f"exec(Path({str(site.settings_file)!r}).read_text())\n")
        password = passwords(site.root / "private")["anna@example.de"]
        member = {USER_VARIABLE: "anna@example.de", PASSWORD_VARIABLE: password}
        yield site, root, member
    finally:
        shutil.rmtree(root, ignore_errors=True)


def readable(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_shared_hosting_keeps_its_gate_through_publishes_and_verify_deploy_sees_it_go(
        hosting: tuple[Site, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    site, root, member = hosting
    (root / "www").mkdir()
    readable(root / "www")
    server = start_shared_hosting(root)
    try:
        url = f"http://127.0.0.1:{server.port}"
        for _ in range(2):  # twice in a row: the second publish replaces a tree that already has the .htaccess
            publish(Project(site.settings_file), str(root / "www"), verify_url=url, environ=member)
            readable(root / "www")
        refused = server.get("/members/")
        assert refused.status == 401 and not member_content(refused.body)
        assert server.get("/members/", user="anna@example.de", password=member[PASSWORD_VARIABLE]).status == 200
        # The personal calendar address, through the .htaccess files alone
        token = read_calendars(site.root / "private")["anna@example.de"]
        feed = server.get(f"/kalender/{token}.ics")
        assert (feed.status, feed.body) == (200, (root / "www" / "members" / "seminare" / "kalender.ics").read_bytes())
        assert feed.headers["Content-Type"].startswith("text/calendar")
        assert (feed.headers["Cache-Control"], feed.headers["X-Robots-Tag"], feed.headers["Referrer-Policy"]) == (
            "private, max-age=3600", "noindex", "no-referrer")
        assert server.get("/members/", user="anna@example.de", password=member[PASSWORD_VARIABLE]).headers[
            "Cache-Control"] == "private, no-store"  # the member area itself as before
        assert server.get(f"/kalender/{'a' * 32}.ics").status == 404
        assert server.get("/members/seminare/kalender.ics").status == 401
        for folder in ("/images/", "/theme/", "/pagefind/", "/members/images/"):  # no listing anywhere
            listing = server.get(folder, user="anna@example.de", password=member[PASSWORD_VARIABLE])
            assert listing.status in (403, 404) and b"Index of" not in listing.body, folder

        monkeypatch.setenv(USER_VARIABLE, member[USER_VARIABLE])
        monkeypatch.setenv(PASSWORD_VARIABLE, member[PASSWORD_VARIABLE])
        tasks = load_tasks(monkeypatch, site.root)
        tasks.verify_deploy(Context(), url=url)  # passes

        (root / "www" / "members" / ".htaccess").unlink()  # deleted by hand, or by a careless upload
        with pytest.raises(Exit) as caught:
            tasks.verify_deploy(Context(), url=url)
        assert caught.value.code == 1
        lines = caught.value.message.splitlines()
        assert lines[0] == f"verify-deploy: the gate of {url} failed; the member area may be open:"
        answered = [(path, what) for path, what in [
            ("/members/", "the member area"), ("/%6dembers/", "the member area, percent-encoded"),
            ("//members/", "the member area with a double slash"),
            ("/members/produkte/vorschau/", "a member page (content/products/vorschau.md)"),
            ("/members/images/products/kanarienbild-tuete.svg", "a member image"),
            ("/members/seminare/kalender.ics", "the members' calendar feed")]]
        for path, what in answered:
            assert f"  {path} ({what}): expected a refusal (401), found 200" in lines
        assert "  /members/produkte/vorschau/ (a member page (content/products/vorschau.md)): expected no member " \
               "content, found body of content/products/vorschau.md, image_alt of content/products/vorschau.md, " \
               "summary of content/products/vorschau.md" in lines
        assert lines[-1] == "  /members/ as the test member: expected Cache-Control: private, no-store, found None"
        assert len(lines) == 1 + len(answered) + 5 + 1  # five answers with member content; /members, /MEMBERS/ refused
    finally:
        server.stop()


def test_verify_deploy_reports_a_member_who_cannot_get_in(hosting: tuple[Site, Path, dict[str, str]]) -> None:
    site, root, member = hosting
    (root / "www").mkdir()
    server = start_shared_hosting(root)
    try:
        url = f"http://127.0.0.1:{server.port}"
        publish(Project(site.settings_file), str(root / "www"))
        readable(root / "www")
        with pytest.raises(GateCheckFailed) as caught:
            publish(Project(site.settings_file), str(root / "www"), verify_url=url,
                    environ={**member, PASSWORD_VARIABLE: "falsch"})
        assert str(caught.value).splitlines()[1:] == [
            f"  /members/ as the test member ({USER_VARIABLE}): expected 200, found 401"]
    finally:
        server.stop()


def test_shared_hosting_serves_a_members_issue_images_openly_and_lists_nothing(
        hosting: tuple[Site, Path, dict[str, str]]) -> None:
    """Only the root .htaccess the build puts into output/ gives the unlisted images their headers here."""
    site, root, _ = hosting
    (site.root / "newsletters").mkdir()
    (site.root / "newsletters" / "januar.md").write_text(
        "subject: Vorschau\nsend_date: 2027-01-20T09:00\nproducts: vorschau\n\nHallo.\n", encoding="utf-8")
    (root / "www").mkdir()
    server = start_shared_hosting(root)
    try:
        publish(Project(site.settings_file), str(root / "www"))
        readable(root / "www")
        folder = next((root / "www" / "unlisted").iterdir())
        for image in sorted(folder.iterdir()):
            response = server.get(f"/unlisted/{folder.name}/{image.name}")
            assert (response.status, response.headers["X-Robots-Tag"], response.headers["Referrer-Policy"]) == \
                (200, "noindex, nofollow", "no-referrer"), image.name
        for path in ("/unlisted/", f"/unlisted/{folder.name}/"):
            response = server.get(path)
            assert response.status == 403 and folder.name.encode() not in response.body, path
        assert server.get("/members/").status == 401
    finally:
        server.stop()
