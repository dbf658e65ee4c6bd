"""Calendar files as calendar apps read them: every seminar resolves to the tzdata instant in Python's icalendar
and vobject (with the file's own VTIMEZONE), Mozilla's ical.js (Thunderbird) and node-ical — in five zones, in
both weeks of the clock changes, and in every .ics of the sample."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from conftest import ROOT, build_sample, needs_node_module
from seminars.calendar import Event, calendar

ZONES = ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Istanbul", "America/New_York")
# Local starts around the changes: the evening before, of and after each (spring and autumn, EU and US rules)
DAYS = ("2027-03-13", "2027-03-14", "2027-03-15", "2027-03-27", "2027-03-28", "2027-03-29", "2027-07-01",
        "2027-10-30", "2027-10-31", "2027-11-01", "2027-11-06", "2027-11-07", "2027-11-08", "2028-01-10")


def events() -> list[Event]:
    found = []
    for zone in ZONES:
        for day in DAYS:
            for hour in (1, 2, 3, 18):  # the hours the changes happen in, and an evening seminar
                start = datetime.fromisoformat(f"{day}T{hour:02d}:30").replace(tzinfo=ZoneInfo(zone))
                if start.replace(fold=1).utcoffset() != start.utcoffset():
                    continue  # a local time that does not exist or exists twice: parsers differ, RFC 5545 3.3.5
                slug = f"{zone.replace('/', '-').lower()}-{day}-{hour}"
                found.append(Event(slug, slug, start, start + timedelta(hours=2), zone, "Freiburg", "",
                                   f"https://x.example/{slug}/", f"{slug}@x.example"))
    return found


def expected(events: list[Event]) -> dict[str, list[str]]:
    utc = "%Y-%m-%dT%H:%M:%S.000Z"
    return {event.uid: [f"{event.start.astimezone(UTC):{utc}}", f"{event.end.astimezone(UTC):{utc}}"]
            for event in events}


def icalendar_instants(data: bytes) -> dict[str, list[str]]:
    """icalendar, with the zones built from the file's VTIMEZONEs (not its own copy of tzdata)."""
    parsed = icalendar.Calendar.from_ical(data)
    zones = {str(vtimezone["TZID"]): vtimezone.to_tz() for vtimezone in parsed.walk("VTIMEZONE")}
    found = {}
    for vevent in parsed.walk("VEVENT"):
        moments = []
        for name in ("DTSTART", "DTEND"):
            prop = vevent[name]
            local = datetime.strptime(prop.to_ical().decode(), "%Y%m%dT%H%M%S")
            moment = local.replace(tzinfo=zones[prop.params["TZID"]]).astimezone(UTC)
            moments.append(f"{moment:%Y-%m-%dT%H:%M:%S.000Z}")
        found[str(vevent["UID"])] = moments
    return found


def vobject_instants(data: bytes) -> dict[str, list[str]]:
    """vobject, which builds its zones from the file's VTIMEZONEs too. It keeps them by TZID for the whole
    process, so each file starts with none, as in a calendar app that reads one file."""
    import vobject

    vars(vobject.icalendar)["__tzidMap"].clear()
    return {vevent.uid.value: [f"{getattr(vevent, name).value.astimezone(UTC):%Y-%m-%dT%H:%M:%S.000Z}"
                               for name in ("dtstart", "dtend")]
            for vevent in vobject.readOne(data.decode()).vevent_list}


def javascript_instants(*files: Path) -> dict[str, dict[str, dict[str, list[str]]]]:
    done = subprocess.run(["node", str(ROOT / "tests" / "js" / "ics_instants.js"), *map(str, files)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return {file: {parser: {uid: [start, end] for uid, start, end in found} for parser, found in parsers.items()}
            for file, parsers in json.loads(done.stdout).items()}


def test_every_parser_reads_every_zone_and_clock_change_as_tzdata(tmp_path: Path) -> None:
    seminars = events()
    data = calendar(seminars, name="Seminare", uid="feed@x.example", stamp=datetime(2027, 1, 1, tzinfo=UTC))
    want = expected(seminars)
    assert icalendar_instants(data) == want
    assert vobject_instants(data) == want
    needs_node_module("ical.js")
    needs_node_module("node-ical")
    feed = tmp_path / "feed.ics"
    feed.write_bytes(data)
    for parser, found in javascript_instants(feed)[str(feed)].items():
        wrong = {uid: (found.get(uid), moments) for uid, moments in want.items() if found.get(uid) != moments}
        assert wrong == {}, parser


def test_onsets_are_the_local_time_before_the_change() -> None:
    """RFC 5545 3.6.5: Berlin's summer time begins at 02:00 local standard time, and ends at 03:00 summer time."""
    event = events()[0]
    text = calendar([event], name="x", uid="x@x.example", stamp=datetime(2027, 1, 1, tzinfo=UTC)).decode()
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nRDATE:20270328T020000\r\nRDATE:20280326T020000\r\n" in text
    assert "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nRDATE:20271031T030000\r\nRDATE:20281029T030000\r\n" in text


def test_every_ics_of_the_sample_reads_the_same_everywhere(tmp_path: Path) -> None:
    output = build_sample(tmp_path, "2027-01-15T09:00").output
    files = sorted(output.rglob("*.ics"))
    assert len(files) >= 6
    for file in files:
        parsed = icalendar.Calendar.from_ical(file.read_bytes())
        want = {str(vevent["UID"]): [f"{vevent.decoded(name).astimezone(UTC):%Y-%m-%dT%H:%M:%S.000Z}"
                                     for name in ("DTSTART", "DTEND")] for vevent in parsed.walk("VEVENT")}
        assert icalendar_instants(file.read_bytes()) == want == vobject_instants(file.read_bytes()), file
    needs_node_module("ical.js")
    needs_node_module("node-ical")
    for file, parsers in javascript_instants(*files).items():
        want = icalendar_instants(Path(file).read_bytes())
        assert parsers == {"ical.js": want, "node-ical": want}, file


@pytest.mark.parametrize("zone", ZONES)
def test_vtimezone_covers_every_hour_of_the_years_it_names(zone: str) -> None:
    """Hour by hour through 2027, the file's VTIMEZONE (as icalendar reads it) gives tzdata's UTC offset."""
    event = next(event for event in events() if event.zone == zone)
    parsed = icalendar.Calendar.from_ical(calendar([event], name="x", uid="x@x.example",
                                                   stamp=datetime(2027, 1, 1, tzinfo=UTC)))
    [vtimezone] = parsed.walk("VTIMEZONE")
    theirs, ours = vtimezone.to_tz(), ZoneInfo(zone)
    moment = datetime(2027, 1, 1, tzinfo=UTC)
    wrong = []
    while moment.year == 2027:
        if moment.astimezone(theirs).utcoffset() != moment.astimezone(ours).utcoffset():
            wrong.append(moment)
        moment += timedelta(hours=1)
    assert wrong == []
