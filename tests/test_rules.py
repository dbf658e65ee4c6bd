"""The visibility rule (docs/architecture.md §2), as a table: audience × dates × clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from audiences.rules import Schedule, head_start_days, is_date_only, is_visible, parse_moment
from vorab.tiers import Tiers

BERLIN = "Europe/Berlin"
T = parse_moment("2027-01-15T09:00", BERLIN)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def at(text: str):
    return parse_moment(text, BERLIN)


@pytest.mark.parametrize(
    ("schedule", "clock", "public", "members"),
    [
        # audience alone
        (Schedule("public"), T, True, True),
        (Schedule("members"), T, False, True),
        # public_from: released at exactly T, not a second before
        (Schedule("members", public_from=T), T - SECOND, False, True),
        (Schedule("members", public_from=T), T, True, True),
        (Schedule("members", public_from=T), T + SECOND, True, True),
        # a public item with a future public_from is a members' preview until then
        (Schedule("public", public_from=T), T - SECOND, False, True),
        # members_from: members see it from exactly T
        (Schedule("members", members_from=T), T - SECOND, False, False),
        (Schedule("members", members_from=T), T, False, True),
        (Schedule("members", members_from=T, public_from=T + timedelta(days=14)), T + SECOND, False, True),
        # public_until: public up to a second before T, then members only (its archive)
        (Schedule("public", public_until=T), T - SECOND, True, True),
        (Schedule("public", public_until=T), T, False, True),
        (Schedule("public", public_until=T), T + SECOND, False, True),
        (Schedule("members", public_until=T), T - SECOND, True, True),  # public at once, without public_from
        (Schedule("members", public_until=T), T, False, True),
        # a window: public from public_from to public_until, members before and after
        (Schedule("members", public_from=T - DAY, public_until=T), T - DAY - SECOND, False, True),
        (Schedule("members", public_from=T - DAY, public_until=T), T - DAY, True, True),
        (Schedule("members", public_from=T - DAY, public_until=T), T - SECOND, True, True),
        (Schedule("members", public_from=T - DAY, public_until=T), T, False, True),
        (Schedule("members", public_from=T - DAY, public_until=T), T + SECOND, False, True),
        # expires ends the archive too; members_from still holds before the window
        (Schedule("public", public_until=T - DAY, expires=T), T, False, False),
        (Schedule("public", public_until=T - DAY, expires=T), T - SECOND, False, True),
        (Schedule("members", members_from=T - DAY, public_from=T, public_until=T + DAY), T - DAY - SECOND,
         False, False),
        # expires: gone for everyone at exactly T
        (Schedule("public", expires=T), T - SECOND, True, True),
        (Schedule("public", expires=T), T, False, False),
        (Schedule("members", public_from=T - timedelta(days=1), expires=T), T + SECOND, False, False),
        # drafts: nowhere, ever
        (Schedule("public", draft=True), T, False, False),
        (Schedule("members", draft=True, public_from=T - timedelta(days=1)), T, False, False),
        # fail closed: an item with an unparseable field is visible to nobody
        (Schedule("public", valid=False), T, False, False),
        (Schedule("members", valid=False), T, False, False),
        (Schedule("secret-tier"), T, False, False),
    ],
)
def test_visibility_table(schedule: Schedule, clock, public: bool, members: bool) -> None:
    assert is_visible(schedule, "public", clock) is public
    assert is_visible(schedule, "members", clock) is members


def test_offsetless_dates_are_site_time_across_dst() -> None:
    # Berlin leaves summer time on 2027-10-31 at 03:00 CEST → 02:00 CET.
    summer, winter = at("2027-10-30T09:00"), at("2027-11-01T09:00")
    assert summer.utcoffset() == timedelta(hours=2)
    assert winter.utcoffset() == timedelta(hours=1)
    assert at("2027-10-31").isoformat() == "2027-10-31T00:00:00+02:00"
    released = Schedule("members", public_from=at("2027-11-01T09:00"))
    utc_clock = parse_moment("2027-11-01T08:00:00+00:00", BERLIN)  # = 09:00 CET
    assert is_visible(released, "public", utc_clock)
    assert not is_visible(released, "public", utc_clock - SECOND)


def test_explicit_offsets_are_respected() -> None:
    assert at("2027-01-15T09:00Z").utcoffset() == timedelta(0)
    assert at("2027-01-15T09:00+05:30") == parse_moment("2027-01-15T03:30Z", BERLIN)


@pytest.mark.parametrize(("text", "iso"), [
    ("15.01.2027", "2027-01-15T00:00:00+01:00"), ("1.2.2027", "2027-02-01T00:00:00+01:00"),
    ("15.01.2027 09:00", "2027-01-15T09:00:00+01:00"), ("15.01.2027, 9:00 Uhr", "2027-01-15T09:00:00+01:00"),
    ("01.07.2027 18:30", "2027-07-01T18:30:00+02:00"), ("15.01.2027T09:00", "2027-01-15T09:00:00+01:00"),
])
def test_german_dates_are_read_like_iso_ones(text: str, iso: str) -> None:
    assert parse_moment(text, BERLIN).isoformat() == iso
    assert is_date_only(text) == (":" not in text)


@pytest.mark.parametrize("text", ["31.2.2027", "2027-02-31", "morgen", "2027-13-01", "", "2027/01/15", "15.01.27",
                                  "15.01.2027 25:00", "15.13.2027"])
def test_unparseable_dates_raise(text: str) -> None:
    with pytest.raises(ValueError):
        parse_moment(text, BERLIN)


def test_unknown_audience_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown audience 'everyone'"):
        is_visible(Schedule("public"), "everyone", T)


def test_a_further_tier_is_a_setting() -> None:
    tiers = Tiers(("public", "members", "gold"), ("", "members", "gold"))
    gold_only = Schedule("gold")
    assert [is_visible(gold_only, a, T, tiers) for a in tiers] == [False, False, True]
    assert [is_visible(Schedule("members"), a, T, tiers) for a in tiers] == [False, True, True]
    gold_window = Schedule("gold", public_from=T - DAY, public_until=T)  # after its window: gold's archive
    assert [[is_visible(gold_window, a, clock, tiers) for a in tiers] for clock in (T - SECOND, T, T + SECOND)] \
        == [[True, True, True], [False, False, True], [False, False, True]]


def test_head_start_counts_whole_days_until_release() -> None:
    schedule = Schedule("members", public_from=at("2027-01-29T09:00"))
    assert head_start_days(schedule, T) == 14
    assert head_start_days(schedule, T + SECOND) == 14  # 13 days and 23:59:59 still count as 14
    assert head_start_days(schedule, at("2027-01-29T09:00")) is None
    later = Schedule("members", members_from=at("2027-01-20T09:00"), public_from=at("2027-01-29T09:00"))
    assert head_start_days(later, T) == 9


GOLD = Tiers(("public", "members", "gold"), ("", "members", "gold"))


@pytest.mark.parametrize(("schedule", "seen"), [
    # gold first (gold_from), then members (members_from), then the public (public_from)
    (Schedule("members", tiers_from=(("gold", T),), members_from=T + DAY, public_from=T + 2 * DAY),
     {T - SECOND: "", T: "g", T + SECOND: "g", T + DAY - SECOND: "g", T + DAY: "mg", T + 2 * DAY - SECOND: "mg",
      T + 2 * DAY: "pmg", T + 2 * DAY + SECOND: "pmg"}),
    # a gold item with members_from: members see it from then on, the public never
    (Schedule("gold", members_from=T), {T - SECOND: "g", T: "mg", T + SECOND: "mg"}),
    # a gold item with gold_from and nothing else: gold only, from gold_from
    (Schedule("gold", tiers_from=(("gold", T),)), {T - SECOND: "", T: "g", T + SECOND: "g"}),
    # without gold_from, gold sees a members' item when members do
    (Schedule("members", members_from=T), {T - SECOND: "", T: "mg", T + SECOND: "mg"}),
    # a public window, then the gold archive
    (Schedule("gold", public_from=T - DAY, public_until=T), {T - DAY - SECOND: "g", T - SECOND: "pmg", T: "g"}),
    # expiry ends it for every tier
    (Schedule("gold", expires=T), {T - SECOND: "g", T: "", T + SECOND: ""}),
])
def test_three_tiers_at_every_boundary(schedule: Schedule, seen: dict) -> None:
    for clock, tiers in seen.items():
        assert "".join(tier[0] for tier in ("public", "members", "gold")
                       if is_visible(schedule, tier, clock, GOLD)) == "".join(sorted(tiers, key="pmg".index)), clock
