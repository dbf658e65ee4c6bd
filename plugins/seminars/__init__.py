"""Seminar invitations for calendars, inside each audience's Pelican run: one .ics per seminar, one calendar feed
per audience, and "add to calendar" links for the templates. A run writes only the seminars it was given, so the
public feed can hold nothing but public seminars.

Settings (defaults set here): `SEMINAR_SITEURL` (absolute root of the public site, for the URLs and UIDs inside
calendars; default NEWSLETTER_SITEURL, else SITEURL), `SEMINAR_ICS_SAVE_AS` (default
`seminare/{slug}/{slug}.ics`), `SEMINAR_FEED_SAVE_AS` (default `seminare/kalender.ics`), `SEMINAR_FEED_NAME`
(default SITENAME).

Templates get `item.calendar` on every seminar (`ics`, `google`, `outlook`, `outlook_work`: URLs) and
`seminar_feed` (`url`, `webcal`).

The validation that every build and `invoke check` run (plugins/sitebuild/check.py) refuses, through
`sequence_problems`, a seminar whose time or place changed without a raised `sequence` (see sequence.py).
"""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import signals

from outputs import write_output
from vorab import hooks
from vorab.context import Settings, Validation
from vorab.history import read_history
from vorab.messages import N_
from vorab.options import Option, Pattern, Text, Url, fill_defaults
from vorab.tiers import Tiers

from .calendar import Event, calendar, calendar_links, interned, remembered, uid_for
from .sequence import sequence_problems

__all__ = ["SEMINAR_OPTIONS", "Event", "calendar_links", "register", "seminar_event", "sequence_problems",
           "uid_for"]

SEMINAR_OPTIONS: dict[str, Option] = {
    # The absolute root of the public site, for the URLs and UIDs inside calendars (even from a local build).
    "SEMINAR_SITEURL": Url(lambda s: s.get("NEWSLETTER_SITEURL") or s.get("SITEURL") or "", schemes=("https", "http")),
    "SEMINAR_ICS_SAVE_AS": Pattern(r"[\w./-]*\{slug\}[\w./{}-]*\.ics", N_("a path with {slug} that ends in .ics"),
                                   "seminare/{slug}/{slug}.ics"),
    "SEMINAR_FEED_SAVE_AS": Pattern(r"[\w./-]+\.ics", N_("a path that ends in .ics"), "seminare/kalender.ics"),
    "SEMINAR_FEED_NAME": Text(lambda s: s.get("SITENAME") or "Seminare"),
}


def set_defaults(pelican: Any) -> None:
    fill_defaults(pelican.settings, SEMINAR_OPTIONS)


def check_sequences(validation: Validation) -> None:
    """Validator: every seminar's `sequence` is high enough for calendars to take its time and place."""
    if validation.registry is not None:
        validation.problems += sequence_problems(validation.registry, validation.settings, validation.text)


def audience_root(settings: Settings) -> str:
    """Absolute URL of this run's site: the public root, or the member area's folder under it."""
    root = settings["SEMINAR_SITEURL"].rstrip("/")
    folder = Tiers.from_settings(settings).folder(settings["AUDIENCE"])
    return f"{root}/{folder}" if folder else root


def zone_of(item: Any, default: str) -> str:
    """The seminar's IANA zone name (Pelican may have turned a `timezone` field into a ZoneInfo)."""
    zone = getattr(item, "timezone", None)
    return getattr(zone, "key", None) or (zone if isinstance(zone, str) and zone else default)


def seminar_event(item: Any, settings: dict[str, Any], stamp: datetime | None = None, root: str | None = None) -> Event:
    """A seminar of this run as a calendar entry: the description is the summary, never the body, plus the
    meeting link where the run was given one (only members' runs are). `root`: audience_root(settings)."""
    description = _plain(item.metadata.get("summary") or "")
    if getattr(item, "online_url", None):
        description = f"{description}\n\nOnline: {item.online_url}".strip()
    return Event(slug=item.slug, title=item.title, start=item.start, end=item.end,
                 zone=zone_of(item, settings["TIMEZONE"]), location=getattr(item, "location", "") or "",
                 description=description, url=f"{root or audience_root(settings)}/{item.url}",
                 uid=uid_for(item.slug, settings["SEMINAR_SITEURL"]), sequence=getattr(item, "sequence", 0) or 0,
                 stamp=stamp)


def add_calendars(generators: list[Any]) -> None:
    """Give every seminar its calendar links, the context this audience's feed, and write one .ics per seminar
    and the feed. A VEVENT's DTSTAMP is when its seminar's file last changed (git, else the file's time), so a
    calendar file changes only when a seminar does; the build clock only where neither can tell."""
    context, settings = generators[0].context, generators[0].settings
    output = Path(generators[0].output_path)
    stamp = settings["AUDIENCE_CLOCK"].astimezone(UTC)
    seminars = context.get("seminars", [])
    source = Path(settings.get("CONTENT_SOURCE_PATH") or settings["PATH"])
    content = os.path.join(settings["PATH"], "")
    relpaths = [item.source_path.removeprefix(content).replace(os.sep, "/") for item in seminars]
    # One git log over the seminars' own folders, not the whole content's history
    history = read_history(source, sorted({relpath.split("/")[0] for relpath in relpaths})) if seminars else None
    cache = Path(settings.get("PROJECT_CACHE_PATH", settings["CACHE_PATH"]))
    events, root = [], audience_root(settings)
    feed = settings["SEMINAR_FEED_SAVE_AS"]
    feed_uid = uid_for(f"seminare-{settings['AUDIENCE']}", settings["SEMINAR_SITEURL"])
    with remembered(cache / f"calendars-{settings['AUDIENCE']}.pickle"):
        for item, relpath in zip(seminars, relpaths, strict=True):
            changed = history.last_change(relpath) if history else None
            event = interned(seminar_event(item, settings, changed or _file_time(source / relpath), root))
            events.append(event)
            ics = settings["SEMINAR_ICS_SAVE_AS"].format(slug=item.slug)
            item.calendar = calendar_links(event, ics)
            uid = uid_for(f"kalender-{item.slug}", settings["SEMINAR_SITEURL"])
            write_output(os.path.join(output, ics), calendar([event], name=event.title, uid=uid, stamp=stamp))
        write_output(output / feed, calendar(events, name=settings["SEMINAR_FEED_NAME"], uid=feed_uid, stamp=stamp))
    absolute = f"{root}/{feed}"
    context["seminar_feed"] = {"url": feed, "webcal": "webcal://" + absolute.split("://", 1)[-1]}


@functools.lru_cache(maxsize=8192)
def _plain(html: str) -> str:
    return Markup(html).striptags()  # noqa: S704 — tags stripped


def _file_time(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
    except OSError:
        return None


def register() -> None:
    hooks.options(SEMINAR_OPTIONS)
    hooks.validating.connect(check_sequences)
    signals.initialized.connect(set_defaults)
    signals.all_generators_finalized.connect(add_calendars)
