"""The newsletters checked by the real tools, or a second implementation of them, not only by our own checks:
official MJML, SpamAssassin, a second .eml parser, Go's html/template as listmonk uses it, Twig as Mautic uses it,
and each tool's documented tags (docs/email.md names the source of every rule asserted here)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from audiences.rules import parse_moment
from conftest import ROOT, build_sample, needs_node_module, needs_program
from newsletter import ISSUES
from newsletter.esps import ESPS
from newsletter.render import Renderer
from sitebuild import Project
from sitebuild.check import validate
from vorab.unlisted import load_key

CLOCK = "2027-01-15T09:00"
SLUGS = ("kundenbrief-november-2026", "neues-aus-der-roesterei")
FALLBACK = "liebe Kundin, lieber Kunde"
SAMPLE_NAME = "Anna"


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, cwd=cwd, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    build_sample(root, CLOCK)
    return root / "dist" / "newsletters"


@pytest.fixture(scope="module")
def theme_mjml(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The MJML the theme's template makes for each sample issue, before mjml-python compiles it."""
    root = tmp_path_factory.mktemp("mjml")
    settings = Project(ROOT / "pelicanconf.py").settings({"CACHE_PATH": str(root / "cache")})
    validation = validate(settings, ROOT / "pelicanconf.py", parse_moment(CLOCK, "Europe/Berlin"))
    renderer = Renderer(settings, validation.registry, load_key(root / "private", {}))
    sources = {}
    for issue in validation.results.get(ISSUES, []):
        sources[issue.slug] = root / f"{issue.slug}.mjml"
        sources[issue.slug].write_text(renderer.render(issue).mjml, encoding="utf-8")
    assert sorted(sources) == sorted(SLUGS)
    return sources


def official_mjml(*files: Path) -> dict[str, dict[str, object]]:
    return json.loads(run("node", ROOT / "tests" / "js" / "mjml_strict.js", *files))  # type: ignore[no-any-return]


def test_official_mjml_validates_the_theme_strictly(theme_mjml: dict[str, Path], tmp_path: Path) -> None:
    needs_node_module("mjml")
    results = official_mjml(*theme_mjml.values())
    assert {Path(file).stem: result["errors"] for file, result in results.items()} == {slug: [] for slug in SLUGS}
    # The check can fail: an attribute MJML does not know, in the same template.
    broken = tmp_path / "broken.mjml"
    broken.write_text(theme_mjml[SLUGS[0]].read_text().replace("<mj-section", '<mj-section colour="red"', 1))
    [errors] = [result["errors"] for result in official_mjml(broken).values()]
    assert errors and all("Attribute colour is illegal" in error for error in errors), errors


def test_official_mjml_and_mjml_python_make_the_same_e_mail(theme_mjml: dict[str, Path]) -> None:
    """The two compilers agree on what a reader gets: the same links, images, alternative texts and words."""
    needs_node_module("mjml")
    from mjml import mjml2html

    def reading(html: str) -> tuple[list[str], list[str], list[str], list[str]]:
        words = re.sub(r"<(style|head)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S | re.I).split()
        return (re.findall(r'href="([^"]+)"', html), re.findall(r'<img[^>]* src="([^"]+)"', html),
                re.findall(r' alt="([^"]*)"', html), words)

    for file, result in official_mjml(*theme_mjml.values()).items():
        ours = mjml2html(Path(file).read_text(encoding="utf-8"))
        assert reading(ours) == reading(str(result["html"])), file


@pytest.mark.parametrize("slug", SLUGS)
def test_spamassassin_scores_the_test_send_low(packages: Path, slug: str) -> None:
    needs_program("spamassassin", "spamassassin")
    eml = packages / slug / "preview.eml"
    report = subprocess.run(["spamassassin", "-L", "-t"], input=eml.read_bytes(), capture_output=True, timeout=300,
                            check=False).stdout.decode()
    status = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+) ", report, re.M)
    assert status, report[-2000:]
    assert float(status[1]) <= 1.0, report[report.find("Content analysis details"):]


def test_spamassassin_notices_what_the_first_wave_sent(packages: Path) -> None:
    """The score can fail: the same e-mail as the first wave wrote it (8bit HTML in one long line, no text part,
    an https List-Unsubscribe that does not work) scores above the bound."""
    needs_program("spamassassin", "spamassassin")
    message = message_from_bytes((packages / SLUGS[0] / "preview.eml").read_bytes(), policy=policy.SMTP)
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    old = (f"Subject: {message['Subject']}\r\nFrom: {message['From']}\r\nTo: {message['To']}\r\n"
           f"Date: {message['Date']}\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n" + re.sub(r"\s*\n\s*", " ", html) + "\r\n").encode()
    report = subprocess.run(["spamassassin", "-L", "-t"], input=old, capture_output=True, timeout=300,
                            check=False).stdout.decode()
    score = float(re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+) ", report, re.M)[1])  # type: ignore[index]
    assert score > 1.0, report[report.find("Content analysis details"):]


