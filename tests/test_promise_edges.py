"""The promise at its edges: canaries planted in every channel that left the core design — a marker typed
differently, HTML comments, public newsletter packages, short secrets, time zones — never reach a public byte
(site and public dist/ packages, decoded), and are where members may see them; and the gate raises no false
alarm for legitimate text (theme phrases, `&nbsp;`, published member addresses, section names)."""

from __future__ import annotations

import email
import email.policy
import fnmatch
import gzip
import html
import io
import json
import shutil
import zipfile
from pathlib import Path

import jinja2
import pytest

from audiences.rules import parse_moment
from conftest import HOST_URL, THEME, Site
from gate import sync_members
from sitebuild import BuildFailed, ContentErrors, LeakFound, Project, build
from sitebuild.pipeline import default_steps

CLOCK = "2027-01-15T09:00"


def decoded(data: bytes, name: str = "") -> list[str]:
    """The texts of a file as a recipient's program reads them: gzip and ZIP opened, e-mails decoded, entities
    and JSON escapes resolved, lower-cased. Independent of the gate's own reader."""
    if data[:2] == b"\x1f\x8b":
        return decoded(gzip.decompress(data), name)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [text for member in archive.namelist() for text in [member.lower(), *decoded(archive.read(member))]]
    texts = [data.decode("utf-8", errors="replace")]
    if name.endswith(".eml"):
        message = email.message_from_bytes(data, policy=email.policy.default)
        texts += [str(value) for value in message.values()]
        texts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    if name.endswith(".json"):
        texts.append(json.dumps(json.loads(data), ensure_ascii=False))
    return [html.unescape(text).lower() for text in texts]


def public_texts(site: Site) -> dict[str, list[str]]:
    """Every public byte: the site outside members/, and the packages of public newsletter issues and deploy/."""
    files = dict(site.files(members=False))
    dist = site.root / "dist"
    for package in sorted((dist / "newsletters").glob("*")) if (dist / "newsletters").is_dir() else []:
        if json.loads((package / "manifest.json").read_text())["audience"] == "public":
            files |= {f"dist/{p.relative_to(dist)}": p.read_bytes() for p in package.rglob("*") if p.is_file()}
    files |= {f"dist/{p.relative_to(dist)}": p.read_bytes() for p in (dist / "deploy").rglob("*") if p.is_file()} \
        if (dist / "deploy").is_dir() else {}
    return {name: [name.lower(), *decoded(data, name)] for name, data in files.items()}


def member_texts(site: Site) -> dict[str, list[str]]:
    return {name: [name.lower(), *decoded(data, name)] for name, data in site.files(members=True).items()}


def where(canary: str, texts: dict[str, list[str]]) -> set[str]:
    return {name for name, contents in texts.items() if any(canary in text for text in contents)}


def page(site: Site, relpath: str, body: str, header: str = "") -> None:
    site.write(relpath, f"title: {Path(relpath).stem.title()}\n{header}\n{body}\n")


# --- 1. the marker, typed differently -------------------------------------------------------------------------------

@pytest.mark.parametrize("marker", ["<!--members only-->", "<!-- MEMBERS\u2013ONLY -->",
                                    "<!--\u00a0Members-Only\u00a0-->", "   <!-- members_only -->"])
def test_every_accepted_spelling_keeps_the_members_part_from_the_public(site: Site, marker: str) -> None:
    page(site, "pages/lieferung.md", f"Für alle: kanarienteaser.\n\n{marker}\n\nNur für Kunden: kanarienstaffel.",
         "summary: Lieferung.\n")
    site.write("products/geisha.md", f"title: Geisha\npublic_from: 2027-01-01\n\nBlumig.\n\n{marker}\n\n"
                                     f"Mengenpreis kanarienpreis ab drei Kilogramm.\n")
    site.build(CLOCK)
    public, members = public_texts(site), member_texts(site)
    assert where("kanarienteaser", public) and where("kanarienteaser", members)
    for canary in ("kanarienstaffel", "kanarienpreis"):
        assert where(canary, public) == set(), canary
        assert where(canary, members), canary


