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

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from facilities.kit.i18n import N_, _, format_number
from facilities.sustainability.enums import Carrier, FactorMethod

# The source notes are stored in English (what the database holds, whatever the reader's
# language) and shown translated: ``localized_source`` recognises a shipped default's note
# and renders it from the catalogue. Publishers and publication titles stay as published.
UBA_STROMMIX = N_(
    "Umweltbundesamt: CO2-Emissionsfaktor des deutschen Strommix (Inlandsverbrauch), "
    "Climate Change series 'Entwicklung der spezifischen Treibhausgas-Emissionen des "
    "deutschen Strommix', year %(year)s. Shipped default - verify against the current "
    "UBA publication."
)
UBA_STROMMIX_PROVISIONAL = N_(
    "Umweltbundesamt: CO2-Emissionsfaktor des deutschen Strommix (Inlandsverbrauch), "
    "Climate Change series 'Entwicklung der spezifischen Treibhausgas-Emissionen des "
    "deutschen Strommix', year %(year)s (provisional). Shipped default - verify against the "
    "current UBA publication."
)
BAFA = N_(
    "BAFA Informationsblatt CO2-Faktoren: %(net)s kg CO2/kWh (Hi), converted to the gross "
    "calorific basis (Hs) by Hs/Hi = %(ratio)s. Shipped default - verify against the current "
    "BAFA publication."
)
DISTRICT_HEAT = N_(
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
    note: str  # the English source note (a template marked for translation)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The note as stored (English)."""
        return self.note % {k: str(v) for k, v in self.params.items()}

    def localized_source(self) -> str:
        """The note in the current language (numbers in its format)."""
        return _(self.note) % {
            k: format_number(v) if isinstance(v, Decimal) else str(v)
            for k, v in self.params.items()
        }


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
            UBA_STROMMIX_PROVISIONAL if year in _PROVISIONAL else UBA_STROMMIX,
            {"year": year},
        )
        for year, grams in _GRID_DE.items()
    ),
    DefaultFactor(
        Carrier.natural_gas,
        "DE",
        2019,
        FactorMethod.location,
        Decimal("0.181"),
        BAFA,
        {"net": Decimal("0.201"), "ratio": Decimal("1.11")},
    ),
    DefaultFactor(
        Carrier.heating_oil,
        "DE",
        2019,
        FactorMethod.location,
        Decimal("0.251"),
        BAFA,
        {"net": Decimal("0.266"), "ratio": Decimal("1.06")},
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

_BY_SOURCE = {factor.source: factor for factor in DEFAULT_FACTORS}


def localized_source(source: str, *, shipped: bool) -> str:
    """A factor's source note for the reader: a shipped default's note in the current
    language; any other note (typed by a person) as it was entered."""
    default = _BY_SOURCE.get(source) if shipped else None
    return default.localized_source() if default is not None else source
