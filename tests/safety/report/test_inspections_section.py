"""The inspections part of the safety report: due vs done on time, the average score and
its trend by month, the most failed items, open findings by age and overdue corrective
work, counted by the database, hand-computed here; scoped (a community manager's report
never counts a foreign site); on the web page and in the PDF."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from facilities import db
from facilities.kit import clock
from facilities.safety.inspections.tables import Finding, Inspection
from facilities.safety.report import sections
from tests import builders
from tests import workorders_builders as wb
from tests.safety import helpers

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
API = "/api/v1/safety/report"
PERIOD = "period_from=2026-03-01&period_to=2026-05-31"


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _inspection(
    site_id: int, version_id: int, due: str, submitted: str | None, score: int | None
) -> int:
    row = Inspection(
        template_version=version_id,
        site=site_id,
        target_key=f"site:{site_id}",
        occurrence_key=due,
        due_at=_at(due),
        status="submitted" if submitted else "due",
        submitted_at=_at(submitted) if submitted else None,
        score=Decimal(score) if score is not None else None,
    )
    await row.save()
    return int(row.id)


async def _finding(
    inspection_id: int,
    template_id: int,
    site_id: int,
    label: str,
    created: str,
    *,
    status: str = "open",
    work_order: int | None = None,
) -> None:
    await Finding(
        inspection=inspection_id,
        template=template_id,
        site=site_id,
        target_key=f"site:{site_id}",
        item_key=label[:20],
        item_label=label,
        status=status,
        work_order=work_order,
        created_at=_at(created),
    ).save()


async def _corrective(site_id: int, due: str) -> int:
    order = await wb.work_order(site_id)
    await db.raw("UPDATE work_order SET due_at = {} WHERE id = {}", _at(due), order.id)
    return order.id


async def _data() -> helpers.World:
    w = await helpers.world()
    template = await helpers.starter()
    here, there, v, t = w.site.id, w.other_site.id, template.version_id, template.id
    await _inspection(here, v, "2026-03-10T10:00", "2026-03-09T10:00", 80)  # on time
    late = await _inspection(here, v, "2026-03-20T10:00", "2026-03-25T10:00", 60)
    await _inspection(here, v, "2026-04-10T10:00", None, None)  # never done
    await _inspection(here, v, "2026-05-10T10:00", "2026-05-10T08:00", 90)  # on time
    early = await _inspection(here, v, "2026-02-20T10:00", "2026-03-02T10:00", 50)
    foreign = await _inspection(there, v, "2026-03-15T10:00", "2026-03-14T10:00", 10)
    await _finding(late, t, here, "Pressure gauge in green", "2026-03-25T10:00")
    await _finding(early, t, here, "Pressure gauge in green", "2026-03-02T10:00", status="closed")
    overdue = await _corrective(here, "2026-06-01T10:00")
    await _finding(late, t, here, "Pin and seal intact", "2026-03-25T10:00", work_order=overdue)
    not_yet = await _corrective(here, "2026-07-01T10:00")
    await _finding(late, t, here, "Sign visible", "2026-06-12T10:00", work_order=not_yet)
    foreign_order = await _corrective(there, "2026-06-01T10:00")
    for label in ("Pressure gauge in green", "Hose cracked", "Hose cracked"):
        await _finding(foreign, t, there, label, "2026-03-15T10:00", work_order=foreign_order)
    return w


EXPECTED_HERE = {
    "due": 4,  # 10 Mar, 20 Mar, 10 Apr, 10 May (20 Feb is before the period)
    "done_on_time": 2,  # 10 Mar (a day early) and 10 May (two hours early)
    "on_time_rate": 50.0,
    "submitted": 4,  # 9 Mar, 25 Mar, 10 May and 2 Mar (due in February)
    "average_score": 70.0,  # (80 + 60 + 90 + 50) / 4
    "score_by_month": [["2026-03", 63.3, 3], ["2026-04", None, 0], ["2026-05", 90.0, 1]],
    "top_failed": [["Pressure gauge in green", 2], ["Pin and seal intact", 1]],
    "open_by_age": [["0-7", 1], ["7-30", 0], ["30-90", 2], ["90+", 0]],
    "overdue_work_orders": 1,  # due 1 June and open; the one due 1 July is not late yet
}


async def test_figures_by_hand_and_a_community_manager_never_counts_a_foreign_site(
    make_client,
) -> None:
    w = await _data()
    cm = await builders.api(make_client, w.cm)
    answer = await cm.get(f"{API}?{PERIOD}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["site_ids"] == [w.site.id]
    assert answer.json()["inspections"] == EXPECTED_HERE
    assert (await cm.get(f"{API}?{PERIOD}&site_id={w.other_site.id}")).status_code == 404
    ops = await builders.api(make_client, w.ops)
    both = (await ops.get(f"{API}?{PERIOD}")).json()["inspections"]
    assert both["due"] == 5 and both["done_on_time"] == 3
    assert both["average_score"] == 58.0  # (80 + 60 + 90 + 50 + 10) / 5
    assert both["top_failed"] == [
        ["Pressure gauge in green", 3],
        ["Hose cracked", 2],
        ["Pin and seal intact", 1],
    ]
    assert both["overdue_work_orders"] == 1 + 3


async def test_an_empty_period_shows_dashes_not_errors(make_client) -> None:
    w = await helpers.world()
    cm = await builders.api(make_client, w.cm)
    figures = (await cm.get(f"{API}?{PERIOD}")).json()["inspections"]
    assert figures["due"] == 0 and figures["on_time_rate"] is None
    assert figures["average_score"] is None and figures["top_failed"] == []


async def test_the_section_is_first_on_the_page_and_in_the_pdf(make_client) -> None:
    w = await _data()
    assert sections.SECTIONS[0] is sections.inspections_section
    session = await builders.browser_session(make_client, w.cm)
    page = await session.get(f"/safety/report?{PERIOD}")
    assert page.status_code == 200
    assert page.text.index('id="inspections"') < page.text.index('id="incidents"')
    assert "Average inspection score per month" in page.text
    assert "Pin and seal intact" in page.text and "Hose cracked" not in page.text
    pdf = await session.get(f"/safety/report/pdf?{PERIOD}")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Average inspection score per month" in text
    assert "Pin and seal intact" in text and "Hose cracked" not in text


async def test_the_charts_speak_the_readers_language(make_client) -> None:
    """A German reader sees German month names and a German empty chart (pygal's own
    "No data" and raw YYYY-MM keys were shown before)."""
    w = await helpers.world()
    await db.raw("UPDATE app_user SET locale = {} WHERE id = {}", "de", w.cm.id)
    session = await builders.browser_session(make_client, w.cm)
    page = await session.get(f"/safety/report?{PERIOD}")
    assert page.status_code == 200
    assert "Keine Zahlen in diesem Zeitraum" in page.text and "No data" not in page.text
    assert ">März 2026<" in page.text and ">2026-03<" not in page.text
