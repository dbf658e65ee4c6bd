"""What a build knows about the content: each source file, each item with its schedule, the registry of all
items, and the sources each audience's run is given. Data only: reading and validating them is the build's
(sitebuild/frontmatter.py, sitebuild/registry.py, sitebuild/sources.py)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from audiences.rules import Schedule, is_visible
from catalog.body import MEMBERS_ONLY, Body
from catalog.schema import ContentType

from .errors import ContentProblem
from .tiers import Tiers

ASSET_LINK = re.compile(r"\{(?:static|attach)\}(?P<path>[^)\s\"'>]+)")
FILENAME_LINK = re.compile(r"\{filename\}(?P<path>[^)\s\"'>]+)")


@dataclass
class Entry:
    key: str  # lower-cased: keys are case-insensitive
    value: str
    line: int


@dataclass
class SourceFile:
    """A content file's front matter, line by line, and its body."""

    path: str  # as shown to editors, e.g. content/products/geisha.md
    entries: dict[str, Entry] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # line number of the body's first line
    problems: list[ContentProblem] = field(default_factory=list)

    def value(self, key: str) -> str | None:
        entry = self.entries.get(key)
        return entry.value if entry and entry.value else None

    def line(self, key: str) -> int:
        entry = self.entries.get(key)
        return entry.line if entry else 1


@dataclass
class Item:
    """One content file: its type, identity, schedule and normalised front-matter values."""

    type: ContentType
    relpath: str  # relative to content/, posix, e.g. products/geisha.md
    source: SourceFile
    slug: str
    title: str
    schedule: Schedule
    values: dict[str, str]  # field → normalised value, as the Pelican runs are given it
    body: Body  # the body as every audience's run is given it: without HTML comments, with its markers found
    _assets: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def teaser(self) -> str:
        """The body before the members-only marker: all that the public may read."""
        return self.body.before(MEMBERS_ONLY)

    @property
    def members_part(self) -> str | None:
        """The body after the members-only marker, if it has one."""
        return self.body.after(MEMBERS_ONLY)

    def assets(self, *, body: str, fields: Iterable[str]) -> set[str]:
        """Content-relative paths of the files referred to by `body` ({static} links) and the image `fields`
        (remembered: the gate and the sources ask again for every build of a live preview)."""
        images = {name: self.values[name] for name in self.type.image_fields if name in self.values
                  and name in fields}
        key = (body, *images.values())
        if key not in self._assets:
            refs = set(images.values())
            base = posixpath.dirname(self.relpath)
            refs |= {resolve_link(match["path"], base) for match in ASSET_LINK.finditer(body)}
            self._assets[key] = frozenset(refs)
        return set(self._assets[key])


def resolve_link(link: str, base: str) -> str:
    """A `{static}` link's target relative to content/: absolute from content/, else from the linking file."""
    link = link.split("#", 1)[0].split("?", 1)[0]
    return posixpath.normpath(link.lstrip("/") if link.startswith("/") else posixpath.join(base, link))


@dataclass
class Registry:
    """Every item of a project, validated."""

    content_dir: Path
    items: list[Item]
    tiers: Tiers

    def visible(self, audience: str, clock: datetime) -> list[Item]:
        return [item for item in self.items if is_visible(item.schedule, audience, clock, self.tiers)]

    def of_type(self, folder: str) -> list[Item]:
        return [item for item in self.items if item.type.folder == folder]


@dataclass
class RunSources:
    """The sources given to one audience's run."""

    audience: str
    path: Path | None = None  # where they are written for the run
    items: list[Item] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # relpath → the copy's text
    assets: set[str] = field(default_factory=set)
