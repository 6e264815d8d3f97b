"""Site-local time (opening hours, holidays, DST) and locale negotiation / formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from facilities.kit import clock, i18n, timefmt
from facilities.kit.errors import InvalidInput, RuleViolation
from facilities.kit.i18n import using_locale
from facilities.sites.calendar import (
    check_holiday_region,
    check_opening_hours,
    check_time_zone,
    is_open_at,
    public_holidays,
)

HOURS = {"mon": [["08:00", "12:00"], ["13:00", "18:00"]], "sat": [["09:00", "14:00"]]}


def test_opening_hours_are_normalised_to_all_days() -> None:
    result = check_opening_hours(HOURS)
    assert list(result) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert result["mon"] == [["08:00", "12:00"], ["13:00", "18:00"]]
    assert result["sun"] == []


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({"mon": [["8", "12:00"]]}, "opening_hours.mon"),
        ({"tue": [["12:00", "08:00"]]}, "opening_hours.tue"),
        ({"wed": [["08:00", "12:00"], ["11:00", "13:00"]]}, "opening_hours.wed"),
        ({"funday": [["08:00", "12:00"]]}, "opening_hours.funday"),
        ({"thu": [["08:00"]]}, "opening_hours.thu"),
    ],
)
def test_bad_opening_hours_name_the_day(hours, field) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_opening_hours(hours)
    assert caught.value.fields[0].field == field


def test_time_zone_validation() -> None:
    assert check_time_zone("America/New_York") == "America/New_York"
    with pytest.raises(RuleViolation):
        check_time_zone("Europe/Mannheim")


def test_holiday_region_validation() -> None:
    check_holiday_region("DE", "BW")
    with pytest.raises(RuleViolation) as caught:
        check_holiday_region("DE", "XX")
    assert caught.value.fields[0].field == "holiday_subdivision"
    with pytest.raises(RuleViolation) as caught:
        check_holiday_region("ZZ", "")
    assert caught.value.fields[0].field == "holiday_country"


def test_public_holidays_follow_the_subdivision() -> None:
    bw = public_holidays("DE", "BW", [2026])
    be = public_holidays("DE", "BE", [2026])
    assert date(2026, 1, 6) in bw  # Epiphany in Baden-Württemberg
    assert date(2026, 1, 6) not in be
    assert date(2026, 3, 8) in be  # Women's Day in Berlin
    assert date(2026, 12, 25) in bw and date(2026, 12, 25) in be


def test_holiday_names_follow_the_language() -> None:
    with using_locale("de"):
        german = public_holidays("DE", "BE", [2026])
    with using_locale("en"):
        english = public_holidays("DE", "BE", [2026])
        french = public_holidays("FR", "", [2026])  # a calendar without English names too
    assert german[date(2026, 12, 25)] == "Erster Weihnachtstag"
    assert english[date(2026, 12, 25)] == "Christmas Day"
    assert english[date(2026, 1, 1)] == "New Year's Day"
    assert french[date(2026, 7, 14)]  # named (in whatever language the calendar has)


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (datetime(2026, 3, 30, 6, 30, tzinfo=UTC), True),  # Mon 08:30 CEST (after DST switch)
        (datetime(2026, 3, 30, 5, 30, tzinfo=UTC), False),  # Mon 07:30 CEST
        (datetime(2026, 3, 23, 7, 30, tzinfo=UTC), True),  # Mon 08:30 CET (before the switch)
        (datetime(2026, 3, 23, 6, 30, tzinfo=UTC), False),  # Mon 07:30 CET
        (datetime(2026, 3, 30, 10, 30, tzinfo=UTC), False),  # lunch break 12:30 local
        (datetime(2026, 3, 29, 10, 0, tzinfo=UTC), False),  # Sunday
        (datetime(2026, 4, 6, 8, 0, tzinfo=UTC), False),  # Easter Monday (closed day)
    ],
)
def test_is_open_at_uses_site_local_time_across_dst(utc, expected) -> None:
    closed = set(public_holidays("DE", "BW", [2026]))
    assert (
        is_open_at(utc, time_zone="Europe/Berlin", opening_hours=HOURS, closed_days=closed)
        is expected
    )


def test_clock_can_be_pinned() -> None:
    moment = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with clock.pinned(moment):
        assert clock.now() == moment
        clock.advance(__import__("datetime").timedelta(hours=1))
        assert clock.now().hour == 13
    assert clock.now() != moment
    with pytest.raises(ValueError), clock.pinned(datetime(2026, 6, 1, 12, 0)):
        pass


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "en"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4", "de"),
        ("fr-FR", "en"),
        ("en;q=0.2,de;q=0.9", "de"),
        ("garbage;q=x", "en"),
    ],
)
def test_locale_negotiation(header, locale) -> None:
    assert i18n.negotiate(header) == locale


def test_formatting_follows_the_locale() -> None:
    moment = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
    with i18n.using_locale("de"):
        assert i18n.format_number(1234.5, 1) == "1.234,5"
        assert "24.11.26" in timefmt.format_datetime(moment, "Europe/Berlin", "short")
        assert "15:05" in timefmt.format_datetime(moment, "Europe/Berlin", "short")
    with i18n.using_locale("en"):
        assert i18n.format_number(1234.5, 1) == "1,234.5"
        assert timefmt.format_datetime(moment, "Europe/Berlin", "short") == "24/11/2026, 15:05"
