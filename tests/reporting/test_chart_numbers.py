"""Chart axes in the reader's number format (pygal wrote 10000 on a German page)."""

from __future__ import annotations

from types import SimpleNamespace

from facilities.kit.i18n import using_locale
from facilities.reporting.charts import budget_bars


def _report() -> SimpleNamespace:
    line = SimpleNamespace(label="Wartung", budget=36000, actual=16255.88)
    return SimpleNamespace(year_lines=[line])


def test_budget_chart_axis_in_german_and_english() -> None:
    with using_locale("de"):
        german = str(budget_bars(_report()))
    with using_locale("en"):
        english = str(budget_bars(_report()))
    assert ">8.000<" in german and ">8000<" not in german
    assert ">8,000<" in english
