"""One interface for key performance indicators, the one reporting calls.

A domain that computes a KPI (PM compliance in maintenance, uptime in assets, partner
scorecards in services) describes it as a ``Kpi``: a stable ``name``, a ``title``, the
``formula`` and ``population`` in words (the same text as ``docs/kpis.md``), its ``unit`` and
an async ``compute(principal, period)`` returning one ``KpiValue`` per subject (a site, an
asset, a partner; ``subject=None`` is the total, when the KPI has one). The domain's own
computation stays where it is; ``compute`` only adapts its result, so the figures are the
same wherever they are shown. ``facilities.wiring.install`` registers every definition;
reporting reads ``all_kpis()`` / ``get(name)`` and never imports the domains.

The period is whole UTC days, ``[start, end)`` (end exclusive) for every KPI.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# What a figure is measured in: a share, a duration, a number of records, money, an
# inspection score (%), or an intensity (kWh or kg CO2e per m², per desk, per member visit).
UNITS = frozenset(
    {
        "percent",
        "minutes",
        "hours",
        "days",
        "count",
        "EUR",
        "score",
        "kwh_per_m2",
        "kwh_per_desk",
        "kg_per_m2",
        "kg_per_desk",
        "kg_per_visit",
    }
)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # exclusive

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")


@dataclass(frozen=True, slots=True)
class KpiValue:
    subject: str | None  # e.g. "site:3", "asset:7", "partner:2"; None = the total
    label: str
    value: float | None  # None: nothing to measure in the period
    numerator: float | None = None
    denominator: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


Compute = Callable[[Any, Period], Awaitable[list[KpiValue]]]


@dataclass(frozen=True, slots=True)
class Kpi:
    name: str
    title: str  # a msgid (``N_``): translate when shown
    unit: str  # one of UNITS
    formula: str
    population: str
    compute: Compute
    # For people (msgids, ``N_``): what the figure means, its edge cases, and which published
    # standard definition it follows. ``kpi_help`` and ``docs/kpis.md`` are generated from
    # these, so the in-app page and the docs say the same as the code.
    meaning: str = ""
    edge_cases: str = ""
    standard: str = ""
    # "higher" or "lower": which direction of change is good (trend arrows on dashboards)
    better: str = "higher"
    section: str = ""


_registry: dict[str, Kpi] = {}


def register(kpi: Kpi) -> None:
    """Add (or replace, by name) a definition; idempotent."""
    _registry[kpi.name] = kpi


def get(name: str) -> Kpi:
    return _registry[name]


def all_kpis() -> list[Kpi]:
    return sorted(_registry.values(), key=lambda k: k.name)


def names() -> list[str]:
    return sorted(_registry)


def clear() -> None:
    """Forget every definition (tests of the wiring only)."""
    _registry.clear()


def aggregate(unit: str, values: list[KpiValue]) -> KpiValue:
    """One value over several subjects (e.g. the sites of a region) from their numerators and
    denominators, by the unit's rule: percent → 100 × Σn / Σd, count → Σn, else (a mean such
    as minutes, hours or days) → Σn / Σd. ``None`` when there is nothing to measure."""
    num = sum(v.numerator or 0.0 for v in values)
    den = sum(v.denominator or 0.0 for v in values)
    if unit == "count":
        value: float | None = num
    elif unit == "percent":
        value = percent(num, den)
    else:
        value = round(num / den, 2) if den else None
    return KpiValue(subject=None, label="", value=value, numerator=num, denominator=den)


def percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None
