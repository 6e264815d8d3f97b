"""Unit conversion with pint, the well-kept units library (maintained, handles compound units
such as kWh/m³ and refuses dimensionally wrong conversions), instead of hand-written factors.

Fuels are converted on the **gross calorific basis** (Brennwert, Hs), as German gas bills
state them: ``kWh = m³ × Zustandszahl × Brennwert``. Emission factors for fuels are stored
per kWh on the same gross basis (see ``defaults.py``), so the two never mix.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pint

from facilities.sustainability.enums import Carrier, reporting_unit

# Default gross calorific value of heating oil EL (kWh per litre) when a meter names none:
# about 45.4 MJ/kg × 0.84 kg/l ≈ 10.6 kWh/l (net: about 10.0 kWh/l). A default to check
# against the supplier's delivery note.
HEATING_OIL_GROSS_KWH_PER_L = Decimal("10.6")

_PINT_NAMES = {"kWh": "kilowatt_hour", "MWh": "megawatt_hour", "m3": "meter ** 3", "L": "liter"}
_PINT_NAMES.update({"kg": "kilogram", "t": "metric_ton"})


class UnitError(ValueError):
    """A quantity that cannot be converted (a missing factor or a wrong unit)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@cache
def registry() -> pint.UnitRegistry:
    return pint.UnitRegistry(non_int_type=Decimal)


def _quantity(value: Decimal, unit: str) -> pint.Quantity:
    if unit not in _PINT_NAMES:
        raise UnitError("unit", f"unknown unit {unit}")
    ureg = registry()
    return ureg.Quantity(Decimal(value), ureg.parse_units(_PINT_NAMES[unit]))


def convert(value: Decimal, unit: str, to: str) -> Decimal:
    """Same-dimension conversion, e.g. MWh → kWh, l → m³, t → kg."""
    target = registry().parse_units(_PINT_NAMES[to])
    return Decimal(_quantity(value, unit).to(target).magnitude)


def to_reporting_unit(
    value: Decimal,
    *,
    carrier: Carrier,
    unit: str,
    correction_factor: Decimal | None = None,
    calorific_value: Decimal | None = None,
) -> Decimal:
    """A meter's quantity in its carrier's reporting unit (kWh, m³ or kg).

    Gas in m³ needs the volume correction factor and the gross calorific value (kWh/m³);
    heating oil in litres uses its gross calorific value (kWh/l; default 10.6).
    """
    target = reporting_unit(carrier)
    if carrier is Carrier.natural_gas and unit == "m3":
        if correction_factor is None or calorific_value is None:
            field = "correction_factor" if correction_factor is None else "calorific_value"
            raise UnitError(field, "gas in m³ needs a correction factor and a calorific value")
        ureg = registry()
        energy = (
            _quantity(value, "m3")
            * Decimal(correction_factor)
            * ureg.Quantity(
                Decimal(calorific_value), ureg.parse_units("kilowatt_hour / meter ** 3")
            )
        )
        return Decimal(energy.to(ureg.parse_units("kilowatt_hour")).magnitude)
    if carrier is Carrier.heating_oil and unit == "L":
        ureg = registry()
        per_litre = calorific_value if calorific_value is not None else HEATING_OIL_GROSS_KWH_PER_L
        energy = _quantity(value, "L") * ureg.Quantity(
            Decimal(per_litre), ureg.parse_units("kilowatt_hour / liter")
        )
        return Decimal(energy.to(ureg.parse_units("kilowatt_hour")).magnitude)
    try:
        return convert(value, unit, target)
    except pint.DimensionalityError as error:
        raise UnitError("unit", f"{unit} cannot be converted to {target}") from error
