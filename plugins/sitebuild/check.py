"""The one validation of a project: settings, content and every capability's checks, every problem at once.

`invoke check` and every build run `validate()` first, so what the check accepts is exactly what the build
accepts. Every problem is a `ContentProblem` (`path:line: field: expected …, found …`) — a setting's names the
settings file and the line that sets it — and all of them are raised together as ContentErrors; warnings use the
same format and never stop anything. Capabilities add their checks through vorab.hooks.validating.
"""

from __future__ import annotations

import functools
import posixpath
import re
from datetime import datetime
from pathlib import Path

from catalog import URL_FOLDERS, default_settings
from vorab import hooks
from vorab.context import Settings, Validation
from vorab.errors import ContentErrors, ContentProblem, found
from vorab.messages import N_, _
from vorab.model import FILENAME_LINK, Item, Registry, resolve_link
from vorab.options import SLUG, Pattern, option_problems, setting_lines
from vorab.tiers import Tiers, setting_of

from .pipeline import load_project_registry
from .registry import FileMemo, source_files
from .settings import CORE_OPTIONS


def validate(settings: Settings, settings_file: Path, clock: datetime, memo: FileMemo | None = None) -> Validation:
    """Validate everything a build at `clock` reads; raise ContentErrors with every problem found. `memo`: what
    an earlier validation in this process found in files that have not changed since (by default, a new one: each
    file is read once however many checks read it)."""
    memo = memo or FileMemo()
    validation = Validation(settings, settings_file, None, clock, memo=memo)
    validation.problems += option_problems(settings, {**CORE_OPTIONS, **hooks.OPTIONS}, settings_file)
    tiers = _tier_problems(settings, settings_file)
    if tiers:  # every file is read against the tiers, and so is every capability's setting
        raise ContentErrors(validation.problems + tiers)
    validation.problems += _filename_link_problems(Path(settings["PATH"]), _newsletters(settings), memo)
    try:
        validation.registry = load_project_registry(settings, memo)
    except ContentErrors as error:
        validation.problems += error.problems
    if validation.registry is not None:
        validation.problems += _section_problems(validation.registry, settings)
        validation.warnings += _schedule_warnings(validation.registry)
    for validator in hooks.validating.receivers:
        validator(validation)
    if validation.problems:
        raise ContentErrors(validation.problems)
    return validation


def _tier_problems(settings: Settings, settings_file: Path) -> list[ContentProblem]:
    """The tiers: the public and at least one member tier, each once; each member tier's folder a folder name."""
    names = settings["AUDIENCE_TIERS"]
    lines = setting_lines(settings_file)
    problems = []
    if not isinstance(names, (list, tuple)) or len(names) < 2 or len(set(names)) != len(names):
        path, line = lines.get("AUDIENCE_TIERS", (settings_file.name, 1))
        return [ContentProblem(path, line, "AUDIENCE_TIERS", _("the public and at least one member tier, each once, "
                               "lowest first (e.g. ('public', 'members'))"), repr(names))]
    folder = Pattern(r"[\w-]+", N_("a folder name (letters, digits, _ -)"))
    for name in names[1:]:
        setting = setting_of(str(name), "PATH")
        value = settings.get(setting, name)
        if not (SLUG.accepts(name) and folder.accepts(value)):
            path, line = lines.get(setting, lines.get("AUDIENCE_TIERS", (settings_file.name, 1)))
            problems.append(ContentProblem(path, line, setting, folder.description(), found(str(value))))
    return problems


def _newsletters(settings: Settings) -> Path:
    return Path(settings["PATH"]).parent / str(settings["NEWSLETTER_PATH"])


# A Markdown link or image whose target is a plain relative path: `![Tüte](images/tuete.svg)`, `[Geisha](geisha.md)`
# (an image when a "!" stands before it). Neither this nor FILENAME_LINK spans a line.
PLAIN_LINK = re.compile(r"\[[^\]\n]*\]\((?P<path>(?![a-zA-Z][\w+.-]*:|[/#{])[^)\s]+)")


def _filename_link_problems(content: Path, newsletters: Path, memo: FileMemo) -> list[ContentProblem]:
    """Every `{filename}` link must name an existing file; a plain path to a file of content/ (which Pelican
    leaves as it is, broken on the site) is refused with the link to write instead, and a plain image path
    must name a file. Pelican resolves a link from the linking file's folder, or from content/ when it starts
    with '/'; newsletters sit beside content/ as newsletters/."""
    roots = {"": content, "newsletters": newsletters}
    problems = []
    for path, relpath, shown in memo.listed("sources", content,
                                            lambda: source_files(content, newsletters, content.parent)):
        check = functools.partial(_link_problems, memo.text(path), relpath, shown, roots)
        problems += memo.get("links", path, check)
    return problems


