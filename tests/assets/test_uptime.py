"""Uptime from the status history: the pure computation, edge cases one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from facilities.assets.uptime import compute

T0 = datetime(2026, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)
NOW = T0 + 100 * DAY


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def test_always_operational_is_100_percent() -> None:
    result = compute([(at(-10), "operational")], at(0), at(10), NOW)
    assert result.percent == 100.0
    assert result.counted_seconds == 10 * 86400
    assert result.down_seconds == 0 and result.down_events == 0


def test_down_for_a_quarter_of_the_period() -> None:
    history = [(at(-1), "operational"), (at(2), "down"), (at(4.5), "operational")]
    result = compute(history, at(0), at(10), NOW)
    assert result.down_seconds == 2.5 * 86400
    assert result.percent == 75.0
    assert result.down_events == 1


def test_degraded_counts_as_up_but_is_reported_separately() -> None:
    history = [(at(0), "operational"), (at(5), "degraded")]
    result = compute(history, at(0), at(10), NOW)
    assert result.percent == 100.0
    assert result.degraded_seconds == 5 * 86400
    assert result.up_seconds == 10 * 86400


def test_time_before_creation_is_not_counted() -> None:
    result = compute([(at(6), "operational"), (at(8), "down")], at(0), at(10), NOW)
    assert result.counted_seconds == 4 * 86400
    assert result.percent == 50.0


def test_retired_time_is_excluded() -> None:
    history = [(at(0), "down"), (at(2), "operational"), (at(4), "retired")]
    result = compute(history, at(0), at(10), NOW)
    assert result.counted_seconds == 4 * 86400
    assert result.percent == 50.0


def test_only_retired_gives_no_percentage() -> None:
    result = compute([(at(-5), "retired")], at(0), at(10), NOW)
    assert result.counted_seconds == 0
    assert result.percent is None


def test_down_already_at_the_start_is_downtime_but_no_new_event() -> None:
    history = [(at(-3), "down"), (at(1), "operational")]
    result = compute(history, at(0), at(4), NOW)
    assert result.down_seconds == 86400
    assert result.percent == 75.0
    assert result.down_events == 0


def test_change_exactly_at_the_boundaries() -> None:
    history = [(at(0), "down"), (at(10), "operational")]
    result = compute(history, at(0), at(10), NOW)
    assert result.percent == 0.0
    assert result.down_events == 1


def test_future_is_clipped_to_now() -> None:
    history = [(at(0), "operational"), (at(1), "down")]
    result = compute(history, at(0), at(30), now=at(2))
    assert result.counted_seconds == 2 * 86400
    assert result.percent == 50.0


def test_period_entirely_in_the_future_counts_nothing() -> None:
    result = compute([(at(0), "operational")], at(5), at(6), now=at(1))
    assert result.counted_seconds == 0 and result.percent is None


def test_unsorted_history_and_repeated_down() -> None:
    history = [(at(3), "operational"), (at(1), "down"), (at(0), "operational"), (at(2), "down")]
    result = compute(history, at(0), at(4), NOW)
    assert result.down_seconds == 2 * 86400
    assert result.down_events == 1  # down → down is one outage


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        compute([], datetime(2026, 1, 1), datetime(2026, 1, 2), NOW)


def test_down_intervals_add_up_to_the_down_seconds() -> None:
    from facilities.assets.uptime import down_intervals

    history = [(at(-1), "operational"), (at(2), "down"), (at(3), "operational"), (at(9), "down")]
    spans = down_intervals(history, at(0), at(10), NOW)
    assert spans == [(at(2), at(3)), (at(9), at(10))]
    total = sum((hi - lo).total_seconds() for lo, hi in spans)
    assert total == compute(history, at(0), at(10), NOW).down_seconds


def test_overlap_is_when_everything_was_down_at_once() -> None:
    from facilities.assets.uptime import overlap

    assert overlap([[(at(1), at(4))], [(at(2), at(6))], [(at(0), at(3)), (at(5), at(7))]]) == [
        (at(2), at(3))
    ]
    assert overlap([]) == []
