"""Recurrence against RFC 5545's own examples (section 3.8.5.3), in the same time zone
(America/New_York, like the RFC), plus daylight-saving behaviour in Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from facilities.kit import recurrence
from facilities.kit.errors import RuleViolation

NY = "America/New_York"


def local_dates(
    rule: str, start: datetime, *, tz: str = NY, until: datetime | None = None, limit: int = 400
):
    """Occurrences as local wall-clock datetimes (naive) from start to until (default +10 y)."""
    zone = ZoneInfo(tz)
    after = start.replace(tzinfo=zone) - timedelta(seconds=1)
    before = (until or start + timedelta(days=10 * 366)).replace(tzinfo=zone)
    return [
        o.local
        for o in recurrence.occurrences(rule, start, tz, after=after, before=before, limit=limit)
    ]


def d(*parts: int) -> datetime:
    return datetime(*parts)


RFC_EXAMPLES = [
    # (description, rule, dtstart, expected first occurrences (local), expected total or None)
    (
        "daily for 10",
        "FREQ=DAILY;COUNT=10",
        d(1997, 9, 2, 9),
        [d(1997, 9, n, 9) for n in range(2, 12)],
        10,
    ),
    (
        "daily until Dec 24",
        "FREQ=DAILY;UNTIL=19971224T000000Z",
        d(1997, 9, 2, 9),
        [d(1997, 9, 2, 9), d(1997, 9, 3, 9)],
        113,
    ),
    (
        "every other day",
        "FREQ=DAILY;INTERVAL=2",
        d(1997, 9, 2, 9),
        [d(1997, 9, 2, 9), d(1997, 9, 4, 9), d(1997, 9, 6, 9)],
        None,
    ),
    (
        "every 10 days, 5 times",
        "FREQ=DAILY;INTERVAL=10;COUNT=5",
        d(1997, 9, 2, 9),
        [
            d(1997, 9, 2, 9),
            d(1997, 9, 12, 9),
            d(1997, 9, 22, 9),
            d(1997, 10, 2, 9),
            d(1997, 10, 12, 9),
        ],
        5,
    ),
    (
        "every day in January, 3 years",
        "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
        d(1998, 1, 1, 9),
        [d(1998, 1, 1, 9), d(1998, 1, 2, 9)],
        93,
    ),
    (
        "weekly for 10",
        "FREQ=WEEKLY;COUNT=10",
        d(1997, 9, 2, 9),
        [
            d(1997, 9, 2, 9),
            d(1997, 9, 9, 9),
            d(1997, 9, 16, 9),
            d(1997, 9, 23, 9),
            d(1997, 9, 30, 9),
            d(1997, 10, 7, 9),
            d(1997, 10, 14, 9),
            d(1997, 10, 21, 9),
            d(1997, 10, 28, 9),
            d(1997, 11, 4, 9),
        ],
        10,
    ),
    (
        "weekly on Tue and Thu for 5 weeks",
        "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
        d(1997, 9, 2, 9),
        [
            d(1997, 9, 2, 9),
            d(1997, 9, 4, 9),
            d(1997, 9, 9, 9),
            d(1997, 9, 11, 9),
            d(1997, 9, 16, 9),
            d(1997, 9, 18, 9),
            d(1997, 9, 23, 9),
            d(1997, 9, 25, 9),
            d(1997, 9, 30, 9),
            d(1997, 10, 2, 9),
        ],
        10,
    ),
    (
        "every other week MO,WE,FR until Dec 24",
        "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
        d(1997, 9, 1, 9),
        [d(1997, 9, 1, 9), d(1997, 9, 3, 9), d(1997, 9, 5, 9), d(1997, 9, 15, 9)],
        25,
    ),
    (
        "monthly on the first Friday, 10 times",
        "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
        d(1997, 9, 5, 9),
        [
            d(1997, 9, 5, 9),
            d(1997, 10, 3, 9),
            d(1997, 11, 7, 9),
            d(1997, 12, 5, 9),
            d(1998, 1, 2, 9),
            d(1998, 2, 6, 9),
            d(1998, 3, 6, 9),
            d(1998, 4, 3, 9),
            d(1998, 5, 1, 9),
            d(1998, 6, 5, 9),
        ],
        10,
    ),
    (
        "monthly on the second-to-last Monday, 6 times",
        "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
        d(1997, 9, 22, 9),
        [
            d(1997, 9, 22, 9),
            d(1997, 10, 20, 9),
            d(1997, 11, 17, 9),
            d(1997, 12, 22, 9),
            d(1998, 1, 19, 9),
            d(1998, 2, 16, 9),
        ],
        6,
    ),
    (
        "monthly on the third-to-last day",
        "FREQ=MONTHLY;BYMONTHDAY=-3",
        d(1997, 9, 28, 9),
        [
            d(1997, 9, 28, 9),
            d(1997, 10, 29, 9),
            d(1997, 11, 28, 9),
            d(1997, 12, 29, 9),
            d(1998, 1, 29, 9),
            d(1998, 2, 26, 9),
        ],
        None,
    ),
    (
        "monthly on the 2nd and 15th, 10 times",
        "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
        d(1997, 9, 2, 9),
        [
            d(1997, 9, 2, 9),
            d(1997, 9, 15, 9),
            d(1997, 10, 2, 9),
            d(1997, 10, 15, 9),
            d(1997, 11, 2, 9),
            d(1997, 11, 15, 9),
            d(1997, 12, 2, 9),
            d(1997, 12, 15, 9),
            d(1998, 1, 2, 9),
            d(1998, 1, 15, 9),
        ],
        10,
    ),
    (
        "every 18 months on the 10th to 15th, 10 times",
        "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
        d(1997, 9, 10, 9),
        [*(d(1997, 9, n, 9) for n in range(10, 16)), *(d(1999, 3, n, 9) for n in range(10, 14))],
        10,
    ),
    (
        "yearly in June and July, 10 times",
        "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
        d(1997, 6, 10, 9),
        [
            d(1997, 6, 10, 9),
            d(1997, 7, 10, 9),
            d(1998, 6, 10, 9),
            d(1998, 7, 10, 9),
            d(1999, 6, 10, 9),
        ],
        10,
    ),
    (
        "every Friday the 13th",
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
        d(1997, 9, 2, 9),
        [
            d(1998, 2, 13, 9),
            d(1998, 3, 13, 9),
            d(1998, 11, 13, 9),
            d(1999, 8, 13, 9),
            d(2000, 10, 13, 9),
        ],
        None,
    ),
    (
        "first Saturday after the first Sunday",
        "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
        d(1997, 9, 13, 9),
        [
            d(1997, 9, 13, 9),
            d(1997, 10, 11, 9),
            d(1997, 11, 8, 9),
            d(1997, 12, 13, 9),
            d(1998, 1, 10, 9),
            d(1998, 2, 7, 9),
            d(1998, 3, 7, 9),
            d(1998, 4, 11, 9),
            d(1998, 5, 9, 9),
            d(1998, 6, 13, 9),
        ],
        None,
    ),
    (
        "US presidential election day",
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
        d(1996, 11, 5, 9),
        [d(1996, 11, 5, 9), d(2000, 11, 7, 9), d(2004, 11, 2, 9)],
        None,
    ),
    (
        "third Tue/Wed/Thu, 3 months",
        "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
        d(1997, 9, 4, 9),
        [d(1997, 9, 4, 9), d(1997, 10, 7, 9), d(1997, 11, 6, 9)],
        3,
    ),
    (
        "second-to-last weekday of the month",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
        d(1997, 9, 29, 9),
        [
            d(1997, 9, 29, 9),
            d(1997, 10, 30, 9),
            d(1997, 11, 27, 9),
            d(1997, 12, 30, 9),
            d(1998, 1, 29, 9),
            d(1998, 2, 26, 9),
            d(1998, 3, 30, 9),
        ],
        None,
    ),
    (
        "every 3 hours until 17:00Z",
        "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z",
        d(1997, 9, 2, 9),
        [d(1997, 9, 2, 9), d(1997, 9, 2, 12)],
        2,
    ),
    (
        "WKST=MO",
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
        d(1997, 8, 5, 9),
        [d(1997, 8, 5, 9), d(1997, 8, 10, 9), d(1997, 8, 19, 9), d(1997, 8, 24, 9)],
        4,
    ),
    (
        "WKST=SU",
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
        d(1997, 8, 5, 9),
        [d(1997, 8, 5, 9), d(1997, 8, 17, 9), d(1997, 8, 19, 9), d(1997, 8, 31, 9)],
        4,
    ),
    (
        "skips invalid Feb 30 etc.",
        "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
        d(2007, 1, 15, 9),
        [
            d(2007, 1, 15, 9),
            d(2007, 1, 30, 9),
            d(2007, 2, 15, 9),
            d(2007, 3, 15, 9),
            d(2007, 3, 30, 9),
        ],
        5,
    ),
]


@pytest.mark.parametrize(
    ("name", "rule", "start", "expected", "total"), RFC_EXAMPLES, ids=[e[0] for e in RFC_EXAMPLES]
)
def test_rfc5545_examples(name, rule, start, expected, total) -> None:
    got = local_dates(rule, start, limit=2000)
    assert got[: len(expected)] == expected
    if total is not None:
        assert len(got) == total


def test_wall_time_is_kept_across_new_york_dst_change() -> None:
    """RFC example: weekly at 09:00 local: 13:00 UTC in EDT, 14:00 UTC after Oct 26 (EST)."""
    zone = ZoneInfo(NY)
    start = d(1997, 9, 2, 9)
    got = list(
        recurrence.occurrences(
            "FREQ=WEEKLY;COUNT=10",
            start,
            NY,
            after=start.replace(tzinfo=zone),
            before=d(1998, 1, 1).replace(tzinfo=zone),
        )
    )
    assert got[7].utc == datetime(1997, 10, 21, 13, 0, tzinfo=UTC)  # EDT
    assert got[8].utc == datetime(1997, 10, 28, 14, 0, tzinfo=UTC)  # EST


def test_berlin_monday_0800_across_spring_and_autumn() -> None:
    tz = "Europe/Berlin"
    zone = ZoneInfo(tz)
    start = d(2026, 3, 2, 8)
    got = list(
        recurrence.occurrences(
            "FREQ=WEEKLY;BYDAY=MO",
            start,
            tz,
            after=start.replace(tzinfo=zone),
            before=d(2026, 11, 3).replace(tzinfo=zone),
        )
    )
    by_date = {o.local.date(): o.utc for o in got}
    assert by_date[date(2026, 3, 23)] == datetime(2026, 3, 23, 7, 0, tzinfo=UTC)  # CET
    assert by_date[date(2026, 3, 30)] == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)  # CEST
    assert by_date[date(2026, 10, 19)] == datetime(2026, 10, 19, 6, 0, tzinfo=UTC)  # CEST
    assert by_date[date(2026, 10, 26)] == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)  # CET
    assert all(o.local.hour == 8 for o in got)


def test_nonexistent_and_ambiguous_local_times_in_berlin() -> None:
    tz = "Europe/Berlin"
    zone = ZoneInfo(tz)
    start = d(2026, 3, 28, 2, 30)
    got = list(
        recurrence.occurrences(
            "FREQ=DAILY;COUNT=3",
            start,
            tz,
            after=start.replace(tzinfo=zone),
            before=d(2026, 4, 1).replace(tzinfo=zone),
        )
    )
    # 29 March 02:30 does not exist: read with the offset before the gap → 03:30 CEST.
    assert got[1].utc == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert got[1].utc.astimezone(zone).hour == 3
    start = d(2026, 10, 24, 2, 30)
    got = list(
        recurrence.occurrences(
            "FREQ=DAILY;COUNT=3",
            start,
            tz,
            after=start.replace(tzinfo=zone),
            before=d(2026, 10, 28).replace(tzinfo=zone),
        )
    )
    # 25 October 02:30 happens twice: the first (CEST) is taken, once.
    assert got[1].utc == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert len(got) == 3


def test_closed_days_move_to_the_next_open_day() -> None:
    tz = "Europe/Berlin"
    zone = ZoneInfo(tz)
    start = d(2026, 12, 1, 8)
    closed = {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)}
    got = list(
        recurrence.occurrences(
            "FREQ=MONTHLY;BYMONTHDAY=24",
            start,
            tz,
            after=start.replace(tzinfo=zone),
            before=d(2027, 2, 1).replace(tzinfo=zone),
            closed_days=closed,
        )
    )
    assert got[0].local == d(2026, 12, 27, 8)
    assert got[0].nominal == d(2026, 12, 24, 8)  # the key stays the rule's own date
    assert got[1].local == d(2027, 1, 24, 8)


def test_seasons_keep_only_active_months() -> None:
    tz = "Europe/Berlin"
    zone = ZoneInfo(tz)
    start = d(2026, 1, 1, 7)
    got = list(
        recurrence.occurrences(
            "FREQ=MONTHLY;BYMONTHDAY=1",
            start,
            tz,
            after=start.replace(tzinfo=zone),
            before=d(2027, 1, 1).replace(tzinfo=zone),
            active_months=[4, 5, 6, 7, 8, 9],
        )
    )
    assert [o.local.month for o in got] == [4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31",
    ],
)
def test_impossible_rules_are_refused(rule) -> None:
    with pytest.raises(RuleViolation) as caught:
        recurrence.parse(rule, d(2026, 1, 1, 8), "Europe/Berlin")
    assert caught.value.fields[0].field == "rrule"
    assert "never occurs" in caught.value.message


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=SOMETIMES",
        "FREQ=DAILY;BYDAY=XX",
        "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
        "hello",
    ],
)
def test_invalid_rules_are_refused(rule) -> None:
    with pytest.raises(RuleViolation) as caught:
        recurrence.parse(rule, d(2026, 1, 1, 8), "Europe/Berlin")
    assert caught.value.fields[0].field == "rrule"


def test_builder_makes_the_rules_of_the_form() -> None:
    assert recurrence.build(frequency="monthly", weekdays=["MO"], nth=1) == "FREQ=MONTHLY;BYDAY=1MO"
    assert (
        recurrence.build(frequency="weekly", interval=2, weekdays=["mo", "fr"])
        == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"
    )
    assert (
        recurrence.build(frequency="yearly", months=[10, 4], month_day=15)
        == "FREQ=YEARLY;BYMONTHDAY=15;BYMONTH=4,10"
    )
    assert (
        recurrence.build(frequency="monthly", month_day=-1, count=12)
        == "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=12"
    )
    assert (
        recurrence.build(frequency="daily", until=date(2027, 1, 31))
        == "FREQ=DAILY;UNTIL=20270131T235959"
    )
    for bad in (
        {"frequency": "hourly"},
        {"frequency": "daily", "interval": 0},
        {"frequency": "monthly", "weekdays": ["XX"]},
        {"frequency": "monthly", "month_day": 32},
        {"frequency": "daily", "count": 3, "until": date(2027, 1, 1)},
    ):
        with pytest.raises(RuleViolation):
            recurrence.build(**bad)


def test_preview_shows_local_times() -> None:
    got = recurrence.preview(
        "FREQ=YEARLY;BYMONTH=4,10;BYMONTHDAY=1", d(2026, 1, 1, 9), "Europe/Berlin", count=4
    )
    assert [(o.month, o.hour, o.utcoffset()) for o in got] == [
        (4, 9, timedelta(hours=2)),
        (10, 9, timedelta(hours=2)),
        (4, 9, timedelta(hours=2)),
        (10, 9, timedelta(hours=2)),
    ]
