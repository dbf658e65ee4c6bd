"""Newsletters: every check of docs/email.md on every tool's variant, the .eml, selection and head start."""

from __future__ import annotations

import email
import json
import re
import zipfile
from email import policy
from pathlib import Path

import pytest

from audiences.rules import parse_moment
from conftest import Site, build_sample
from newsletter import package_newsletters
from newsletter.esps import ESPS
from newsletter.lint import email_problems
from sitebuild import BuildFailed, ContentErrors, Project, build

# What each check of an issue finds, in the code's own words; newsletter problems in German: test_editor_check.py
# and test_newsletter_history.py.
pytestmark = pytest.mark.usefixtures("english_messages")

CLOCK = "2027-01-15T09:00"
SITE = "https://www.morgenrot-kaffee.example"
ADDRESS = "Kaffeerösterei Morgenrot GmbH · Gerberau 12 · 79098 Freiburg im Breisgau"
ISSUES = ("kundenbrief-november-2026", "neues-aus-der-roesterei")


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    build_sample(root, CLOCK)
    return root / "dist" / "newsletters"


def variants(packages: Path):
    for slug in ISSUES:
        manifest = json.loads((packages / slug / "manifest.json").read_text())
        for esp in ESPS.values():
            yield slug, manifest, esp


@pytest.mark.parametrize("slug", ISSUES)
def test_package_has_every_file(packages: Path, slug: str) -> None:
    package = packages / slug
    manifest = json.loads((package / "manifest.json").read_text())
    assert set(manifest["files"]) == set(ESPS)
    for files in manifest["files"].values():
        assert all((package / f).is_file() for f in files)
    assert {"preview.html", "preview.eml", "manifest.json"} <= {p.name for p in package.iterdir()}
    with zipfile.ZipFile(package / "mailchimp" / "email.zip") as archive:
        images = [name for name in archive.namelist() if name.endswith((".png", ".jpg"))]
        assert archive.namelist() == ["index.html", *images]
        index = archive.read("index.html").decode()
        assert all(f'src="{name}"' in index for name in images)
        assert len(images) == 1 + sum(f["type"] == "products" for f in manifest["featured"])  # and the logo
    with zipfile.ZipFile(package / "mautic" / f"vorab-{slug}.zip") as archive:
        assert sorted(archive.namelist()) == ["config.json", "html/email.html.twig", "html/message.html.twig",
                                              "thumbnail.png"]
    campaign = json.loads((package / "listmonk" / "campaign.json").read_text())
    assert {"name", "subject", "lists", "type", "content_type", "body", "altbody"} <= set(campaign)
    assert "send_at" not in campaign  # both issues went out before CLOCK: listmonk refuses a past send_at
    assert manifest["bytes"]["mailchimp/email.html"] == (package / "mailchimp" / "email.html").stat().st_size


def test_every_tool_variant_passes_every_check(packages: Path) -> None:
    for slug, manifest, esp in variants(packages):
        html = (packages / slug / esp.name / "email.html").read_text()
        text = (packages / slug / esp.name / "email.txt").read_text()
        first_name = esp.first_name.replace("{fallback}", "liebe Kundin, lieber Kunde")
        assert email_problems(
            html, text, subject=manifest["subject"], preheader=manifest["preheader"], lang="de", site_url=SITE,
            unsubscribe=esp.unsubscribe_url, exempt_urls={esp.unsubscribe_url, esp.web_version_url or
                                                          manifest["web_version"], first_name},
            postal_address=ADDRESS, postal_address_html=esp.postal_address_html) == [], f"{slug}/{esp.name}"
        assert f"Hallo {first_name}," in html and f"Hallo {first_name}," in text


