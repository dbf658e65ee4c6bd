"""Seminars as calendar entries: RFC 5545 files (icalendar) and "add to calendar" links, from plain data.

Used inside each audience's Pelican run (the .ics files and feeds) and by the newsletter (the same links), so
both say the same date, place and identity.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//Vorab//Seminare//DE"
# The names (RFC 5545) the calendars hold besides content: the leak gate reads them as labels, like the theme.
ICALENDAR_NAMES = ("BEGIN END VCALENDAR VEVENT VTIMEZONE STANDARD DAYLIGHT VERSION PRODID CALSCALE GREGORIAN METHOD "
                   "PUBLISH NAME X-WR-CALNAME UID DTSTAMP DTSTART DTEND SUMMARY LOCATION DESCRIPTION URL SEQUENCE "
                   "TZID TZNAME TZOFFSETFROM TZOFFSETTO RRULE RDATE EXDATE FREQ YEARLY BYMONTH BYDAY UNTIL VALUE DATE")


@dataclass(frozen=True)
class Event:
    """One seminar as a calendar sees it. `description` is plain text made from the summary only."""

    slug: str
    title: str
    start: datetime
    end: datetime
    zone: str  # IANA name; start and end are shown and written in it
    location: str
    description: str
    url: str  # absolute URL of the seminar's page
    uid: str
    sequence: int = 0  # raised by the editor whenever time or place change (see README)
    stamp: datetime | None = None  # DTSTAMP: when the seminar's file last changed (None: the calendar's stamp)


def uid_for(slug: str, site_url: str) -> str:
    """Stable across builds and edits of the title: the slug at the site's host."""
    return f"{slug}@{urlsplit(site_url).hostname or 'vorab.invalid'}"


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def vevent(event: Event, stamp: datetime) -> icalendar.Event:
    return icalendar.Event.new(
        uid=event.uid, sequence=event.sequence, stamp=(event.stamp or stamp).astimezone(UTC), summary=event.title,
        start=local(event.start, event.zone), end=local(event.end, event.zone), location=event.location or None,
        description=event.description or None, url=event.url)