def test_a_marker_in_code_is_shown_as_text_and_cuts_nothing(site: Site) -> None:
    page(site, "pages/hilfe.md", "So trennen Sie den Kundenteil ab:\n\n```\n<!-- members-only -->\n```\n\n"
                                 "Danach kanariendanach.")
    site.build(CLOCK)
    public = site.files(members=False)["hilfe/index.html"].decode()
    assert "&lt;!-- members-only --&gt;" in public and "kanariendanach" in public


# --- 2. comments ----------------------------------------------------------------------------------------------------

def test_comments_in_editors_markdown_reach_no_output(site: Site, tmp_path: Path) -> None:
    page(site, "pages/ueber-uns.md", "Wir rösten.\n\n<!-- kanariennotiz1: Preise prüfen -->\n\n"
                                     "Seit 1990 <!-- kanariennotiz2 --> in Freiburg.",
         "summary: Wer wir sind <!-- kanariennotiz3 -->\n")
    site.write("products/geisha.md", "title: Geisha\n\nBlumig.\n\n<!--\nkanariennotiz4\n-->\n")
    site.write("../newsletters/brief.md", "subject: Neues\naudience: public\nsend_date: 2027-01-10T09:00\n\n"
                                          "Hallo <!-- kanariennotiz5 --> und willkommen.\n\n<!-- closing -->\n\n"
                                          "Grüße <!-- kanariennotiz6 -->\n")
    site.write("../newsletters/kunden.md", "subject: Für Kunden\nsend_date: 2027-01-12T09:00\n\n"
                                           "Hallo.\n\n<!-- kanariennotiz7 -->\n")
    site.build(CLOCK)
    everything = {**public_texts(site), **member_texts(site)}
    dist = site.root / "dist"
    everything |= {str(p): decoded(p.read_bytes(), p.name) for p in dist.rglob("*") if p.is_file()}
    for number in range(1, 8):
        assert where(f"kanariennotiz{number}", everything) == set(), number
    assert where("seit 1990", everything) and where("willkommen", everything)


def test_the_scaffolds_notes_stay_notes(site: Site) -> None:
    from editor.scaffold import content_type, render

    site.write("products/neu.md", render(content_type("products"), "Neue Röstung", parse_moment(CLOCK, "UTC").date(),
                                         ("public", "members")).replace("status: draft", "status: published"))
    site.build(CLOCK)
    everything = {**public_texts(site), **member_texts(site)}
    assert where("die felder von products", everything) == set()
    assert where("hier den text schreiben", everything)


def test_a_template_comment_naming_an_embargoed_product_is_a_leak(site: Site, tmp_path: Path) -> None:
    site.write("products/geisha.md", "title: Röstung Kanarienvogel Panama\npublic_from: 2027-03-01\n\nBlumig.\n")
    page(site, "pages/ueber-uns.md", "Wir rösten.")
    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme)
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", "<!-- Ab März: Röstung Kanarienvogel Panama --></footer>"))
    site.use_theme(theme)
    with pytest.raises(LeakFound) as caught:
        site.build(CLOCK)
    assert "index.html: title of content/products/geisha.md: 'Röstung Kanarienvogel Panama'" in {
        str(hit) for hit in caught.value.report.hits}



