"""The SLA clock, case by case (pure functions: no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from facilities.services.sla.clock import (
    BusinessCalendar,
    OrderEvent,
    TargetClock,
    Terms,
    compute,
    due_level,
    hold_reason_of,
    merge,
)
from facilities.services.sla.enums import ClockState, Target
from facilities.sites.calendar import public_holidays

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAY = [["08:00", "18:00"]]
OFFICE = {d: WEEKDAY for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [], "sun": []}


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def office(
    closed: set[date] | None = None, hours: dict[str, list[list[str]]] | None = None
) -> BusinessCalendar:
    return BusinessCalendar(
        time_zone="Europe/Berlin",
        opening_hours=hours or OFFICE,
        closed_days=frozenset(closed or set()),
    )


def terms(
    response: int | None = None,
    attendance: int | None = None,
    resolution: int | None = None,
    *,
    business: bool = True,
    pauses: tuple[str, ...] = (),
) -> Terms:
    return Terms(
        targets={
            Target.response: response,
            Target.attendance: attendance,
            Target.resolution: resolution,
        },
        business_hours=business,
        pause_reasons=frozenset(pauses),
    )


def one(clocks: list[TargetClock], target: Target = Target.resolution) -> TargetClock:
    return next(c for c in clocks if c.target is target)


def ev(action: str, at: datetime, note: str = "") -> OrderEvent:
    return OrderEvent(action=action, at=at.astimezone(UTC), note=note)


# ---- 24/7 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes_later", "state", "remaining"),
    [
        (0, ClockState.running, 60),
        (30, ClockState.running, 30),
        (48, ClockState.at_risk, 12),
        (59, ClockState.at_risk, 1),
        (60, ClockState.breached, 0),
        (90, ClockState.breached, -30),
    ],
)
def test_24_7_counts_every_minute(minutes_later: int, state: ClockState, remaining: int) -> None:
    created = utc(2026, 11, 21, 23, 0)  # a Saturday night: 24/7 does not care
    clock = one(
        compute(
            created_at=created,
            events=[],
            terms=terms(resolution=60, business=False),
            calendar=office(),
            now=created + timedelta(minutes=minutes_later),
        )
    )
    assert clock.due_at == created + timedelta(minutes=60)
    assert clock.elapsed_minutes == minutes_later
    assert clock.remaining_minutes == remaining
    assert clock.state is state


def test_at_risk_threshold_is_a_parameter() -> None:
    created = utc(2026, 11, 23, 9, 0)
    kwargs = {
        "created_at": created,
        "events": [],
        "terms": terms(resolution=100, business=False),
        "calendar": None,
        "now": created + timedelta(minutes=70),
    }
    assert one(compute(**kwargs)).state is ClockState.running  # type: ignore[arg-type]
    assert one(compute(**kwargs, at_risk_ratio=0.7)).state is ClockState.at_risk  # type: ignore[arg-type]


# ---- business hours ---------------------------------------------------------------------------


def test_friday_evening_runs_into_monday() -> None:
    created = berlin(2026, 11, 20, 17, 0)  # Friday 17:00, open until 18:00
    clock = one(
        compute(
            created_at=created,
            events=[],
            terms=terms(resolution=120),
            calendar=office(),
            now=berlin(2026, 11, 21, 12, 0),
        )
    )
    assert clock.due_at == berlin(2026, 11, 23, 9, 0)  # Monday 09:00
    assert clock.elapsed_minutes == 60  # Friday 17–18 only; Saturday does not count
    assert clock.state is ClockState.running


def test_created_at_the_weekend_starts_on_monday_morning() -> None:
    created = berlin(2026, 11, 22, 15, 0)  # Sunday
    clock = one(
        compute(
            created_at=created,
            events=[],
            terms=terms(resolution=60),
            calendar=office(),
            now=berlin(2026, 11, 23, 8, 30),
        )
    )
    assert clock.due_at == berlin(2026, 11, 23, 9, 0)
    assert clock.elapsed_minutes == 30


def test_lunch_break_is_not_counted() -> None:
    hours = {
        d: [["08:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")
    }
    clock = one(
        compute(
            created_at=berlin(2026, 11, 23, 11, 30),
            events=[],
            terms=terms(resolution=60),
            calendar=office(hours=hours),
            now=berlin(2026, 11, 23, 13, 10),
        )
    )
    assert clock.due_at == berlin(2026, 11, 23, 13, 30)
    assert clock.elapsed_minutes == 40


def test_public_holidays_from_the_site_calendar_do_not_count() -> None:
    holidays = set(public_holidays("DE", "BW", [2026]))
    assert date(2026, 12, 25) in holidays and date(2026, 12, 26) in holidays
    clock = one(
        compute(
            created_at=berlin(2026, 12, 24, 17, 0),
            events=[],
            terms=terms(resolution=120),
            calendar=office(closed=holidays),
            now=berlin(2026, 12, 25, 12, 0),
        )
    )
    assert clock.due_at == berlin(2026, 12, 28, 9, 0)  # Fri 25 holiday, weekend, Monday
    assert clock.elapsed_minutes == 60


def test_closure_day_is_skipped() -> None:
    clock = one(
        compute(
            created_at=berlin(2026, 11, 25, 17, 30),
            events=[],
            terms=terms(resolution=60),
            calendar=office(closed={date(2026, 11, 26)}),
            now=berlin(2026, 11, 26, 12, 0),
        )
    )
    assert clock.due_at == berlin(2026, 11, 27, 8, 30)  # Thursday closed


def test_business_days_targets() -> None:
    # P2-style: one business day = 600 minutes of a 08:00–18:00 site.
    clock = one(
        compute(
            created_at=berlin(2026, 11, 23, 14, 0),
            events=[],
            terms=terms(resolution=600),
            calendar=office(),
            now=berlin(2026, 11, 23, 14, 0),
        )
    )
    assert clock.due_at == berlin(2026, 11, 24, 14, 0)


@pytest.mark.parametrize(
    ("created", "due_utc"),
    [
        # Autumn: Sunday 25 Oct 2026 03:00 CEST → 02:00 CET. Friday 17:00 CEST = 15:00 UTC.
        (berlin(2026, 10, 23, 17, 0), utc(2026, 10, 26, 8, 0)),  # Monday 09:00 CET
        # Spring: Sunday 29 Mar 2026 02:00 CET → 03:00 CEST. Friday 17:00 CET = 16:00 UTC.
        (berlin(2026, 3, 27, 17, 0), utc(2026, 3, 30, 7, 0)),  # Monday 09:00 CEST
    ],
)
def test_dst_weekends_keep_local_opening_hours(created: datetime, due_utc: datetime) -> None:
    clock = one(
        compute(
            created_at=created,
            events=[],
            terms=terms(resolution=120),
            calendar=office(),
            now=created,
        )
    )
    assert clock.due_at == due_utc


def test_round_the_clock_site_across_the_spring_dst_night_counts_real_time() -> None:
    always = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    created = berlin(2026, 3, 28, 12, 0)  # Saturday 12:00 CET = 11:00 UTC
    clock = one(
        compute(
            created_at=created,
            events=[],
            terms=terms(resolution=24 * 60),
            calendar=office(hours=always),
            now=berlin(2026, 3, 29, 12, 0),
        )
    )
    assert clock.due_at == utc(2026, 3, 29, 11, 0)  # 13:00 CEST: the night was one hour short
    assert clock.elapsed_minutes == 23 * 60


def test_autumn_dst_night_is_an_hour_longer() -> None:
    always = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    created = berlin(2026, 10, 24, 12, 0)
    clock = one(
        compute(
            created_at=created,
            events=[],
            terms=terms(resolution=24 * 60),
            calendar=office(hours=always),
            now=berlin(2026, 10, 25, 12, 0),
        )
    )
    assert clock.elapsed_minutes == 25 * 60
    assert clock.state is ClockState.breached


def test_no_opening_hours_no_deadline() -> None:
    clock = one(
        compute(
            created_at=berlin(2026, 11, 23, 9, 0),
            events=[],
            terms=terms(resolution=60),
            calendar=office(hours={"mon": []}),
            now=berlin(2026, 11, 30, 9, 0),
        )
    )
    assert clock.due_at is None
    assert clock.elapsed_minutes == 0
    assert clock.state is ClockState.running


# ---- events ---------------------------------------------------------------------------------


def test_response_met_by_accept_attendance_by_start() -> None:
    created = berlin(2026, 11, 23, 9, 0)
    events = [
        ev("create", created),
        ev("assign", berlin(2026, 11, 23, 9, 5)),
        ev("accept", berlin(2026, 11, 23, 9, 40)),
        ev("start", berlin(2026, 11, 23, 12, 0)),
    ]
    clocks = compute(
        created_at=created,
        events=events,
        terms=terms(60, 120, 600),
        calendar=office(),
        now=berlin(2026, 11, 23, 13, 0),
    )
    response, attendance, resolution = clocks
    assert (response.state, response.elapsed_minutes) == (ClockState.met, 40)
    assert response.achieved_at == berlin(2026, 11, 23, 9, 40)
    assert (attendance.state, attendance.elapsed_minutes) == (ClockState.breached, 180)
    assert resolution.state is ClockState.running and resolution.elapsed_minutes == 240


def test_start_without_accept_meets_response() -> None:
    created = berlin(2026, 11, 23, 9, 0)
    clocks = compute(
        created_at=created,
        events=[ev("start", berlin(2026, 11, 23, 9, 20))],
        terms=terms(30, 60),
        calendar=office(),
        now=berlin(2026, 11, 23, 10, 0),
    )
    assert [c.state for c in clocks] == [ClockState.met, ClockState.met]


def test_pause_for_a_named_reason_stops_the_clock() -> None:
    created = berlin(2026, 11, 23, 9, 0)
    events = [
        ev("start", berlin(2026, 11, 23, 9, 30)),
        ev("hold", berlin(2026, 11, 23, 10, 0), "parts: pump on order"),
        ev("resume", berlin(2026, 11, 23, 14, 0)),
    ]
    clock = one(
        compute(
            created_at=created,
            events=events,
            terms=terms(resolution=300, pauses=("parts",)),
            calendar=office(),
            now=berlin(2026, 11, 23, 15, 0),
        )
    )
    assert clock.elapsed_minutes == 120  # 09–10 and 14–15
    assert clock.due_at == berlin(2026, 11, 23, 18, 0)
    assert [(a, b) for a, b in clock.paused] == [
        (berlin(2026, 11, 23, 10, 0), berlin(2026, 11, 23, 14, 0))
    ]


def test_hold_for_another_reason_keeps_running() -> None:
    created = berlin(2026, 11, 23, 9, 0)
    events = [
        ev("start", berlin(2026, 11, 23, 9, 30)),
        ev("hold", berlin(2026, 11, 23, 10, 0), "other"),
        ev("resume", berlin(2026, 11, 23, 14, 0)),
    ]
    clock = one(
        compute(
            created_at=created,
            events=events,
            terms=terms(resolution=300, pauses=("parts",)),
            calendar=office(),
            now=berlin(2026, 11, 23, 15, 0),
        )
    )
    assert clock.elapsed_minutes == 360
    assert clock.state is ClockState.breached


def test_ongoing_pause_is_paused_and_due_moves_with_it() -> None:
    created = berlin(2026, 11, 23, 9, 0)
    events = [
        ev("start", berlin(2026, 11, 23, 9, 30)),
        ev("hold", berlin(2026, 11, 23, 10, 0), "no key"),
    ]
    clock = one(
        compute(
            created_at=created,
            events=events,
            terms=terms(resolution=90, pauses=("access",)),
            calendar=office(),
            now=berlin(2026, 11, 23, 16, 0),
            hold_reason="access",
        )
    )
    assert clock.state is ClockState.paused
    assert clock.elapsed_minutes == 60
    assert clock.due_at == berlin(2026, 11, 23, 16, 30)  # if work resumes now


def test_hold_spanning_a_closure_and_weekend() -> None:
    created = berlin(2026, 11, 26, 8, 0)  # Thursday
    events = [
        ev("start", berlin(2026, 11, 26, 9, 0)),
        ev("hold", berlin(2026, 11, 27, 16, 0), "parts"),  # Friday 16:00
        ev("resume", berlin(2026, 12, 1, 10, 0)),
    ]  # Tuesday 10:00; Monday closed
    clock = one(
        compute(
            created_at=created,
            events=events,
            terms=terms(resolution=30 * 60, pauses=("parts",)),
            calendar=office(closed={date(2026, 11, 30)}),
            now=berlin(2026, 12, 1, 12, 0),
        )
    )
    assert clock.elapsed_minutes == (10 + 8 + 2) * 60  # Thu 10 h, Fri 08–16, Tue 10–12
    assert clock.due_at == berlin(2026, 12, 2, 12, 0)


def test_reopen_resumes_the_resolution_clock_with_the_time_used_before() -> None:
    created = berlin(2026, 11, 23, 9, 0)
    events = [
        ev("start", berlin(2026, 11, 23, 9, 10)),
        ev("complete", berlin(2026, 11, 23, 11, 0)),
        ev("reopen", berlin(2026, 11, 24, 9, 0)),
    ]
    clock = one(
        compute(
            created_at=created,
            events=events,
            terms=terms(resolution=180),
            calendar=office(),
            now=berlin(2026, 11, 24, 9, 30),
        )
    )
    assert clock.achieved_at is None
    assert clock.elapsed_minutes == 150
    assert clock.due_at == berlin(2026, 11, 24, 10, 0)
    assert clock.state is ClockState.at_risk
    done = [*events, ev("complete", berlin(2026, 11, 24, 10, 30))]
    again = one(
        compute(
            created_at=created,
            events=done,
            terms=terms(resolution=180),
            calendar=office(),
            now=berlin(2026, 11, 24, 11, 0),
        )
    )
    assert (again.state, again.elapsed_minutes) == (ClockState.breached, 210)
    assert again.achieved_at == berlin(2026, 11, 24, 10, 30)


def test_completed_in_time_is_met_and_stops() -> None:
    created = berlin(2026, 11, 23, 9, 0)
    events = [ev("start", berlin(2026, 11, 23, 9, 10)), ev("complete", berlin(2026, 11, 23, 10, 0))]
    clock = one(
        compute(
            created_at=created,
            events=events,
            terms=terms(resolution=120),
            calendar=office(),
            now=berlin(2026, 11, 30, 9, 0),
        )
    )
    assert (clock.state, clock.elapsed_minutes, clock.remaining_minutes) == (ClockState.met, 60, 60)


def test_cancel_stops_the_clocks() -> None:
    created = berlin(2026, 11, 23, 9, 0)
    clocks = compute(
        created_at=created,
        events=[ev("cancel", berlin(2026, 11, 23, 9, 30))],
        terms=terms(60, None, 120),
        calendar=office(),
        now=berlin(2026, 11, 30, 9, 0),
    )
    assert [(c.state, c.elapsed_minutes) for c in clocks] == [(ClockState.stopped, 30)] * 2


def test_targets_not_set_are_left_out() -> None:
    clocks = compute(
        created_at=utc(2026, 11, 23, 9, 0),
        events=[],
        terms=terms(None, 60, None),
        calendar=None,
        now=utc(2026, 11, 23, 9, 0),
    )
    assert [c.target for c in clocks] == [Target.attendance]


# ---- escalation levels and helpers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes_later", "events", "level"),
    [
        (10, [], 0),
        (50, [], 1),
        (60, [], 2),
        (89, [], 2),
        (90, [], 3),
        (500, [], 3),
        (90, [("complete", 30)], 0),
        (90, [("cancel", 30)], 0),
        (55, [("start", 5), ("hold", 10)], 0),
    ],
)
def test_due_level(minutes_later: int, events: list[tuple[str, int]], level: int) -> None:
    created = utc(2026, 11, 23, 9, 0)
    history = [ev(a, created + timedelta(minutes=m), "parts") for a, m in events]
    clock = one(
        compute(
            created_at=created,
            events=history,
            terms=terms(resolution=60, business=False, pauses=("parts",)),
            calendar=None,
            now=created + timedelta(minutes=minutes_later),
        )
    )
    assert due_level(clock, 50) == level


@pytest.mark.parametrize(
    ("note", "fallback", "reason"),
    [
        ("parts: pump", "", "parts"),
        ("access", "", "access"),
        ("Parts", "", "parts"),
        ("waiting", "access", "access"),
        ("", "", "other"),
        ("lunch: x", "bogus", "other"),
    ],
)
def test_hold_reason_of(note: str, fallback: str, reason: str) -> None:
    assert hold_reason_of(note, fallback) == reason


def test_merge() -> None:
    t = [utc(2026, 1, 1, h) for h in range(0, 24)]
    assert merge([(t[4], t[6]), (t[3], t[5]), (t[10], t[11]), (t[7], t[7])]) == [
        (t[3], t[6]),
        (t[10], t[11]),
    ]
