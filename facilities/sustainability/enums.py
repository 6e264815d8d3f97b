"""Energy carriers and waste streams, their units and scopes; reading kinds; factor methods."""

from __future__ import annotations

from enum import StrEnum

from facilities.kit.i18n import N_


class Carrier(StrEnum):
    electricity_grid = "electricity_grid"
    solar_generation = "solar_generation"
    natural_gas = "natural_gas"
    district_heating = "district_heating"
    heating_oil = "heating_oil"
    water = "water"
    waste_residual = "waste_residual"
    waste_paper = "waste_paper"
    waste_packaging = "waste_packaging"
    waste_organic = "waste_organic"
    waste_glass = "waste_glass"
    waste_electronic = "waste_electronic"
    # An asset's own register for meter-based maintenance (docs/architecture.md "Meters"):
    # never energy, carbon or a reported figure.
    operating_hours = "operating_hours"
    counter = "counter"


CARRIER_LABELS = {
    Carrier.electricity_grid: N_("Electricity (grid)"),
    Carrier.solar_generation: N_("Solar generation"),
    Carrier.natural_gas: N_("Natural gas"),
    Carrier.district_heating: N_("District heating"),
    Carrier.heating_oil: N_("Heating oil"),
    Carrier.water: N_("Water"),
    Carrier.waste_residual: N_("Residual waste"),
    Carrier.waste_paper: N_("Paper and cardboard"),
    Carrier.waste_packaging: N_("Packaging"),
    Carrier.waste_organic: N_("Organic waste"),
    Carrier.waste_glass: N_("Glass"),
    Carrier.waste_electronic: N_("Electronic waste"),
    Carrier.operating_hours: N_("Operating hours"),
    Carrier.counter: N_("Counter"),
}

WASTE = frozenset(c for c in Carrier if c.value.startswith("waste_"))
# Every waste stream except residual waste is collected separately for recycling.
DIVERTED = WASTE - {Carrier.waste_residual}
ENERGY = frozenset(
    {
        Carrier.electricity_grid,
        Carrier.solar_generation,
        Carrier.natural_gas,
        Carrier.district_heating,
        Carrier.heating_oil,
    }
)
# Direct combustion on site (Scope 1) and purchased energy (Scope 2). Solar generation on
# site emits nothing; water and waste are Scope 3 and not counted here.
SCOPE_1 = frozenset({Carrier.natural_gas, Carrier.heating_oil})
SCOPE_2 = frozenset({Carrier.electricity_grid, Carrier.district_heating})
# An asset's usage (runtime hours, cycles, pieces): read for meter-based maintenance, left
# out of every monthly figure, result, report and KPI (``monthly.refresh`` skips them).
USAGE = frozenset({Carrier.operating_hours, Carrier.counter})


def reporting_unit(carrier: Carrier) -> str:
    """The unit results are reported in: kWh for energy, m³ for water, kg for waste."""
    if carrier in ENERGY:
        return "kWh"
    if carrier is Carrier.water:
        return "m3"
    if carrier is Carrier.operating_hours:
        return "h"
    if carrier is Carrier.counter:
        return "count"
    return "kg"


# The units a meter of each carrier may count in (pint unit names; m3 = cubic metre).
CARRIER_UNITS: dict[Carrier, tuple[str, ...]] = {
    Carrier.electricity_grid: ("kWh", "MWh"),
    Carrier.solar_generation: ("kWh", "MWh"),
    Carrier.natural_gas: ("m3", "kWh", "MWh"),
    Carrier.district_heating: ("kWh", "MWh"),
    Carrier.heating_oil: ("L", "kWh"),
    Carrier.water: ("m3", "L"),
    **{c: ("kg", "t") for c in WASTE},
    Carrier.operating_hours: ("h",),
    Carrier.counter: ("count",),
}

UNIT_LABELS = {
    "kWh": "kWh",
    "MWh": "MWh",
    "m3": "m³",
    "L": "l",
    "kg": "kg",
    "t": "t",
    "h": "h",
    "count": "×",
}


class ReadingKind(StrEnum):
    regular = "regular"
    estimated = "estimated"  # counted, but flagged in results
    rollover = "rollover"  # the register passed its maximum and started again at zero
    replacement = "replacement"  # a new meter: old meter's final reading + new start value


READING_KIND_LABELS = {
    ReadingKind.regular: N_("Read"),
    ReadingKind.estimated: N_("Estimated"),
    ReadingKind.rollover: N_("Register rolled over"),
    ReadingKind.replacement: N_("Meter replaced"),
}


class FactorMethod(StrEnum):
    location = "location"  # the grid's average (GHG Protocol Scope 2 location-based)
    market = "market"  # the supplier's contract or certificates (market-based)


FACTOR_METHOD_LABELS = {
    FactorMethod.location: N_("Location-based"),
    FactorMethod.market: N_("Market-based"),
}