BROKEN = [
    ("<!doctype html>", "", "doctype: expected <!doctype html> first"),
    ('lang="de"', 'lang="en"', 'lang: expected <html lang="de">'),
    ("\u200c", "", "preheader: expected the preheader in a hidden block, padded against snippet bleed"),
    ('name="viewport"', 'name="x"', "viewport: expected a viewport meta"),
    ("prefers-color-scheme: dark", "print", "dark mode: expected color-scheme meta and dark @media rules"),
    ('role="presentation"', 'role="grid"', 'tables: expected role="presentation" on every layout table'),
    (" alt=", " data-alt=", "images: expected alt on every <img>"),
    ("!important", "", "@media: expected !important kept in media rules"),
    ("</body>", "<mj-text>x</mj-text></body>", "MJML: expected no mj-* element left in the HTML"),
    ("</body>", "<script>x()</script></body>", "HTML: expected no <script>, <form> or <iframe>"),
    ("</body>", "<!--" + "x" * 95_000 + "--></body>", "size: expected at most 92160 bytes"),
    ("*|UNSUB|*", "https://example.org/u", "unsubscribe: expected '*|UNSUB|*' in HTML and text"),
    ("*|HTML:LIST_ADDRESS_HTML|*", "", "postal address: expected it in HTML and text"),
    ("?utm_source=newsletter&amp;utm_medium=email", "?x=1", "UTM: expected utm_source/utm_medium/utm_campaign"),
    ('href="https://', 'href="http://', "links: expected absolute https:// URLs, found 'http://"),
]


@pytest.mark.parametrize(("good", "bad", "message"), BROKEN, ids=[b[2].split(":")[0] for b in BROKEN])
def test_each_check_fails_on_a_broken_email(packages: Path, good: str, bad: str, message: str) -> None:
    slug = ISSUES[0]
    manifest = json.loads((packages / slug / "manifest.json").read_text())
    html = (packages / slug / "mailchimp" / "email.html").read_text()
    text = (packages / slug / "mailchimp" / "email.txt").read_text()
    assert good in html
    esp = ESPS["mailchimp"]
    problems = email_problems(
        html.replace(good, bad), text, subject=manifest["subject"], preheader=manifest["preheader"], lang="de",
        site_url=SITE, unsubscribe=esp.unsubscribe_url, exempt_urls={esp.unsubscribe_url, esp.web_version_url},
        postal_address=ADDRESS, postal_address_html=esp.postal_address_html)
    assert any(problem.startswith(message) for problem in problems), problems


def test_text_part_writes_out_every_link(packages: Path) -> None:
    slug = ISSUES[0]
    manifest = json.loads((packages / slug / "manifest.json").read_text())
    html = (packages / slug / "brevo" / "email.html").read_text()
    text = (packages / slug / "brevo" / "email.txt").read_text()
    link = next(url for url in re.findall(r'href="(https://[^"]+)"', html) if "produkte" in url)
    problems = email_problems(
        html, text.replace(link.replace("&amp;", "&"), ""), subject=manifest["subject"],
        preheader=manifest["preheader"], lang="de", site_url=SITE, unsubscribe="{{ unsubscribe }}",
        exempt_urls={"{{ unsubscribe }}", "{{ mirror }}"}, postal_address=ADDRESS)
    assert problems == [f"text: expected every link written out, missing {link.replace('&amp;', '&')!r}"]
    assert "<table" not in text and "<" not in text


