"""Units with pint: gas by Zustandszahl × Brennwert, oil litres, kWh/MWh, water, waste."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from facilities.sustainability.enums import Carrier
from facilities.sustainability.units import UnitError, convert, to_reporting_unit


def test_gas_cubic_metres_to_kwh_as_on_a_german_gas_bill() -> None:
    # 1,000 m³ × Zustandszahl 0.9636 × Brennwert 11.331 kWh/m³ = 10,918.55 kWh (gross)
    kwh = to_reporting_unit(
        D(1000),
        carrier=Carrier.natural_gas,
        unit="m3",
        correction_factor=D("0.9636"),
        calorific_value=D("11.331"),
    )
    assert kwh == pytest.approx(D("10918.5516"))


@pytest.mark.parametrize("missing", ["correction_factor", "calorific_value"])
def test_gas_in_cubic_metres_needs_both_bill_values(missing: str) -> None:
    values = {"correction_factor": D("0.95"), "calorific_value": D("11.2")}
    values[missing] = None  # type: ignore[assignment]
    with pytest.raises(UnitError) as error:
        to_reporting_unit(D(1), carrier=Carrier.natural_gas, unit="m3", **values)
    assert error.value.field == missing


def test_gas_already_in_kwh_or_mwh_needs_no_factors() -> None:
    assert to_reporting_unit(D(2), carrier=Carrier.natural_gas, unit="MWh") == D(2000)
    assert to_reporting_unit(D(7), carrier=Carrier.natural_gas, unit="kWh") == D(7)


def test_heating_oil_litres_default_and_own_calorific_value() -> None:
    assert to_reporting_unit(D(1000), carrier=Carrier.heating_oil, unit="L") == D(10600)
    own = to_reporting_unit(
        D(1000), carrier=Carrier.heating_oil, unit="L", calorific_value=D("10.5")
    )
    assert own == D(10500)


@pytest.mark.parametrize(
    ("carrier", "unit", "value", "expected"),
    [
        (Carrier.electricity_grid, "MWh", "1.5", "1500"),
        (Carrier.electricity_grid, "kWh", "42", "42"),
        (Carrier.district_heating, "MWh", "0.25", "250"),
        (Carrier.water, "L", "2500", "2.5"),
        (Carrier.water, "m3", "3", "3"),
        (Carrier.waste_paper, "t", "1.2", "1200"),
        (Carrier.waste_residual, "kg", "80", "80"),
    ],
)
def test_same_dimension_conversions(carrier: Carrier, unit: str, value: str, expected: str) -> None:
    assert to_reporting_unit(D(value), carrier=carrier, unit=unit) == pytest.approx(D(expected))


def test_wrong_dimension_and_unknown_unit_are_refused() -> None:
    with pytest.raises(UnitError):
        to_reporting_unit(D(1), carrier=Carrier.water, unit="kWh")
    with pytest.raises(UnitError):
        convert(D(1), "furlong", "kWh")
