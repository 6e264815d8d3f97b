"""The refrigerant library: GWP100 of pure gases from the IPCC's Fifth and Sixth Assessment
Reports, and blends computed from their components by mass (the rule of the EU F-gas
Regulation, Annex VI: GWP of a mixture = Σ mass fraction × GWP of the component). A
refrigerant top-up recorded on a work order (a maintenance part line of kind
``refrigerant``) counts as a Scope 1 fugitive emission: ``kg × GWP100 = kg CO2e`` — what was
filled in replaces what leaked.

Sources (shipped defaults, to verify against the publications):
* AR5: IPCC 2013, Working Group I, Chapter 8, Table 8.A.1 (100-year GWP, no climate-carbon
  feedback).
* AR6: IPCC 2021, Working Group I, Chapter 7, Table 7.SM.7.
HFO-1234yf and HFO-1234ze(E) are "< 1" in AR5; 1 is used. R-22 (an HCFC, ozone-depleting)
is outside the Kyoto basket but is still leaked and filled in old units: it is counted.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from facilities.kit.i18n import N_


class Basis(StrEnum):
    ar5 = "AR5"
    ar6 = "AR6"


# Results use the latest assessment (ESRS E1 asks for it); AR5 stays for comparisons with
# earlier reports (both are listed in the report's methodology appendix).
BASIS = Basis.ar6

SOURCES = {
    Basis.ar5: N_("IPCC AR5 (2013), WG I, Table 8.A.1, GWP100"),
    Basis.ar6: N_("IPCC AR6 (2021), WG I, Table 7.SM.7, GWP100"),
}

# Pure gases: (AR5, AR6).
PURE: dict[str, tuple[Decimal, Decimal]] = {
    "R-32": (Decimal(677), Decimal(771)),
    "R-125": (Decimal(3170), Decimal(3740)),
    "R-134a": (Decimal(1300), Decimal(1530)),
    "R-143a": (Decimal(4800), Decimal(5810)),
    "R-152a": (Decimal(138), Decimal(164)),
    "R-227ea": (Decimal(3350), Decimal(3600)),
    "R-23": (Decimal(12400), Decimal(14600)),
    "R-22": (Decimal(1760), Decimal(1960)),
    "R-1234yf": (Decimal(1), Decimal("0.501")),
    "R-1234ze(E)": (Decimal(1), Decimal("1.37")),
    "R-744": (Decimal(1), Decimal(1)),  # carbon dioxide
    "R-717": (Decimal(0), Decimal(0)),  # ammonia
}

# Blends: component → mass fraction (ASHRAE 34 compositions).
BLENDS: dict[str, dict[str, Decimal]] = {
    "R-410A": {"R-32": Decimal("0.50"), "R-125": Decimal("0.50")},
    "R-407C": {"R-32": Decimal("0.23"), "R-125": Decimal("0.25"), "R-134a": Decimal("0.52")},
    "R-404A": {"R-125": Decimal("0.44"), "R-143a": Decimal("0.52"), "R-134a": Decimal("0.04")},
    "R-507A": {"R-125": Decimal("0.50"), "R-143a": Decimal("0.50")},
    "R-454B": {"R-32": Decimal("0.689"), "R-1234yf": Decimal("0.311")},
    "R-513A": {"R-1234yf": Decimal("0.56"), "R-134a": Decimal("0.44")},
    "R-448A": {
        "R-32": Decimal("0.26"),
        "R-125": Decimal("0.26"),
        "R-1234yf": Decimal("0.20"),
        "R-134a": Decimal("0.21"),
        "R-1234ze(E)": Decimal("0.07"),
    },
    "R-449A": {
        "R-32": Decimal("0.243"),
        "R-125": Decimal("0.247"),
        "R-1234yf": Decimal("0.253"),
        "R-134a": Decimal("0.257"),
    },
}

_BY_KEY = {name.replace("-", "").upper(): name for name in (*PURE, *BLENDS)}


def canonical(name: str) -> str | None:
    """The library's spelling of a gas ("r410a", "R 410A", "R-410A" → "R-410A"); None if
    unknown. Registered with maintenance (``hooks.set_refrigerant_check``) in wiring."""
    key = name.strip().upper().replace("-", "").replace(" ", "")
    return _BY_KEY.get(key)


def gwp(name: str, basis: Basis = BASIS) -> Decimal:
    """GWP100 of a gas: a pure gas's value, or Σ mass fraction × component GWP."""
    index = 0 if basis is Basis.ar5 else 1
    if name in PURE:
        return PURE[name][index]
    blend = BLENDS[name]
    return sum((fraction * PURE[part][index] for part, fraction in blend.items()), Decimal(0))


def names() -> list[str]:
    return sorted(_BY_KEY.values())
