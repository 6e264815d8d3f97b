"""Shipped default emission factors for Germany, as data (loaded by ``facilities demo`` and
by ``actions.seed_default_factors``, independent of migrations).

All values are kg CO2e per kWh; fuels on the **gross calorific basis** (Brennwert, Hs), the
basis German gas bills and ``units.to_reporting_unit`` use. Each row is marked ``shipped``:
these are defaults to verify against the current publication before reporting externally
(the UI and the API say so); add a newer version when the source publishes new figures.

Grid electricity (location-based): the Umweltbundesamt's CO2 emission factor of the German
electricity mix (domestic consumption), series "Entwicklung der spezifischen
Treibhausgas-Emissionen des deutschen Strommix" (Climate Change series); the latest years
are provisional in the UBA's own publication and are revised later. They are CO2 only (the
UBA's CO2-equivalent figures are slightly higher).

Natural gas and heating oil: BAFA "Informationsblatt CO2-Faktoren" (0.201 and 0.266 kg CO2
per kWh, net calorific basis Hi), converted to the gross basis by the ratio Hs/Hi (1.11 for
natural gas, 1.06 for heating oil): 0.201 / 1.11 = 0.181; 0.266 / 1.06 = 0.251.

District heating: a generic default; every network publishes its own certified factor
(AGFW FW 309-6) - enter it as a new version or a market-based factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from facilities.sustainability.enums import Carrier, FactorMethod

UBA_STROMMIX = (
    "Umweltbundesamt: CO2-Emissionsfaktor des deutschen Strommix (Inlandsverbrauch), "
    "Climate Change series 'Entwicklung der spezifischen Treibhausgas-Emissionen des "
    "deutschen Strommix', year {year}{note}. Shipped default - verify against the current "
    "UBA publication."
)
BAFA = (
    "BAFA Informationsblatt CO2-Faktoren: {net} kg CO2/kWh (Hi), converted to the gross "
    "calorific basis (Hs) by Hs/Hi = {ratio}. Shipped default - verify against the current "
    "BAFA publication."
)
DISTRICT_HEAT = (
    "Generic default for German district heating (fossil-dominated network). Replace it by "
    "the network operator's certified factor (AGFW FW 309-6). Shipped default - verify."
)


@dataclass(frozen=True, slots=True)
class DefaultFactor:
    carrier: Carrier
    region: str
    year: int
    method: FactorMethod
    value: Decimal
    source: str


# g CO2/kWh of the German electricity mix by year (UBA; 2023 and 2024 provisional).
_GRID_DE = {2019: 411, 2020: 369, 2021: 420, 2022: 434, 2023: 380, 2024: 363}
_PROVISIONAL = {2023, 2024}

DEFAULT_FACTORS: tuple[DefaultFactor, ...] = (
    *(
        DefaultFactor(
            Carrier.electricity_grid,
            "DE",
            year,
            FactorMethod.location,
            Decimal(grams) / 1000,
            UBA_STROMMIX.format(year=year, note=" (provisional)" if year in _PROVISIONAL else ""),
        )
        for year, grams in _GRID_DE.items()
    ),
    DefaultFactor(
        Carrier.natural_gas,
        "DE",
        2019,
        FactorMethod.location,
        Decimal("0.181"),
        BAFA.format(net="0.201", ratio="1.11"),
    ),
    DefaultFactor(
        Carrier.heating_oil,
        "DE",
        2019,
        FactorMethod.location,
        Decimal("0.251"),
        BAFA.format(net="0.266", ratio="1.06"),
    ),
    DefaultFactor(
        Carrier.district_heating,
        "DE",
        2019,
        FactorMethod.location,
        Decimal("0.280"),
        DISTRICT_HEAT,
    ),
)
