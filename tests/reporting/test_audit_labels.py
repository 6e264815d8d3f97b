"""Audit actions in words ("Work order completed"), never the stored code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from facilities.accounts.enums import Role
from facilities.maintenance.lifecycle import TRANSITIONS
from facilities.reporting.audit_labels import AUDIT_ACTION_LABELS, OBJECT_TYPE_LABELS, action_label
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
    shown = re.sub(r'value="[^"]*"', "", page.text)  # the selects' codes are not shown
    assert "work_order.create" not in shown and "work_order.cancel" not in shown
    assert "Arbeitsauftrag #" in shown  # the kind of record in words


def test_every_recorded_object_type_has_words() -> None:
    kinds = set()
    for path in ROOT.rglob("*.py"):
        kinds.update(re.findall(r'object_type="([a-z_]+)"', path.read_text()))
    assert kinds, "no object types found"
    assert not sorted(kinds - set(OBJECT_TYPE_LABELS))


async def test_audit_list_filters_by_selects_search_dates_and_sort(make_client: Any) -> None:
    w = await wb.world()
    first = await wb.work_order(w.site.id, title="Leaking tap")
    second = await wb.work_order(w.site.id, title="Broken door")
    await wb.step(first.id, w.cm, "cancel", note="Not needed")
    admin = await builders.user(Role.admin)
    api = await builders.api(make_client, admin)

    async def actions(query: str) -> list[tuple[str, str]]:
        response = await api.get(f"/api/v1/audit?{query}")
        assert response.status_code == 200, response.text
        return [(e["action"], e["object_id"]) for e in response.json()["items"]]

    assert await actions("action=work_order.cancel") == [("work_order.cancel", str(first.id))]
    created = await actions("object_type=work_order&action=work_order.create&sort=oldest")
    assert [i for _a, i in created] == [str(first.id), str(second.id)]
    assert [i for _a, i in await actions("q=broken")] == [str(second.id)]
    bad = await api.get("/api/v1/audit?sort=sideways")
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "sort"

    browser = await builders.browser_session(make_client, admin)
    page = await browser.get("/audit?object_type=work_order&action=&q=&from_date=&sort=newest")
    assert page.status_code == 200, page.text
    for name in ("object_type", "action", "sort"):
        assert f'<select name="{name}">' in page.text, name
    assert '<input name="object_type"' not in page.text  # no free-text codes
    today = (await browser.get("/audit?from_date=2000-01-01&to_date=2000-01-02")).text
    assert "No events." in today


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


async def test_audit_rows_name_their_cells_for_the_phone(make_client: Any) -> None:
    """On a phone each row is a card: every cell carries its column's heading (data-label),
    in the reader's language."""
    w = await wb.world()
    await wb.work_order(w.site.id)
    for locale, labels in (
        ("en", ["When", "Who", "Action", "Object", "Change"]),
        ("de", ["Wann", "Wer", "Aktion", "Objekt", "Änderung"]),
    ):
        admin = await builders.user(Role.admin, locale=locale)
        page = await (await builders.browser_session(make_client, admin)).get("/audit")
        assert page.status_code == 200
        row = page.text.split('<table class="table audit">', 1)[1].split("<tbody>", 1)[1]
        row = row.split("</tr>", 1)[0]
        found = re.findall(r'<td data-label="([^"]+)"', row)
        assert found == labels, (locale, found)
