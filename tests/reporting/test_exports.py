"""Exports: the work-order list as CSV and XLSX (streamed), the records behind a figure, and
Asana's CSV import format; a community manager's export never holds a foreign site."""

from __future__ import annotations

import csv
import io
from typing import Any

from facilities.accounts.enums import Role
from facilities.kit import clock
from tests import builders
from tests.reporting.kpi_dataset import AFTER, build
from tests.reporting.xlsx_reader import sheets


def _csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


async def test_work_orders_csv_and_xlsx_scoped(make_client: Any) -> None:
    data = await build()
    cm = await builders.api(make_client, data.w.cm)
    ops = await builders.api(make_client, data.ops)
    mine = await cm.get("/api/v1/reporting/exports/work-orders.csv")
    everything = await ops.get("/api/v1/reporting/exports/work-orders.xlsx")
    assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/csv")
    assert "attachment" in mine.headers["content-disposition"]
    rows = _csv(mine.content)
    assert rows[0][:3] == ["Number", "Title", "Kind"]
    ids = {int(r[0]) for r in rows[1:]}
    assert data.orders["wo1"] in ids and data.orders["other"] not in ids
    assert everything.status_code == 200
    book = sheets(everything.content)["Work orders"]
    assert {int(r[0]) for r in book[1:]} == ids | {data.orders["other"]}
    open_only = _csv(
        (
            await cm.get("/api/v1/reporting/exports/work-orders.csv", params={"open_only": "true"})
        ).content
    )
    assert {int(r[0]) for r in open_only[1:]} == {data.orders["wo4"], data.orders["wo5"]}


async def test_asana_csv(make_client: Any) -> None:
    data = await build()
    cm = await builders.api(make_client, data.w.cm)
    answer = await cm.get("/api/v1/reporting/exports/asana.csv")
    assert answer.status_code == 200
    rows = _csv(answer.content)
    assert rows[0] == ["Name", "Description", "Section", "Assignee", "Due Date", "Tags"]
    by_name = {r[0]: r for r in rows[1:]}
    wo4 = next(r for name, r in by_name.items() if name.startswith(f"#{data.orders['wo4']} "))
    assert wo4[4] == "06/25/2026" and wo4[2] == "In progress"
    assert "Repair" in wo4[5].split(",") and f"/work-orders/{data.orders['wo4']}" in wo4[1]
    assert not any(name.startswith(f"#{data.orders['wo1']} ") for name in by_name)  # done


async def test_records_export_in_german(make_client: Any) -> None:
    data = await build()
    viewer = await builders.user(Role.viewer, locale="de")
    await builders.assign(viewer, sites=[data.w.site.id])
    client = await builders.api(make_client, viewer)
    params = {"kpi": "mttr", "start": "2026-06-01", "end": "2026-06-30"}
    with clock.pinned(AFTER):
        answer = await client.get("/api/v1/reporting/exports/records.csv", params=params)
        book = await client.get("/api/v1/reporting/exports/records.xlsx", params=params)
        bad = await client.get("/api/v1/reporting/exports/records.csv", params={"kpi": "nope"})
    rows = _csv(answer.content)
    assert rows[0][:4] == ["Nummer", "Datensatz", "Standort", "Zählt als"]
    assert sorted(float(r[3]) for r in rows[1:]) == [120.0, 210.0, 360.0]
    assert len(sheets(book.content)["mttr"]) == 4
    assert bad.status_code == 422
