"""A work order's history reads as past events in words (en, de), never as the buttons'
verbs or stored codes."""

from __future__ import annotations

import re
from typing import Any

from facilities.accounts.enums import Role
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
    for words in ("Created", "Assigned", "Accepted", "Work started", "Work put on hold"):
        assert words in english, (words, english)
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
        "Zugewiesen",
        "Angenommen",
        "Arbeit begonnen",
        "Wartet auf Ersatzteile: Pump ordered",
    ):
        assert words in deutsch, (words, deutsch)