def test_a_file_remembered_clean_is_read_again_for_a_new_secret(site: Site, tmp_path: Path) -> None:
    """The gate's memory of clean files holds for fewer fingerprints (a release), never for a new one. Canary: a
    theme script that names a product before it exists is clean, and unchanged it leaks the product once that is
    written, embargoed."""
    page(site, "pages/ueber-uns.md", "Wir rösten.")
    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme)
    (theme / "static" / "js" / "teaser.js").write_text('const next = "Röstung Kanarienvogel Panama";\n')
    site.use_theme(theme)
    site.build(CLOCK)
    before = (site.output / "theme" / "js" / "teaser.js").read_bytes()
    assert [path.name for path in site.root.glob("cache/gate-*/site*")] != []
    site.write("products/geisha.md", "title: Röstung Kanarienvogel Panama\npublic_from: 2027-03-01\n\nBlumig.\n")
    with pytest.raises(LeakFound) as caught:
        site.build(CLOCK)
    assert "theme/js/teaser.js: title of content/products/geisha.md: 'Röstung Kanarienvogel Panama'" in {
        str(hit) for hit in caught.value.report.hits}
    assert [path.read_bytes() for path in site.root.glob(".staging/*/*/theme/js/teaser.js")] == [before]


def test_a_phrase_public_content_no_longer_shares_is_a_leak_again(site: Site) -> None:
    """What public content excuses is remembered by exactly that content (leakgate.memo). Canary: a members' sentence
    that a public page quotes is excused, and a leak once the page no longer quotes it."""
    sentence = "Die Kanarienvogel Ernte reift am Südhang"
    site.write("products/geisha.md", f"title: Geisha Röstung\naudience: members\n\n{sentence}.\n")
    page(site, "pages/ueber-uns.md", f"{sentence}.")

    def quote(context) -> None:
        target = context.site / "zitat.txt"
        target.write_text(sentence)
        context.produced.add(str(target))

    project = Project(site.settings_file)
    steps = [*default_steps(project), quote]
    assert build(project, parse_moment(CLOCK, "Europe/Berlin"), steps=steps).gate.passed
    page(site, "pages/ueber-uns.md", "Wir rösten.")
    with pytest.raises(LeakFound) as caught:
        build(project, parse_moment(CLOCK, "Europe/Berlin"), steps=steps)
    assert f"zitat.txt: body of content/products/geisha.md: {sentence!r}" in {
        str(hit) for hit in caught.value.report.hits}

# --- 3. the packages of public newsletters ---------------------------------------------------------------------------

def public_issue(site: Site, body: str, *, send_date: str = "2027-01-10T09:00", products: str = "") -> None:
    site.write("../newsletters/brief.md", f"subject: Neues aus der Rösterei\naudience: public\nsend_date: {send_date}\n"
                                          f"products: {products}\n\n{body}\n")


def test_a_public_issue_is_cut_at_the_marker_like_its_archive_page(site: Site) -> None:
    page(site, "pages/ueber-uns.md", "Wir rösten.")
    public_issue(site, "Für alle: kanarienoffen.\n\n<!-- members-only -->\n\nNur Kunden: kanarienkunden.\n\n"
                       "<!-- closing -->\n\nGrüße")
    site.build(CLOCK)
    public, members = public_texts(site), member_texts(site)
    package = {name for name in public if name.startswith("dist/newsletters/brief/")}
    assert len(package) >= 10 and where("kanarienoffen", public) >= package - {
        "dist/newsletters/brief/manifest.json", "dist/newsletters/brief/listmonk/template.json"}
    assert where("kanarienkunden", public) == set()
    assert "members/newsletter/brief/index.html" in where("kanarienkunden", members)


