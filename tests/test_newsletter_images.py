"""Images that every mail client shows and loads without a login: raster images of the right size, published
under an unguessable address per issue, served openly by the real servers while the member area stays shut,
and named by no public file — which the leak gate proves on every build."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from audiences.rules import parse_moment
from conftest import HOST_URL, Site
from gate.members import sync_members
from sitebuild import BuildFailed, LeakFound, Project, build
from sitebuild.pipeline import default_steps
from test_gate_servers import STARTERS, Server, deploy_members, world_readable_copy
from vorab.context import BuildContext
from vorab.unlisted import KEY_FILE, KEY_VARIABLE

CLOCK = "2027-01-15T09:00"
SITE = "https://www.morgenrot-kaffee.example"
UNLISTED = re.compile(re.escape(SITE) + r"/unlisted/(?P<token>[a-z2-7]{32})/(?P<name>[0-9]+\.(?:png|jpg))")


def photo(path: Path, size: tuple[int, int] = (4000, 3000)) -> None:
    """A noisy photograph (JPEG compresses it like a real one), with a title in its Exif data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = Image.effect_noise(size, 60).convert("RGB")
    exif = Image.Exif()
    exif[0x010E] = "Geheimrezept kanarienexif"  # ImageDescription
    picture.save(path, "JPEG", quality=90, exif=exif)


def mailing_site(site: Site) -> None:
    photo(site.root / "content" / "images" / "products" / "geisha-foto.jpg")
    site.write("images/products/kenia.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" '
               'viewBox="0 0 400 300"><title>kanarientitel</title><rect width="400" height="300" fill="#7a2e1d"/>'
               '<circle cx="200" cy="150" r="90" fill="#fbf7f2"/></svg>')
    site.write("products/geisha.md", """\
        title: Geisha
        audience: members
        public_from: 2027-06-01
        image: images/products/geisha-foto.jpg
        image_alt: Eine Tüte Geisha

        Blumig.
        """)
    site.write("products/kenia.md", """\
        title: Kenia
        audience: members
        public_from: 2027-06-01
        image: images/products/kenia.svg
        image_alt: Eine Tüte Kenia

        Fruchtig.
        """)
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    (site.root / "newsletters").mkdir()
    (site.root / "newsletters" / "januar.md").write_text(
        "subject: Januar\nsend_date: 2027-01-20T09:00\nproducts: geisha, kenia\n\nLiebe Kundschaft.\n",
        encoding="utf-8")


def build_mailing(site: Site | Path, extra_steps=()) -> object:
    """A build with every step (and `extra_steps` after them)."""
    project = Project(site.settings_file if isinstance(site, Site) else site / "pelicanconf.py")
    return build(project, parse_moment(CLOCK, "Europe/Berlin"), steps=[*default_steps(project), *extra_steps])


@pytest.fixture(scope="module")
def mailed(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("images") / "site")
    mailing_site(site)
    build_mailing(site)
    return site


def package(site: Site) -> Path:
    return site.root / "dist" / "newsletters" / "januar"


def test_every_image_is_a_raster_image_of_its_slot(mailed: Site) -> None:
    html = (package(mailed) / "mailchimp" / "email.html").read_text()
    images = re.findall(r"<img\b[^>]*>", html)
    assert len(images) == 3  # the logo and two products
    found = {}
    for tag in images:
        match = UNLISTED.search(tag)
        assert match, f"an image outside the issue's unlisted folder: {tag}"
        width, height = (int(re.search(rf'\s{name}="(\d+)"', tag)[1]) for name in ("width", "height"))
        found[re.search(r'alt="([^"]*)"', tag)[1]] = (match["name"], width, height)
    assert found == {"Kaffeerösterei Morgenrot": ("3.png", 48, 48), "Eine Tüte Geisha": ("1.jpg", 192, 144),
                     "Eine Tüte Kenia": ("2.png", 192, 144)}
    token = UNLISTED.search(html)["token"]
    folder = mailed.output / "unlisted" / token
    sizes = {}
    for name in ("1.jpg", "2.png", "3.png"):
        with Image.open(folder / name) as picture:
            sizes[name] = picture.size
    assert sizes == {"1.jpg": (384, 288), "2.png": (384, 288), "3.png": (96, 96)}  # twice the slot
    with Image.open(folder / "1.jpg") as picture:
        assert picture.format == "JPEG" and not picture.getexif()  # the photograph's metadata stays behind
    assert b"kanarienexif" not in (folder / "1.jpg").read_bytes()
    assert b"kanarientitel" not in (folder / "2.png").read_bytes()
    assert (folder / "1.jpg").stat().st_size < 60_000  # from a 4000 px photograph


