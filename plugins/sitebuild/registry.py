"""The front-matter registry (docs/architecture.md): every item of `content/`, validated, with its schedule.

Reading only front matter and raw bodies is cheap; it lets the build decide, before Pelican runs, which sources
each audience's run is given. All problems of all files are collected and raised together.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from audiences.rules import Schedule, is_date_only, parse_moment
from catalog.body import read_body
from catalog.schema import ASSET_FOLDER, BY_FOLDER, STATUSES, ContentType, Field, Kind
from catalog.slugs import slugify
from vorab.errors import ContentErrors, ContentProblem, found
from vorab.messages import _
from vorab.model import ASSET_LINK, Item, Registry, SourceFile, resolve_link
from vorab.tiers import Tiers

from .frontmatter import parse_source

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
T = TypeVar("T")
FLAGS = {"yes": "yes", "ja": "yes", "true": "yes", "no": "no", "nein": "no", "false": "no"}


class FileMemo:
    """What the validation found in each file, for a process that validates the same tree again and again and is
    told which files changed (the live preview, by its file watcher): a file is read again only once `changed()`
    names it, and no other file is even looked at. Valid only while no file appears or disappears and no setting
    changes (a file's checks look at other files and at the settings): clear() then."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, Path], Any] = {}
        self._listed: dict[tuple[str, Path], Any] = {}

    def listed(self, kind: str, root: Path, compute: Callable[[], T]) -> T:
        """What `compute` lists of the files under `root`: the same until clear() (no file came or went)."""
        if (kind, root) not in self._listed:
            self._listed[(kind, root)] = compute()
        return cast(T, self._listed[(kind, root)])

    def get(self, kind: str, path: Path, compute: Callable[[], T]) -> T:
        """What `compute` found in `path`, as `kind` of finding: computed again only after `changed()`."""
        if (kind, path) not in self._found:
            self._found[(kind, path)] = compute()
        return cast(T, self._found[(kind, path)])

    def changed(self, paths: Iterable[Path]) -> None:
        """Forget what was found in `paths` (as the validation names them: under the settings' PATH)."""
        gone = set(paths)
        for key in [key for key in self._found if key[1] in gone]:
            del self._found[key]

    def text(self, path: Path) -> str:
        """The file's text, read once (the kind Validation.text reads too)."""
        return self.get("text", path, lambda: path.read_text(encoding="utf-8"))

    def clear(self) -> None:
        self._found.clear()
        self._listed.clear()


def source_files(content_dir: Path, newsletters_dir: Path | None, display_root: Path) -> list[tuple[Path, str, str]]:
    """Every Markdown file of the content (and the newsletter issues), sorted: the file, its path in the registry
    (relative to `content_dir`; an issue's under "newsletters/"), and as editors see it (from `display_root`)."""
    sources = [(path, path.relative_to(content_dir).as_posix()) for path in sorted(content_dir.rglob("*.md"))]
    if newsletters_dir is not None and newsletters_dir.is_dir():
        sources += [(path, f"newsletters/{path.relative_to(newsletters_dir).as_posix()}")
                    for path in sorted(newsletters_dir.rglob("*.md"))]
    return [(path, relpath, path.relative_to(display_root).as_posix()) for path, relpath in sources]


def tier_fields(tiers: Tiers) -> list[str]:
    """The front-matter fields of the tiers above members, lowest first: ["gold_from"]."""
    return [f"{tier}_from" for tier in tiers.above(tiers.members)]


def load_registry(
    content_dir: Path,
    *,
    timezone: str,
    tiers: Tiers,
    templates: frozenset[str] = frozenset(),
    display_root: Path | None = None,
    newsletters_dir: Path | None = None,
    memo: FileMemo | None = None,
) -> Registry:
    """Read and validate every Markdown file under `content_dir` (and the newsletter issues); raise
    ContentErrors listing every problem. `memo`: the validation's, which the other checks read through too."""
    display_root = display_root or content_dir.parent
    memo = memo or FileMemo()
    problems: list[ContentProblem] = []
    items: list[Item] = []
    listing = memo.listed("sources", content_dir, lambda: source_files(content_dir, newsletters_dir, display_root))
    for path, relpath, shown in listing:
        folder = relpath.split("/", 1)[0] if "/" in relpath else ""
        content_type = BY_FOLDER.get(folder)
        if content_type is None:
            problems.append(ContentProblem(shown, 1, _("folder"), _("one of {choices}").format(
                choices=", ".join(BY_FOLDER)), found(folder)))
            continue
        def check(path: Path = path, shown: str = shown, relpath: str = relpath,
                  content_type: ContentType = content_type) -> tuple[Item | None, list[ContentProblem]]:
            source = parse_source(memo.text(path), shown)
            item = _ItemChecker(content_dir, content_type, source, relpath, timezone, tiers, templates).check()
            return item, source.problems

        item, found_problems = memo.get("item", path, check)
        problems.extend(found_problems)
        if item is not None:
            items.append(item)
    problems.extend(_duplicate_slugs(items))
    if problems:
        raise ContentErrors(problems)
    return Registry(content_dir, items, tiers)


class _ItemChecker:
    """Validates one source file against its content type, field by field."""

    def __init__(self, content_dir: Path, content_type: ContentType, source: SourceFile, relpath: str,
                 timezone: str, tiers: Tiers, templates: frozenset[str]) -> None:
        self.content_dir = content_dir
        self.type = content_type
        self.source = source
        self.relpath = relpath
        self.timezone = timezone
        self.tiers = tiers
        self.templates = templates
        self.values: dict[str, str] = {}
        self.moments: dict[str, datetime] = {}
        self.fields = dict(content_type.fields)
        if "members_from" in self.fields:  # each tier above members has its own: gold_from
            self.fields |= {name: Field(name, Kind.MOMENT) for name in tier_fields(tiers)}

    def problem(self, field: str, expected: str, found_value: str | None) -> None:
        self.source.problems.append(
            ContentProblem(self.source.path, self.source.line(field), field, expected, found(found_value)))

    def check(self) -> Item | None:
        errors_before = len(self.source.problems)
        for key in self.source.entries:
            if key not in self.fields:
                close = difflib.get_close_matches(key, self.fields, n=1)
                expected = _("a field of {folder} (did you mean '{close}'?)") if close else _("a field of {folder}")
                self.problem(key, expected.format(folder=self.type.folder, close=close[0] if close else ""), key)
        # Seminars' times are in their own zone: read the zone first.
        ordered = sorted(self.fields.values(), key=lambda f: f.kind is not Kind.TIMEZONE)
        for spec in ordered:
            raw = self.source.value(spec.name)
            if raw is None:
                if spec.required:
                    self.problem(spec.name, _("a {field}").format(field=spec.name), None)
                continue
            value = self.check_value(spec, raw)
            if value is not None:
                self.values[spec.name] = value
        self.check_relations()
        self.check_body_links()
        body = read_body(self.source.body, self.type.markers)
        self.source.problems.extend(ContentProblem(self.source.path, self.source.body_line + problem.line,
                                                   problem.field, problem.expected, problem.found)
                                    for problem in body.problems)
        title = self.values.get(self.type.title_field, "")
        slug = self.values.get("slug") or slugify(posixpath.splitext(posixpath.basename(self.relpath))[0])
        self.values["slug"] = slug
        self.values["title"] = title
        self.values.setdefault("audience", self.type.default_audience)
        members_from, public_from = self.moments.get("members_from"), self.moments.get("public_from")
        if self.type.release_field:
            members_from = self.moments.get(self.type.release_field)
            public_from = members_from if self.tiers.is_public(self.values["audience"]) else None
        schedule = Schedule(
            audience=self.values["audience"],
            draft=self.values.get("status") == "draft",
            members_from=members_from,
            public_from=public_from,
            public_until=self.moments.get("public_until"),
            tiers_from=tuple((tier, self.moments[f"{tier}_from"]) for tier in self.tiers.above(self.tiers.members)
                             if f"{tier}_from" in self.moments),
            expires=self.moments.get("expires"),
            valid=len(self.source.problems) == errors_before,
        )
        return Item(self.type, self.relpath, self.source, slug, title, schedule, self.values, body)

    def check_value(self, spec: Field, raw: str) -> str | None:
        """Return the normalised value, or None after recording a problem."""
        kind = spec.kind
        if kind is Kind.MOMENT:
            zone = self.values.get("timezone", self.timezone) if spec.own_zone else self.timezone
            try:
                moment = parse_moment(raw, zone)
            except ValueError:
                self.problem(spec.name, _(kind.value), raw)
                return None
            if spec.whole_day and is_date_only(raw):
                moment = moment.replace(hour=23, minute=59, second=59)
            self.moments[spec.name] = moment
            return moment.isoformat()
        if kind is Kind.AUDIENCE and raw not in self.tiers:
            self.problem(spec.name, _("one of {choices}").format(choices=self.tiers), raw)
            return None
        if kind is Kind.STATUS and raw not in STATUSES:
            self.problem(spec.name, _("one of {choices}").format(choices=", ".join(STATUSES)), raw)
            return None
        if kind is Kind.SLUG and not SLUG.fullmatch(raw):
            self.problem(spec.name, _(kind.value), raw)
            return None
        if kind is Kind.INTEGER and not re.fullmatch(r"-?\d+", raw):
            self.problem(spec.name, _(kind.value), raw)
            return None
        if kind is Kind.FLAG:
            if raw.lower() in FLAGS:
                return FLAGS[raw.lower()]
            self.problem(spec.name, _(kind.value), raw)
            return None
        if kind is Kind.URL and not raw.startswith(("https://", "mailto:")):
            self.problem(spec.name, _(kind.value), raw)
            return None
        if kind is Kind.EMAIL and not EMAIL.fullmatch(raw):
            self.problem(spec.name, _(kind.value), raw)
            return None
        if kind is Kind.TIMEZONE:
            try:
                ZoneInfo(raw)
            except (ZoneInfoNotFoundError, ValueError):
                self.problem(spec.name, _(kind.value), raw)
                return None
        if kind is Kind.TEMPLATE and self.templates and raw not in self.templates:
            self.problem(spec.name, _("one of the theme's templates ({choices})").format(
                choices=", ".join(sorted(self.templates))), raw)
            return None
        if kind is Kind.IMAGE:
            return self.check_image(spec, raw)
        if spec.markdown:  # its HTML comments must reach no output either
            text = read_body(raw, ())
            for problem in text.problems:
                self.problem(spec.name, problem.expected, raw)
            return text.text
        if kind in (Kind.LIST, Kind.REFERENCES):
            return ", ".join(part.strip() for part in raw.split(",") if part.strip())
        return raw

    def check_image(self, spec: Field, raw: str) -> str | None:
        path = posixpath.normpath(raw.lstrip("/"))
        if not self.asset_exists(path):
            self.problem(spec.name, _("an existing file under {folder}").format(folder=f"content/{ASSET_FOLDER}/"),
                         raw)
            return None
        if spec.alt and not self.source.value(spec.alt):
            self.problem(spec.alt, _("alternative text for {field} '{value}'").format(field=spec.name, value=raw),
                         None)
        return path

    def asset_exists(self, path: str) -> bool:
        return (path.startswith(f"{ASSET_FOLDER}/") and ".." not in path.split("/")
                and (self.content_dir / path).is_file())

    def check_relations(self) -> None:
        members_from, public_from = self.moments.get("members_from"), self.moments.get("public_from")
        if members_from and public_from and members_from > public_from:
            self.problem("members_from", _("a moment no later than public_from ({moment})").format(
                moment=self.values["public_from"]), self.source.value("members_from"))
        self.check_tier_order()
        public_until = self.moments.get("public_until")
        if public_until and public_from and public_until <= public_from:
            self.problem("public_until", _("a moment after public_from ({moment})").format(
                moment=self.values["public_from"]), self.source.value("public_until"))
        if public_until and members_from and not public_from and members_from >= public_until:
            self.problem("members_from", _("a moment before public_until ({moment})").format(
                moment=self.values["public_until"]), self.source.value("members_from"))
        start, end = self.moments.get("start"), self.moments.get("end")
        if start and end and end < start:
            self.problem("end", _("a moment after start ({moment})").format(moment=self.values["start"]),
                         self.source.value("end"))

    def check_tier_order(self) -> None:
        """A higher tier sees an item no later than a lower one: gold_from ≤ members_from ≤ public_from."""
        names = [*tier_fields(self.tiers)[::-1], "members_from", "public_from"]  # highest tier first
        for index, higher in enumerate(names[:-2]):
            later = next((name for name in names[index + 1:] if name in self.moments), None)
            if higher in self.moments and later and self.moments[higher] > self.moments[later]:
                self.problem(higher, _("a moment no later than {field} ({moment})").format(
                    field=later, moment=self.values[later]), self.source.value(higher))

    def check_body_links(self) -> None:
        base = posixpath.dirname(self.relpath)
        for offset, line in enumerate(self.source.body.splitlines()):
            for match in ASSET_LINK.finditer(line):
                if not self.asset_exists(resolve_link(match["path"], base)):
                    number = self.source.body_line + offset
                    self.source.problems.append(ContentProblem(
                        self.source.path, number, _("body"),
                        _("an existing file under {folder}").format(folder=f"content/{ASSET_FOLDER}/"),
                        found(match["path"])))


def _duplicate_slugs(items: list[Item]) -> list[ContentProblem]:
    """Slugs are unique across all types: a slug is an identity (and a leak-gate fingerprint)."""
    first: dict[str, Item] = {}
    problems = []
    for item in items:
        other = first.setdefault(item.slug, item)
        if other is not item:
            problems.append(ContentProblem(item.path, item.source.line("slug"), "slug",
                                           _("a slug not used elsewhere (it is used by {path})").format(
                                               path=other.path), found(item.slug)))
    return problems
