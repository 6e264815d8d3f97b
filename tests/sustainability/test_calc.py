"""Pure calculations: no database (see docs/kpis.md for each formula)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from facilities.sustainability import calc
from facilities.sustainability.calc import Factor, Interval, Period, Reading
from facilities.sustainability.enums import Carrier, FactorMethod, ReadingKind

BERLIN = ZoneInfo("Europe/Berlin")


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# ---- consumption from register readings -------------------------------------------------


def test_regular_readings_give_differences() -> None:
    readings = [Reading(at(2026, 1, 1), D(100)), Reading(at(2026, 2, 1), D(250))]
    [interval] = calc.intervals(readings, None)
    assert interval.quantity == D(150)
    assert not interval.estimated


def test_readings_are_sorted_by_time_first() -> None:
    readings = [Reading(at(2026, 2, 1), D(250)), Reading(at(2026, 1, 1), D(100))]
    assert [i.quantity for i in calc.intervals(readings, None)] == [D(150)]


def test_lower_regular_reading_is_an_error_naming_value() -> None:
    with pytest.raises(calc.ReadingError) as error:
        calc.step(Reading(at(2026, 1, 1), D(100)), Reading(at(2026, 2, 1), D(99)), None)
    assert error.value.field == "value"


@pytest.mark.parametrize(
    ("digits", "previous", "current", "expected"),
    [
        (5, "99990", "10", "20"),  # 99990 → 100000 (10 units) → 10 (10 more)
        (6, "999999.5", "0.5", "1.0"),
        (4, "9000", "0", "1000"),
    ],
)
def test_rollover_adds_the_register_size(
    digits: int, previous: str, current: str, expected: str
) -> None:
    consumed = calc.step(
        Reading(at(2026, 1, 1), D(previous)),
        Reading(at(2026, 2, 1), D(current), ReadingKind.rollover),
        digits,
    )
    assert consumed == D(expected)


def test_rollover_without_register_size_or_not_lower_is_refused() -> None:
    previous = Reading(at(2026, 1, 1), D(500))
    with pytest.raises(calc.ReadingError) as no_size:
        calc.step(previous, Reading(at(2026, 2, 1), D(10), ReadingKind.rollover), None)
    assert no_size.value.field == "kind"
    with pytest.raises(calc.ReadingError) as not_lower:
        calc.step(previous, Reading(at(2026, 2, 1), D(600), ReadingKind.rollover), 5)
    assert not_lower.value.field == "kind"


def test_replacement_counts_the_old_meter_to_its_final_then_the_new_from_its_start() -> None:
    readings = [
        Reading(at(2026, 1, 1), D(5000)),
        Reading(at(2026, 2, 1), D(12), ReadingKind.replacement, replaced_final=D(5400)),
        Reading(at(2026, 3, 1), D(312)),
    ]
    assert [i.quantity for i in calc.intervals(readings, None)] == [D(400), D(300)]


def test_replacement_needs_a_final_not_below_the_previous() -> None:
    previous = Reading(at(2026, 1, 1), D(5000))
    with pytest.raises(calc.ReadingError) as missing:
        calc.step(previous, Reading(at(2026, 2, 1), D(0), ReadingKind.replacement), None)
    assert missing.value.field == "replaced_final"
    with pytest.raises(calc.ReadingError):
        calc.step(
            previous,
            Reading(at(2026, 2, 1), D(0), ReadingKind.replacement, replaced_final=D(4000)),
            None,
        )


def test_estimated_readings_flag_both_neighbouring_intervals() -> None:
    readings = [
        Reading(at(2026, 1, 1), D(0)),
        Reading(at(2026, 2, 1), D(10), ReadingKind.estimated),
        Reading(at(2026, 3, 1), D(20)),
        Reading(at(2026, 4, 1), D(30)),
    ]
    assert [i.estimated for i in calc.intervals(readings, None)] == [True, True, False]


# ---- the jump check -----------------------------------------------------------------------


def _daily(days: list[tuple[int, str]]) -> list[Interval]:
    result = []
    start = at(2026, 1, 1)
    for length, quantity in days:
        end = datetime.fromtimestamp(start.timestamp() + length * 86400, UTC)
        result.append(Interval(start, end, D(quantity), False))
        start = end
    return result


def test_usual_needs_two_intervals() -> None:
    assert calc.usual_daily(_daily([(10, "100")])) is None
    assert calc.usual_daily(_daily([(10, "100"), (10, "300")])) == D(20)


def test_jump_above_ten_times_the_median_daily_rate() -> None:
    history = _daily([(10, "100"), (10, "100"), (10, "1000")])  # 10, 10, 100 a day: median 10
    start = history[-1].end
    within = Interval(start, datetime.fromtimestamp(start.timestamp() + 86400, UTC), D(100), False)
    above = Interval(start, within.end, D("100.1"), False)
    assert not calc.is_jump(history, within)
    assert calc.is_jump(history, above)


def test_no_jump_without_history_or_with_zero_usual() -> None:
    start = at(2026, 3, 1)
    new = Interval(start, at(2026, 3, 2), D(10_000), False)
    assert not calc.is_jump([], new)
    assert not calc.is_jump(_daily([(1, "0"), (1, "0")]), new)


# ---- calendarisation ------------------------------------------------------------------------


def test_days_split_pro_rata_into_months() -> None:
    # 15 Jan .. 14 Feb = 31 days: 17 in January, 14 in February.
    months = calc.calendarise_days(date(2026, 1, 15), date(2026, 2, 14), D(310))
    assert months == {date(2026, 1, 1): D(170), date(2026, 2, 1): D(140)}


def test_a_year_bill_spreads_over_twelve_months_by_their_days() -> None:
    months = calc.calendarise_days(date(2026, 1, 1), date(2026, 12, 31), D(365))
    assert len(months) == 12
    assert months[date(2026, 2, 1)] == D(28)
    assert months[date(2026, 12, 1)] == D(31)
    assert sum(months.values()) == D(365)


def test_leap_february_counts_29_days() -> None:
    months = calc.calendarise_days(date(2028, 2, 1), date(2028, 3, 31), D(60))
    assert months == {date(2028, 2, 1): D(29), date(2028, 3, 1): D(31)}


def test_boundary_day_shared_by_two_bills_goes_to_the_later_one() -> None:
    # Portfolio Manager: 15 Jan–15 Feb and 15 Feb–15 Mar: the 15th of February is counted once,
    # for the second bill.
    assert calc.counted_days(date(2026, 1, 15), date(2026, 2, 15), date(2026, 2, 15)) == (
        date(2026, 1, 15),
        date(2026, 2, 14),
    )
    assert calc.counted_days(date(2026, 1, 15), date(2026, 2, 15), date(2026, 2, 16)) == (
        date(2026, 1, 15),
        date(2026, 2, 15),
    )
    assert calc.counted_days(date(2026, 2, 15), date(2026, 2, 15), date(2026, 2, 15)) == (
        date(2026, 2, 15),
        date(2026, 2, 15),
    )


def test_consecutive_bills_sharing_a_day_are_not_double_counted() -> None:
    periods = [
        Period(date(2026, 1, 1), date(2026, 2, 1), D(310), cost=D(62)),  # 1..31 Jan counted
        Period(date(2026, 2, 1), date(2026, 2, 28), D(280), estimated=True),
    ]
    months = calc.calendarise_periods(periods)
    assert months[date(2026, 1, 1)] == (D(310), D(62), False)
    assert months[date(2026, 2, 1)] == (D(280), D(0), True)


def test_readings_calendarise_by_time_in_the_site_zone() -> None:
    # Midnight Berlin on 1 Jan (= 23:00 UTC on 31 Dec) to midnight Berlin on 1 Mar.
    start = datetime(2026, 1, 1, tzinfo=BERLIN).astimezone(UTC)
    end = datetime(2026, 3, 1, tzinfo=BERLIN).astimezone(UTC)
    months = calc.calendarise_interval(Interval(start, end, D(590), False), BERLIN)
    assert set(months) == {date(2026, 1, 1), date(2026, 2, 1)}
    assert months[date(2026, 1, 1)] == pytest.approx(D(310), abs=D("0.000001"))
    assert months[date(2026, 2, 1)] == pytest.approx(D(280), abs=D("0.000001"))


def test_reading_interval_over_a_dst_change_keeps_the_total() -> None:
    start = datetime(2026, 3, 15, tzinfo=BERLIN).astimezone(UTC)
    end = datetime(2026, 4, 15, tzinfo=BERLIN).astimezone(UTC)
    months = calc.calendarise_interval(Interval(start, end, D(1000), False), BERLIN)
    assert sum(months.values()) == pytest.approx(D(1000))
    # 17 days in March (one hour shorter) and 14 in April.
    assert months[date(2026, 3, 1)] > months[date(2026, 4, 1)]


def test_calendarise_readings_carries_the_estimated_flag() -> None:
    readings = [
        Reading(datetime(2026, 1, 1, tzinfo=BERLIN), D(0)),
        Reading(datetime(2026, 2, 1, tzinfo=BERLIN), D(31), ReadingKind.estimated),
        Reading(datetime(2026, 3, 1, tzinfo=BERLIN), D(59)),
    ]
    months = calc.calendarise_readings(readings, None, BERLIN)
    assert months[date(2026, 1, 1)][1] is True
    assert float(months[date(2026, 1, 1)][0]) == pytest.approx(31)


# ---- overlaps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "other", "expected"),
    [
        ((date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 1, 1), date(2026, 1, 31)), False),
        ((date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 1, 1), date(2026, 2, 1)), False),
        ((date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 2, 1), date(2026, 2, 28)), False),
        ((date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 1, 1), date(2026, 2, 2)), True),
        ((date(2026, 1, 10), date(2026, 1, 20)), (date(2026, 1, 1), date(2026, 1, 31)), True),
        ((date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 1, 1), date(2026, 1, 31)), True),
        ((date(2026, 1, 31), date(2026, 1, 31)), (date(2026, 1, 1), date(2026, 1, 31)), True),
    ],
)
def test_overlap_allows_only_one_shared_boundary_day(
    new: tuple[date, date], other: tuple[date, date], expected: bool
) -> None:
    assert calc.overlaps(new, other) is expected


# ---- emissions --------------------------------------------------------------------------------


def _factor(
    carrier: Carrier,
    year: int,
    value: str,
    method: FactorMethod = FactorMethod.location,
    version: int = 1,
) -> Factor:
    return Factor(
        carrier, "DE", year, method, D(value), "test source", version, id=year * 10 + version
    )


FACTORS = [
    _factor(Carrier.electricity_grid, 2024, "0.363"),
    _factor(Carrier.electricity_grid, 2023, "0.380"),
    _factor(Carrier.electricity_grid, 2023, "0.386", version=2),
    _factor(Carrier.natural_gas, 2019, "0.181"),
    _factor(Carrier.heating_oil, 2019, "0.251"),
]


def test_pick_factor_prefers_the_year_then_the_latest_earlier_then_the_earliest_later() -> None:
    def pick(year: int) -> Factor:
        found = calc.pick_factor(
            FACTORS, Carrier.electricity_grid, "DE", year, FactorMethod.location
        )
        assert found is not None
        return found

    assert pick(2024).value == D("0.363")
    assert pick(2023).value == D("0.386")  # the highest version
    assert pick(2026).value == D("0.363")
    assert pick(2020).value == D("0.386")
    assert (
        calc.pick_factor(FACTORS, Carrier.electricity_grid, "AT", 2024, FactorMethod.location)
        is None
    )


def test_scope1_and_scope2_both_methods() -> None:
    market = [*FACTORS, _factor(Carrier.electricity_grid, 2024, "0.020", FactorMethod.market)]
    out = calc.emissions(
        {
            Carrier.electricity_grid: D(1000),
            Carrier.natural_gas: D(2000),
            Carrier.heating_oil: D(100),
        },
        market,
        "DE",
        2024,
    )
    assert out.scope1_kg == D("362") + D("25.1")
    assert out.scope2_location_kg == D("363")
    assert out.scope2_market_kg == D("20")
    assert not out.market_fallback
    assert not out.missing


def test_market_falls_back_to_location_and_says_so() -> None:
    out = calc.emissions({Carrier.electricity_grid: D(1000)}, FACTORS, "DE", 2024)
    assert out.scope2_market_kg == out.scope2_location_kg == D("363")
    assert out.market_fallback


def test_missing_factor_is_reported_not_guessed() -> None:
    out = calc.emissions({Carrier.district_heating: D(500)}, FACTORS, "DE", 2024)
    assert out.scope2_location_kg == 0
    assert out.missing == {Carrier.district_heating}


def test_solar_water_and_waste_emit_nothing_here() -> None:
    out = calc.emissions(
        {Carrier.solar_generation: D(500), Carrier.water: D(5), Carrier.waste_paper: D(9)},
        FACTORS,
        "DE",
        2024,
    )
    assert (out.scope1_kg, out.scope2_location_kg, out.scope2_market_kg) == (0, 0, 0)
    assert not out.missing


# ---- intensities and diversion ------------------------------------------------------------------


def test_intensity_divides_and_refuses_unknown_denominators() -> None:
    assert calc.intensity(D(1000), D(250)) == D(4)
    assert calc.intensity(D(1000), 40) == D(25)
    assert calc.intensity(D(1000), None) is None
    assert calc.intensity(D(1000), 0) is None


def test_diversion_rate() -> None:
    waste = {
        Carrier.waste_residual: D(40),
        Carrier.waste_paper: D(30),
        Carrier.waste_glass: D(20),
        Carrier.waste_organic: D(10),
        Carrier.electricity_grid: D(99999),  # not waste: ignored
    }
    assert calc.diversion_rate(waste) == D(60)
    assert calc.diversion_rate({Carrier.waste_residual: D(5)}) == 0
    assert calc.diversion_rate({}) is None