def calendar(events: list[Event], *, name: str, uid: str, stamp: datetime) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH: an offer to add, not a meeting request) with the VTIMEZONE of every zone
    its events use, for the whole years from the year before the first event to the year after the last.

    Each component is serialised once and shared: a seminar's own file and the feed hold the same VEVENT, and
    all files of a build hold the same few VTIMEZONEs (building and folding them was most of a build's
    calendar time). Whole calendars and VEVENTs are remembered by what they are made of (see `remembered`)."""
    vevents = tuple(vevent_key(event, stamp) for event in events)
    _USED["vevents"].update(vevents)  # a feed made later may need them

    def make() -> bytes:
        frame: bytes = icalendar.Calendar.new(name=name, prodid=PRODID, method="PUBLISH", uid=uid).to_ical()
        body = b""
        if events:
            first = min(event.start for event in events).year - 1
            last = max(event.end for event in events).year + 1
            body = b"".join(_vtimezone(zone, first, last) for zone in sorted({event.zone for event in events}))
            body += b"".join(_vevent(event, stamp) for event in events)
        end = b"END:VCALENDAR\r\n"
        return frame.removesuffix(end) + body + end

    made: bytes = _made("calendars", (vevents, name, uid), make)
    return made


def interned(event: Event) -> Event:
    """The one object of all equal events this process has seen: the memory's lookups and comparisons then go
    by identity (an Event's `==` compares eleven fields; a live preview's update compared thousands)."""
    return _INTERNED.setdefault(event, event)


_INTERNED: dict[Event, Event] = {}


def vevent_key(event: Event, stamp: datetime) -> tuple[Event, datetime | None]:
    """What a VEVENT's bytes are made of: the event, and the calendar's stamp where the event has none."""
    return event, None if event.stamp else stamp


def _vevent(event: Event, stamp: datetime) -> bytes:
    made: bytes = _made("vevents", vevent_key(event, stamp), lambda: vevent(event, stamp).to_ical())
    return made


# What this module made (VEVENTs, whole calendars, "add to calendar" links) by what each is made of: made once
# per process, and kept between runs in the file each run loads and saves (`remembered`, seminars.add_calendars):
# icalendar and urlencode were most of a warm run's calendar time.
_TABLES: dict[str, dict[Any, Any]] = {"vevents": {}, "calendars": {}, "links": {}}
_USED: dict[str, set[Any]] = {name: set() for name in _TABLES}  # since `remembered` began
_HELD: dict[Path, dict[str, set[Any]]] = {}  # what each file holds, as this process knows it
_NEW: dict[str, int] = dict.fromkeys(_TABLES, 0)  # how many this process made
# What a file of them must have been written by: this module and icalendar, as they are now.
CALENDAR_CODE = hashlib.blake2b(Path(__file__).read_bytes() + icalendar.__version__.encode(),
                                digest_size=16).hexdigest()


def _made(table: str, key: Any, make: Callable[[], Any]) -> Any:
    _USED[table].add(key)
    known = _TABLES[table]
    if key not in known:
        known[key] = make()
        _NEW[table] += 1
    return known[key]


@contextlib.contextmanager
def remembered(path: Path) -> Iterator[None]:
    """Make calendars and links with what `path` remembers (if this code wrote it; read once per process), and
    leave it holding exactly what was made inside (written whole, then moved into place; only if that changed)."""
    if path not in _HELD:
        try:
            code, tables = pickle.loads(path.read_bytes())  # noqa: S301 — the project's own cache/
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            code, tables = None, {}
        tables = tables if code == CALENDAR_CODE else {}
        for name, known in _TABLES.items():
            known.update(tables.get(name, {}))
        _HELD[path] = {name: set(tables.get(name, {})) for name in _TABLES}
    for used in _USED.values():
        used.clear()
    made = dict(_NEW)
    yield
    # Nothing made and as many used as held is the same set (a live preview's update of other pages), unless an
    # edit brought back what an earlier one made: then the file keeps the older set. It decides only what is
    # made again, never what a file holds.
    same = made == _NEW and all(len(_USED[name]) == len(_HELD[path][name]) for name in _TABLES)
    if not same and _HELD[path] != _USED:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        tables = {name: {key: _TABLES[name][key] for key in used} for name, used in _USED.items()}
        temporary.write_bytes(pickle.dumps((CALENDAR_CODE, tables)))
        temporary.replace(path)
        _HELD[path] = {name: set(used) for name, used in _USED.items()}


@cache
def _vtimezone(zone: str, first_year: int, last_year: int) -> bytes:
    """The zone's VTIMEZONE for the whole years first_year to last_year, from tzdata.

    Each onset is the local time *before* the change, as RFC 5545 (3.6.5) wants it: the spring change in Berlin
    is 02:00, not 03:00 (icalendar's from_tzid writes the time after it), and one RDATE per line: Mozilla's
    ical.js (Thunderbird) misreads the comma-separated list from_tzid writes, an hour off all summer."""
    tz = ZoneInfo(zone)
    start = datetime(first_year, 1, 1, tzinfo=tz).astimezone(UTC)  # local midnight of 1 January
    initial = _state(start, tz)
    lines = [f"BEGIN:VTIMEZONE\r\nTZID:{zone}\r\n".encode()]
    lines.append(_observance(initial, initial[0], [start + initial[0]]))
    observances: dict[tuple[timedelta, _State], list[datetime]] = {}  # (offset before, state after): onsets
    before = initial
    for change in _changes(tz, start, datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(UTC)):
        after = _state(change, tz)
        observances.setdefault((before[0], after), []).append(change + before[0])
        before = after
    for (offset_from, after), onsets in observances.items():
        lines.append(_observance(after, offset_from, onsets))
    lines.append(b"END:VTIMEZONE\r\n")
    return b"".join(lines)


_State = tuple[timedelta, timedelta, str]  # UTC offset, daylight-saving part, abbreviation


def _state(moment: datetime, tz: ZoneInfo) -> _State:
    here = moment.astimezone(tz)
    return here.utcoffset() or timedelta(0), here.dst() or timedelta(0), here.tzname() or ""


def _changes(tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Every instant in [start, end) at which the zone's state changes: day by day, then to the minute."""
    minute, day = timedelta(minutes=1), timedelta(days=1)
    changes, moment, state = [], start, _state(start, tz)
    while moment < end:
        following = moment + day
        if _state(following, tz) != state:
            low, high = moment, following
            while high - low > minute:
                middle = low + (high - low) // minute // 2 * minute
                low, high = (middle, high) if _state(middle, tz) == state else (low, middle)
            changes.append(high)
            state = _state(high, tz)
        moment = following
    return changes


def _observance(state: _State, offset_from: timedelta, onsets: list[datetime]) -> bytes:
    """A STANDARD or DAYLIGHT component; `onsets` are UTC instants shifted into the offset before them."""
    offset_to, daylight, name = state
    kind = "DAYLIGHT" if daylight else "STANDARD"
    local = [f"{onset:%Y%m%dT%H%M%S}" for onset in onsets]
    rdates = "".join(f"RDATE:{onset}\r\n" for onset in local[1:])
    return (f"BEGIN:{kind}\r\nDTSTART:{local[0]}\r\n{rdates}TZNAME:{name}\r\nTZOFFSETFROM:{_offset(offset_from)}\r\n"
            f"TZOFFSETTO:{_offset(offset_to)}\r\nEND:{kind}\r\n").encode()


def _offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def google_url(event: Event) -> str:
    utc = "%Y%m%dT%H%M%SZ"
    dates = f"{event.start.astimezone(UTC):{utc}}/{event.end.astimezone(UTC):{utc}}"
    query = {"action": "TEMPLATE", "text": event.title, "dates": dates, "ctz": event.zone,
             "details": _details(event), "location": event.location}
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


OUTLOOK = {"outlook": "outlook.live.com", "outlook_work": "outlook.office.com"}  # personal, Microsoft 365


def outlook_url(event: Event, host: str) -> str:
    """Outlook on the web's compose deeplink (the form Microsoft gives for Outlook.com and Microsoft 365:
    /calendar/0/deeplink/compose, start and end as UTC ISO 8601 with Z)."""
    utc = "%Y-%m-%dT%H:%M:%SZ"
    query = {"path": "/calendar/action/compose", "rru": "addevent", "subject": event.title,
             "startdt": f"{event.start.astimezone(UTC):{utc}}", "enddt": f"{event.end.astimezone(UTC):{utc}}",
             "body": _details(event), "location": event.location}
    return f"https://{host}/calendar/0/deeplink/compose?" + urlencode(query)


def calendar_links(event: Event, ics: str) -> dict[str, str]:
    """What templates get as `calendar`: the .ics, Google's link and both Outlooks' (remembered, as calendars)."""
    def make() -> dict[str, str]:
        outlooks = {name: outlook_url(event, host) for name, host in OUTLOOK.items()}
        return {"ics": ics, "google": google_url(event), **outlooks}

    return dict(_made("links", (event, ics), make))


def _details(event: Event) -> str:
    return f"{event.description}\n\n{event.url}".strip()
