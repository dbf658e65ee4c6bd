"""What each audience's Pelican run is given: copies of only the sources that audience may see at the clock,
and only the assets those copies refer to (ARCHITECTURE §3). The public run cannot leak what it never read.

For the lowest tier (the public) each copy also loses its members-only part (everything after the
`<!-- members-only -->` marker) and its member-only fields (offer, offer code).
"""

from __future__ import annotations

import os
import posixpath
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .errors import ContentErrors, ContentProblem, found
from .registry import FILENAME_LINK, Item, Registry, resolve_link


@dataclass
class RunSources:
    """The sources given to one audience's run."""

    audience: str
    path: Path
    items: list[Item] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # relpath → the copy's text
    assets: set[str] = field(default_factory=set)


def source_copy(item: Item, *, public: bool) -> tuple[str, set[str]]:
    """The normalised source text of `item` as a run for the public (or for members) is given it, and the
    assets that text refers to."""
    values = {name: value for name, value in item.values.items()
              if not (public and name in item.type.member_only_fields)}
    body = item.source.body
    if public and item.members_part is not None:
        body = item.teaser
        values["teaser"] = "true"
    header = "\n".join(f"{name}: {value}" for name, value in values.items())
    return f"{header}\n\n{body.strip()}\n", item.assets(body=body, fields=values)


def write_run_sources(registry: Registry, audience: str, clock: datetime, target: Path) -> RunSources:
    """Write the copies; raise ContentErrors if a copy links to an item this audience may not see yet."""
    public = audience == registry.tiers[0]
    run = RunSources(audience, target)
    target.mkdir(parents=True, exist_ok=True)  # an audience may have nothing yet: still a (nearly empty) site
    visible = registry.visible(audience, clock)
    visible_paths = {item.relpath for item in visible}
    problems: list[ContentProblem] = []
    for item in visible:
        text, assets = source_copy(item, public=public)
        problems += _links_to_invisible(item, text, visible_paths, audience, clock)
        destination = target / item.relpath
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
        run.items.append(item)
        run.texts[item.relpath] = text
        run.assets |= assets
    if problems:
        raise ContentErrors(problems)
    for asset in sorted(run.assets):
        destination = target / asset
        destination.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(registry.content_dir / asset, destination)
    return run


def _links_to_invisible(item: Item, text: str, visible: set[str], audience: str,
                        clock: datetime) -> list[ContentProblem]:
    """A `{filename}` link to an item the audience may not see at the clock: Pelican could only leave it broken."""
    problems = []
    for match in FILENAME_LINK.finditer(text):
        target = resolve_link(match["path"], posixpath.dirname(item.relpath))
        if target.endswith(".md") and target not in visible:
            offset = next((n for n, line in enumerate(item.source.body.splitlines()) if match[0] in line), 0)
            problems.append(ContentProblem(
                item.path, item.source.body_line + offset, "link",
                f"a link to something the {audience} may see at {clock.isoformat(timespec='minutes')}",
                found(match["path"])))
    return problems


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
