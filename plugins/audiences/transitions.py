"""The release calendar's reading of a registry: every coming moment at which what an audience sees changes, in
time order.

Transitions are not worked out from the fields: at each moment an item names (members_from, public_from,
public_until, expires, a newsletter's send_date) the one visibility rule is asked just before and at that moment, so the
calendar cannot disagree with the build. Seminars' start times are listed as events of their own. Every moment
is given in the zone of the moment the calendar starts from (the site's).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from vorab.messages import N_, _
from vorab.model import Item, Registry
from vorab.tiers import Tiers

from .rules import head_start_days, is_visible

INSTANT = timedelta(microseconds=1)


VISIBLE, PUBLIC, EXPIRES = N_("visible to {audience}"), N_("public"), N_("expires")
ARCHIVED = N_("no longer public: {audience} only (archive)")
SENT, STARTS = N_("newsletter sent to {audience}"), N_("seminar starts")


@dataclass(frozen=True)
class Transition:
    moment: datetime
    event: str  # VISIBLE, PUBLIC, ARCHIVED, EXPIRES, SENT or STARTS
    path: str
    title: str
    head_start_days: int | None = None  # for a members' transition: days before the public sees the item
    never_public: bool = False  # members see it from here on, the public never will
    audience: str = ""  # who sees it, or gets the newsletter

    @property
    def what(self) -> str:
        """What happens, in English for machines (schedule --json): e.g. "visible to members", "public"."""
        return self.event.format(audience=self.audience)

    @property
    def shown(self) -> str:
        """What happens, in the language of messages."""
        return _(self.event).format(audience=self.audience)


def transitions(registry: Registry, start: datetime, end: datetime | None = None) -> list[Transition]:
    """Every transition in (start, end], earliest first (end None: no limit)."""
    found = [replace(t, moment=t.moment.astimezone(start.tzinfo))  # in the site's zone, like the clock
             for item in registry.items for t in _item_transitions(item, registry.tiers, start)
             if start < t.moment and (end is None or t.moment <= end)]
    return sorted(found, key=lambda t: (t.moment, t.path, t.what))


def next_transition(registry: Registry, clock: datetime) -> Transition | None:
    coming = transitions(registry, clock)
    return coming[0] if coming else None


def _item_transitions(item: Item, tiers: Tiers, start: datetime) -> list[Transition]:
    schedule = item.schedule
    if schedule.draft or not schedule.valid:
        return []
    moments = {m for m in (schedule.members_from, schedule.public_from, schedule.public_until, schedule.expires)
               if m is not None}
    found = [t for moment in sorted(moments) if (t := _change_at(item, moment, tiers, start))]
    if item.type.folder == "seminars":
        found.append(Transition(datetime.fromisoformat(item.values["start"]), STARTS, item.path, item.title))
    return found


def _change_at(item: Item, moment: datetime, tiers: Tiers, start: datetime) -> Transition | None:
    """What changes for `item` at `moment`, by the visibility rule; None if nothing does. The head start of a
    public release is counted from when members see the item, or from `start` if they already do."""
    schedule = item.schedule
    before = {a for a in tiers if is_visible(schedule, a, moment - INSTANT, tiers)}
    after = {a for a in tiers if is_visible(schedule, a, moment, tiers)}
    if before == after:
        return None
    gained = after - before
    if not gained:
        if after:  # the public window ended; the lowest tier that still sees it keeps it
            return Transition(moment, ARCHIVED, item.path, item.title, audience=min(after, key=tiers.rank))
        return Transition(moment, EXPIRES, item.path, item.title)
    lowest = min(gained, key=tiers.rank)
    if item.type.release_field:
        return Transition(moment, SENT, item.path, item.title, audience=schedule.audience)
    if tiers.is_public(lowest):
        return Transition(moment, PUBLIC, item.path, item.title, head_start_days(schedule, start))
    public_later = schedule.public_from is not None and not schedule.expired(schedule.public_from)
    return Transition(moment, VISIBLE, item.path, item.title, head_start_days(schedule, moment),
                      never_public=not public_later and not tiers.is_public(schedule.audience), audience=lowest)