def test_the_gate_reads_public_packages_decoded(site: Site, tmp_path: Path) -> None:
    """An e-mail template that names an embargoed product: every file of the public issue's package — the
    .eml decoded, the ZIPs inflated, the JSON unescaped — is a leak; the members' issue is no concern of the
    gate."""
    site.write("products/geisha.md", "title: Röstung Kanarienvogel Panama\npublic_from: 2027-03-01\n\nBlumig.\n")
    page(site, "pages/ueber-uns.md", "Wir rösten.")
    public_issue(site, "Hallo und willkommen.")
    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme)
    template = theme / "newsletter" / "email.mjml"
    leak = "{{ placeholders.postal_address }} Bald: Röstung Kanarienvogel Panama"
    template.write_text(template.read_text().replace("{{ placeholders.postal_address }}", leak))
    site.use_theme(theme)
    with pytest.raises(LeakFound) as caught:
        site.build(CLOCK)
    files = {hit.file for hit in caught.value.report.hits if hit.fingerprint.kind == "title"}
    package = "dist/newsletters/brief"
    assert files == {f"{package}/{name}" for name in (
        "preview.eml", "preview.html", *(f"{tool}/email.html" for tool in TOOLS), "mailchimp/email.zip",
        "mautic/vorab-brief.zip", "listmonk/campaign.json")}
    assert not site.output.exists()


TOOLS = ("mailchimp", "brevo", "sendgrid", "sendgrid-dynamic", "listmonk", "mautic", "klaviyo")


def test_a_future_public_issue_may_hold_what_is_public_at_its_send_date_and_nothing_else(site: Site,
                                                                                          tmp_path: Path) -> None:
    site.image("images/products/geisha.svg")
    site.write("products/geisha.md", "title: Röstung Kanarienvogel Panama\npublic_from: 2027-02-01T08:00\n"
                                     "image: images/products/geisha.svg\nimage_alt: Tüte\n\nBlumig.\n")
    page(site, "pages/ueber-uns.md", "Wir rösten.")
    public_issue(site, "Neu bei uns.", send_date="2027-02-01T09:00", products="geisha")
    site.build(CLOCK)  # before the release the package names the product, its page and its image: no leak
    package = {name for name in public_texts(site) if name.startswith("dist/newsletters/brief/")}
    assert where("kanarienvogel", public_texts(site)) >= package - {
        "dist/newsletters/brief/mailchimp/email.zip", "dist/newsletters/brief/listmonk/template.json"}
    assert "produkte/geisha/index.html" not in site.files(members=False)

    # The same product named by the e-mail template of an issue that goes out before the release: a leak.
    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme)
    template = theme / "newsletter" / "email.mjml"
    template.write_text(template.read_text().replace("{{ placeholders.postal_address }}",
                                                     "{{ placeholders.postal_address }} Röstung Kanarienvogel Panama"))
    site.use_theme(theme)
    public_issue(site, "Neu bei uns.", send_date="2027-01-31T09:00")
    with pytest.raises(LeakFound) as caught:
        site.build(CLOCK)
    assert {hit.file.split("/")[1] for hit in caught.value.report.hits} == {"newsletters"}
    public_issue(site, "Neu bei uns.", send_date="2027-02-01T08:00")  # at the release: no leak
    site.build(CLOCK)


def test_a_public_issue_links_only_to_what_is_public_at_its_send_date(site: Site) -> None:
    site.write("products/geisha.md", "title: Geisha\npublic_from: 2027-03-01\n\nBlumig.\n")
    page(site, "pages/ueber-uns.md", "Wir rösten.")
    public_issue(site, "Bald: [unsere Geisha]({filename}/products/geisha.md).", send_date="2027-02-01T09:00")
    with pytest.raises(BuildFailed) as caught:
        site.build(CLOCK)
    assert str(caught.value) == (
        "Newsletter-Links, die ins Leere führen werden; nichts wurde veröffentlicht:\n"
        "  newsletters/brief.md: Link: erwartet eine Seite, die die Zielgruppe public am send_date "
        "2027-02-01T09:00:00+01:00 sehen darf, gefunden 'https://www.morgenrot-kaffee.example/produkte/geisha/'")


# --- 5. short secrets -------------------------------------------------------------------------------------------------

def leaking_step(text: str):
    """A step that writes `text` into a public page, as a buggy plugin or template would."""
    def step(context) -> None:
        target = context.site / "leak" / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"<p>{text}</p>", encoding="utf-8")
        context.produced.add(str(target))
    return step


