"""The one validation of a project: content, newsletters and settings, every problem at once.

`invoke check` and every build run `validate()` first, so what the check accepts is exactly what the build
accepts. Content errors are `ContentProblem`s (`path:line: field: expected …, found …`) raised together as
ContentErrors, preceded by the settings' problems if there are any; warnings use the same format and never stop
anything.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog import URL_FOLDERS, default_settings
from newsletter.issues import Issue, resolve_issues
from search import INDEX_FOLDER
from newsletter.settings import newsletter_settings
from seminars.sequence import sequence_problems

from .errors import BuildFailed, ContentErrors, ContentProblem, found
from .pipeline import audience_folder, load_project_registry
from .registry import FILENAME_LINK, Item, Registry, resolve_link



@dataclass
class Validation:
    """A project that passed: its registry, its newsletter issues (resolved once, reused by the build) and the
    warnings worth an editor's attention."""

    registry: Registry
    issues: list[Issue]
    warnings: list[ContentProblem] = field(default_factory=list)


def validate(settings: dict[str, Any], settings_file: Path) -> Validation:
    """Validate everything a build reads; raise ContentErrors with every problem found (BuildFailed when the
    settings are wrong too, the settings' problems first)."""
    problems = _filename_link_problems(Path(settings["PATH"]), _newsletters(settings))
    try:
        registry = load_project_registry(settings)
        problems += _section_problems(registry, settings)
        problems += sequence_problems(registry, settings)
        issues = resolve_issues(registry, settings)
    except ContentErrors as error:
        problems += error.problems
    try:
        newsletter_settings(settings)
    except ValueError as error:
        content = f"\n{ContentErrors(problems)}" if problems else ""
        raise BuildFailed(f"{settings_file.name}: newsletter settings:\n{error}{content}") from None
    if problems:
        raise ContentErrors(problems)
    return Validation(registry, issues, _schedule_warnings(registry))


def _newsletters(settings: dict[str, Any]) -> Path:
    return Path(settings["PATH"]).parent / settings.get("NEWSLETTER_PATH", "newsletters")


def _filename_link_problems(content: Path, newsletters: Path) -> list[ContentProblem]:
    """Every `{filename}` link must name an existing file. Pelican resolves a link from the linking file's
    folder, or from content/ when it starts with '/'; newsletters sit beside content/ as newsletters/."""
    roots = {"": content, "newsletters": newsletters}
    problems = []
    for prefix, root in roots.items():
        for path in sorted(root.rglob("*.md")) if root.is_dir() else []:
            relpath = posixpath.join(prefix, path.relative_to(root).as_posix())
            text = path.read_text(encoding="utf-8")
            if "{filename}" not in text:
                continue
            for number, line in enumerate(text.splitlines(), 1):
                for match in FILENAME_LINK.finditer(line):
                    if not _link_target(match["path"], relpath, roots).is_file():
                        shown = path.relative_to(content.parent).as_posix()
                        problems.append(ContentProblem(shown, number, "link", "an existing file under content/",
                                                       found(match["path"])))
    return problems


def _link_target(link: str, relpath: str, roots: dict[str, Path]) -> Path:
    """The file a link names, by Pelican's rule (resolve_link); newsletters/ lives beside content/."""
    top, _, rest = resolve_link(link, posixpath.dirname(relpath)).partition("/")
    return roots["newsletters"] / rest if top == "newsletters" and rest else roots[""] / top / rest


def reserved_folders(settings: dict[str, Any]) -> dict[str, str]:
    """The top-level folders of every site that are not pages' → what they are, for messages."""
    tiers = settings["AUDIENCE_TIERS"]
    folders = {audience_folder(settings, tier): "a member area" for tier in tiers[1:]}
    catalog = {**default_settings(), **settings}
    for name in URL_FOLDERS:
        folders.setdefault(catalog[f"{name.upper()}S_SAVE_AS"].split("/", 1)[0], "a section")
    folders.setdefault(settings.get("THEME_STATIC_DIR", "theme"), "the theme's files")
    for static in settings.get("STATIC_PATHS", ()):
        folders.setdefault(static.split("/", 1)[0], "the images")
    folders.setdefault(INDEX_FOLDER, "the search index")
    return folders


def _section_problems(registry: Registry, settings: dict[str, Any]) -> list[ContentProblem]:
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
            origin = "" if item.source.value("slug") else " (from the file name)"
            problems.append(ContentProblem(
                item.path, item.source.line("slug"), "slug",
                f"a slug that names no section of the site ({', '.join(sorted(reserved))}); "
                f"'{top}' is {reserved[top]}", f"{item.slug!r}{origin}"))
    return problems


def _schedule_warnings(registry: Registry) -> list[ContentProblem]:
    """Schedules that are valid but almost certainly not what the editor meant."""
    return [warning for item in registry.items if not item.schedule.draft for warning in _item_warnings(item)]


def _item_warnings(item: Item) -> list[ContentProblem]:
    schedule, warnings = item.schedule, []
    if schedule.expires is None or item.type.release_field:
        return warnings
    for name, moment, consequence in (("members_from", schedule.members_from, "no one will ever see it"),
                                      ("public_from", schedule.public_from, "it will never be public")):
        if moment is not None and moment >= schedule.expires:
            warnings.append(ContentProblem(item.path, item.source.line(name), name,
                                           f"a moment before expires ({item.values['expires']}) — {consequence}",
                                           found(item.source.value(name))))
    return warnings