def test_preview_eml_is_multipart_alternative(packages: Path) -> None:
    raw = (packages / ISSUES[0] / "preview.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())
    assert message["Subject"] == "Kundenbrief November: zwei Kaffees, die Sie vor allen anderen probieren"
    # A mailbox that acts on it; no https one-click address, as the sample has none that unsubscribes on a POST
    assert message["List-Unsubscribe"].strip() == "<mailto:newsletter@morgenrot-kaffee.example?subject=unsubscribe>"
    assert message["List-Unsubscribe-Post"] is None
    assert b"Subject: Kundenbrief November" in raw  # ASCII subject stays readable …
    html = message.get_body(("html",)).get_content()
    assert "Hallo Anna," in html and "*|" not in html and "VORAB-PLACEHOLDER" not in html


def test_non_ascii_subject_is_rfc2047_encoded(packages: Path) -> None:
    raw = (packages / ISSUES[1] / "preview.eml").read_bytes()
    assert re.search(rb"^Subject: Neues aus der =\?utf-8\?q\?R=C3=B6sterei\?= Morgenrot\r$", raw, re.M)
    assert email.message_from_bytes(raw, policy=policy.default)["Subject"] == "Neues aus der Rösterei Morgenrot"


def test_head_start_is_recorded_and_member_fields_stay_out_of_public_issues(packages: Path) -> None:
    members = json.loads((packages / ISSUES[0] / "manifest.json").read_text())
    geisha = next(f for f in members["featured"] if f["slug"] == "hochland-geisha")
    assert geisha["head_start_days"] == 91  # 2026-11-02T09:00 → 2027-02-01T00:00, rounded up
    assert geisha["url"] == f"{SITE}/members/produkte/hochland-geisha/"
    for part in ("preview.html", "mailchimp/email.txt"):  # in words, as on the site's badge
        text = (packages / ISSUES[0] / part).read_text()
        assert "Sie sind 3 Monate früher dran" in text and "Sie sind 7 Wochen früher dran" in text, part
        assert "Tage früher" not in text, part
    public_html = (packages / ISSUES[1] / "preview.html").read_text()
    assert "MORGENROT-SIDAMO" not in public_html.upper().replace(" ", "")
    public = json.loads((packages / ISSUES[1] / "manifest.json").read_text())
    assert all(f["url"].startswith(f"{SITE}/") and "/members/" not in f["url"] for f in public["featured"])


# --- selection, head start and link errors, with their exact messages -------------------------------------

def newsletter_site(site: Site) -> None:
    site.write("products/geisha.md", """\
        title: Geisha
        public_from: 2027-02-01T09:00
        offer_code: GEISHA10

        Blumig.
        """)
    site.write("products/hausmischung.md", """\
        title: Hausmischung
        audience: public

        Rund.
        """)
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir.\n")


def issue(site: Site, slug: str, front_matter: str, body: str = "Liebe Kundschaft.") -> None:
    site.write(f"../newsletters/{slug}.md", front_matter + "\n" + body + "\n")


def build_newsletters(site: Site, as_of: str = CLOCK):
    return build(Project(site.settings_file), parse_moment(as_of, "Europe/Berlin"),
                 steps=[package_newsletters])


def test_selection_and_head_start_errors(site: Site) -> None:
    newsletter_site(site)
    issue(site, "zu-spaet", "subject: Zu spät\nsend_date: 2027-02-01T10:00\nproducts: geisha\n")
    issue(site, "knapp", "subject: Knapp\nsend_date: 2027-01-31T20:00\nproducts: geisha\n")
    issue(site, "oeffentlich", "subject: Für alle\naudience: public\nsend_date: 2027-01-20\n"
                               "products: geisha, hausmischng\n")
    issue(site, "skript", "subject: Skript\nsend_date: 2027-01-10\n", "Hallo <script>alert(1)</script>")
    issue(site, "leer", "preheader: ohne Betreff und Datum\n")
    with pytest.raises(ContentErrors) as caught:
        build_newsletters(site)
    assert [str(p) for p in caught.value.problems] == [
        "newsletters/leer.md:1: send_date: expected a send_date, found nothing",
        "newsletters/leer.md:1: subject: expected a subject, found nothing",
    ]
    site.remove("../newsletters/leer.md")
    with pytest.raises(ContentErrors) as caught:
        build_newsletters(site)
    assert [str(p) for p in caught.value.problems] == [
        "newsletters/knapp.md:3: products: expected a head start of at least 1 day before the public release "
        "(public_from 2027-02-01T09:00:00+01:00 is only 13 hours after send_date), found 'geisha'",
        "newsletters/oeffentlich.md:4: products: expected products that public may see at send_date "
        "2027-01-20T00:00:00+01:00, found 'geisha'",
        "newsletters/oeffentlich.md:4: products: expected slugs of content/products/ (did you mean 'hausmischung'?), "
        "found 'hausmischng'",
        "newsletters/skript.md:4: body: expected Markdown without <script>, <iframe> or <form>, found '<script'",
        "newsletters/zu-spaet.md:3: products: expected items not yet public at send_date "
        "2027-02-01T10:00:00+01:00 (it is public since 2027-02-01T09:00:00+01:00), found 'geisha'",
    ]


def test_links_must_resolve_in_the_audiences_build(site: Site, tmp_path: Path) -> None:
    """Before an issue goes out, a link that goes nowhere fails the build; once it was sent, the same link is
    history: a warning, and the build goes on."""
    import shutil

    from conftest import THEME

    newsletter_site(site)
    issue(site, "januar", "subject: Januar\nsend_date: 2027-01-20\nproducts: geisha\n")
    assert build_newsletters(site).notes == ["newsletters: 1 issue packaged into dist/newsletters/"]
    before = {p.name for p in (site.root / "dist" / "newsletters").iterdir()}

    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme)
    for name, end in (("email.mjml", "{{ _(\"Im Browser ansehen\") }}</a>"),
                      ("email.txt", "{{ placeholders.postal_address }}")):
        template = theme / "newsletter" / name
        link = "{{ link('gibt-es-nicht/') }}"
        link = f"<a href=\"{link}\">x</a>" if name.endswith("mjml") else link
        template.write_text(template.read_text().replace(end, f"{end} {link}"))
    site.use_theme(theme)
    with pytest.raises(BuildFailed) as caught:
        build_newsletters(site)
    assert str(caught.value) == (
        "Newsletter links that will go nowhere; nothing was published:\n"
        "  newsletters/januar.md: link: expected a page the members may see at send_date "
        "2027-01-20T00:00:00+01:00, found 'https://www.morgenrot-kaffee.example/members/gibt-es-nicht/'")
    assert {p.name for p in (site.root / "dist" / "newsletters").iterdir()} == before

    assert build_newsletters(site, "2027-01-21T09:00").notes == [
        "warning: newsletters/januar.md: link: expected a page of the members site, found "
        "'https://www.morgenrot-kaffee.example/members/gibt-es-nicht/' (the issue was sent; the link in it goes "
        "nowhere now)",
        "newsletters: 1 issue packaged into dist/newsletters/"]