@pytest.mark.parametrize("slug", SLUGS)
def test_the_test_send_reads_the_same_in_a_second_parser(packages: Path, slug: str) -> None:
    needs_node_module("mailparser")
    eml = packages / slug / "preview.eml"
    raw = eml.read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 76
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout
    ours = message_from_bytes(raw, policy=policy.default)
    theirs = json.loads(run("node", ROOT / "tests" / "js" / "parse_eml.js", eml))
    assert theirs["subject"] == ours["Subject"] == json.loads((packages / slug / "manifest.json").read_text())[
        "subject"]
    assert theirs["messageId"] == ours["Message-ID"]
    assert theirs["listUnsubscribe"] == {"mail": "newsletter@morgenrot-kaffee.example?subject=unsubscribe"}
    for part in ("html", "plain"):
        content = ours.get_body((part,)).get_content()  # type: ignore[union-attr]
        assert theirs["text" if part == "plain" else "html"].strip() == content.strip().replace("\r\n", "\n")
    assert "Hallo Anna," in theirs["text"] and theirs["html"].count("<!--[if mso") > 0


def test_the_test_send_is_the_same_file_for_the_same_issue(tmp_path: Path) -> None:
    """Its Message-ID and MIME boundary follow from the issue (each send gets a fresh one: test_newsletter_delivery)."""
    build_sample(tmp_path, CLOCK)
    first = {slug: (tmp_path / "dist" / "newsletters" / slug / "preview.eml").read_bytes() for slug in SLUGS}
    build_sample(tmp_path, CLOCK)
    assert first == {slug: (tmp_path / "dist" / "newsletters" / slug / "preview.eml").read_bytes() for slug in SLUGS}
    assert first[SLUGS[0]] != first[SLUGS[1]]


