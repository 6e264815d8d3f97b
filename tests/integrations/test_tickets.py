"""Member tickets in: a help-desk ticket becomes a problem report at the right site and
asset, a second ticket on the same asset is a "same problem", a ticket id twice is one,
foreign sites and wrong secrets are refused; the status goes back out through webhooks."""

from __future__ import annotations

import json

import pytest

from facilities import db
from facilities.integrations import actions
from facilities.integrations.schemas import EndpointCreate
from facilities.kit import clock
from facilities.kit.errors import NotAuthenticated, PermissionDenied, RuleViolation
from facilities.notifications import actions as notification_actions
from facilities.notifications.enums import Event
from facilities.notifications.schemas import WebhookCreate
from tests import builders
from tests.monitoring_builders import T0, field_site


def _ticket(**values: object) -> bytes:
    return json.dumps({"ticket_id": "T-1", "description": "Wi-Fi is gone", **values}).encode()


async def test_tickets_become_reports_and_plus_ones() -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        made = await actions.create_endpoint(
            actor=await builders.system(), data=EndpointCreate(name="Nexus", site_ids=[f.site.id])
        )
        await notification_actions.create_webhook(
            actor=await builders.system(),
            data=WebhookCreate(
                name="Platform", url="http://127.0.0.1:9/hook", events=[Event.report_received]
            ),
        )
        auth = {"authorization": f"Bearer {made.secret}"}
        eid = made.endpoint.id
        with pytest.raises(NotAuthenticated):
            await actions.receive_ticket(
                endpoint_id=eid, headers={}, body=_ticket(site_code=f.site.code)
            )
        with pytest.raises(PermissionDenied):
            await actions.receive_ticket(
                endpoint_id=eid, headers=auth, body=_ticket(site_code=f.other_site.code)
            )
        with pytest.raises(RuleViolation) as error:
            await actions.receive_ticket(endpoint_id=eid, headers=auth, body=_ticket())
        assert error.value.fields[0].field == "site_code"
        first = await actions.receive_ticket(
            endpoint_id=eid, headers=auth, body=_ticket(site_code=f.site.code, asset_id=f.ap_ids[0])
        )
        assert first.outcome == "created"
        again = await actions.receive_ticket(
            endpoint_id=eid, headers=auth, body=_ticket(site_code=f.site.code, asset_id=f.ap_ids[0])
        )
        assert again.outcome == "seen_before" and again.report_id == first.report_id
        second = await actions.receive_ticket(
            endpoint_id=eid,
            headers=auth,
            body=_ticket(ticket_id="T-2", site_code=f.site.code, asset_id=f.ap_ids[0]),
        )
        assert second.outcome == "same_problem" and second.report_id == first.report_id
        rows = await db.raw("SELECT site, asset, same_count FROM problem_report")
        assert [dict(r) for r in rows] == [
            {"site": f.site.id, "asset": f.ap_ids[0], "same_count": 1}
        ]
        # the status goes back out: the platform's webhook hears of the report (its id is the
        # answer's report_id), and of its acceptance and resolution likewise
        messages = await db.raw("SELECT event, kind FROM outbox_message")
        assert [dict(m) for m in messages] == [{"event": "report_received", "kind": "webhook"}]
