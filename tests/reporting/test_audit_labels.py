"""Audit actions in words ("Work order completed"), never the stored code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from facilities.accounts.enums import Role
from facilities.maintenance.lifecycle import TRANSITIONS
from facilities.reporting.audit_labels import AUDIT_ACTION_LABELS, action_label
from tests import builders
from tests import workorders_builders as wb

ROOT = Path(__file__).resolve().parents[2] / "facilities"
_CODE = re.compile(r'action="([a-z_]+\.[a-z_]+)"')


def test_every_recorded_action_has_words() -> None:
    codes = set()
    for path in ROOT.rglob("*.py"):
        codes.update(_CODE.findall(path.read_text()))
    codes.update(f"work_order.{name}" for name in TRANSITIONS)
    assert codes, "no audit actions found"
    missing = sorted(codes - set(AUDIT_ACTION_LABELS))
    assert not missing, missing


def test_unknown_codes_still_read_as_words() -> None:
    assert action_label("work_order.complete") == "Work order completed"
    assert action_label("gadget.self_destruct") == "gadget: self destruct"


async def test_audit_page_shows_words(make_client: Any) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id)
    await wb.step(order.id, w.cm, "cancel", note="Not needed")
    admin = await builders.user(Role.admin, locale="de")
    page = await (await builders.browser_session(make_client, admin)).get("/audit")
    assert page.status_code == 200
    assert "Arbeitsauftrag angelegt" in page.text and "Arbeitsauftrag storniert" in page.text
    assert "work_order.create" not in page.text and "work_order.cancel" not in page.text


async def test_kpi_explanations_have_their_own_page(make_client: Any) -> None:
    cm = await builders.user(Role.ops_manager, locale="de")
    browser = await builders.browser_session(make_client, cm)
    page = await browser.get("/help/kpis")
    assert page.status_code == 200
    assert 'id="pm_compliance"' in page.text and "Verfügbarkeit der Anlagen" in page.text
    # Every KPI of the KPI interface is explained, anchored by its name.
    from facilities.kit import kpi

    assert kpi.names(), "no KPI registered (wiring not installed?)"
    for name in kpi.names():
        assert f'id="{name}"' in page.text, name
    scorecards = await browser.get("/scorecards")
    assert scorecards.status_code == 200
    assert "docs/" not in scorecards.text and 'href="/help/kpis#sla-met"' in scorecards.text
