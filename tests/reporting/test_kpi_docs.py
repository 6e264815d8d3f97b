"""``docs/kpis.md`` says what the code computes: its "Operational KPIs" section is generated
from the KPI definitions (``python -m facilities.reporting.kpi_docs`` rewrites it)."""

from __future__ import annotations

from facilities.kit import kpi
from facilities.reporting import kpi_docs
from facilities.reporting.kpis import KPIS


def test_docs_match_the_definitions() -> None:
    section = kpi_docs.current(kpi_docs.DOCS.read_text())
    assert section == kpi_docs.markdown(), "run: python -m facilities.reporting.kpi_docs"


def test_every_reporting_kpi_is_published_and_registered() -> None:
    for k in KPIS:
        assert k.meaning and k.formula and k.population, k.name
        assert k.name in kpi.names(), k.name
    smrp = {k.name for k in KPIS if "SMRP" in k.standard}
    assert smrp == {"mttr", "mtbf"}
