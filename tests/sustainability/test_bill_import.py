"""Bills from CSV (``actions.import_periods``): each row checked like a bill entered on its
meter's page, one bad row and nothing is written, every bad row listed by its line; through
the API (a CSV body) and the uploads page."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from facilities.sustainability.tables import MeterPeriod
from tests import builders
from tests.sustainability.helpers import meter

HEADER = "meter_id,starts_on,ends_on,quantity,cost,estimated,note"


async def _world(make_client: Any) -> tuple[Any, Any, Any, Any]:
    region = await builders.region()
    site = await builders.site(region.id)
    foreign_site = await builders.site((await builders.region()).id)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    gas = await meter(site.id, name="Gas", carrier="natural_gas", unit="kWh")
    foreign = await meter(foreign_site.id, name="Elsewhere")
    return gas, foreign, ops, await builders.api(make_client, ops)


async def test_a_year_of_bills_arrives_whole(make_client: Any) -> None:
    gas, _foreign, _ops, api = await _world(make_client)
    rows = [HEADER] + [
        f'{gas.id},2025-{m:02d}-01,2025-{m:02d}-28,{1000 + m},"{150 + m},50",,'
        for m in range(1, 13)
    ]
    rows.append(f"{gas.id},2026-01-01,2026-01-31,1200.5,,yes,Estimated by the supplier")
    answer = await api.post(
        "/api/v1/sustainability/periods",
        content="\n".join(rows).encode(),
        headers={"content-type": "text/csv"},
    )
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert len(made) == 13
    assert made[0]["quantity"] == 1001 and made[0]["cost"] == 151.5  # decimal comma
    assert made[-1]["estimated"] is True and made[-1]["cost"] is None
    assert made[-1]["note"] == "Estimated by the supplier"
    assert await MeterPeriod.count() == 13


async def test_one_bad_row_and_nothing_is_written(make_client: Any) -> None:
    gas, foreign, _ops, api = await _world(make_client)
    text = "\n".join(
        [
            HEADER,
            f"{gas.id},2025-01-01,2025-01-31,1000,150,,",  # fine on its own
            f"{gas.id},2025-01-15,2025-02-14,900,,,",  # overlaps the row above
            f"{foreign.id},2025-01-01,2025-01-31,10,,,",  # a meter the caller may not see
            f"{gas.id},2025-03-01,2025-02-01,10,,,",  # ends before it starts
            f"{gas.id},01.04.2025,30.04.2025,10,,,",  # not ISO dates
            f"{gas.id},2025-05-01,2025-05-31,-3,,,",  # negative quantity
        ]
    )
    answer = await api.post(
        "/api/v1/sustainability/periods", content=text, headers={"content-type": "text/csv"}
    )
    assert answer.status_code == 422, answer.text
    listed = [f["message"] for f in answer.json()["fields"]]
    assert [m.split(":")[0] for m in listed] == [f"Line {n}" for n in (3, 4, 5, 6, 7)]
    assert "overlaps" in listed[0] and "Unknown meter" in listed[1]
    assert "cannot end before it starts" in listed[2] and "YYYY-MM-DD" in listed[3]
    assert await MeterPeriod.count() == 0  # not even the good first row

    wrong_header = await api.post(
        "/api/v1/sustainability/periods",
        content="meter,from,to\n1,2,3\n",
        headers={"content-type": "text/csv"},
    )
    assert wrong_header.status_code == 422
    assert "meter_id,starts_on,ends_on,quantity,cost" in wrong_header.json()["message"]


async def test_the_uploads_page_imports_bills_and_lists_bad_rows(make_client: Any) -> None:
    gas, _foreign, ops, _api = await _world(make_client)
    session = await builders.browser_session(make_client, ops)
    page = await session.get("/sustainability/imports")
    assert page.status_code == 200 and 'action="/sustainability/imports/bills"' in page.text

    async def upload(content: str) -> Any:
        token = await builders.csrf(session, "/account")
        return await session.post(
            "/sustainability/imports/bills",
            data={"_csrf_token": token},
            files={"file": ("bills.csv", content.encode(), "text/csv")},
        )

    bad = await upload(f"{HEADER}\n{gas.id},2025-01-01,2025-01-31,abc,,,\n")
    assert bad.status_code == 422 and "Line 2:" in bad.text and "quantity" in bad.text
    ok = await upload(f"{HEADER}\n{gas.id},2025-01-01,2025-01-31,1000,150,,\n")
    assert ok.status_code == 303, ok.text
    assert "Imported 1 bills" in (await session.get(ok.headers["location"])).text
    assert await MeterPeriod.count() == 1
