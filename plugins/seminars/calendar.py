"""Seminars as calendar entries: RFC 5545 files (icalendar) and "add to calendar" links, from plain data.

Used inside each audience's Pelican run (the .ics files and feeds) and by the newsletter (the same links), so
both say the same date, place and identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
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


def uid_for(slug: str, site_url: str) -> str:
    """Stable across builds and edits of the title: the slug at the site's host."""
    return f"{slug}@{urlsplit(site_url).hostname or 'vorab.invalid'}"


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def vevent(event: Event, stamp: datetime) -> icalendar.Event:
    return icalendar.Event.new(
        uid=event.uid, sequence=event.sequence, stamp=stamp.astimezone(UTC), summary=event.title,
        start=local(event.start, event.zone), end=local(event.end, event.zone), location=event.location or None,
        description=event.description or None, url=event.url)


def calendar(events: list[Event], *, name: str, uid: str, stamp: datetime) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH: an offer to add, not a meeting request) with the VTIMEZONE of every zone
    its events use, for the whole years from the year before the first event to the year after the last.

    Each component is serialised once and shared: a seminar's own file and the feed hold the same VEVENT, and
    all files of a build hold the same few VTIMEZONEs (building and folding them was most of a build's
    calendar time)."""
    frame: bytes = icalendar.Calendar.new(name=name, prodid=PRODID, method="PUBLISH", uid=uid).to_ical()
    body = b""
    if events:
        first = min(event.start for event in events).year - 1
        last = max(event.end for event in events).year + 1
        body = b"".join(_vtimezone(zone, first, last) for zone in sorted({event.zone for event in events}))
        body += b"".join(_vevent(event, stamp) for event in events)
    end = b"END:VCALENDAR\r\n"
    return frame.removesuffix(end) + body + end


@cache
def _vevent(event: Event, stamp: datetime) -> bytes:
    data: bytes = vevent(event, stamp).to_ical()
    return data


@cache
def _vtimezone(zone: str, first_year: int, last_year: int) -> bytes:
    data: bytes = icalendar.Timezone.from_tzid(zone, first_date=date(first_year, 1, 1),
                                               last_date=date(last_year, 12, 31)).to_ical()
    return data


def google_url(event: Event) -> str:
    utc = "%Y%m%dT%H%M%SZ"
    dates = f"{event.start.astimezone(UTC):{utc}}/{event.end.astimezone(UTC):{utc}}"
    query = {"action": "TEMPLATE", "text": event.title, "dates": dates, "ctz": event.zone,
             "details": _details(event), "location": event.location}
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_url(event: Event) -> str:
    query = {"rru": "addevent", "path": "/calendar/action/compose", "subject": event.title,
             "startdt": local(event.start, event.zone).isoformat(), "enddt": local(event.end, event.zone).isoformat(),
             "body": _details(event), "location": event.location}
    return "https://outlook.office.com/calendar/action/compose?" + urlencode(query)


def _details(event: Event) -> str:
    return f"{event.description}\n\n{event.url}".strip()
