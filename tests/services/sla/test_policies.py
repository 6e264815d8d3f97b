"""SLA policies: CRUD, validation (422 naming the field), uniqueness, who may manage them."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from facilities.services.sla.defaults import seed_default_policies
from facilities.services.sla.queries import list_policies
from tests import builders
from tests.services.sla import helpers


async def test_create_read_update_delete_through_the_api(make_client: Any) -> None:
    ops = await builders.user(Role.ops_manager)
    api = await builders.api(make_client, ops)
    created = await api.post(
        "/api/v1/facility-services/sla-policies",
        json={
            "priority": "p1",
            "response_minutes": 60,
            "resolution_minutes": 480,
            "calendar": "24_7",
            "pause_reasons": ["parts", "access"],
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["contract_id"] is None and body["calendar"] == "24_7"
    assert body["pause_reasons"] == ["access", "parts"]
    patched = await api.patch(
        f"/api/v1/facility-services/sla-policies/{body['id']}",
        json={"version": body["version"], "attendance_minutes": 240, "response_minutes": None},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["attendance_minutes"] == 240
    assert patched.json()["response_minutes"] is None
    stale = await api.patch(
        f"/api/v1/facility-services/sla-policies/{body['id']}",
        json={"version": body["version"], "attendance_minutes": 10},
    )
    assert stale.status_code == 409
    listed = await api.get("/api/v1/facility-services/sla-policies")
    assert [p["id"] for p in listed.json()] == [body["id"]]
    gone = await api.delete(f"/api/v1/facility-services/sla-policies/{body['id']}")
    assert gone.status_code == 204
    assert (
        await api.get(f"/api/v1/facility-services/sla-policies/{body['id']}")
    ).status_code == 404


async def test_zero_or_negative_target_is_422_naming_the_field(make_client: Any) -> None:
    api = await builders.api(make_client, await builders.user(Role.admin))
    for field, value in (
        ("response_minutes", 0),
        ("attendance_minutes", -5),
        ("resolution_minutes", 0),
    ):
        response = await api.post(
            "/api/v1/facility-services/sla-policies", json={"priority": "p2", field: value}
        )
        assert response.status_code == 422, response.text
        assert field in response.text
    nothing = await api.post("/api/v1/facility-services/sla-policies", json={"priority": "p2"})
    assert nothing.status_code == 422 and "resolution_minutes" in nothing.text
    bad_calendar = await api.post(
        "/api/v1/facility-services/sla-policies",
        json={"priority": "p2", "resolution_minutes": 5, "calendar": "sometimes"},
    )
    assert bad_calendar.status_code == 422 and "calendar" in bad_calendar.text
    bad_reason = await api.post(
        "/api/v1/facility-services/sla-policies",
        json={"priority": "p2", "resolution_minutes": 5, "pause_reasons": ["lunch"]},
    )
    assert bad_reason.status_code == 422 and "pause_reasons" in bad_reason.text
    patch_zero = await api.post(
        "/api/v1/facility-services/sla-policies", json={"priority": "p2", "resolution_minutes": 5}
    )
    zero = await api.patch(
        f"/api/v1/facility-services/sla-policies/{patch_zero.json()['id']}",
        json={"version": 1, "resolution_minutes": 0},
    )
    assert zero.status_code == 422 and "resolution_minutes" in zero.text


async def test_one_policy_per_scope_and_unknown_contract(make_client: Any) -> None:
    api = await builders.api(make_client, await builders.user(Role.admin))
    url = "/api/v1/facility-services/sla-policies"
    assert (
        await api.post(url, json={"priority": "p3", "resolution_minutes": 5})
    ).status_code == 201
    again = await api.post(url, json={"priority": "p3", "resolution_minutes": 9})
    assert again.status_code == 409 and "priority" in again.text
    trade = await api.post(url, json={"priority": "p3", "trade": "hvac", "resolution_minutes": 9})
    assert trade.status_code == 201
    unknown = await api.post(
        url, json={"priority": "p3", "contract_id": 999, "resolution_minutes": 9}
    )
    assert unknown.status_code == 422 and "contract_id" in unknown.text
    org = await builders.partner_org()
    contract_id = await helpers.contract(org.id, [])
    scoped = await api.post(
        url, json={"priority": "p3", "contract_id": contract_id, "resolution_minutes": 9}
    )
    assert scoped.status_code == 201 and scoped.json()["contract_id"] == contract_id


async def test_only_ops_and_admins_manage_policies(make_client: Any) -> None:
    await helpers.policy(resolution_minutes=60)
    for role in (Role.community_manager, Role.partner, Role.viewer):
        api = await builders.api(make_client, await builders.user(role))
        assert (await api.get("/api/v1/facility-services/sla-policies")).status_code == 403
        post = await api.post(
            "/api/v1/facility-services/sla-policies",
            json={"priority": "p4", "resolution_minutes": 5},
        )
        assert post.status_code == 403


async def test_policy_pages(make_client: Any) -> None:
    ops = await builders.user(Role.ops_manager)
    client = await builders.browser_session(make_client, ops)
    listing = await client.get("/sla-policies")
    assert listing.status_code == 200 and "New SLA policy" in listing.text
    bad = await builders.post_form(
        client,
        "/sla-policies",
        {"priority": "p1", "resolution_minutes": "0"},
        form_page="/sla-policies",
    )
    assert bad.status_code == 422 and "resolution_minutes" in bad.text
    good = await builders.post_form(
        client,
        "/sla-policies",
        {"priority": "p1", "resolution_minutes": "240", "calendar": "24_7", "pause_parts": "on"},
        form_page="/sla-policies",
    )
    assert good.status_code == 303, good.text
    policies = await (await builders.api(make_client, ops)).get(
        "/api/v1/facility-services/sla-policies"
    )
    policy = policies.json()[0]
    assert policy["pause_reasons"] == ["parts"] and policy["calendar"] == "24_7"
    form = await client.get(f"/sla-policies/{policy['id']}")
    assert form.status_code == 200
    edited = await builders.post_form(
        client,
        f"/sla-policies/{policy['id']}",
        {
            "version": "1",
            "resolution_minutes": "300",
            "response_minutes": "30",
            "calendar": "business_hours",
        },
        form_page=f"/sla-policies/{policy['id']}",
    )
    assert edited.status_code == 303, edited.text
    removed = await builders.post_form(
        client,
        f"/sla-policies/{policy['id']}/delete",
        {},
        form_page=f"/sla-policies/{policy['id']}",
    )
    assert removed.status_code == 303
    cm = await builders.browser_session(make_client, await builders.user(Role.community_manager))
    assert (await cm.get("/sla-policies")).status_code == 403


async def test_default_policies_are_seeded_once() -> None:
    system = await builders.system()
    assert await seed_default_policies(system) == 4
    assert await seed_default_policies(system) == 0
    policies = {p.priority.value: p for p in await list_policies(defaults=True)}
    assert (policies["p1"].response_minutes, policies["p1"].calendar.value) == (60, "24_7")
    assert policies["p4"].attendance_minutes is None