def _link_problems(text: str, relpath: str, shown: str, roots: dict[str, Path]) -> list[ContentProblem]:
    """The link problems of one file's text (see _filename_link_problems), line by line, outside code fences."""
    if "{filename}" not in text and "](" not in text:  # what every match of either holds
        return []
    lines = text.splitlines()
    fenced, inside = set(), False
    for number, line in enumerate(lines, 1) if "```" in text or "~~~" in text else ():
        if line.lstrip().startswith(("```", "~~~")):
            inside = not inside
        if inside:
            fenced.add(number)
    joined = "\n".join(lines)  # one pass over the file; a match's line is the newlines before it, plus one
    found_at: list[tuple[int, int, int, ContentProblem]] = []  # line, pattern, offset: the order of the text
    for order, pattern in enumerate((FILENAME_LINK, PLAIN_LINK)):
        for match in pattern.finditer(joined):
            number = joined.count("\n", 0, match.start()) + 1
            if number in fenced:
                continue
            problem = _link_problem(match, pattern is PLAIN_LINK and joined[match.start() - 1:match.start()] == "!",
                                    number, relpath, shown, roots)
            if problem is not None:
                found_at.append((number, order, match.start(), problem))
    return [problem for *_place, problem in sorted(found_at, key=lambda entry: entry[:3])]


def _link_problem(match: re.Match[str], image: bool, number: int, relpath: str, shown: str,
                  roots: dict[str, Path]) -> ContentProblem | None:
    target = _link_target(match["path"], relpath, roots)
    if match.re is FILENAME_LINK:
        return None if target.is_file() else ContentProblem(shown, number, _("link"),
                                                            _("an existing file under content/"), found(match["path"]))
    if target.is_file():
        tag = "{filename}" if target.suffix == ".md" else "{static}"
        written = "/" + resolve_link(match["path"], posixpath.dirname(relpath))
        return ContentProblem(shown, number, _("link"), _("{link} (a plain path to a file of content/ is broken on "
                                                          "the site)").format(link=tag + written), found(match["path"]))
    if image:
        return ContentProblem(shown, number, _("image"), _("an existing file under content/, written as "
                                                           "{static}/images/…"), found(match["path"]))
    return None


def _link_target(link: str, relpath: str, roots: dict[str, Path]) -> Path:
    """The file a link names, by Pelican's rule (resolve_link); newsletters/ lives beside content/."""
    top, _, rest = resolve_link(link, posixpath.dirname(relpath)).partition("/")
    return roots["newsletters"] / rest if top == "newsletters" and rest else roots[""] / top / rest


def reserved_folders(settings: Settings) -> dict[str, str]:
    """The top-level folders of every site that are not pages' → what they are, for messages."""
    tiers = Tiers.from_settings(settings)
    folders = {tiers.folder(tier): _("a member area") for tier in tiers.member_tiers}
    catalog = {**default_settings(), **settings}
    for name in URL_FOLDERS:
        folders.setdefault(catalog[f"{name.upper()}S_SAVE_AS"].split("/", 1)[0], _("a section"))
    folders.setdefault(settings.get("THEME_STATIC_DIR", "theme"), _("the theme's files"))
    for static in settings.get("STATIC_PATHS", ()):
        folders.setdefault(static.split("/", 1)[0], _("the images"))
    for folder, what in hooks.SITE_FOLDERS.items():
        folders.setdefault(folder, _(what))
    return folders


def _section_problems(registry: Registry, settings: Settings) -> list[ContentProblem]:
    """A page whose URL would land in a section (or a member area) would overwrite it or vanish behind the
    gate: its slug must name no section."""
    reserved = reserved_folders(settings)
    pattern = settings.get("PAGE_SAVE_AS", "{slug}/index.html")
    problems = []
    for item in registry.items:
        if item.type.folder != "pages":
            continue
        top = pattern.format(slug=item.slug).split("/", 1)[0]
        if top in reserved:
            shown = repr(item.slug) if item.source.value("slug") else \
                _("{slug} (from the file name)").format(slug=repr(item.slug))
            problems.append(ContentProblem(
                item.path, item.source.line("slug"), "slug",
                _("a slug that names no section of the site ({sections}); '{folder}' is {what}").format(
                    sections=", ".join(sorted(reserved)), folder=top, what=reserved[top]), shown))
    return problems


def _schedule_warnings(registry: Registry) -> list[ContentProblem]:
    """Schedules that are valid but almost certainly not what the editor meant."""
    return [warning for item in registry.items if not item.schedule.draft for warning in _item_warnings(item)]


def _item_warnings(item: Item) -> list[ContentProblem]:
    schedule, warnings = item.schedule, list[ContentProblem]()
    if schedule.expires is None or item.type.release_field:
        return warnings
    for name, moment, expected in (
            ("members_from", schedule.members_from, _("a moment before expires ({expires}) — no one will ever see it")),
            ("public_from", schedule.public_from, _("a moment before expires ({expires}) — it will never be public"))):
        if moment is not None and moment >= schedule.expires:
            warnings.append(ContentProblem(item.path, item.source.line(name), name,
                                           expected.format(expires=item.values["expires"]),
                                           found(item.source.value(name))))
    return warnings