def test_the_mailchimp_zip_bundles_the_same_images(mailed: Site) -> None:
    html = (package(mailed) / "mailchimp" / "email.html").read_text()
    token = UNLISTED.search(html)["token"]
    with zipfile.ZipFile(package(mailed) / "mailchimp" / "email.zip") as archive:
        assert archive.namelist() == ["index.html", "1.jpg", "2.png", "3.png"]
        index = archive.read("index.html").decode()
        for name in ("1.jpg", "2.png", "3.png"):
            assert archive.read(name) == (mailed.output / "unlisted" / token / name).read_bytes()
            assert f'src="{name}"' in index
    assert "/unlisted/" not in index and 'width="192" height="144"' in index


def test_the_members_issue_names_its_images_only_under_its_unguessable_address(mailed: Site) -> None:
    tokens = set()
    for path in package(mailed).rglob("*"):
        if path.suffix in (".html", ".txt", ".json", ".eml"):
            text = path.read_text(errors="replace")
            tokens |= {m["token"] for m in UNLISTED.finditer(text)}
            assert "/images/products/" not in text, path  # never the gated original
    [token] = tokens
    assert len(token) * 5 >= 128  # base32: five bits a character
    public = [p for p in mailed.output.rglob("*")
              if p.is_file() and p.relative_to(mailed.output).parts[0] not in ("members", "unlisted")]
    assert public and not any(token.encode() in p.read_bytes() for p in public)


