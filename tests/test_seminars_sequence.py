"""SEQUENCE: a seminar whose time or place changed needs a raised `sequence`; the UID never changes."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import icalendar
import pytest

from conftest import Site
from seminars.sequence import required_sequence
from sitebuild import ContentErrors

CLOCK = "2027-01-15T09:00"
SEMINAR = """\
    title: {title}
    start: {start}
    end: 2027-07-01T20:00
    timezone: Europe/Berlin
    location: Rösterei
    {sequence}
    Text.
    """


def version(start: str = "2027-07-01T18:00", sequence: int | None = None, title: str = "Cupping") -> str:
    line = f"sequence: {sequence}\n" if sequence is not None else ""
    return SEMINAR.format(title=title, start=start, sequence=line).replace("    ", "")


def git(site: Site, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args], cwd=site.root,
                   check=True, capture_output=True)


def commit(site: Site, text: str) -> None:
    site.write("pages/start.md", "title: Start\n\nWillkommen.\n")  # the public run needs a source
    site.write("seminars/cupping.md", text)
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "edit")


def event(site: Site) -> icalendar.Event:
    ics = site.output / "members" / "seminare" / "cupping" / "cupping.ics"
    (only,) = icalendar.Calendar.from_ical(ics.read_bytes()).events
    return only


def test_changed_start_needs_a_raised_sequence_and_keeps_the_uid(site: Site) -> None:
    git(site, "init", "-q")
    commit(site, version())
    site.build(CLOCK)
    first = event(site)
    assert first["SEQUENCE"] == 0

    site.write("seminars/cupping.md", version(start="2027-07-01T18:30"))
    with pytest.raises(ContentErrors) as caught:
        site.build(CLOCK)
    assert [str(problem) for problem in caught.value.problems] == [
        "content/seminars/cupping.md:2: sequence: erwartet mindestens 1: start, end, timezone oder location weichen "
        "von einer früheren Fassung ab, also brauchen Kalender, die sie übernommen haben, eine höhere sequence, "
        "gefunden '0'"]

    commit(site, version(start="2027-07-01T18:30", sequence=1, title="Cupping am Abend"))
    site.build(CLOCK)
    moved = event(site)
    assert moved["SEQUENCE"] == 1 > first["SEQUENCE"]
    assert moved["UID"] == first["UID"] and moved["SUMMARY"] == "Cupping am Abend"
    assert moved.start.hour == 18 and moved.start.minute == 30

    # Back to the first time: calendars hold sequence 1 now, so this needs 2.
    site.write("seminars/cupping.md", version(sequence=1))
    with pytest.raises(ContentErrors):
        site.build(CLOCK)
    site.write("seminars/cupping.md", version(sequence=2))
    site.build(CLOCK)
    assert event(site)["SEQUENCE"] == 2


def test_a_renamed_seminar_keeps_its_history(site: Site) -> None:
    """One `git log` for all seminars follows renames inside content/, as --follow did per file: the sequence the
    old file reached still counts after a move (here the move lowered it, in the same commit)."""
    git(site, "init", "-q")
    commit(site, version(sequence=5))
    (site.root / "content" / "seminars" / "abend").mkdir()
    git(site, "mv", "content/seminars/cupping.md", "content/seminars/abend/cupping.md")
    site.write("seminars/abend/cupping.md", version(sequence=0))
    git(site, "add", "-A")
    git(site, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "move")
    with pytest.raises(ContentErrors) as caught:
        site.build(CLOCK)
    assert "abend/cupping.md:6: sequence: erwartet mindestens 5: " in str(caught.value)


def test_outside_git_nothing_is_refused(site: Site) -> None:
    site.write("pages/start.md", "title: Start\n\nWillkommen.\n")
    site.write("seminars/cupping.md", version())
    site.build(CLOCK)
    assert event(site)["SEQUENCE"] == 0


def test_required_sequence() -> None:
    zone = "Europe/Berlin"
    assert required_sequence([], version(), zone) == 0
    assert required_sequence([version()], version(title="Neu"), zone) == 0  # a new title is no new time
    assert required_sequence([version()], version(start="2027-07-01T18:00:00"), zone) == 0  # same instant
    assert required_sequence([version()], version(start="2027-07-01T19:00"), zone) == 1
    assert required_sequence([version(sequence=3)], version(sequence=1), zone) == 3  # never lower
    history = [version(), version(start="2027-07-01T19:00", sequence=1)]
    assert required_sequence(history, version(sequence=1), zone) == 2  # a change back is a change


def ics_files(site: Site) -> dict[str, bytes]:
    return {p.relative_to(site.output).as_posix(): p.read_bytes() for p in sorted(site.output.rglob("*.ics"))}


def test_a_calendar_file_changes_only_when_its_seminar_does(site: Site) -> None:
    """DTSTAMP is the time of the commit that last changed the seminar: a later build, at a later clock, writes
    the same bytes; a change to one seminar changes its file and the feed, nothing else."""
    git(site, "init", "-q")
    site.write("seminars/roesten.md", SEMINAR.format(title="Rösten", start="2027-08-01T18:00", sequence="")
               .replace("    ", "").replace("2027-07-01T20:00", "2027-08-01T20:00"))
    commit(site, version())
    committed = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=site.root, capture_output=True, text=True,
                               check=True).stdout.strip()
    site.build(CLOCK)
    first = ics_files(site)
    assert sorted(first) == ["members/seminare/cupping/cupping.ics", "members/seminare/kalender.ics",
                             "members/seminare/roesten/roesten.ics", "seminare/kalender.ics"]
    stamp = datetime.fromtimestamp(int(committed), UTC)
    assert {event["DTSTAMP"].dt for data in first.values()
            for event in icalendar.Calendar.from_ical(data).events} == {stamp}

    site.build("2027-03-01T09:00")  # later, nothing changed
    assert ics_files(site) == first

    commit(site, version(title="Cupping am Abend"))
    site.build("2027-03-01T09:00")
    changed = {name for name, data in ics_files(site).items() if first.get(name) != data}
    assert changed == {"members/seminare/cupping/cupping.ics", "members/seminare/kalender.ics"}