def secret_product(site: Site) -> None:
    site.write("products/geisha.md", "title: Hochland-Kanarienwunder aus Panama\npublic_from: 2027-03-01\n\n"
                                     "Blumig und klar, mit Noten von Jasmin.\n\n<!-- members-only -->\n\n"
                                     "Code: KANARIE24\n\nPreis: 14,90 €\n")
    page(site, "pages/ueber-uns.md", "Wir rösten Kaffee aus Panama, blumig und klar.")


@pytest.mark.parametrize(("text", "kind", "fingerprint"), [
    ("Bald im Shop: Kanarienwunder!", "title word", "Hochland-Kanarienwunder aus Panama"),
    (jinja2.Environment().from_string("{{ t|truncate(28) }}").render(t="Hochland-Kanarienwunder aus Panama"),
     "title word", "Hochland-Kanarienwunder aus Panama"),
    ("Ihr Code: KANARIE24", "short line", "KANARIE24"),
])
def test_short_secrets_are_caught(site: Site, text: str, kind: str, fingerprint: str) -> None:
    secret_product(site)
    site.build(CLOCK)  # nothing leaks: no false alarm from the short fingerprints
    with pytest.raises(LeakFound) as caught:
        build(Project(site.settings_file), parse_moment(CLOCK, "Europe/Berlin"),
              steps=[*default_steps(Project(site.settings_file)), leaking_step(text)])
    assert f"leak/index.html: {kind} of content/products/geisha.md: {fingerprint!r}" in {
        str(hit) for hit in caught.value.report.hits}


def test_a_title_shortened_to_public_words_is_caught_by_its_start(site: Site) -> None:
    site.write("products/decaf.md", "title: Kolumbien Decaf Reserva\npublic_from: 2027-03-01\n\nMild.\n")
    page(site, "pages/ueber-uns.md", "Kaffee aus Kolumbien, auch als Decaf, und eine Reserva.")
    with pytest.raises(LeakFound) as caught:
        build(Project(site.settings_file), parse_moment(CLOCK, "Europe/Berlin"),
              steps=[*default_steps(Project(site.settings_file)), leaking_step("Demnächst: Kolumbien Decaf …")])
    assert {str(hit) for hit in caught.value.report.hits} == {
        "leak/index.html: title start of content/products/decaf.md: 'Kolumbien Decaf Reserva'"}


# --- 6. no false alarms -----------------------------------------------------------------------------------------------

def test_theme_phrases_and_nbsp_are_no_leak(site: Site) -> None:
    """A members' seminar that says what the theme says on a public page ("Dieses Seminar ist ausgebucht"), and
    a public page that writes a members' sentence with `&nbsp;`, build."""
    site.write("seminars/latte.md", "title: Latte-Art für Kunden\nstart: 2027-05-01T18:00\nend: 2027-05-01T20:00\n\n"
                                    "Dieses Seminar ist ausgebucht. Unsere neue Röstung aus Panama gibt es dazu.\n")
    site.write("seminars/offen.md", "title: Tag der offenen Tür\naudience: public\nstart: 2027-05-02T10:00\n"
                                    "end: 2027-05-02T16:00\nbooked_out: yes\n\nAlle sind eingeladen.\n")
    page(site, "pages/ueber-uns.md", "Unsere&nbsp;neue Rös&shy;tung aus Panama gibt es bald.")
    site.build(CLOCK)
    assert b"Dieses Seminar ist ausgebucht" in site.files(members=False)["seminare/offen/index.html"]