def test_the_address_is_stable_and_its_key_stays_private(mailed: Site, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    key = mailed.root / "private" / KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    token = next((mailed.output / "unlisted").iterdir()).name
    assert not any(key.read_text().strip().encode() in p.read_bytes()
                   for p in [*mailed.output.rglob("*"), *(mailed.root / "dist").rglob("*")] if p.is_file())

    copy = tmp_path / "copy"
    shutil.copytree(mailed.root, copy, ignore=shutil.ignore_patterns("output", "dist", ".staging"))
    build_mailing(copy)
    assert [p.name for p in (copy / "output" / "unlisted").iterdir()] == [token]  # the same key, the same address

    monkeypatch.setenv(KEY_VARIABLE, "ab" * 32)  # the variable wins over the file: a new key moves the folder
    build_mailing(copy)
    assert [p.name for p in (copy / "output" / "unlisted").iterdir()] != [token]
    monkeypatch.setenv(KEY_VARIABLE, "zu kurz")
    with pytest.raises(BuildFailed) as caught:
        build_mailing(copy)
    assert str(caught.value) == ("VORAB_UNLISTED_KEY: erwartet einen Schlüssel aus 64 Hexadezimalziffern (python3 -c "
                                 "'import secrets; print(secrets.token_hex(32))'), gefunden 7 Zeichen")


def test_a_rebuild_processes_no_image_twice(mailed: Site, tmp_path: Path) -> None:
    cache = mailed.root / "cache" / "email-images"
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(before) == 3
    build_mailing(mailed)
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before
    photo(mailed.root / "content" / "images" / "products" / "geisha-foto.jpg", (1000, 500))
    build_mailing(mailed)
    after = {p.name for p in cache.iterdir()}
    assert len(after - set(before)) == 1 and any(name.endswith("-192x96.jpg") for name in after)


def plant(action) -> object:
    """A build step after every other: does something to the staged site before the leak gate looks."""
    def step(context: BuildContext) -> None:
        action(context)
    return step


def test_the_leak_gate_holds_unlisted_folders_to_their_rules(mailed: Site) -> None:
    token = next((mailed.output / "unlisted").iterdir()).name

    def named_in_a_public_page(context: BuildContext) -> None:
        page = context.site / "ueber-uns" / "index.html"
        page.write_text(page.read_text().replace("</main>", f'<img src="/unlisted/{token}/1.jpg"></main>'))

    def image_with_text(context: BuildContext) -> None:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "ein Bild", zip=True)
        buffer = io.BytesIO()
        Image.new("RGB", (4, 3)).save(buffer, "PNG", pnginfo=info)
        (context.site / "unlisted" / token / "3.png").write_bytes(buffer.getvalue())

    def named_file(context: BuildContext) -> None:
        shutil.copyfile(context.site / "unlisted" / token / "1.jpg", context.site / "unlisted" / token / "geisha.jpg")
        context.produced.add(str(context.site / "unlisted" / token / "geisha.jpg"))

    def stray_folder(context: BuildContext) -> None:
        (context.site / "unlisted" / "liste").mkdir()
        (context.site / "unlisted" / "liste" / "index.html").write_text("<a href='x'>x</a>")
        context.produced.add(str(context.site / "unlisted" / "liste" / "index.html"))

    expected = {  # as the editor reads them (German); the unreadable reason is the leak gate's own (English)
        named_in_a_public_page: "ueber-uns/index.html: unlisted folder von newsletters/januar.md: '/unlisted/…/' — "
                                "seine Adresse ist nur für seine E-Mails: keine öffentliche Datei darf sie nennen",
        image_with_text: "unlisted/…/3.png: file of an unlisted folder von newsletters/januar.md: '3.png' — erwartet "
                         "nur PNG- und JPEG-Bilder, nach Nummern benannt, ohne Text darin, gefunden a PNG 'zTXt' chunk",
        named_file: "unlisted/…/geisha.jpg: file of an unlisted folder von newsletters/januar.md: 'geisha.jpg' — "
                    "erwartet nur PNG- und JPEG-Bilder, nach Nummern benannt, ohne Text darin, gefunden den Namen "
                    "'geisha.jpg'",
        stray_folder: "unlisted/…/index.html: file of an unlisted folder von ?: 'index.html' — erwartet nur PNG- und "
                      "JPEG-Bilder, nach Nummern benannt, ohne Text darin, gefunden eine Datei in keinem Ordner, den "
                      "ein Build-Schritt genannt hat",
    }
    before = {p: p.read_bytes() for p in mailed.output.rglob("*") if p.is_file()}
    for action, message in expected.items():
        with pytest.raises(LeakFound) as caught:
            build_mailing(mailed, [plant(action)])
        assert str(caught.value).splitlines()[1:] == [f"  {message}"], action.__name__
        assert token not in str(caught.value)  # the address stays out of logs
    assert {p: p.read_bytes() for p in mailed.output.rglob("*") if p.is_file()} == before


# --- the real servers ------------------------------------------------------------------------------------------------

@pytest.fixture(params=sorted(STARTERS))
def server(request: pytest.FixtureRequest, mailed: Site) -> Iterator[Server]:
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="vorab-unlisted-"))
    world_readable_copy(mailed, root)
    private = root / "private"
    (private / "members.csv").parent.mkdir()
    (private / "members.csv").write_text("email;first_name;last_name\nanna@example.de;Anna;Meier\n", encoding="utf-8")
    sync_members(private / "members.csv", private, site_url=HOST_URL)
    deploy_members(private, root)
    started = None
    try:
        started = STARTERS[request.param](mailed, root)
        yield started
    finally:
        if started:
            started.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_servers_give_mail_clients_the_images_and_strangers_nothing_else(server: Server, mailed: Site) -> None:
    token = next((mailed.output / "unlisted").iterdir()).name
    for name in ("1.jpg", "2.png", "3.png"):
        response = server.get(f"/unlisted/{token}/{name}")
        assert response.status == 200, name
        assert response.body == (mailed.output / "unlisted" / token / name).read_bytes()
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow", name
        assert response.headers["Referrer-Policy"] == "no-referrer", name
        assert response.headers["Content-Type"] == ("image/jpeg" if name.endswith("jpg") else "image/png")
    no_listing = 404 if server.kind == "caddy" else 403
    for path in ("/unlisted/", f"/unlisted/{token}/"):
        response = server.get(path)
        assert response.status == no_listing, path
        assert token.encode() not in response.body and b"1.jpg" not in response.body, path
    assert server.get("/members/").status == 401
    assert server.get("/members/produkte/geisha/").status == 401
