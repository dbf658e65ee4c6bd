"""The audience model inside each Pelican run: which audience this run builds for, at which clock, and each
content object's schedule (for badges such as "öffentlich ab 15. Januar 2027").

Settings: `AUDIENCE` (the audience this run builds for), `AUDIENCE_TIERS` (lowest first, default
public, members), `AUDIENCE_CLOCK` (an aware datetime; the build sets it), `AUDIENCE_PREVIEW_COUNT` (how many
previews members have now: the public "Für Kunden" page may say how many, never which), `AUDIENCE_ROBOTS_LINES`
(lines a capability adds to the public robots.txt); it sets `AUDIENCE_LABEL`, what pages call this run's readers
(vorab.tiers: `<TIER>_LABEL`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pelican import signals

from outputs import write_output
from vorab.tiers import DEFAULT_TIERS, Tiers

from .rules import NEVER, Schedule, head_start_days, lead_days, seen_from


def set_defaults(pelican: Any) -> None:
    settings = pelican.settings
    settings.setdefault("AUDIENCE_TIERS", DEFAULT_TIERS)
    settings.setdefault("AUDIENCE", settings["AUDIENCE_TIERS"][0])
    settings.setdefault("AUDIENCE_CLOCK", datetime.now(UTC))
    settings.setdefault("AUDIENCE_PREVIEW_COUNT", 0)
    settings["AUDIENCE_LABEL"] = Tiers.from_settings(settings).label(settings["AUDIENCE"])  # for the theme


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def attach_schedule(content: Any) -> None:
    """Give every content object its schedule and, for the templates, its preview state at the clock."""
    settings = content.settings
    if "AUDIENCE_CLOCK" not in settings:
        return  # a content object made outside our build (e.g. Pelican's static files)
    meta = content.metadata
    tiers = Tiers.from_settings(settings)
    schedule = Schedule(
        audience=meta.get("audience", tiers.public),
        members_from=_moment(meta.get("members_from")),
        public_from=_moment(meta.get("public_from")),
        expires=_moment(meta.get("expires")),
        public_until=_moment(meta.get("public_until")),
        tiers_from=tuple((tier, moment) for tier in tiers.above(tiers.members)
                         if (moment := _moment(meta.get(f"{tier}_from")))),
    )
    clock = settings["AUDIENCE_CLOCK"]
    content.schedule = schedule
    content.public_from = schedule.public_from
    content.members_from = schedule.members_from
    content.expires = schedule.expires
    content.public_until = schedule.public_until
    content.archived = schedule.archived(clock)  # was public for a while; now in the members' archive
    content.in_preview = not schedule.released(clock, tiers) and not content.archived
    content.head_start_days = head_start_days(schedule, clock)
    content.teaser_only = meta.get("teaser") == "true"
    content.tier_preview = _tier_preview(schedule, settings["AUDIENCE"], clock, tiers)


def _tier_preview(schedule: Schedule, audience: str, clock: datetime, tiers: Tiers) -> dict[str, Any] | None:
    """In the area of a tier above members, for an item the tier below does not see yet: when it will (None:
    never), how many days ahead this tier is, and what pages call both tiers' readers."""
    below = tiers.below(audience)
    if below is None or tiers.is_public(below):
        return None
    theirs = seen_from(schedule, below, tiers)
    if theirs is not None and theirs <= clock:
        return None
    return {"from": None if theirs == NEVER else theirs, "days": lead_days(schedule, audience, clock, tiers),
            "label": tiers.label(audience), "below": tiers.label(below)}


def write_robots_txt(pelican: Any) -> None:
    """The public site's robots.txt keeps crawlers out of every member folder (the server gate does the rest)."""
    settings = pelican.settings
    tiers = Tiers.from_settings(settings)
    if not tiers.is_public(settings["AUDIENCE"]):
        return
    rules = "".join(f"Disallow: /{tiers.folder(tier)}/\n" for tier in tiers.member_tiers)
    more = "".join(f"{line}\n" for line in settings.get("AUDIENCE_ROBOTS_LINES", ()))  # e.g. a capability's Sitemap:
    write_output(Path(pelican.output_path) / "robots.txt", f"User-agent: *\n{rules}{more}")


def register() -> None:
    signals.initialized.connect(set_defaults)
    signals.content_object_init.connect(attach_schedule)
    signals.finalized.connect(write_robots_txt)