def test_mjml_errors_and_unknown_tools_are_reported(site: Site, tmp_path: Path) -> None:
    import shutil

    from conftest import THEME

    newsletter_site(site)
    issue(site, "januar", "subject: Januar\nsend_date: 2027-01-10\n")
    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme)
    template = theme / "newsletter" / "email.mjml"
    template.write_text(template.read_text().replace("</mj-body>", "<mj-text>offen</mj-body>"))
    site.use_theme(theme)
    with pytest.raises(BuildFailed) as caught:
        build_newsletters(site)
    lines = str(caught.value).splitlines()
    assert lines[0] == "A newsletter template failed; nothing was published:"
    assert lines[1].startswith(f"  {theme / 'newsletter' / 'email.mjml'}:1: MJML: expected well-formed MJML, found ")
    assert lines[1].endswith(" (rendering the e-mail of newsletters/januar.md)")

    site.use_theme(THEME)
    site.settings_file.write_text(site.settings_file.read_text() + 'NEWSLETTER_ESPS = ["mailchimp", "postbote"]\n'
                                  'POSTAL_ADDRESS = ""\n')
    with pytest.raises(ContentErrors) as caught:
        build_newsletters(site)
    lines = site.settings_file.read_text().splitlines()
    assert [str(problem) for problem in caught.value.problems] == [
        f"pelicanconf.py:{len(lines) - 1}: NEWSLETTER_ESPS: expected a list of some of mailchimp, brevo, sendgrid, "
        f"sendgrid-dynamic, "
        f"listmonk, mautic, klaviyo, found ['mailchimp', 'postbote']",
        f"pelicanconf.py:{len(lines)}: POSTAL_ADDRESS: expected text, found nothing"]


def test_an_issue_in_another_language_builds_and_reads_in_it(site: Site) -> None:
    newsletter_site(site)
    issue(site, "english", "subject: News from the roastery\nlang: en\nsend_date: 2027-01-10T09:00\n"
                           "products: geisha\n", "We roast coffee.")
    build_newsletters(site)
    package = site.root / "dist" / "newsletters" / "english"
    html = (package / "preview.html").read_text()
    assert '<html lang="en"' in html and "View in your browser" in html and "Unsubscribe" in html
    assert "Im Browser ansehen" not in html and "February" in html  # the head-start badge's date
    assert "View in your browser" in (package / "mailchimp" / "email.txt").read_text()
    page = (site.output / "members" / "newsletter" / "english" / "index.html").read_text()
    assert "We roast coffee." in page


def test_the_remembered_inlining_names_the_premailer_that_made_it() -> None:
    """Inlined e-mails are remembered by premailer's version, which newsletter.render names itself (the build
    imports premailer only when an e-mail is not remembered): it must be the one installed and the one pinned."""
    import premailer

    from conftest import ROOT
    from newsletter.render import PREMAILER

    assert premailer.__version__ == PREMAILER
    assert f"premailer=={PREMAILER}" in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