def test_listmonk_compiles_the_campaign_with_go_html_template_and_keeps_every_comment(
        packages: Path, tmp_path: Path) -> None:
    needs_program("go", "golang-go")
    program = ROOT / "tests" / "go" / "listmonk_compile.go"
    env = {**os.environ, "GOCACHE": str(tmp_path / "go-cache"), "GOFLAGS": "", "GO111MODULE": "off"}

    def compiled(campaign: Path, template: Path) -> str:
        done = subprocess.run(["go", "run", str(program), str(campaign), str(template), SAMPLE_NAME],
                              capture_output=True, text=True, env=env, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    for slug in SLUGS:
        folder = packages / slug / "listmonk"
        preview = (packages / slug / "preview.html").read_text()
        manifest = json.loads((packages / slug / "manifest.json").read_text())
        message = compiled(folder / "campaign.json", folder / "template.json")
        assert "listmonk.example/subscription/unsubscribe" in message and "listmonk.example/campaign/view" in message
        # With the tool's values for the sample's, listmonk's message is the preview, byte for byte: nothing
        # wrapped around it, no comment dropped, nothing escaped twice.
        message = message.replace("https://listmonk.example/subscription/unsubscribe",
                                  "https://www.morgenrot-kaffee.example/newsletter/abmelden")
        message = message.replace("https://listmonk.example/campaign/view", manifest["web_version"])
        assert message.count("<!--[if mso") == preview.count("<!--[if mso") > 0
        assert message == preview, slug

    # The mechanism matters: the same body without `Safe` loses every conditional comment in html/template.
    campaign = json.loads((packages / SLUGS[0] / "listmonk" / "campaign.json").read_text())
    campaign["body"] = (packages / SLUGS[0] / "preview.html").read_text()
    unsafe = tmp_path / "campaign.json"
    unsafe.write_text(json.dumps(campaign))
    assert "<!--" not in compiled(unsafe, packages / SLUGS[0] / "listmonk" / "template.json")


def test_listmonk_campaign_has_the_fields_its_handler_validates(packages: Path, tmp_path: Path) -> None:
    for slug in SLUGS:
        campaign = json.loads((packages / slug / "listmonk" / "campaign.json").read_text())
        assert 1 <= len(campaign["name"]) <= 200 and 1 <= len(campaign["subject"]) <= 5000
        assert campaign["lists"] and all(isinstance(number, int) for number in campaign["lists"])
        assert (campaign["type"], campaign["content_type"]) == ("regular", "html")
        assert "send_at" not in campaign and "template_id" not in campaign  # sent; no template ID configured
    template = json.loads((packages / SLUGS[0] / "listmonk" / "template.json").read_text())
    assert template == {"name": "Vorab (ohne Rahmen)", "type": "campaign", "body": '{{ template "content" . }}'}
    # Before its send date, a campaign is scheduled: listmonk accepts a send_at only in the future.
    build_sample(tmp_path, "2026-11-01T09:00")
    early = json.loads((tmp_path / "dist" / "newsletters" / SLUGS[0] / "listmonk" / "campaign.json").read_text())
    assert early["send_at"] == "2026-11-02T09:00:00+01:00"


# Mautic 4 and 5 (app/bundles/CoreBundle/Helper/ThemeHelper.php install(), Config/config.php): the theme key
# is the ZIP's file name; config.json and html/message.html.twig, plus html/<feature>.html.twig for every feature,
# at the ZIP's root; only these extensions are extracted.
MAUTIC_EXTENSIONS = {"json", "twig", "css", "js", "htm", "html", "txt", "jpg", "jpeg", "png", "gif"}


def test_mautic_theme_zip_installs_and_renders_in_twig(packages: Path, tmp_path: Path) -> None:
    keys = set()
    for slug in SLUGS:
        [theme] = (packages / slug / "mautic").glob("*.zip")
        key = re.sub(r"[^a-z0-9._-]", "", theme.stem.replace(" ", "_").lower())
        assert key == theme.stem == f"vorab-{slug}"
        keys.add(key)
        with zipfile.ZipFile(theme) as archive:
            names = archive.namelist()
            config = json.loads(archive.read("config.json"))
            archive.extractall(tmp_path / key)
        required = {"config.json", "html/message.html.twig"} | {f"html/{f.lower()}.html.twig" for f in
                                                                 config["features"]}
        assert required <= set(names)
        assert all(name.rpartition(".")[2] in MAUTIC_EXTENSIONS for name in names)
        assert config["features"] == ["email"] and "grapesjsbuilder" in config["builder"] and config["name"]

        needs_program("php", "php-cli php-twig")
        rendered = json.loads(run("php", ROOT / "tests" / "php" / "mautic_render.php", tmp_path / key,
                                  "Sie sind <b>abgemeldet</b>."))
        assert rendered["email"] == (packages / slug / "mautic" / "email.html").read_text()
        assert "<h1" in rendered["message"] and "Sie sind <b>abgemeldet</b>." in rendered["message"]
    assert len(keys) == len(SLUGS)  # one theme per issue: a second never overwrites the first


# What each tool's variant must carry, as its documentation gives it (docs/email.md): first name with fallback,
# unsubscribe, web version, postal address; and nothing of another tool.
TAGS = {
    "mailchimp": ["*|IF:FNAME|**|FNAME|**|ELSE:|*liebe Kundin, lieber Kunde*|END:IF|*", 'href="*|UNSUB|*"',
                  'href="*|ARCHIVE|*"', "*|HTML:LIST_ADDRESS_HTML|*"],
    "brevo": ["{{ contact.FIRSTNAME|default:'liebe Kundin, lieber Kunde' }}", 'href="{{ unsubscribe }}"',
              'href="{{ mirror }}"'],
    "sendgrid": ['{{insert first_name "default=liebe Kundin, lieber Kunde"}}', 'href="{{{unsubscribe}}}"',
                 'href="{{Weblink}}"'],
    "sendgrid-dynamic": ["{{#if first_name}}{{first_name}}{{else}}liebe Kundin, lieber Kunde{{/if}}",
                         'href="<%asm_group_unsubscribe_raw_url%>"'],
    "listmonk": ['{{ or .Subscriber.FirstName "liebe Kundin, lieber Kunde" }}', 'href="{{ UnsubscribeURL }}"',
                 'href="{{ MessageURL }}"'],
    "mautic": ["{contactfield=firstname|liebe Kundin, lieber Kunde}", 'href="{unsubscribe_url}"',
               'href="{webview_url}"'],
    "klaviyo": ["{{ first_name|default:'liebe Kundin, lieber Kunde' }}", 'href="{% unsubscribe_link %}"',
                'href="{% web_view_link %}"'],
}


@pytest.mark.parametrize("tool", list(TAGS))
def test_each_tool_gets_its_documented_tags_and_no_other(packages: Path, tool: str) -> None:
    assert set(TAGS) == set(ESPS)
    others = {tag for name, tags in TAGS.items() if name != tool for tag in tags} - set(TAGS[tool])
    for slug in SLUGS:
        html = (packages / slug / tool / "email.html").read_text()
        text = (packages / slug / tool / "email.txt").read_text()
        for tag in TAGS[tool]:
            assert tag in html, (slug, tag)
        assert [tag for tag in others if tag in html] == []
        assert "VORAB-PLACEHOLDER" not in html + text and "vorab.invalid" not in html + text
        unsubscribe = re.search(r'href="([^"]+)"', TAGS[tool][1])[1]  # type: ignore[index]
        assert unsubscribe in text
        assert "Kaffeerösterei Morgenrot GmbH · Gerberau 12 · 79098 Freiburg im Breisgau" in text
        if tool == "sendgrid-dynamic":  # no web-version tag in dynamic templates: the archive page instead
            web_version = json.loads((packages / slug / "manifest.json").read_text())["web_version"]
            assert f'href="{web_version}"' in html
