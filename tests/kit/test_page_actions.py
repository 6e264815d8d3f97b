"""Pages show only actions the reader may take (issue 9, item 12).

Every link and form on the main pages (work order, report, asset, schedule, contract,
their lists, the calendar) is resolved against the route table; the route's declared
permission must be one the reader's role holds. Rendered as a viewer and as a partner,
so no button leads to a 403. Scope (404 for another tenant) is not the concern here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.routes import HTTPRoute

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.permissions import has_permission
from facilities.kit import clock
from facilities.maintenance.reports import actions as report_actions
from tests import assets_builders, builders, maintenance_builders, workorders_builders
from tests.maintenance.pm import helpers as pm_helpers
from tests.services import helpers as service_helpers


class _Actions(HTMLParser):
    """(method, path) of every same-site link and form on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self._add("GET", values["href"] or "")
        elif tag == "form":
            self._add((values.get("method") or "get").upper(), values.get("action") or "")

    def _add(self, method: str, target: str) -> None:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return
        self.found.append((method, parts.path))


def _pattern(path: str) -> re.Pattern[str]:
    regex = re.sub(
        r"\{(\w+):(\w+)\}",
        lambda m: r"\d+" if m.group(2) == "int" else r"[^/]+" if m.group(2) == "str" else ".+",
        re.escape(path).replace(r"\{", "{").replace(r"\}", "}").replace(r"\:", ":"),
    )
    return re.compile(f"^{regex}$")


def _routes(app: Litestar) -> list[tuple[re.Pattern[str], int, str, dict[str, Any]]]:
    table = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        static = len(re.sub(r"\{[^}]*\}", "", route.path))
        for handler in route.route_handlers:
            for method in handler.http_methods:
                table.append((_pattern(route.path), static, method, handler.opt))
    return table


def permission_of(app: Litestar, method: str, path: str) -> str | None:
    """The declared permission of the route behind (method, path); "public" if public."""
    matches = [
        (static, opt)
        for pattern, static, verb, opt in _routes(app)
        if verb == method and pattern.match(path)
    ]
    if not matches:
        return None
    opt = max(matches, key=lambda m: m[0])[1]
    if opt.get("public") or (path.startswith("/schema") and "permission" not in opt):
        return "public"  # the OpenAPI pages are open to every signed-in reader
    return str(opt.get("permission"))


async def _world() -> dict[str, Any]:
    world = await assets_builders.world()
    partner_org = await builders.partner_org()
    partner = await builders.user(Role.partner, partner_id=partner_org.id)
    with clock.pinned(pm_helpers.utc(2026, 12, 1)):
        asset = await assets_builders.asset(world.site.id, "Coffee machine")
        schedule = await pm_helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=5",
            dtstart_local="2027-01-05T09:00:00",
            partner_organisation_id=partner_org.id,
        )
    new = await maintenance_builders.report(asset_id=asset.id)
    await report_actions.accept_report(actor=await builders.system(), report_id=new.report.id)
    from_report = await db.raw("SELECT id FROM work_order WHERE problem_report = {}", new.report.id)
    order_id = from_report[0]["id"]
    order = await workorders_builders.work_order(
        world.site.id, asset_id=asset.id, partner_organisation_id=partner_org.id
    )
    contract = await service_helpers.contract(partner_org.id, [world.site.id])
    return {
        "viewer": world.viewer,
        "partner": partner,
        "pages": [
            f"/work-orders/{order.id}",
            f"/work-orders/{order_id}",
            "/work-orders",
            f"/problem-reports/{new.report.id}",
            f"/assets/{asset.id}",
            "/assets",
            f"/schedules/{schedule.id}",
            "/schedules",
            f"/contracts/{contract.id}",
            "/contracts",
            "/calendar",
            "/",
        ],
    }


async def test_viewers_and_partners_see_no_action_they_may_not_take(app, make_client) -> None:  # type: ignore[no-untyped-def]
    world = await _world()
    problems = []
    checked = 0
    opened: set[tuple[str, str]] = set()
    for user in (world["viewer"], world["partner"]):
        client = await builders.browser_session(make_client, user)
        for path in world["pages"]:
            response = await client.get(path)
            if response.status_code in (403, 404):
                continue  # a page the role cannot open shows it nothing
            assert response.status_code == 200, (user.role, path, response.status_code)
            opened.add((user.role.value, path))
            parser = _Actions()
            parser.feed(response.text)
            for method, target in parser.found:
                permission = permission_of(app, method, target)
                if permission is None:
                    continue  # static files and the like
                checked += 1
                if permission != "public" and not has_permission(user.role, permission):
                    problems.append(
                        f"{user.role.value} on {path}: {method} {target} ({permission})"
                    )
    assert checked > 100
    # Each detail page was really seen by the viewer; the partner saw its work and contract.
    assert {p for role, p in opened if role == "viewer"} == set(world["pages"])
    assert {p for role, p in opened if role == "partner"} >= {
        world["pages"][0],
        "/work-orders",
        world["pages"][8],
        "/calendar",
    }
    assert not problems, "\n".join(sorted(set(problems)))


async def test_a_viewer_sees_no_links_for_contractors(make_client) -> None:  # type: ignore[no-untyped-def]
    world = await workorders_builders.world()
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[world.site.id])
    order = await workorders_builders.work_order(
        world.site.id, partner_organisation_id=world.partner_org_id
    )
    staff = await builders.browser_session(make_client, world.cm)
    assert "Links for contractors" in (await staff.get(f"/work-orders/{order.id}")).text
    client = await builders.browser_session(make_client, viewer)
    page = await client.get(f"/work-orders/{order.id}")
    assert page.status_code == 200
    assert "Links for contractors" not in page.text
    assert "/magic-links" not in page.text
    assert (await client.get(f"/work-orders/{order.id}/magic-links")).status_code == 403
