"""A work order's history reads as past events in words (en, de), never as the buttons'
verbs or stored codes."""

from __future__ import annotations

import re
from typing import Any

from facilities.accounts.enums import Role
from facilities.accounts.tables import PartnerOrganisation
from tests import builders
from tests import workorders_builders as wb


def _history(html: str) -> str:
    section = html.split('id="events"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


async def test_history_says_what_happened(make_client: Any) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id)
    ops = await builders.user(Role.admin)
    await wb.step(order.id, ops, "assign", partner_organisation_id=w.partner_org_id)
    await wb.step(order.id, w.partner, "accept")
    await wb.step(order.id, w.partner, "start")
    await wb.step(order.id, w.partner, "hold", hold_reason="parts", note="Pump ordered")
    client = await builders.browser_session(make_client, ops)
    english = _history((await client.get(f"/work-orders/{order.id}")).text)
    partner = (
        await PartnerOrganisation.select(PartnerOrganisation.name)
        .where(PartnerOrganisation.id == w.partner_org_id)
        .first()
    )
    for words in ("Created", "Accepted", "Work started", "Work put on hold"):
        assert words in english, (words, english)
    assert f"Assigned to {partner['name']}" in english  # whom, as named then
    assert "Waiting for parts: Pump ordered" in english
    assert english.count("parts: Pump") == 1  # the reason in words, never the code
    assert "Start work" not in english and "Assign " not in english  # no buttons' verbs

    german = await builders.user(Role.admin, locale="de")
    deutsch = _history(
        (
            await (await builders.browser_session(make_client, german)).get(
                f"/work-orders/{order.id}"
            )
        ).text
    )
    for words in (
        f"Zugewiesen an {partner['name']}",
        "Angenommen",
        "Arbeit begonnen",
        "Wartet auf Ersatzteile: Pump ordered",
    ):
        assert words in deutsch, (words, deutsch)


async def test_history_names_whom_an_order_went_to(make_client: Any) -> None:
    """Created straight for a partner and person, the history and the API say whom."""
    w = await wb.world()
    order = await wb.work_order(
        w.site.id, partner_organisation_id=w.partner_org_id, assignee_id=w.partner.id
    )
    partner = (
        await PartnerOrganisation.select(PartnerOrganisation.name)
        .where(PartnerOrganisation.id == w.partner_org_id)
        .first()
    )
    expected = f"{partner['name']} · {w.partner.name}"
    ops = await builders.user(Role.admin)
    page = _history(
        (
            await (await builders.browser_session(make_client, ops)).get(f"/work-orders/{order.id}")
        ).text
    )
    assert f"Created and assigned to {expected}" in page
    api = await builders.api(make_client, ops)
    events = (await api.get(f"/api/v1/work-orders/{order.id}/events")).json()
    assert [(e["action"], e["assigned_label"]) for e in events] == [("create", expected)]
