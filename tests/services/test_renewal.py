"""The daily contract job: statuses from dates, automatic renewal, renewal reminders."""

from __future__ import annotations

from datetime import date

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.services import queries
from facilities.services.renewal import refresh_contracts, remind_renewals
from tests import builders
from tests.services import helpers as h
from tests.workorders_builders import world


async def _status(contract_id: int) -> str:
    rows = await db.raw("SELECT status, end_date FROM service_contract WHERE id = {}", contract_id)
    return str(dict(rows[0])["status"])


async def test_statuses_follow_the_dates() -> None:
    w = await world()
    with clock.pinned(h.utc(2026, 1, 10, 12)):
        contract = await h.contract(
            w.partner_org_id, [w.site.id], end_date=date(2026, 12, 31), notice_days=90
        )
        assert contract.status == "active"
    assert await refresh_contracts(date(2026, 10, 1)) == 0
    assert await refresh_contracts(date(2026, 10, 2)) == 1  # notice deadline reached
    assert await _status(contract.id) == "expiring"
    assert await refresh_contracts(date(2027, 1, 1)) == 1
    assert await _status(contract.id) == "ended"
    with clock.pinned(h.utc(2027, 1, 1, 12)):
        read = await queries.get_contract(await builders.system(), contract.id)
    assert read.status == "ended"


async def test_automatic_renewal_extends_by_terms() -> None:
    w = await world()
    with clock.pinned(h.utc(2026, 1, 10, 12)):
        contract = await h.contract(
            w.partner_org_id,
            [w.site.id],
            end_date=date(2026, 3, 31),
            auto_renew=True,
            renewal_term_months=6,
            notice_days=30,
        )
    await refresh_contracts(date(2026, 4, 1))
    rows = await db.raw("SELECT end_date, status FROM service_contract WHERE id = {}", contract.id)
    assert str(dict(rows[0])["end_date"])[:10] == "2026-09-30"
    assert dict(rows[0])["status"] == "active"


async def test_reminder_once_per_term_to_regional_ops() -> None:
    w = await world()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    elsewhere = await builders.user(Role.ops_manager)  # assigned to no region of the contract
    other_region = await builders.region()
    await builders.assign(elsewhere, regions=[other_region.id])
    with clock.pinned(h.utc(2026, 1, 10, 12)):
        contract = await h.contract(
            w.partner_org_id,
            [w.site.id],
            end_date=date(2026, 12, 31),
            notice_days=90,
            auto_renew=True,
        )
        await h.contract(  # no automatic renewal: no reminder
            w.stranger_org_id, [w.site.id], name="Fixed term", end_date=date(2026, 12, 31)
        )
    # deadline 2 October; 30 days before is 2 September
    assert await remind_renewals(date(2026, 9, 1)) == 0
    with clock.pinned(h.utc(2026, 9, 2, 5)):
        first = await remind_renewals(date(2026, 9, 2))
        again = await remind_renewals(date(2026, 9, 3))
    assert again == 0
    rows = [
        dict(r)
        for r in await db.raw(
            "SELECT recipient, event, dedupe_key FROM outbox_message WHERE event = {}",
            "contract_renewal_due",
        )
    ]
    emails = [r["recipient"] for r in rows if r["recipient"].endswith("@example.com")]
    assert emails == [ops.email]
    assert first >= 1
    assert all(f"contract-renewal:{contract.id}:2026-12-31" in r["dedupe_key"] for r in rows)
