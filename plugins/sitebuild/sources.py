"""What each audience's Pelican run is given: copies of only the sources that audience may see at the clock,
and only the assets those copies refer to (ARCHITECTURE §3). The public run cannot leak what it never read.

For the lowest tier (the public) each copy also loses its members-only part (everything after the
`<!-- members-only -->` marker) and its member-only fields (offer, offer code).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .registry import Item, Registry


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
    public = audience == registry.tiers[0]
    run = RunSources(audience, target)
    for item in registry.visible(audience, clock):
        text, assets = source_copy(item, public=public)
        destination = target / item.relpath
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
        run.items.append(item)
        run.texts[item.relpath] = text
        run.assets |= assets
    for asset in sorted(run.assets):
        destination = target / asset
        destination.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(registry.content_dir / asset, destination)
    return run


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
