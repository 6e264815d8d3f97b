"""The report's certificates by status and training coverage are counted by the database:
they equal what the register and the training matrix show (the rows the report used to load
and count), per site and per region, with each site's own "today", inactive people and
training types left out, a newer completion replacing an older one, and at most the 20
soonest certificates listed for attention."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.safety.compliance.actions import seed_certificate_types
from facilities.safety.training.actions import seed_training_types
from tests import builders
from tests.safety.helpers import person, place

# 13:00 UTC: already 16 June in Auckland, still 15 June in Berlin.
NOW = datetime(2026, 6, 15, 13, 0, tzinfo=UTC)
API = "/api/v1/safety"
PERIOD = {"period_from": "2026-01-01", "period_to": "2026-06-30"}


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _post(api: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(f"{API}/{path}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_certificates_by_status_in_each_sites_zone_and_the_20_soonest(make_client) -> None:
    await seed_certificate_types()
    berlin = await place(time_zone="Europe/Berlin")
    auckland = await builders.site(berlin.region.id, time_zone="Pacific/Auckland")
    _ops_user, ops = await person(make_client, Role.ops_manager, berlin)
    types = {t["key"]: t["id"] for t in (await ops.get(f"{API}/certificate-types")).json()}
    fire = types["fire_safety"]
    # Expiring on 15 June: valid through today in Berlin (amber), expired in Auckland (red).
    for site_id in (berlin.site.id, auckland.id):
        body = {"issued_on": "2025-06-15", "expires_on": "2026-06-15"}
        await _post(ops, "certificates", {"certificate_type_id": fire, "site_id": site_id, **body})
    for day in range(1, 26):  # 25 more within 60 days: amber
        body = {"issued_on": "2025-01-01", "expires_on": f"2026-07-{day:02d}"}
        await _post(
            ops, "certificates", {"certificate_type_id": fire, "site_id": auckland.id, **body}
        )
    for expires in ("2026-01-10", "2027-06-01", "2028-01-01"):  # one red, two green
        body = {"issued_on": "2025-01-01", "expires_on": expires}
        await _post(
            ops, "certificates", {"certificate_type_id": fire, "site_id": berlin.site.id, **body}
        )
    listed = (await ops.get(f"{API}/certificates")).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    expected = {rag: sum(c["rag"] == rag for c in items) for rag in ("red", "amber", "green")}
    assert expected == {"red": 2, "amber": 26, "green": 2}
    report = await ops.get(f"{API}/report", params={**PERIOD, "region_id": berlin.region.id})
    c = report.json()["certificates"]
    assert (c["red"], c["amber"], c["green"]) == (2, 26, 2)
    attention = c["attention"]
    assert len(attention) == 20
    days = [a["expires_on"] for a in attention]
    assert days == sorted(days) and days[0] == "2026-01-10"
    by_site = {(a["site_name"], a["expires_on"]): a["rag"] for a in attention}
    assert by_site[(berlin.site.name, "2026-06-15")] == "amber"
    assert by_site[(auckland.name, "2026-06-15")] == "red"
    one = (await ops.get(f"{API}/report", params={**PERIOD, "site_id": berlin.site.id})).json()
    assert (one["certificates"]["red"], one["certificates"]["amber"]) == (1, 1)
    assert one["certificates"]["green"] == 2


async def test_training_coverage_equals_the_matrix(make_client) -> None:
    await seed_training_types()
    here = await place()
    there = await builders.site(here.region.id)
    elsewhere = await place()  # another region: never counted
    ops_user, ops = await person(make_client, Role.ops_manager, here)
    cm_here, _ = await person(make_client, Role.community_manager, here)
    cm_there = await builders.user(Role.community_manager)
    await builders.assign(cm_there, sites=[there.id])
    gone = await builders.user(Role.community_manager)
    await builders.assign(gone, sites=[here.site.id])
    await db.raw("UPDATE app_user SET active = {} WHERE id = {}", False, gone.id)
    foreign, _ = await person(make_client, Role.community_manager, elsewhere)
    types = {t["key"]: t["id"] for t in (await ops.get(f"{API}/training-types")).json()}
    trainee = await _post(
        ops, "trainings/people", {"name": "Fritz Freelancer", "site_id": here.site.id}
    )
    for body in (
        {"training_type_id": types["safety_briefing"], "site_id": here.site.id},
        {"training_type_id": types["first_aid"], "role": "community_manager"},
        {"training_type_id": types["fire_warden"], "site_id": there.id},
        {"training_type_id": types["working_at_height"]},  # everyone; deactivated below
    ):
        await _post(ops, "trainings/requirements", body)
    await db.raw(
        "UPDATE safety_training_type SET active = {} WHERE id = {}",
        False,
        types["working_at_height"],
    )
    completions = [
        # an old expired briefing replaced by a valid one
        (cm_here.id, None, "safety_briefing", "2024-01-10"),
        (cm_here.id, None, "safety_briefing", "2026-02-01"),
        # a valid first aid replaced by a newer one that has already expired
        (cm_there.id, None, "first_aid", "2025-12-01"),
        (cm_there.id, None, "first_aid", "2026-01-05", "2026-03-01"),
        (ops_user.id, None, "fire_warden", "2025-09-01"),
        (None, trainee["id"], "safety_briefing", "2026-03-01"),
    ]
    for user_id, trainee_id, key, done, *until in completions:
        body: dict[str, Any] = {"training_type_id": types[key], "completed_on": done}
        body |= {"user_id": user_id} if user_id else {"trainee_id": trainee_id}
        if until:
            body["valid_until"] = until[0]
        await _post(ops, "trainings/completions", body)
    admin = await builders.api(make_client, await builders.user(Role.admin))
    body = {"training_type_id": types["first_aid"], "completed_on": "2026-03-01"}
    await _post(admin, "trainings/completions", {**body, "user_id": foreign.id})
    matrix = (await ops.get(f"{API}/trainings/matrix")).json()
    region = await ops.get(f"{API}/report", params={**PERIOD, "region_id": here.region.id})
    t = region.json()["training"]
    assert (t["people"], t["required"], t["covered"], t["coverage"]) == (
        len(matrix["rows"]),
        matrix["required"],
        matrix["covered"],
        matrix["coverage"],
    )
    # By hand: ops (briefing at here, fire warden at there: 2 required, 1 valid), CM here
    # (briefing, first aid: 1 valid), CM there (first aid, fire warden: 0 valid), Fritz
    # (briefing: 1 valid); the inactive CM and the deactivated type count nowhere.
    assert (t["people"], t["required"], t["covered"]) == (4, 7, 3)
    for site_id in (here.site.id, there.id):
        one = (await ops.get(f"{API}/report", params={**PERIOD, "site_id": site_id})).json()
        site_matrix = (await ops.get(f"{API}/trainings/matrix", params={"site_id": site_id})).json()
        assert (one["training"]["required"], one["training"]["covered"]) == (
            site_matrix["required"],
            site_matrix["covered"],
        )
