"""The audience model (docs/architecture.md §2): one visibility rule, used by every build, check and newsletter.

Audiences are tiers, lowest first (`public` < `members`; vorab/tiers.py); a further tier such as `gold` is one
more name in the `AUDIENCE_TIERS` setting. The lowest tier is the public.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from vorab.tiers import Tiers

DEFAULT_TIERS = Tiers()
NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Schedule:
    """When an item is visible to whom. `valid=False` (a field failed to parse) makes it visible to nobody."""

    audience: str
    draft: bool = False
    members_from: datetime | None = None
    public_from: datetime | None = None
    expires: datetime | None = None
    valid: bool = True
    public_until: datetime | None = None  # the end of a public window: from then on only its tier sees it
    tiers_from: tuple[tuple[str, datetime], ...] = ()  # (tier, `<tier>_from`) of the tiers above members

    def opens(self, tier: str, tiers: Tiers = DEFAULT_TIERS) -> datetime | None:
        """When a member tier first sees the item before its release: its own `<tier>_from`; without one,
        at once (None) in the item's own tier, as the next lower tier does above it, NEVER below it. (A
        public item is the members' at once before its `public_from`.)"""
        own = self.members_from if tier == tiers.members else dict(self.tiers_from).get(tier)
        if own is not None:
            return own
        rank, lowest = tiers.rank(tier), max(tiers.rank(self.audience), 1)
        if rank == lowest:
            return None
        return self.opens(tiers.names[rank - 1], tiers) if rank > lowest else NEVER

    def released(self, clock: datetime, tiers: Tiers = DEFAULT_TIERS) -> bool:
        """True when the item belongs to the public at `clock` (ignoring drafts and expiry): from `public_from`
        (without it: a public item, or one with a public window, from the start) until `public_until`."""
        if self.public_until is not None and clock >= self.public_until:
            return False
        if self.public_from is not None:
            return self.public_from <= clock
        return self.audience == tiers.public or self.public_until is not None

    def archived(self, clock: datetime) -> bool:
        """True once the item's public window has ended: it was public, and now only its tier sees it."""
        return self.public_until is not None and clock >= self.public_until

    def expired(self, clock: datetime) -> bool:
        return self.expires is not None and clock >= self.expires


def is_visible(schedule: Schedule, audience: str, clock: datetime, tiers: Tiers = DEFAULT_TIERS) -> bool:
    """The one rule: may `audience` see an item with this schedule at `clock`? Fails closed."""
    rank = tiers.rank(audience)  # ValueError for an unknown audience
    if not schedule.valid or schedule.draft or schedule.audience not in tiers:
        return False
    if schedule.expired(clock):
        return False
    if schedule.released(clock, tiers):
        return True  # every tier sees what the public sees
    # …and what every tier below it sees
    return any(opens is None or opens <= clock
               for tier in tiers.names[1:rank + 1] for opens in [schedule.opens(tier, tiers)])


def seen_from(schedule: Schedule, tier: str, tiers: Tiers = DEFAULT_TIERS) -> datetime | None:
    """The first moment `tier` sees the item (None: from the start, NEVER: never), drafts and expiry aside."""
    if schedule.public_from is not None:
        public: datetime | None = schedule.public_from
    else:
        public = None if schedule.audience == tiers.public or schedule.public_until is not None else NEVER
    moments = [public, *(schedule.opens(t, tiers) for t in tiers.names[1:tiers.rank(tier) + 1])]
    return None if None in moments else min(moment for moment in moments if moment is not None)


def lead_days(schedule: Schedule, tier: str, clock: datetime, tiers: Tiers = DEFAULT_TIERS) -> int | None:
    """Whole days (rounded up) that `tier` sees an item before the tier below it, counted from `clock` (or
    from when `tier` first sees it, if later); None when the tier below sees it already, or never will."""
    theirs = seen_from(schedule, tiers.below(tier) or tiers.public, tiers)
    if theirs is None or theirs == NEVER or theirs <= clock:
        return None
    ours = seen_from(schedule, tier, tiers)
    return math.ceil((theirs - max(clock, ours or clock)) / timedelta(days=1))


def head_start_days(schedule: Schedule, clock: datetime) -> int | None:
    """Whole days (rounded up) that members see an item before the public does, counted from `clock`."""
    if schedule.public_from is None or schedule.public_from <= clock:
        return None
    seen_from = max(clock, schedule.members_from) if schedule.members_from else clock
    return math.ceil((schedule.public_from - seen_from) / timedelta(days=1))


# The way German editors write a date and time: 15.01.2027, 1.2.2027, 15.01.2027 09:00, 15.01.2027, 9:00 Uhr
GERMAN_MOMENT = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:(?:,? +|T)(\d{1,2}):(\d{2})(?: *Uhr)?)?")


def is_date_only(text: str) -> bool:
    """A date without a time of day (2027-01-15 or 15.01.2027): the whole day, where a field means that."""
    text = text.strip()
    german = GERMAN_MOMENT.fullmatch(text)
    return german[4] is None if german else len(text) == 10


def parse_moment(text: str, timezone: str) -> datetime:
    """Parse an ISO 8601 date or date-time, or a German one (15.01.2027, 15.01.2027 09:00); without an offset it
    is in `timezone`. Raises ValueError."""
    text = text.strip()
    if german := GERMAN_MOMENT.fullmatch(text):
        day, month, year, hour, minute = german.groups()
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    elif len(text) == 10:
        day = date.fromisoformat(text)
        moment = datetime(day.year, day.month, day.day)
    else:
        moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment
