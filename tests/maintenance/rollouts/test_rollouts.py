"""Roll-outs: one installation order per site through the work-order write path, each with
the installation checklist; the board's stages; a completed installation registers the
device as a monitored asset with its QR label; partners see only their own sites."""

from __future__ import annotations

from typing import Any

import msgspec

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from facilities.assets import actions as asset_actions
from facilities.assets.schemas import CategoryCreate
from facilities.kit import clock
from facilities.maintenance.checklists import actions as checklist_actions
from facilities.maintenance.checklists.schemas import AnswerUpdate
from facilities.settings import get_settings
from tests import builders
from tests.assets_builders import image
from tests.monitoring_builders import T0, Field, field_site
from tests.workorders_builders import step


async def _category() -> int:
    made = await asset_actions.create_category(
        actor=await builders.system(),
        data=msgspec.convert({"name": "Access point", "trade": "it_network"}, CategoryCreate),
    )
    return made.id


async def _rollout(make_client: Any, f: Field, category_id: int) -> dict[str, Any]:
    ops = await builders.api(make_client, f.ops)
    body = {
        "name": "Wi-Fi 7 upgrade",
        "category_id": category_id,
        "sites": [
            {"site_id": f.site.id, "target_date": "2026-11-20"},
            {"site_id": f.other_site.id},
        ],
        "target_date": "2026-11-30",
        "partner_organisation_id": f.partner_org_id,
        "source_id": f.source_id,
    }
    response = await ops.post("/api/v1/rollouts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _partner(org_id: int) -> UserRead:
    return await builders.user(Role.partner, partner_id=org_id)


async def _install(order_id: int, worker: UserRead, serial: str) -> None:
    """Accept, start, tick every item (pass), photo, serial number."""
    me = builders.principal(worker)
    await step(order_id, worker, "accept")
    await step(order_id, worker, "start")
    checklist = await checklist_actions.load_checklist(me, order_id)
    for item in checklist.items:
        if item.kind == "photo":
            await checklist_actions.answer_photo(
                actor=me, work_order_id=order_id, item_id=item.id, photo=image("PNG")
            )
        elif item.key == "serial_number":
            await checklist_actions.answer_item(
                actor=me, work_order_id=order_id, item_id=item.id, data=AnswerUpdate(value=serial)
            )
        elif item.kind == "pass_flag_fail":
            await checklist_actions.answer_item(
                actor=me, work_order_id=order_id, item_id=item.id, data=AnswerUpdate(value="pass")
            )


async def test_one_installation_order_per_site_with_the_checklist(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(0)
        made = await _rollout(make_client, f, await _category())
    assert made["counts"]["planned"] == 2 and sum(made["counts"].values()) == 2
    orders = await db.raw(
        "SELECT id, kind, origin, site, partner_organisation, status, checklist_version, due_at"
        " FROM work_order WHERE origin = 'rollout' ORDER BY site"
    )
    assert [(o["kind"], o["status"]) for o in orders] == [("installation", "assigned")] * 2
    assert {o["site"] for o in orders} == {f.site.id, f.other_site.id}
    assert all(o["partner_organisation"] == f.partner_org_id for o in orders)
    # each order was written by the one write path: its create event and audit row
    for order in orders:
        assert await db.raw(
            "SELECT id FROM work_order_event WHERE work_order = {} AND action = 'create'",
            order["id"],
        )
        assert await db.raw(
            "SELECT id FROM audit_event WHERE action = 'work_order.create' AND object_id = {}",
            str(order["id"]),
        )
    checklist = await checklist_actions.load_checklist(
        await builders.system(), int(orders[0]["id"])
    )
    keys = [item.key for item in checklist.items]
    assert keys[:5] == ["site_survey", "mounting", "cabling", "commissioning_test", "photos"]
    assert "serial_number" in keys
    board = {s["site_id"]: s for s in made["sites"]}
    assert board[f.site.id]["target_date"] == "2026-11-20"
    assert board[f.other_site.id]["target_date"] == "2026-11-30"  # the roll-out's date


async def test_completion_registers_a_monitored_asset_with_its_qr_label(
    make_client: Any,
) -> None:
    with clock.pinned(T0):
        f = await field_site(0)
        category_id = await _category()
        made = await _rollout(make_client, f, category_id)
        worker = await _partner(f.partner_org_id)
        sites = {s["site_id"]: s for s in made["sites"]}
        first = sites[f.site.id]["work_order_id"]
        await _install(first, worker, "Q3AB-1234-XYZ")
        await step(first, worker, "complete", note="Mounted on the ceiling")
        second = sites[f.other_site.id]["work_order_id"]
        await step(second, worker, "accept")
        await step(second, worker, "start")
        await step(second, worker, "hold", hold_reason="access", note="No key")

    (site,) = await db.raw("SELECT asset FROM rollout_site WHERE work_order = {}", first)
    asset = (
        await db.raw(
            "SELECT id, site, category, serial_number, status FROM asset WHERE id = {}",
            site["asset"],
        )
    )[0]
    assert (asset["site"], asset["category"]) == (f.site.id, category_id)
    assert (asset["serial_number"], asset["status"]) == ("Q3AB-1234-XYZ", "operational")
    assert await db.raw("SELECT code FROM qr_code WHERE asset = {}", asset["id"])
    (monitor,) = await db.raw(
        "SELECT source, external_id, enabled FROM device_monitor WHERE asset = {}", asset["id"]
    )
    assert (monitor["source"], monitor["external_id"]) == (f.source_id, "Q3AB-1234-XYZ")

    ops = await builders.api(make_client, f.ops)
    board = (await ops.get(f"/api/v1/rollouts/{made['id']}")).json()
    assert board["counts"]["installed"] == 1 and board["counts"]["blocked"] == 1
    installed = next(s for s in board["sites"] if s["site_id"] == f.site.id)
    assert installed["asset_id"] == asset["id"] and installed["qr_code"]
    page = await ops.get(f"/rollouts/{made['id']}")
    assert page.status_code == 200 and "Q3AB" not in page.text  # named by category + site
    assert f"/api/v1/qr/{installed['qr_code']}.png" in page.text


async def test_a_taken_serial_refuses_completion_naming_the_checklist(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(0)
        made = await _rollout(make_client, f, await _category())
        worker = await _partner(f.partner_org_id)
        first, second = (s["work_order_id"] for s in made["sites"])
        await _install(first, worker, "SAME-SERIAL")
        await step(first, worker, "complete", note="ok")
        await _install(second, worker, "SAME-SERIAL")
        client = await builders.api(make_client, worker)
        version = (await client.get(f"/api/v1/work-orders/{second}")).json()["version"]
        answer = await client.post(
            f"/api/v1/work-orders/{second}/transitions",
            json={"action": "complete", "version": version, "note": "done"},
        )
    assert answer.status_code == 422, answer.text
    assert answer.json()["fields"][0]["field"] == "checklist"
    assert "serial number" in answer.json()["message"]
    (row,) = await db.raw("SELECT status FROM work_order WHERE id = {}", second)
    assert row["status"] == "in_progress"  # nothing half done
    assert len(await db.raw("SELECT id FROM asset WHERE serial_number = 'SAME-SERIAL'")) == 1


async def test_partners_see_only_their_sites_and_strangers_get_404(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(0)
        made = await _rollout(make_client, f, await _category())
        stranger = await _partner(f.isp_org_id)
        worker = await _partner(f.partner_org_id)
    mine = await (await builders.api(make_client, worker)).get(f"/api/v1/rollouts/{made['id']}")
    assert mine.status_code == 200 and len(mine.json()["sites"]) == 2
    theirs = await builders.api(make_client, stranger)
    assert (await theirs.get(f"/api/v1/rollouts/{made['id']}")).status_code == 404
    assert (await theirs.get("/api/v1/rollouts")).json() == []
    assert (await theirs.get(f"/rollouts/{made['id']}")).status_code == 404


async def test_bad_input_names_the_field(make_client: Any) -> None:
    f = await field_site(0)
    ops = await builders.api(make_client, f.ops)
    category_id = await _category()
    cases = [
        ({"name": "X", "category_id": 999999, "sites": [{"site_id": f.site.id}]}, "category_id"),
        ({"name": "X", "category_id": category_id, "sites": []}, "sites"),
        (
            {"name": "X", "category_id": category_id, "sites": [{"site_id": 999999}]},
            "sites[0].site_id",
        ),
        (
            {
                "name": "X",
                "category_id": category_id,
                "sites": [{"site_id": f.site.id}, {"site_id": f.site.id}],
            },
            "sites[1].site_id",
        ),
    ]
    for body, field in cases:
        answer = await ops.post("/api/v1/rollouts", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["fields"][0]["field"] == field
    assert await db.raw("SELECT id FROM rollout") == []
    assert await db.raw("SELECT id FROM work_order") == []


async def test_sites_added_later_get_their_installation_orders(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(0)
        made = await _rollout(make_client, f, await _category())
        third = await builders.site(f.site.region_id)
        fourth = await builders.site(f.site.region_id)
        ops = await builders.api(make_client, f.ops)
        answer = await ops.post(
            f"/api/v1/rollouts/{made['id']}/sites",
            json={
                "sites": [
                    {"site_id": third.id, "target_date": "2026-12-10"},
                    {"site_id": fourth.id},
                ],
                "target_date": "2026-12-20",
            },
        )
    assert answer.status_code == 200, answer.text
    board = {s["site_id"]: s for s in answer.json()["sites"]}
    assert set(board) == {f.site.id, f.other_site.id, third.id, fourth.id}
    assert board[third.id]["target_date"] == "2026-12-10"
    assert board[fourth.id]["target_date"] == "2026-12-20"
    assert answer.json()["counts"]["planned"] == 4
    first_order = board[f.site.id]["work_order_id"]
    for site in (third, fourth):
        order_id = board[site.id]["work_order_id"]
        (order,) = await db.raw(
            "SELECT kind, origin, partner_organisation, checklist_version FROM work_order"
            " WHERE id = {}",
            order_id,
        )
        (same,) = await db.raw(
            "SELECT checklist_version FROM work_order WHERE id = {}", first_order
        )
        assert (order["kind"], order["origin"]) == ("installation", "rollout")
        assert order["partner_organisation"] == f.partner_org_id  # the roll-out's installer
        assert order["checklist_version"] == same["checklist_version"]
        # through the one work-order write path: its create event and audit row
        assert await db.raw(
            "SELECT id FROM work_order_event WHERE work_order = {} AND action = 'create'",
            order_id,
        )
        assert await db.raw(
            "SELECT id FROM audit_event WHERE action = 'work_order.create' AND object_id = {}",
            str(order_id),
        )
    (audited,) = await db.raw(
        "SELECT object_id FROM audit_event WHERE action = 'rollout.add_sites'"
    )
    assert audited["object_id"] == str(made["id"])


async def test_adding_a_site_already_in_or_foreign_is_refused_and_writes_nothing(
    make_client: Any,
) -> None:
    with clock.pinned(T0):
        f = await field_site(0)
        made = await _rollout(make_client, f, await _category())
        new = await builders.site(f.site.region_id)
        elsewhere = await builders.site((await builders.region()).id)
    ops = await builders.api(make_client, f.ops)
    before = len(await db.raw("SELECT id FROM work_order"))
    url = f"/api/v1/rollouts/{made['id']}/sites"
    already = await ops.post(url, json={"sites": [{"site_id": new.id}, {"site_id": f.site.id}]})
    assert already.status_code == 409, already.text
    assert already.json()["fields"][0]["field"] == "sites[1].site_id"
    assert "already in the roll-out" in already.json()["message"]
    foreign = await ops.post(url, json={"sites": [{"site_id": elsewhere.id}]})
    assert foreign.status_code == 422, foreign.text
    assert foreign.json()["fields"][0]["field"] == "sites[0].site_id"
    twice = await ops.post(url, json={"sites": [{"site_id": new.id}, {"site_id": new.id}]})
    assert twice.status_code == 422 and twice.json()["fields"][0]["field"] == "sites[1].site_id"
    empty = await ops.post(url, json={"sites": []})
    assert empty.status_code == 422 and empty.json()["fields"][0]["field"] == "sites"
    assert len(await db.raw("SELECT id FROM work_order")) == before  # nothing partial
    assert len(await db.raw("SELECT id FROM rollout_site")) == 2
    # a roll-out the caller does not see: 404
    stranger = await builders.user(Role.ops_manager)
    other = await builders.api(make_client, stranger)
    assert (await other.post(url, json={"sites": [{"site_id": new.id}]})).status_code == 404


async def test_the_board_adds_sites_and_says_why_not_in_german(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(0)
        made = await _rollout(make_client, f, await _category())
        new = await builders.site(f.site.region_id)
        page = await builders.browser_session(make_client, f.ops)
        board = await page.get(f"/rollouts/{made['id']}")
        assert board.status_code == 200 and f'value="{new.id}"' in board.text
        assert f'value="{f.site.id}"' not in board.text  # already in: not offered
        added = await builders.post_form(
            page, f"/rollouts/{made['id']}/sites", {"site_ids": str(new.id)}
        )
        assert added.status_code in (302, 303), added.text
        (row,) = await db.raw(
            "SELECT work_order FROM rollout_site WHERE rollout = {} AND site = {}",
            made["id"],
            new.id,
        )
        assert row["work_order"] is not None
        await builders.post_form(page, "/account/locale", {"locale": "de"})
        refused = await builders.post_form(
            page, f"/rollouts/{made['id']}/sites", {"site_ids": str(f.site.id)}
        )
    assert refused.status_code == 422
    assert "Dieser Standort ist schon Teil des Roll-outs." in refused.text


async def test_a_german_installation_gets_german_orders_from_an_english_planner(
    make_client: Any, monkeypatch: Any
) -> None:
    """The orders, their checklist and the registered device's notes are stored words: in
    the installation's language (FACILITIES_DEFAULT_LOCALE), not the planner's."""
    monkeypatch.setattr(get_settings(), "default_locale", "de")
    with clock.pinned(T0):
        f = await field_site(0)  # the ops manager reads English
        made = await _rollout(make_client, f, await _category())
        first = next(s for s in made["sites"] if s["site_id"] == f.site.id)["work_order_id"]
        worker = await _partner(f.partner_org_id)
        await _install(first, worker, "Q3AB-1234-XYZ")
        await step(first, worker, "complete", note="Mounted")
    (order,) = await db.raw("SELECT title FROM work_order WHERE id = {}", first)
    assert order["title"] == "Access point installieren (Wi-Fi 7 upgrade)"
    checklist = await checklist_actions.load_checklist(await builders.system(), first)
    assert "Montage" in [item.label for item in checklist.items]
    (site,) = await db.raw("SELECT asset FROM rollout_site WHERE work_order = {}", first)
    (asset,) = await db.raw("SELECT notes FROM asset WHERE id = {}", site["asset"])
    assert asset["notes"].startswith("Installiert im Roll-out Wi-Fi 7 upgrade")
