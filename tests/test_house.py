"""The house in order: capabilities plug in through vorab.hooks and the core imports none of them; check and build
accept and refuse the same projects with the same messages; errors say where."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from invoke import Context, Exit

from conftest import ROOT, THEME, Site
from sitebuild import BuildFailed, ContentErrors
from test_editor_check import load_tasks

PLUGINS = ROOT / "plugins"
CORE = {"sitebuild", "vorab", "leakgate", "audiences", "catalog", "outputs", "imaging"}
CAPABILITIES = {"gate", "newsletter", "search", "seminars", "faq", "design", "editor", "benchmark", "pictures",
                "sharing"}


def imports(package: str) -> set[tuple[str, str]]:
    """(module, imported module) for every import in a plugin package, function-level ones included."""
    found = set()
    for path in (PLUGINS / package).rglob("*.py"):
        module = ".".join((package, *path.relative_to(PLUGINS / package).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(module, alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add((module, node.module))
    return found


def test_every_plugin_package_is_core_or_a_capability() -> None:
    assert {path.name for path in PLUGINS.iterdir() if (path / "__init__.py").is_file()} == CORE | CAPABILITIES


@pytest.mark.parametrize("package", sorted(CORE))
def test_the_core_imports_no_capability(package: str) -> None:
    assert sorted((module, name) for module, name in imports(package)
                  if name.split(".")[0] in CAPABILITIES) == []


@pytest.mark.parametrize("package", sorted(CORE | CAPABILITIES - {"sitebuild"}))
def test_no_plugin_imports_the_pipeline(package: str) -> None:
    assert sorted((module, name) for module, name in imports(package) if name == "sitebuild.pipeline") == []


def test_the_leaf_imports_no_plugin_but_pure_data() -> None:
    """vorab is the shared vocabulary: it may read the schema, the body reader, the rule and fingerprints, all of
    which import nothing of the build."""
    allowed = {"audiences.rules", "catalog.body", "catalog.schema", "leakgate.fingerprints"}
    ours = {name for _module, name in imports("vorab") if name.split(".")[0] in CORE | CAPABILITIES}
    assert ours - {name for name in ours if name.startswith("vorab")} <= allowed


@pytest.mark.parametrize("package", sorted(CORE | CAPABILITIES))
def test_each_plugin_imports_alone(package: str) -> None:
    """In a fresh interpreter, with nothing imported before it: no import cycle hides behind an import order."""
    done = subprocess.run([sys.executable, "-c", f"import {package}"], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(PLUGINS), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr


# --- check and build agree -------------------------------------------------------------------------------------------

BAD_INPUTS: dict[str, dict[str, str]] = {
    "field typos and bad values": {
        "content/products/bohne.md": "title: Bohne\naudience: everyone\npublc_from: 2027-01-01\n\nText.\n",
        "content/seminars/kurs.md": "title: Kurs\nstart: 2027-05-14T18:00\nend: 2027-05-14T17:00\n\nText.\n"},
    "a misspelt marker and an unclosed comment": {
        "content/pages/info.md": "title: Info\n\nFür alle.\n\n<!-- members only: Preise -->\n\n<!-- Notiz\n"},
    "a page named like a section": {"content/pages/produkte.md": "title: Produkte\n\nText.\n"},
    "a missing link target": {"content/pages/info.md": "title: Info\n\n[Abo]({filename}/faq/abo.md)\n"},
    "an unknown contact": {"content/faq/abo.md": "title: Abo?\ncontact: jonsa\n\nText.\n"},
    "a newsletter featuring what members may not see yet": {
        "content/products/geisha.md": "title: Geisha\nmembers_from: 2027-03-01\n\nText.\n",
        "newsletters/februar.md": "subject: Februar\nsend_date: 2027-02-10\nproducts: geisha\n\nHallo.\n"},
    "a newsletter in a language the theme does not speak": {
        "newsletters/januar.md": "subject: Janvier\nlang: fr\nsend_date: 2027-01-10\n\nBonjour.\n"},
    "bad settings": {"pelicanconf.py+": 'GATE_HOSTING = "iis"\nNEWSLETTER_SITEURL = "http://x.example"\n'
                                        'FAQ_CATEGORY_ORDER = "Abo"\nGATE_BCRYPT_COST = 4\nDEFAULT_LANG = "fr"\n'},
    "settings and content wrong together": {
        "pelicanconf.py+": 'SEMINAR_FEED_SAVE_AS = "kalender"\n',
        "content/products/bohne.md": "title: Bohne\nimage: images/fehlt.svg\n\nText.\n"},
}


def write_project(site: Site, files: dict[str, str]) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    for name, text in files.items():
        if name == "pelicanconf.py+":
            site.settings_file.write_text(site.settings_file.read_text() + text, encoding="utf-8")
        else:
            path = site.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_check_and_build_refuse_the_same_with_the_same_messages(site: Site, monkeypatch: pytest.MonkeyPatch,
                                                                 name: str) -> None:
    write_project(site, BAD_INPUTS[name])
    with pytest.raises(Exit) as checked:
        load_tasks(monkeypatch, site.root).check(Context())
    with pytest.raises(ContentErrors) as built:
        site.build("2027-01-15T09:00")
    check_lines = checked.value.message.splitlines()
    assert check_lines[-1] == "Nach dem Beheben `invoke check` ausführen."
    assert check_lines[:-1] == str(built.value).splitlines()
    assert built.value.problems
    assert not site.output.exists()


def test_check_and_build_accept_the_same(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(site, {"content/faq/abo.md": "title: Abo?\n\n<!-- members-only -->\n\nText.\n"})
    load_tasks(monkeypatch, site.root).check(Context())
    site.build("2027-01-15T09:00")


# --- errors say where ------------------------------------------------------------------------------------------------

def broken_theme(tmp_path: Path, template: str, old: str, new: str) -> Path:
    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme)
    path = theme / template
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return theme


def line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_site_template_error_names_the_template_line_and_page_once(site: Site, tmp_path: Path) -> None:
    site.write("products/geisha.md", "title: Geisha\naudience: public\n\nBlumig.\n")
    theme = broken_theme(tmp_path, "templates/product.html", "<h1>{{ item.title }}</h1>",
                         "<h1>{{ item.title }}{{ item.farbe.name }}</h1>")
    site.use_theme(theme)
    with pytest.raises(BuildFailed) as caught:
        site.build("2027-01-15T09:00")
    line = line_of(theme / "templates" / "product.html", "item.farbe")
    assert str(caught.value).splitlines() == [
        "Pelican hat Probleme gemeldet; nichts wurde veröffentlicht:",
        f"  {theme / 'templates' / 'product.html'}:{line}: Vorlage: erwartet eine Vorlage ohne Fehler, gefunden "
        "UndefinedError: 'catalog.contents.Product object' has no attribute 'farbe' (beim Erzeugen von "
        "produkte/geisha/index.html aus content/products/geisha.md) [Website public, members]"]


def test_a_template_in_the_project_is_named_from_the_project(tmp_path: Path) -> None:
    """Inside the project, the template is shown as editors see it: themes/…, not an absolute path."""
    site = Site(tmp_path / "site", theme=tmp_path / "site" / "themes" / "mine")
    shutil.copytree(THEME, site.root / "themes" / "mine")
    template = site.root / "themes" / "mine" / "templates" / "page.html"
    template.write_text(template.read_text().replace("{% block content %}", "{% block content %}{{ page.nix.x }}", 1))
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    with pytest.raises(BuildFailed) as caught:
        site.build("2027-01-15T09:00")
    assert str(caught.value).splitlines()[1].startswith(
        f"  themes/mine/templates/page.html:{line_of(template, 'page.nix')}: Vorlage: erwartet eine Vorlage ohne "
        "Fehler, gefunden UndefinedError: ")
    assert "(beim Erzeugen von ueber-uns/index.html aus content/pages/ueber-uns.md) [Website public, members]" \
        in str(caught.value)


def test_an_email_template_error_names_the_template_line_and_issue(site: Site, tmp_path: Path) -> None:
    site.write("pages/ueber-uns.md", "title: Über uns\n\nWir rösten.\n")
    site.write("../newsletters/januar.md", "subject: Januar\nsend_date: 2027-01-10\n\nHallo.\n")
    theme = broken_theme(tmp_path, "newsletter/email.txt", "{{ greeting }}", "{{ greeting }}{{ issue.farbe.x }}")
    site.use_theme(theme)
    with pytest.raises(BuildFailed) as caught:
        site.build("2027-01-15T09:00")
    line = line_of(theme / "newsletter" / "email.txt", "issue.farbe")
    assert str(caught.value).splitlines() == [
        "Eine Newsletter-Vorlage ist fehlgeschlagen; nichts wurde veröffentlicht:",
        f"  {theme / 'newsletter' / 'email.txt'}:{line}: Vorlage: erwartet eine Vorlage ohne Fehler, gefunden "
        "UndefinedError: 'dict object' has no attribute 'farbe' (beim Erzeugen von der E-Mail zu "
        "newsletters/januar.md)"]


def test_every_reference_in_code_and_docs_resolves_inside_the_repository() -> None:
    """A clone is self-contained: every docs/… and plugins/… path that code or documentation names exists."""
    pattern = re.compile(r"(?<![\w./:-])((?:docs|plugins|themes)/[\w./-]*\w)")  # not inside another site's URL
    sources = [*PLUGINS.rglob("*.py"), *ROOT.glob("*.py"), *ROOT.glob("*.md"), *(ROOT / "docs").glob("*"),
               ROOT / ".gitignore", ROOT / "Makefile"]
    missing = set()
    for source in sources:
        for reference in pattern.findall(source.read_text(encoding="utf-8")):
            target = reference.split("#")[0]
            if not (ROOT / target).exists() and not any(char in target for char in "<{*"):
                missing.add(f"{source.relative_to(ROOT)}: {reference}")
    assert sorted(missing) == []