def test_a_member_address_published_on_purpose_can_be_allowed(site: Site) -> None:
    page(site, "pages/partner.md", "Unser Partnercafé: cafe@sonne.example.")
    (site.root / "private").mkdir()
    (site.root / "private" / "members.csv").write_text(
        "email;first_name;last_name\nanna@example.de;Anna;Meier\ncafe@sonne.example;Café;Sonne\n", encoding="utf-8")
    sync_members(site.root / "private" / "members.csv", site.root / "private", site_url=HOST_URL)
    with pytest.raises(LeakFound) as caught:
        site.build(CLOCK)
    message = str(caught.value)
    assert ("  partner/index.html: member e-mail von private/members.csv: 'line 3' — wenn diese Adresse absichtlich "
            "veröffentlicht ist, sie in GATE_PUBLISHED_MEMBER_EMAILS eintragen (pelicanconf.py oder publishconf.py)"
            ) in message.splitlines()
    assert "cafe@sonne.example" not in message
    with_allowed = site.settings_file.read_text() + "GATE_PUBLISHED_MEMBER_EMAILS = ['Cafe@Sonne.example']\n"
    site.settings_file.write_text(with_allowed)
    site.build(CLOCK)
    assert b"cafe@sonne.example" in site.files(members=False)["partner/index.html"]


def test_a_page_named_like_a_section_is_refused(site: Site) -> None:
    page(site, "pages/members.md", "Text.")
    page(site, "pages/theme.md", "Text.")
    page(site, "pages/angebote.md", "Text.", "slug: produkte\n")
    page(site, "pages/suche.md", "Text.", "slug: pagefind\n")
    page(site, "pages/suchseite.md", "Text.", "slug: suche\n")
    with pytest.raises(ContentErrors) as caught:
        site.build(CLOCK)
    sections = ("ansprechpartner, fragen, images, kalender, members, newsletter, pagefind, produkte, seminare, suche, "
                "theme, unlisted")
    expected = f"slug: erwartet einen Slug, der keinen Bereich der Website benennt ({sections}); "
    assert [str(problem) for problem in caught.value.problems] == [
        f"content/pages/angebote.md:2: {expected}'produkte' ist belegt: ein Bereich, gefunden 'produkte'",
        f"content/pages/members.md:1: {expected}'members' ist belegt: ein Kundenbereich, gefunden 'members' (aus dem "
        "Dateinamen)",
        f"content/pages/suche.md:2: {expected}'pagefind' ist belegt: der Suchindex, gefunden 'pagefind'",
        f"content/pages/suchseite.md:2: {expected}'suche' ist belegt: die Seite mit den Suchergebnissen, gefunden "
        "'suche'",
        f"content/pages/theme.md:1: {expected}'theme' ist belegt: die Dateien des Themes, gefunden 'theme' (aus dem "
        "Dateinamen)"]
    assert not site.output.exists()


# --- 7. one time-zone rule --------------------------------------------------------------------------------------------

def test_a_seminars_release_dates_are_in_the_sites_zone_and_its_times_in_its_own(site: Site) -> None:
    site.write("seminars/nyc.md", "title: Cupping in New York kanarienzeit\ntimezone: America/New_York\n"
                                  "members_from: 2027-01-15T09:00\nstart: 2027-03-10T18:00\nend: 2027-03-10T20:00\n\n"
                                  "Für Kunden in New York.\n")
    site.build("2027-01-15T08:59")
    assert where("kanarienzeit", member_texts(site)) == set()
    site.build("2027-01-15T09:00")  # 09:00 in Berlin, not in New York (15:00 Berlin)
    members = member_texts(site)
    assert where("kanarienzeit", members)
    ics = site.files(members=True)["members/seminare/nyc/nyc.ics"].decode()
    assert "DTSTART;TZID=America/New_York:20270310T180000" in ics


def test_the_schedule_shows_every_transition_in_the_sites_zone(site: Site) -> None:
    from editor.schedule import transitions
    from sitebuild.pipeline import load_project_registry

    site.write("seminars/nyc.md", "title: Cupping\ntimezone: America/New_York\npublic_from: 2027-02-01\n"
                                  "start: 2027-03-10T18:00\nend: 2027-03-10T20:00\n\nText.\n")
    registry = load_project_registry(Project(site.settings_file).settings())
    coming = transitions(registry, parse_moment(CLOCK, "Europe/Berlin"))
    assert [(t.what, t.moment.isoformat()) for t in coming] == [
        ("public", "2027-02-01T00:00:00+01:00"), ("seminar starts", "2027-03-11T00:00:00+01:00")]


