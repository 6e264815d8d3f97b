"""Every role × every foundation endpoint × own and foreign objects.

Expected: a role without the permission gets 403; with it, an object outside its scope
answers 404 (never 403, so ids leak nothing); its own object succeeds (2xx).
Plus a sweep over every route of the app: anonymous callers get 401 / the sign-in page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.accounts.permissions import has_permission
from tests import builders

ROLES = [Role.admin, Role.ops_manager, Role.community_manager, Role.partner, Role.viewer]


@dataclass
class World:
    region_own: int
    region_foreign: int
    site_own: int
    site_foreign: int
    space_own: int
    space_foreign: int
    closure_own: int
    closure_foreign: int
    other_user: int
    partner: int = 0


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {own}/{foreign} placeholders filled per target
    permission: str
    scoped: bool  # does the id in the path belong to a site/region scope?
    body: Any = None
    success: frozenset[int] = frozenset({200, 201, 204})


CASES = [
    Case("GET", "/api/v1/me", "profile.use", False),
    Case("GET", "/api/v1/tokens", "profile.use", False),
    Case("POST", "/api/v1/tokens", "profile.use", False, {"name": "t"}),
    Case("GET", "/api/v1/users", "users.view", False),
    Case("POST", "/api/v1/users", "users.manage", False, "new_user"),
    Case("GET", "/api/v1/users/{user}", "users.view", False),
    Case("PATCH", "/api/v1/users/{user}", "users.manage", False, {"name": "Renamed"}),
    Case("GET", "/api/v1/users/{user}/access", "users.view", False),
    Case(
        "PUT",
        "/api/v1/users/{user}/access",
        "users.manage",
        False,
        {"site_ids": [], "region_ids": []},
    ),
    Case("GET", "/api/v1/partner-organisations", "partners.view", False),
    Case("POST", "/api/v1/partner-organisations", "partners.manage", False, "new_partner"),
    Case("GET", "/api/v1/partner-organisations/{partner}", "partners.view", False),
    Case(
        "PATCH", "/api/v1/partner-organisations/{partner}", "partners.manage", False, {"notes": "n"}
    ),
    Case("GET", "/api/v1/regions", "regions.view", False),
    Case("POST", "/api/v1/regions", "regions.change", False, "new_region"),
    Case("GET", "/api/v1/regions/{region}", "regions.view", True),
    Case("PATCH", "/api/v1/regions/{region}", "regions.change", True, "rename_region"),
    Case("GET", "/api/v1/sites", "sites.view", False),
    Case("POST", "/api/v1/sites", "sites.change", True, "new_site"),
    Case("GET", "/api/v1/sites/{site}", "sites.view", True),
    Case("PATCH", "/api/v1/sites/{site}", "sites.operate", True, {"access_notes": "Ring twice"}),
    Case("POST", "/api/v1/sites/{site}/archive", "sites.change", True),
    Case("POST", "/api/v1/sites/{site}/unarchive", "sites.change", True),
    Case("GET", "/api/v1/sites/{site}/closures", "sites.view", True),
    Case("POST", "/api/v1/sites/{site}/closures", "sites.operate", True, {"day": "2027-01-04"}),
    Case("DELETE", "/api/v1/sites/{site}/closures/{closure}", "sites.operate", True),
    Case(
        "GET",
        "/api/v1/sites/{site}/closed-days?start=2026-12-01&end=2026-12-31",
        "sites.view",
        True,
    ),
    Case("GET", "/api/v1/sites/{site}/spaces", "sites.view", True),
    Case("POST", "/api/v1/sites/{site}/spaces", "sites.operate", True, "new_space"),
    Case("GET", "/api/v1/spaces/{space}", "sites.view", True),
    Case("PATCH", "/api/v1/spaces/{space}", "sites.operate", True, {"name": "Renamed space"}),
    # The site has spaces, so deleting is refused with a conflict (archive instead).
    Case("DELETE", "/api/v1/sites/{site}", "sites.change", True, success=frozenset({409})),
    Case("GET", "/api/v1/audit", "audit.view", False),
]
COVERED = {(c.method, c.path.split("?")[0]) for c in CASES}


async def _world() -> World:
    own, foreign = await builders.region("Own"), await builders.region("Foreign")
    site_own = await builders.site(own.id, code="OWN-1")
    site_foreign = await builders.site(foreign.id, code="FOR-1")
    from facilities.sites import actions
    from facilities.sites.enums import SpaceKind
    from facilities.sites.schemas import ClosureCreate, SpaceCreate

    system = await builders.system()
    spaces = [
        await actions.create_space(
            actor=system, site_id=s, data=SpaceCreate(name="Kitchen", kind=SpaceKind.room)
        )
        for s in (site_own.id, site_foreign.id)
    ]
    from datetime import date

    closures = [
        await actions.add_closure(
            actor=system, site_id=s, data=ClosureCreate(day=date(2026, 12, 28))
        )
        for s in (site_own.id, site_foreign.id)
    ]
    other = await builders.user(Role.viewer)
    return World(
        own.id,
        foreign.id,
        site_own.id,
        site_foreign.id,
        spaces[0].id,
        spaces[1].id,
        closures[0].id,
        closures[1].id,
        other.id,
        (await builders.partner_org()).id,
    )


async def _caller(role: Role, world: World, make_client):
    user = await builders.user(role)
    if role is Role.ops_manager:
        await builders.assign(user, regions=[world.region_own])
    elif role in (Role.community_manager, Role.viewer):
        await builders.assign(user, sites=[world.site_own])
    return await builders.api(make_client, user)


def _fill(case: Case, world: World, target: str) -> str:
    own = target == "own"
    return case.path.format(
        user=world.other_user,
        partner=world.partner,
        region=world.region_own if own else world.region_foreign,
        site=world.site_own if own else world.site_foreign,
        space=world.space_own if own else world.space_foreign,
        closure=world.closure_own if own else world.closure_foreign,
    )


def _body(case: Case, world: World, target: str, n: int) -> Any:
    region = world.region_own if target == "own" else world.region_foreign
    named = {
        "new_user": {"email": f"new{n}@example.com", "name": "New", "role": "viewer"},
        "new_partner": {"name": f"Partner {n}"},
        "new_region": {"name": f"Region {n}"},
        "rename_region": {"name": f"Renamed {n}"},
        "new_site": {"region_id": region, "name": "New", "code": f"NEW-{n}", "kind": "field"},
        "new_space": {"name": f"Room {n}", "kind": "room"},
    }
    return named.get(case.body, case.body) if isinstance(case.body, str) else case.body


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_role_against_every_endpoint(role: Role, make_client) -> None:
    world = await _world()
    api = await _caller(role, world, make_client)
    failures = []
    for n, case in enumerate(CASES):
        targets = ["own", "foreign"] if case.scoped else ["own"]
        for target in targets:
            path = _fill(case, world, target)
            body = _body(case, world, target, n * 2 + targets.index(target))
            response = await api.request(case.method, path, json=body)
            if not has_permission(role, case.permission):
                expected = {403}
            elif target == "foreign" and role is not Role.admin:
                # Creating a site in a foreign region names the field; everything else is 404.
                expected = {422} if case.body == "new_site" else {404}
            else:
                expected = set(case.success)
            if response.status_code not in expected:
                failures.append(
                    f"{case.method} {path} [{target}] → {response.status_code} {response.text[:120]}"
                )
    assert not failures, f"{role.value}:\n" + "\n".join(failures)


def test_matrix_covers_every_foundation_api_route(app) -> None:
    foundation = ("facilities.accounts", "facilities.sites", "facilities.reporting")
    missing = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            module = getattr(handler.fn, "__module__", "")
            if not route.path.startswith("/api/") or not module.startswith(foundation):
                continue
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                path = route.path.replace("{user_id:int}", "{user}").replace(
                    "{region_id:int}", "{region}"
                )
                path = path.replace("{site_id:int}", "{site}").replace("{space_id:int}", "{space}")
                path = path.replace("{partner_id:int}", "{partner}")
                path = path.replace("{closure_id:int}", "{closure}").replace(
                    "{token_id:int}", "{token}"
                )
                if (method, path) not in COVERED and (method, path.rstrip("/")) not in COVERED:
                    missing.append(f"{method} {path}")
    # Revoking a token is covered by test_tokens (own vs foreign token ids).
    assert sorted(missing) == ["DELETE /api/v1/tokens/{token}"]


async def test_anonymous_gets_401_or_sign_in_on_every_non_public_route(app, client) -> None:
    problems = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get("public") or route.path.startswith("/schema"):
                continue
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                path = re.sub(r"\{\w+:int\}", "1", route.path)
                path = re.sub(r"\{\w+:\w+\}", "x", path)
                response = await client.request(method, path)
                if path.startswith("/api/"):
                    ok = response.status_code == 401
                else:
                    # Unsafe page methods are refused by the CSRF check before anything else.
                    ok = (
                        response.status_code == 302 and "/login" in response.headers["location"]
                    ) or (method != "GET" and response.status_code == 403)
                if not ok:
                    problems.append(f"{method} {path} → {response.status_code}")
    assert not problems, "\n".join(problems)
