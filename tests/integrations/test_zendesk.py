"""The Zendesk adapter: a ``zen:event-type:ticket.created`` event webhook (payload as
documented at developer.zendesk.com, Webhooks → Event types → Ticket events) becomes a
problem report like a generic ticket; site and asset from the ticket's tags, urgency from
its priority; the status goes back through the outgoing webhooks."""

from __future__ import annotations

import json
from typing import Any

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


def zendesk(ticket_id: str = "35436", **detail: Any) -> bytes:
    """A delivery in Zendesk's shape, with fields we do not read (ignored)."""
    body = {
        "type": "zen:event-type:ticket.created",
        "account_id": 12514403,
        "id": f"evt-{ticket_id}",
        "time": "2026-11-02T08:00:00Z",
        "zendesk_event_version": "2022-11-06",
        "subject": f"zen:ticket:{ticket_id}",
        "detail": {
            "actor_id": "8447388090494",
            "assignee_id": None,
            "brand_id": "8447346621310",
            "created_at": "2026-11-02T08:00:00Z",
            "custom_status": "8447388085118",
            "description": "The Wi-Fi in the quiet room drops every few minutes.",
            "external_id": None,
            "form_id": "8646151517822",
            "group_id": "8447388086398",
            "id": ticket_id,
            "is_public": True,
            "organization_id": "8447346622462",
            "priority": "HIGH",
            "requester_id": "8447388090494",
            "status": "NEW",
            "subject": "Wi-Fi drops",
            "submitter_id": "8447388090494",
            "tags": ["coworking", "site_placeholder"],
            "type": "INCIDENT",
            "updated_at": "2026-11-02T08:00:00Z",
            "via": {"channel": "web_service"},
            **detail,
        },
        "event": {"meta": {"sequence": {"id": "a", "position": 1}}},
    }
    return json.dumps(body).encode()


async def test_a_zendesk_ticket_becomes_a_report_and_its_status_goes_back() -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        made = await actions.create_endpoint(
            actor=await builders.system(),
            data=EndpointCreate(name="Zendesk", site_ids=[f.site.id]),
        )
        await notification_actions.create_webhook(
            actor=await builders.system(),
            data=WebhookCreate(
                name="Zendesk bridge",
                url="http://127.0.0.1:9/hook",
                events=[Event.report_received],
            ),
        )
        auth = {"authorization": f"Bearer {made.secret}"}
        eid = made.endpoint.id
        site_tag = f"site_{f.site.code.lower()}"
        with pytest.raises(NotAuthenticated):
            await actions.receive_zendesk_ticket(
                endpoint_id=eid, headers={}, body=zendesk(tags=[site_tag])
            )
        with pytest.raises(PermissionDenied):
            await actions.receive_zendesk_ticket(
                endpoint_id=eid,
                headers=auth,
                body=zendesk(tags=[f"site_{f.other_site.code.lower()}"]),
            )
        first = await actions.receive_zendesk_ticket(
            endpoint_id=eid,
            headers=auth,
            body=zendesk(tags=["coworking", site_tag, f"asset_{f.ap_ids[0]}"]),
        )
        assert first.outcome == "created"
        again = await actions.receive_zendesk_ticket(
            endpoint_id=eid, headers=auth, body=zendesk(tags=[site_tag, f"asset_{f.ap_ids[0]}"])
        )
        assert again.outcome == "seen_before" and again.report_id == first.report_id
        second = await actions.receive_zendesk_ticket(
            endpoint_id=eid,
            headers=auth,
            body=zendesk("35437", tags=[site_tag, f"asset_{f.ap_ids[0]}"], priority=None),
        )
        assert second.outcome == "same_problem" and second.report_id == first.report_id
    (report,) = await db.raw("SELECT site, asset, urgency, title, description FROM problem_report")
    assert (report["site"], report["asset"], report["urgency"]) == (
        f.site.id,
        f.ap_ids[0],
        "high",
    )
    assert report["title"] == "Wi-Fi drops" and "quiet room" in report["description"]
    deliveries = await db.raw("SELECT external_id, report_id, outcome FROM inbound_ticket")
    assert sorted((d["external_id"], d["outcome"]) for d in deliveries) == [
        ("35436", "created"),
        ("35437", "same_problem"),
    ]
    # status back: the outgoing webhook hears of the report (report_id = the answer's)
    messages = await db.raw("SELECT event, kind FROM outbox_message")
    assert [dict(m) for m in messages] == [{"event": "report_received", "kind": "webhook"}]


@pytest.mark.parametrize(
    ("detail", "top", "field"),
    [
        ({"tags": ["coworking"]}, {}, "detail.tags"),
        ({"tags": ["site_a", "site_b"]}, {}, "detail.tags"),
        ({"tags": ["SITE", "asset_x"]}, {}, "detail.tags"),
        ({"priority": "blocker"}, {}, "detail.priority"),
        ({"description": ""}, {}, "detail.description"),
        ({}, {"type": "zen:event-type:ticket.status_changed"}, "type"),
        ({"id": None}, {}, "detail.id"),
    ],
)
async def test_a_malformed_zendesk_delivery_names_the_field(
    detail: dict[str, Any], top: dict[str, Any], field: str
) -> None:
    f = await field_site(0)
    made = await actions.create_endpoint(
        actor=await builders.system(), data=EndpointCreate(name="Zendesk", site_ids=[f.site.id])
    )
    body = json.loads(zendesk(**{"tags": [f"site_{f.site.code.lower()}"], **detail}))
    body.update(top)
    with pytest.raises(RuleViolation) as error:
        await actions.receive_zendesk_ticket(
            endpoint_id=made.endpoint.id,
            headers={"authorization": f"Bearer {made.secret}"},
            body=json.dumps(body).encode(),
        )
    assert error.value.fields[0].field == field
    assert await db.raw("SELECT id FROM problem_report") == []


async def test_the_zendesk_route_answers_401_422_and_200(make_client: Any) -> None:
    f = await field_site(0)
    made = await actions.create_endpoint(
        actor=await builders.system(), data=EndpointCreate(name="Zendesk", site_ids=[f.site.id])
    )
    client = make_client()
    url = f"/api/v1/tickets/{made.endpoint.id}/zendesk"
    body = zendesk(tags=[f"site_{f.site.code.lower()}"])
    assert (await client.post(url, content=body)).status_code == 401
    auth = {"authorization": f"Bearer {made.secret}", "content-type": "application/json"}
    bad = await client.post(url, content=zendesk(tags=[]), headers=auth)
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "detail.tags"
    good = await client.post(url, content=body, headers=auth)
    assert good.status_code == 200, good.text
    assert good.json()["outcome"] == "created" and good.json()["report_id"] > 0
