"""Meter usage: increases, replacements, roll-over, usage at a moment and in a period."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from facilities.assets.meters import Reading, cumulative, step, usage_at, usage_between


def at(day: int) -> datetime:
    return datetime(2027, 1, day, tzinfo=UTC)


def test_usage_sums_increases_and_a_replacement_starts_a_new_register() -> None:
    readings = [
        Reading(at(1), D(100)),
        Reading(at(2), D(150)),
        Reading(at(3), D(5), replacement=True),  # new meter: no usage, no loss
        Reading(at(4), D(25)),
    ]
    assert cumulative(readings) == [(at(1), D(0)), (at(2), D(50)), (at(3), D(50)), (at(4), D(70))]


def test_a_lower_value_without_replacement_is_nothing_unless_the_register_rolls_over() -> None:
    readings = [Reading(at(1), D(99_990)), Reading(at(2), D(20))]
    assert cumulative(readings)[-1][1] == D(0)  # a misread counts as nothing
    assert cumulative(readings, rollover_at=D(100_000))[-1][1] == D(30)
    assert step(D(10), Reading(at(2), D(12))) == D(2)
    assert step(D(10), Reading(at(2), D(3), replacement=True), rollover_at=D(100)) == D(0)


def test_usage_at_and_between() -> None:
    usage = cumulative([Reading(at(2), D(10)), Reading(at(4), D(30)), Reading(at(6), D(35))])
    assert usage_at(usage, at(1)) == D(0)  # before the first reading
    assert usage_at(usage, at(4)) == D(20)
    assert usage_at(usage, at(5)) == D(20)
    assert usage_at(usage, at(9)) == D(25)
    assert usage_at([], at(9)) == D(0)
    readings = [Reading(at(2), D(10)), Reading(at(4), D(30)), Reading(at(6), D(35))]
    assert usage_between(readings, at(3), at(6)) == D(25)
    assert usage_between(readings, at(4), at(5)) == D(0)
