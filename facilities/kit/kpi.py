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
    unit: str  # "percent", "minutes", "count", "EUR"
    formula: str
    population: str
    compute: Compute


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


def percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None
