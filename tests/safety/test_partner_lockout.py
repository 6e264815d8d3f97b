"""A partner inspects an asset it cannot otherwise see (assigned the inspection, no work at
that site) and fails a critical item: the lock-out applies all the same (it is the
inspection's consequence, not the partner's edit of the asset), the P1 order is raised, and
the passing re-check lifts it again. The audit names the partner."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from facilities.accounts.tables import AuditEvent
from facilities.assets import queries as asset_queries
from facilities.assets.tables import Asset
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.i18n import using_locale
from facilities.maintenance.tables import WorkOrder
from facilities.reporting.audit_labels import action_label
from facilities.settings import get_settings
from tests import builders
from tests import workorders_builders as wb
from tests.safety.helpers import INSPECTIONS, answer, generate, programme, starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def test_a_partners_critical_fail_locks_out_an_asset_it_cannot_see(make_client) -> None:
    w = await world()
    template = await starter()
    await programme(
        template.id,
        scope="category",
        category_id=w.category_id,
        assignee_role="",
        assignee_partner_id=w.partner_org_id,
    )
    await generate(NOW)
    partner = await builders.api(make_client, w.partner)
    # The partner has no work at the site: the asset is not theirs to see…
    with pytest.raises(NotFound):
        await asset_queries.visible_asset(builders.principal(w.partner), w.asset_id)
    listed = (await partner.get(INSPECTIONS)).json()
    [mine] = [i for i in listed if i["asset_name"] == "Extinguisher F-01"]
    inspection_id = mine["id"]
    for key, value in (
        ("in_place", "pass"),
        ("pressure", "fail"),  # critical
        ("seal", "pass"),
        ("damage", "na"),
        ("service_due", "yes"),
    ):
        assert (await answer(partner, inspection_id, key, value)).status_code == 200
    submitted = await partner.post(f"{INSPECTIONS}/{inspection_id}/submit", json={})
    assert submitted.status_code == 200, submitted.text
    [finding] = submitted.json()["findings"]
    # …but the lock-out applies all the same.
    assert finding["critical"] and finding["locked_out"]
    asset = await Asset.select().where(Asset.id == w.asset_id).first()
    assert asset["locked_out"] is True
    assert "Pressure gauge in the green zone" in asset["lockout_reason"]
    order = await WorkOrder.select().where(WorkOrder.id == finding["work_order_id"]).first()
    assert order["priority"] == "p1" and order["asset"] == w.asset_id
    # The trail names the partner whose answer set the rule off, and says the rule did it:
    # no made-up principal, no "asset locked out" as if the partner had edited the asset.
    [locked] = await AuditEvent.select().where(AuditEvent.action == "asset.rule_lock_out")
    assert locked["actor"] == w.partner.id and w.partner.email in locked["actor_label"]
    assert not await AuditEvent.exists().where(AuditEvent.action == "asset.lock_out")
    assert action_label("asset.rule_lock_out") == "Locked out by a critical fail in an inspection"
    with using_locale("de"):
        assert "kritischen Mangels bei einer Begehung" in action_label("asset.rule_lock_out")

    # The corrective order done, the partner's re-check passes and the lock-out lifts.
    await wb.step(order["id"], w.cm, "assign", partner_organisation_id=w.partner_org_id)
    await wb.step(order["id"], w.partner, "accept")
    await wb.step(order["id"], w.partner, "start")
    await wb.step(order["id"], w.partner, "complete", note="Refilled")
    cm = await builders.api(make_client, w.cm)
    recheck_id = (await cm.get(f"/api/v1/safety/findings/{finding['id']}")).json()[
        "recheck_inspection_id"
    ]
    assert recheck_id is not None
    assert (await answer(partner, recheck_id, "pressure", "pass")).status_code == 200
    done = await partner.post(f"{INSPECTIONS}/{recheck_id}/submit", json={})
    assert done.status_code == 200, done.text
    closed = (await cm.get(f"/api/v1/safety/findings/{finding['id']}")).json()
    assert closed["status"] == "closed"
    asset = await Asset.select(Asset.locked_out).where(Asset.id == w.asset_id).first()
    assert asset["locked_out"] is False
    [released] = await AuditEvent.select().where(AuditEvent.action == "asset.rule_clear_lockout")
    assert released["actor"] == w.partner.id
    assert not await AuditEvent.exists().where(AuditEvent.action == "asset.clear_lockout")
    assert action_label("asset.rule_clear_lockout") == "Released for use: the re-check passed"


async def test_a_german_installation_writes_the_finding_in_german(make_client, monkeypatch) -> None:
    """The corrective order and the lock-out reason are stored words: in the installation's
    language (FACILITIES_DEFAULT_LOCALE), not the English-speaking inspector's."""
    monkeypatch.setattr(get_settings(), "default_locale", "de")
    w = await world()
    template = await starter()
    await programme(
        template.id,
        scope="category",
        category_id=w.category_id,
        assignee_role="",
        assignee_partner_id=w.partner_org_id,
    )
    await generate(NOW)
    partner = await builders.api(make_client, w.partner)  # reads English
    listed = (await partner.get(INSPECTIONS)).json()
    [mine] = [i for i in listed if i["asset_name"] == "Extinguisher F-01"]
    for key, value in (
        ("in_place", "pass"),
        ("pressure", "fail"),
        ("seal", "pass"),
        ("damage", "na"),
        ("service_due", "yes"),
    ):
        assert (await answer(partner, mine["id"], key, value)).status_code == 200
    submitted = await partner.post(f"{INSPECTIONS}/{mine['id']}/submit", json={})
    assert submitted.status_code == 200, submitted.text
    [finding] = submitted.json()["findings"]
    order = await WorkOrder.select().where(WorkOrder.id == finding["work_order_id"]).first()
    assert order["description"].startswith("Begehung „"), order["description"]
    assert "Antwort: Nicht bestanden" in order["description"]
    assert "Kritisch: Die Anlage ist gesperrt" in order["description"]
    asset = await Asset.select().where(Asset.id == w.asset_id).first()
    # what failed, without repeating the banner's "Unsicher — nicht benutzen"
    assert asset["lockout_reason"].endswith(f": bei Begehung Nr. {mine['id']} nicht bestanden")
    assert "nicht benutzen" not in asset["lockout_reason"]