# --- 5. no false alarm from short fingerprints, on the sample and a synthetic site -----------------------------------

def generated_words(settings_file: Path, clock: str, output: Path) -> set[str]:
    """The words of four or more letters in the public output (site and public packages, outside folders of
    derived words and the unlisted images, which the gate holds to their own rules) that are in no public text
    and no label: where a short fingerprint could raise a false alarm."""
    from leakgate.formats import texts
    from leakgate.text import words
    from sitebuild.leakcheck import vocabulary

    found: set[str] = set()

    def capture(context) -> None:
        tiers = context.registry.tiers
        known = vocabulary(context.settings, context.registry, context.sources[tiers.public], context.label_texts).known
        files = [(path, path.relative_to(context.site).as_posix()) for path in context.site.rglob("*")]
        files = [(path, relative) for path, relative in files if not relative.startswith(("members/", "unlisted/"))
                 and not any(fnmatch.fnmatchcase(relative, pattern) for pattern in context.derived_files)]
        files += [(path, path.relative_to(context.dist).as_posix()) for folder in context.public_dist
                  for path in (context.dist / folder.name).rglob("*")]
        for path, relative in files:
            if path.is_file():
                found.update(word for text in [relative, *texts(path.read_bytes(), path.name)] for word in words(text)
                             if len(word) >= 4 and word.isalpha() and word not in known)

    build(Project(settings_file), parse_moment(clock, "Europe/Berlin"), output=output,
          overrides={"CACHE_PATH": str(output.parent / "cache"), "PRIVATE_PATH": str(output.parent / "private")},
          steps=[*default_steps(Project(settings_file)), capture])
    return found


def test_every_word_the_sample_publishes_is_content_or_a_label(tmp_path: Path) -> None:
    from conftest import ROOT

    assert generated_words(ROOT / "pelicanconf.py", CLOCK, tmp_path / "output") == set()


def test_every_word_a_synthetic_site_publishes_is_content_or_a_label(tmp_path: Path) -> None:
    from benchmark.synthetic import CLOCK as BENCH_CLOCK
    from benchmark.synthetic import write_site

    settings = write_site(tmp_path / "bench", 300)
    assert generated_words(settings, BENCH_CLOCK, tmp_path / "bench" / "output") == set()


def test_a_public_file_the_gate_cannot_read_fails_the_build(site: Site) -> None:
    page(site, "pages/ueber-uns.md", "Wir rösten.")

    def truncated_archive(context) -> None:  # e.g. a precompressed page cut short by a full disk
        target = context.site / "ueber-uns" / "index.html.gz"
        target.write_bytes(gzip.compress(" ".join(f"Kaffee{n}" for n in range(3000)).encode())[:-50])
        context.produced.add(str(target))

    with pytest.raises(LeakFound) as caught:
        build(Project(site.settings_file), parse_moment(CLOCK, "Europe/Berlin"),
              steps=[*default_steps(Project(site.settings_file)), truncated_archive])
    assert str(caught.value).splitlines()[:2] == [
        "Leak-Gate: 1 Datei, die es nicht lesen kann, und 0 Fingerabdrücke nicht öffentlicher Inhalte oder "
        "Kundendaten, wo sie nicht sein dürfen; nichts wurde veröffentlicht:",
        "  ueber-uns/index.html.gz: nicht vollständig lesbar, also nicht als sauber nachweisbar: gzip data cannot be "
        "read completely (Compressed file ended before the end-of-stream marker was reached)"]
    assert not site.output.exists()
