"""Preventive work orders go through the one work-order write path: trade, routing, the
partner's "work assigned" e-mail and webhook, the audit row — like any other work order."""

from __future__ import annotations

from datetime import date

from facilities import db
from facilities.accounts.enums import Role
from facilities.assets.tables import AssetCategory
from facilities.kit import clock
from facilities.maintenance.pm.generation import generate_due
from facilities.notifications.delivery import deliver_due
from tests import assets_builders, builders
from tests import workorders_builders as wb
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc
from tests.services import helpers as services
from tests.smtp import Smtp


async def _rows(sql: str, *args: object) -> list[dict[str, object]]:
    return [dict(r) for r in await db.raw(sql, *args)]


async def _webhook(make_client) -> None:  # type: ignore[no-untyped-def]
    admin = await builders.user(Role.admin)
    api = await builders.api(make_client, admin)
    response = await api.post(
        "/api/v1/webhooks",
        json={"name": "Chat", "url": "http://127.0.0.1:9/hook", "events": ["work_assigned"]},
    )
    assert response.status_code == 201, response.text


async def test_preventive_order_for_a_partner_notifies_audits_and_has_its_trade(
    make_client, smtp: Smtp
) -> None:
    w = await wb.world(time_zone="Europe/Berlin")
    await _webhook(make_client)
    category = await assets_builders.category(icon="box")
    with clock.pinned(utc(2026, 12, 1)):
        await AssetCategory.update({AssetCategory.trade: "hvac"}).where(
            AssetCategory.id == category.id
        )
        asset = await assets_builders.asset(w.site.id, category_id=category.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T09:00:00",
            partner_organisation_id=w.partner_org_id,
        )
    with clock.pinned(utc(2027, 1, 10, 12)):
        result = await generate_due()
    assert result.created == 1
    (order,) = await _rows(
        "SELECT id, status, trade, partner_organisation FROM work_order WHERE schedule = {}",
        schedule.id,
    )
    assert order["status"] == "assigned"
    assert order["partner_organisation"] == w.partner_org_id
    assert order["trade"] == "hvac"  # the asset category's trade
    audits = await _rows(
        "SELECT action, actor_label FROM audit_event WHERE object_type = 'work_order'"
        " AND object_id = {}",
        str(order["id"]),
    )
    assert audits == [{"action": "work_order.create", "actor_label": "system"}]
    events = await _rows(
        "SELECT action, to_status FROM work_order_event WHERE work_order = {}", order["id"]
    )
    assert events == [{"action": "create", "to_status": "assigned"}]
    mails = await _rows(
        "SELECT event, kind FROM outbox_message WHERE event = 'work_assigned' ORDER BY kind"
    )
    assert [m["kind"] for m in mails] == ["email", "webhook"]
    with clock.pinned(utc(2027, 1, 10, 12)):
        await deliver_due()
    (mail,) = smtp.to(w.partner.email)
    assert "Descale" in str(mail["Subject"])
    assert f"/work-orders/{order['id']}" in mail.get_body(("plain",)).get_content()


async def test_preventive_order_without_a_partner_is_routed_by_contract() -> None:
    w = await wb.world(time_zone="Europe/Berlin")
    category = await assets_builders.category(icon="box")
    with clock.pinned(utc(2026, 12, 1)):
        await AssetCategory.update({AssetCategory.trade: "plumbing"}).where(
            AssetCategory.id == category.id
        )
        asset = await assets_builders.asset(w.site.id, category_id=category.id)
        await services.contract(
            w.partner_org_id,
            [w.site.id],
            contract_type="maintenance",
            trades=["plumbing"],
            start_date=date(2026, 1, 1),
            end_date=date(2027, 12, 31),
        )
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T09:00:00",
        )
    with clock.pinned(utc(2027, 3, 10, 12)):
        result = await generate_due()
    assert result.created == 3
    orders = await _rows(
        "SELECT status, trade, partner_organisation FROM work_order WHERE schedule = {}",
        schedule.id,
    )
    assert {(o["status"], o["trade"], o["partner_organisation"]) for o in orders} == {
        ("assigned", "plumbing", w.partner_org_id)
    }
    assert len(await _rows("SELECT id FROM outbox_message WHERE event = 'work_assigned'")) == 3
    occurrences = await helpers.occurrences(schedule.id)
    assert {o["status"] for o in occurrences} == {"created"}
    assert all(o["work_order"] is not None for o in occurrences)
