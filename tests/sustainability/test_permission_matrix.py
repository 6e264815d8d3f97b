"""Every sustainability route × every role × own and foreign site.

A role without the route's permission gets 403; with it, an object of a site outside its
scope answers 404 (never 403); its own object succeeds. Partners see nothing here. A route
added without a case here fails ``test_matrix_covers_every_sustainability_route``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from facilities.accounts.enums import Role
from facilities.accounts.permissions import has_permission
from facilities.sustainability import actions
from facilities.sustainability.schemas import PeriodCreate
from tests import builders
from tests.sustainability.helpers import meter, reading

ROLES = [Role.admin, Role.ops_manager, Role.community_manager, Role.partner, Role.viewer]


@dataclass
class World:
    site: dict[str, int]
    meter: dict[str, int]
    spare: dict[str, int]  # a meter without history (deletable)
    period: dict[str, int]


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {site}, {meter}, {spare}, {period} filled per target
    permission: str
    scoped: bool
    body: Any = None
    success: frozenset[int] = frozenset({200, 201, 204})
    page: bool = False  # a page (session + CSRF form) rather than the API


API = "/api/v1/sustainability"
CASES = [
    Case("GET", f"{API}/meters", "sustainability.view", False),
    Case("GET", f"{API}/meters?site_id={{site}}", "sustainability.view", True),
    Case("POST", f"{API}/meters", "sustainability.manage", True, "new_meter"),
    Case("GET", f"{API}/meters/{{meter}}", "sustainability.view", True),
    Case("PATCH", f"{API}/meters/{{meter}}", "sustainability.manage", True, {"name": "Renamed"}),
    Case("DELETE", f"{API}/meters/{{spare}}", "sustainability.manage", True),
    Case("GET", f"{API}/meters/{{meter}}/readings", "sustainability.view", True),
    Case("POST", f"{API}/meters/{{meter}}/readings", "sustainability.enter", True, {"value": 1500}),
    Case("GET", f"{API}/meters/{{meter}}/periods", "sustainability.view", True),
    Case(
        "POST",
        f"{API}/meters/{{meter}}/periods",
        "sustainability.enter",
        True,
        {"starts_on": "2026-02-01", "ends_on": "2026-02-28", "quantity": 10},
    ),
    Case("DELETE", f"{API}/meters/{{meter}}/periods/{{period}}", "sustainability.enter", True),
    Case("GET", f"{API}/sites/{{site}}/occupancy?year=2026", "sustainability.view", True),
    Case(
        "PUT",
        f"{API}/sites/{{site}}/occupancy/2026-03",
        "sustainability.enter",
        True,
        {"visits": 400},
    ),
    Case("GET", f"{API}/factors", "sustainability.view", False),
    Case(
        "POST",
        f"{API}/factors",
        "sustainability.manage",
        False,
        {
            "carrier": "electricity_grid",
            "region": "DE",
            "year": 2026,
            "method": "market",
            "value": 0.03,
            "source": "Supplier disclosure",
        },
    ),
    Case("GET", f"{API}/results?year=2026", "sustainability.view", False),
    Case("GET", f"{API}/results?year=2026&site_id={{site}}", "sustainability.view", True),
    Case("GET", "/sustainability?year=2026", "sustainability.view", False, page=True),
    Case("GET", "/sustainability?site_id={site}", "sustainability.view", True, page=True),
    Case("GET", "/sustainability/meters", "sustainability.view", False, page=True),
    Case("GET", "/sustainability/meters?site_id={site}", "sustainability.view", True, page=True),
    Case("GET", "/sustainability/meters/{meter}", "sustainability.view", True, page=True),
    Case(
        "POST",
        "/sustainability/meters/{meter}/readings",
        "sustainability.enter",
        True,
        {"value": "1600"},
        success=frozenset({303}),
        page=True,
    ),
]


async def _world() -> World:
    system = await builders.system()
    site, meters, spare, period = {}, {}, {}, {}
    for target in ("own", "foreign"):
        region = await builders.region(f"Region {target}")
        s = await builders.site(region.id)
        site[target] = s.id
        m = await meter(s.id)
        meters[target] = m.id
        await reading(m.id, 1000, datetime(2026, 1, 1, tzinfo=UTC))
        spare[target] = (await meter(s.id, name="Spare")).id
        created = await actions.add_period(
            actor=system,
            meter_id=m.id,
            data=PeriodCreate(
                starts_on=datetime(2026, 1, 1).date(),
                ends_on=datetime(2026, 1, 31).date(),
                quantity=310,
            ),
        )
        period[target] = created.id
    return World(site, meters, spare, period)


async def _region_of(site_id: int) -> int:
    from facilities.sites.queries import get_site

    return (await get_site(await builders.system(), site_id)).region_id


async def _callers(role: Role, world: World, make_client: Any) -> tuple[httpx.AsyncClient, Any]:
    user = await builders.user(role)
    if role is Role.ops_manager:
        await builders.assign(user, regions=[await _region_of(world.site["own"])])
    elif role in (Role.community_manager, Role.viewer):
        await builders.assign(user, sites=[world.site["own"]])
    api = await builders.api(make_client, user)
    session = await builders.browser_session(make_client, user)
    return api, session


def _fill(case: Case, world: World, target: str) -> str:
    return case.path.format(
        site=world.site[target],
        meter=world.meter[target],
        spare=world.spare[target],
        period=world.period[target],
    )


def _body(case: Case, world: World, target: str) -> Any:
    if case.body == "new_meter":
        return {"site_id": world.site[target], "name": "Water", "carrier": "water", "unit": "m3"}
    return case.body


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_role_against_every_sustainability_route(role: Role, make_client) -> None:
    world = await _world()
    api, session = await _callers(role, world, make_client)
    failures = []
    for case in CASES:
        for target in ["own", "foreign"] if case.scoped else ["own"]:
            path = _fill(case, world, target)
            body = _body(case, world, target)
            if case.page and case.method == "POST":
                response = await builders.post_form(session, path, body, form_page="/account")
            elif case.page:
                response = await session.get(path)
            else:
                response = await api.request(case.method, path, json=body)
            if not has_permission(role, case.permission):
                expected = {403}
            elif target == "foreign" and role is not Role.admin:
                expected = {404}
            else:
                expected = set(case.success)
            if response.status_code not in expected:
                failures.append(
                    f"{case.method} {path} [{target}] → {response.status_code} "
                    f"(expected {sorted(expected)}) {response.text[:160]}"
                )
    assert not failures, f"{role.value}:\n" + "\n".join(failures)


def test_matrix_covers_every_sustainability_route(app) -> None:
    covered = {(c.method, c.path.split("?")[0]) for c in CASES}
    names = {
        "{meter_id:int}": ("{meter}", "{spare}"),
        "{site_id:int}": ("{site}",),
        "{period_id:int}": ("{period}",),
        "{month:str}": ("2026-03-01", "2026-03"),
    }
    missing = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not handler.fn.__module__.startswith("facilities.sustainability"):
                continue
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                variants = {route.path}
                for placeholder, options in names.items():
                    variants = {v.replace(placeholder, o) for v in variants for o in options}
                if not any((method, v) in covered for v in variants):
                    missing.append(f"{method} {route.path}")
    assert not missing, "routes without a matrix case:\n" + "\n".join(missing)


async def test_partner_sees_no_sustainability_menu() -> None:
    from facilities.navigation import menu

    partner = builders.principal(await builders.user(Role.partner))
    keys = {link.key for group in menu(partner, "/").groups for link in group.links}
    assert not keys & {"sustainability", "meters"}
    cm = builders.principal(await builders.user(Role.community_manager))
    cm_keys = {link.key for group in menu(cm, "/").groups for link in group.links}
    assert {"sustainability", "meters"} <= cm_keys
