"""Printing meter labels only reads: a meter gets its code when it is made, and meters made
before meters had labels get theirs from a migration (``backfill_meter_codes``), never from
a GET."""

from __future__ import annotations

import importlib
from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.assets.tables import QrCode
from facilities.sustainability import actions
from facilities.sustainability.queries import METER_LABEL
from tests import builders
from tests.sustainability.helpers import meter

MIGRATION = "facilities.sustainability.piccolo_migrations.sustainability_2026_12_07t11_40_00_000000"


async def _written() -> dict[str, Any]:
    """What a GET must leave as it was: every label code and the audit trail."""
    return {
        "codes": [dict(r) for r in await db.raw("SELECT * FROM qr_code ORDER BY code")],
        "audit": (await db.raw("SELECT COUNT(*) AS n FROM audit_event"))[0]["n"],
        "scans": (await db.raw("SELECT COUNT(*) AS n FROM qr_scan"))[0]["n"],
    }


async def _forget_code(meter_id: int) -> None:
    """A meter as it was before meters had labels."""
    await QrCode.delete().where(
        (QrCode.target_kind == METER_LABEL) & (QrCode.target_id == meter_id)
    )


async def _world(make_client):
    region = await builders.region()
    site = await builders.site(region.id)
    power = await meter(site.id, name="Power")
    old = await meter(site.id, name="Old water", carrier="water", unit="m3")
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    return site, power, old, await builders.browser_session(make_client, cm)


async def test_label_gets_write_nothing(make_client) -> None:
    site, power, _old, session = await _world(make_client)
    before = await _written()
    single = await session.get(f"/sustainability/meters/{power.id}/label.pdf")
    assert single.status_code == 200 and single.headers["content-type"] == "application/pdf"
    sheet = await session.get(f"/sustainability/sites/{site.id}/meter-labels.pdf")
    assert sheet.status_code == 200
    assert await _written() == before


async def test_a_meter_without_a_code_is_refused_by_the_get_and_given_one_by_the_migration(
    make_client,
) -> None:
    site, power, old, session = await _world(make_client)
    await _forget_code(old.id)
    before = await _written()
    refused = await session.get(f"/sustainability/meters/{old.id}/label.pdf")
    assert refused.status_code == 409 and "Old water" in refused.text
    sheet = await session.get(f"/sustainability/sites/{site.id}/meter-labels.pdf")
    assert sheet.status_code == 409
    assert await _written() == before  # nothing issued, nothing audited
    # The migration's step gives it a code (and only it), audited.
    manager = await importlib.import_module(MIGRATION).forwards()
    for step in manager.raw:
        await step()
    codes = await db.raw(
        "SELECT target_id, code FROM qr_code WHERE target_kind = {} AND status = 'active'",
        METER_LABEL,
    )
    by_meter = {int(r["target_id"]): r["code"] for r in codes}
    assert set(by_meter) == {power.id, old.id} and by_meter[power.id] == power.qr_code
    audited = await db.raw(
        "SELECT summary FROM audit_event WHERE action = 'meter.label' AND object_id = {}",
        str(old.id),
    )
    assert by_meter[old.id] in {r["summary"] for r in audited}  # (and its code at creation)
    assert await actions.backfill_meter_codes() == 0  # idempotent
    printed = await session.get(f"/sustainability/meters/{old.id}/label.pdf")
    assert printed.status_code == 200
