"""What each audience's Pelican run is given: copies of only the sources that audience may see at the clock,
and only the assets those copies refer to (docs/architecture.md). The public run cannot leak what it never read.

For the lowest tier (the public) each copy also loses its members-only part (everything after the
`<!-- members-only -->` marker) and its member-only fields (offer, offer code).
"""

from __future__ import annotations

import os
import posixpath
import shutil
from datetime import datetime
from pathlib import Path

from vorab.errors import ContentErrors, ContentProblem, found
from vorab.messages import _
from vorab.model import FILENAME_LINK, Item, Registry, RunSources, resolve_link


def source_copy(item: Item, *, public: bool) -> tuple[str, set[str]]:
    """The normalised source text of `item` as a run for the public (or for members) is given it, and the
    assets that text refers to."""
    values = {name: value for name, value in item.values.items()
              if not (public and name in item.type.member_only_fields)}
    body = item.body.text
    if public and item.members_part is not None:
        body = item.teaser
        values["teaser"] = "true"
    header = "\n".join(f"{name}: {value}" for name, value in values.items())
    return f"{header}\n\n{body.strip()}\n", item.assets(body=body, fields=values)


Copies = dict[tuple[int, bool], tuple[Item, str, set[str]]]  # (id(item), public) → item, copy, assets


def run_sources(registry: Registry, audience: str, clock: datetime, copies: Copies | None = None) -> RunSources:
    """The copies and assets this audience is given at `clock` (not yet written anywhere); raise ContentErrors
    if a copy links to an item this audience may not see yet. `copies`: what earlier calls in this process made
    of the very same item objects (the live preview's validation keeps the items of unchanged files)."""
    public = registry.tiers.is_public(audience)
    run = RunSources(audience)
    visible = registry.visible(audience, clock)
    visible_paths = {item.relpath for item in visible}
    problems: list[ContentProblem] = []
    for item in visible:
        known = copies.get((id(item), public)) if copies is not None else None
        if known is not None and known[0] is item:
            text, assets = known[1], set(known[2])
        else:
            text, assets = source_copy(item, public=public)
            if copies is not None:
                copies[(id(item), public)] = (item, text, set(assets))
        problems += _links_to_invisible(item, text, visible_paths, audience, clock)
        run.items.append(item)
        run.texts[item.relpath] = text
        run.assets |= assets
    if problems:
        raise ContentErrors(problems)
    return run


def write_run_sources(registry: Registry, audience: str, clock: datetime, target: Path) -> RunSources:
    """Make `target` hold exactly the copies and assets this audience is given (run_sources).

    `target` persists between builds: files whose text is unchanged are left alone (creating files is the slow
    part of a build) and files no longer given are deleted, so the run never sees a stale source."""
    run = run_sources(registry, audience, clock)
    run.path = target
    target.mkdir(parents=True, exist_ok=True)  # an audience may have nothing yet: still a (nearly empty) site
    given = set(run.texts) | run.assets
    for path in [p for p in target.rglob("*") if p.is_file()]:
        if path.relative_to(target).as_posix() not in given:
            path.unlink()
    for relpath, text in run.texts.items():
        write_if_changed(target / relpath, text)
    for asset in sorted(run.assets):
        _link(registry.content_dir / asset, target / asset)
    return run


def write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _link(source: Path, destination: Path) -> None:
    """A hard link to the asset (a copy across file systems), replaced if it no longer is the same file."""
    if destination.exists():
        if os.path.samefile(source, destination):
            return
        destination.unlink()
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _links_to_invisible(item: Item, text: str, visible: set[str], audience: str,
                        clock: datetime) -> list[ContentProblem]:
    """A `{filename}` link to an item the audience may not see at the clock: Pelican could only leave it broken."""
    problems = []
    for match in FILENAME_LINK.finditer(text):
        target = resolve_link(match["path"], posixpath.dirname(item.relpath))
        if target.endswith(".md") and target not in visible:
            offset = next((n for n, line in enumerate(item.source.body.splitlines()) if match[0] in line), 0)
            problems.append(ContentProblem(
                item.path, item.source.body_line + offset, _("link"),
                _("a link to something the {audience} may see at {moment}").format(
                    audience=audience, moment=clock.isoformat(timespec="minutes")), found(match["path"])))
    return problems
