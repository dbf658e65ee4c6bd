"""Seminars in calendars: .ics per seminar and a feed per audience (icalendar), time zones, members-only
seminars and meeting links never public, the upcoming/past split at the build clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from conftest import Site
from sitebuild import ContentErrors

CLOCK = "2027-01-15T09:00"
CANARY_TITLE, CANARY_TEXT, CANARY_LINK = "kanarienseminar", "kanarienbeschreibung", "kanarienraum"


def write_seminars(site: Site) -> None:
    site.write("contacts/lena.md", """\
        name: Lena Hofmann
        audience: public
        email: lena@example.org
        """)
    site.write("seminars/sommer.md", f"""\
        title: Sommer-Cupping
        summary: Verkostung im Juli.
        audience: public
        start: 2027-07-01T18:00
        end: 2027-07-01T20:00
        timezone: Europe/Berlin
        location: Rösterei, Freiburg
        contact: lena
        capacity: 12
        online_url: https://meet.example.org/{CANARY_LINK}

        Öffentlicher Text.
        """)
    site.write("seminars/winter.md", """\
        title: Winter-Cupping
        summary: Verkostung im Januar.
        audience: public
        start: 2028-01-20T18:00
        end: 2028-01-20T20:00
        timezone: Europe/Berlin
        location: Rösterei, Freiburg
        register_url: https://example.org/anmelden
        booked_out: yes

        Öffentlicher Text.
        """)
    site.write("seminars/geheim.md", f"""\
        title: Das {CANARY_TITLE} für Stammkunden
        summary: Eine {CANARY_TEXT} Verkostung nur für Kunden.
        start: 2027-03-01T18:00
        end: 2027-03-01T20:00
        timezone: America/New_York
        location: Kundenraum

        Nur für Kunden.
        """)


def calendar_of(site: Site, relpath: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical((site.output / relpath).read_bytes())


def events_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_ics_files_and_feeds_parse_with_time_zones(site: Site) -> None:
    write_seminars(site)
    site.build(CLOCK)
    summer = calendar_of(site, "seminare/sommer/sommer.ics")
    winter = calendar_of(site, "seminare/winter/winter.ics")
    for cal in (summer, winter, calendar_of(site, "seminare/kalender.ics"),
                calendar_of(site, "members/seminare/kalender.ics")):
        assert "Europe/Berlin" in {tz.tz_name for tz in cal.timezones}  # a VTIMEZONE, not just a TZID
        assert not cal.get_missing_tzids()
    (summer_event,) = summer.events
    (winter_event,) = winter.events
    assert summer_event.start.utcoffset() == timedelta(hours=2)
    assert winter_event.start.utcoffset() == timedelta(hours=1)
    assert summer_event.start.tzinfo.key == "Europe/Berlin"
    assert str(summer_event["UID"]) == "sommer@www.morgenrot-kaffee.example"
    assert summer_event["URL"] == "https://www.morgenrot-kaffee.example/seminare/sommer/"
    assert str(summer_event["DESCRIPTION"]) == "Verkostung im Juli."
    assert str(summer_event["LOCATION"]) == "Rösterei, Freiburg"
    assert summer_event["SEQUENCE"] == 0 and "DTSTAMP" in summer_event
    # The members' feed holds every seminar members see, the public one only the public ones.
    public_feed = events_by_uid(calendar_of(site, "seminare/kalender.ics"))
    members_feed = events_by_uid(calendar_of(site, "members/seminare/kalender.ics"))
    assert set(public_feed) == {"sommer@www.morgenrot-kaffee.example", "winter@www.morgenrot-kaffee.example"}
    assert set(members_feed) == set(public_feed) | {"geheim@www.morgenrot-kaffee.example"}
    secret = members_feed["geheim@www.morgenrot-kaffee.example"]
    assert secret.start.tzinfo.key == "America/New_York" and secret.start.utcoffset() == timedelta(hours=-5)
    # Only the members' copy of a public seminar carries its meeting link.
    assert CANARY_LINK in str(members_feed["sommer@www.morgenrot-kaffee.example"]["DESCRIPTION"])
    assert CANARY_LINK not in str(public_feed["sommer@www.morgenrot-kaffee.example"]["DESCRIPTION"])


def test_members_only_seminar_and_meeting_links_never_public(site: Site) -> None:
    write_seminars(site)
    result = site.build(CLOCK)
    assert result.gate.passed
    public = site.files(members=False)
    for name, data in public.items():
        text = (name + data.decode("utf-8", "replace")).lower()
        for canary in (CANARY_TITLE, CANARY_TEXT, CANARY_LINK, "geheim"):
            assert canary not in text, f"{canary} in public {name}"
    members = b"".join(site.files(members=True).values()).decode("utf-8", "replace")
    assert CANARY_TITLE in members and CANARY_TEXT in members and CANARY_LINK in members


def test_seminar_page_links_calendars_and_registration(site: Site) -> None:
    write_seminars(site)
    site.build(CLOCK)
    page = (site.output / "seminare" / "sommer" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../seminare/sommer/sommer.ics"' in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert "dates=20270701T160000Z%2F20270701T180000Z" in page
    for host in ("outlook.live.com", "outlook.office.com"):  # personal and Microsoft 365, the same deeplink
        assert (f"https://{host}/calendar/0/deeplink/compose?path=%2Fcalendar%2Faction%2Fcompose&amp;rru=addevent"
                f"&amp;subject=Sommer-Cupping&amp;startdt=2027-07-01T16%3A00%3A00Z&amp;enddt=2027-07-01T18%3A00%3A00Z"
                in page)
    assert "mailto:lena@example.org?subject=Anmeldung%3A%20Sommer-Cupping%20am%201.%20Juli%202027" in page
    assert "12 Plätze" in page and "Mitteleuropäische Sommerzeit" in page
    winter = (site.output / "seminare" / "winter" / "index.html").read_text(encoding="utf-8")
    assert "Ausgebucht" in winter and "https://example.org/anmelden" not in winter
    listing = (site.output / "seminare" / "index.html").read_text(encoding="utf-8")
    assert 'href="webcal://www.morgenrot-kaffee.example/seminare/kalender.ics"' in listing
    members_listing = (site.output / "members" / "seminare" / "index.html").read_text(encoding="utf-8")
    assert 'href="webcal://www.morgenrot-kaffee.example/members/seminare/kalender.ics"' in members_listing


def upcoming_and_archive(site: Site, members: bool = False) -> tuple[str, str]:
    root = site.output / "members" if members else site.output
    page = (root / "seminare" / "index.html").read_text(encoding="utf-8")
    upcoming, _, archive = page.partition('id="archive-heading"')
    return upcoming, archive


@pytest.mark.parametrize(("clock", "past"), [("2027-07-01T19:59:59", False), ("2027-07-01T20:00:01", True)])
def test_upcoming_past_split_at_the_end(site: Site, clock: str, past: bool) -> None:
    write_seminars(site)
    site.build(clock)
    for members in (False, True):
        upcoming, archive = upcoming_and_archive(site, members)
        assert ("Sommer-Cupping" in archive) is past
        assert ("Sommer-Cupping" in upcoming) is not past
        assert "Winter-Cupping" in upcoming
    page = (site.output / "seminare" / "sommer" / "index.html").read_text(encoding="utf-8")
    assert ("Dieses Seminar hat bereits stattgefunden." in page) is past
    assert ("Per E-Mail anmelden" in page) is not past


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("end", "2027-07-01T17:00", "einen Zeitpunkt nach start (2027-07-01T18:00:00+02:00)"),
    ("timezone", "Europe/Freiburg", "eine IANA-Zeitzone (z. B. Europe/Berlin)"),
    ("booked_out", "vielleicht", "ja oder nein"),
])
def test_bad_times_and_zones_are_errors(site: Site, field: str, value: str, expected: str) -> None:
    lines = {"title": "Kurs", "start": "2027-07-01T18:00", "end": "2027-07-01T20:00", field: value}
    site.write("seminars/kurs.md", "\n".join(f"{k}: {v}" for k, v in lines.items()) + "\n\nText.\n")
    with pytest.raises(ContentErrors) as caught:
        site.build(CLOCK)
    assert [str(problem) for problem in caught.value.problems] == [
        f"content/seminars/kurs.md:{list(lines).index(field) + 1}: {field}: erwartet {expected}, gefunden {value!r}"]


def test_calendar_from_shared_components_equals_one_built_whole() -> None:
    """The components a build serialises once and shares give the bytes icalendar writes for the whole object
    (the VTIMEZONEs are ours: test_calendar_parsers checks them against tzdata in four parsers)."""
    from seminars.calendar import PRODID, Event, _vtimezone, calendar, vevent

    berlin, new_york = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
    events = [Event("a", "Röstkurs", datetime(2027, 7, 1, 18, tzinfo=berlin), datetime(2027, 7, 1, 20, tzinfo=berlin),
                    "Europe/Berlin", "Freiburg", "Kurs", "https://x.example/a/", "a@x.example", 2),
              Event("b", "Online", datetime(2028, 1, 5, 9, tzinfo=new_york), datetime(2028, 1, 5, 10, tzinfo=new_york),
                    "America/New_York", "", "", "https://x.example/b/", "b@x.example")]
    stamp = datetime(2027, 1, 15, 9, tzinfo=berlin)
    whole = icalendar.Calendar.new(name="Seminare", prodid=PRODID, method="PUBLISH", uid="feed@x.example",
                                   subcomponents=[
        *(icalendar.Timezone.from_ical(_vtimezone(zone, 2026, 2029)) for zone in ("America/New_York", "Europe/Berlin")),
        *(vevent(event, stamp) for event in events)])
    assert calendar(events, name="Seminare", uid="feed@x.example", stamp=stamp) == whole.to_ical()


def test_calendars_are_remembered_between_builds_by_what_they_are_made_of(site: Site) -> None:
    """Each run keeps its serialised VEVENTs in cache/ (icalendar was most of a warm run's calendar time): the
    next build writes the same bytes from them, a memory written by other code is ignored, and the memory holds
    exactly the run's current seminars."""
    import pickle

    from seminars.calendar import CALENDAR_CODE

    write_seminars(site)
    site.build(CLOCK)
    fresh = {name: data for name, data in site.files(members=False).items() if name.endswith(".ics")}
    memory = site.root / "cache" / "calendars-public.pickle"
    def held() -> tuple[str, dict, dict]:
        code, tables = pickle.loads(memory.read_bytes())  # noqa: S301 — the test site's own cache/
        return code, tables["vevents"], tables["calendars"]

    code, vevents, calendars = held()
    assert code == CALENDAR_CODE and {event.slug for event, _stamp in vevents} == {"sommer", "winter"}
    assert len(calendars) == 3  # each seminar's own and the feed
    canary = dict.fromkeys(calendars, b"BEGIN:VCALENDAR\r\nX-WR-CALNAME:kanarienalt\r\nEND:VCALENDAR\r\n")

    # A memory of other code: ignored (and replaced)
    memory.write_bytes(pickle.dumps(("other code", {"vevents": vevents, "calendars": canary})))
    site.build(CLOCK)
    assert {name: data for name, data in site.files(members=False).items() if name.endswith(".ics")} == fresh
    assert held()[0] == CALENDAR_CODE

    # This code's memory is what the calendars are made of: a remembered VEVENT goes into the feed made anew
    # after another seminar went, and the memory forgets that seminar
    summer = next(key for key in vevents if key[0].slug == "sommer")
    memory.write_bytes(pickle.dumps((CALENDAR_CODE, {"vevents": {**vevents, summer: vevents[summer].replace(
        b"SUMMARY:Sommer-Cupping", b"SUMMARY:Sommer-Kanarie")}, "calendars": calendars})))
    site.remove("seminars/winter.md")
    site.build(CLOCK)
    assert b"SUMMARY:Sommer-Kanarie" in (site.output / "seminare/kalender.ics").read_bytes()
    assert b"SUMMARY:Sommer-Cupping" in (site.output / "seminare/sommer/sommer.ics").read_bytes()  # remembered whole
    _code, vevents, calendars = held()
    assert {event.slug for event, _stamp in vevents} == {"sommer"} and len(calendars) == 2
