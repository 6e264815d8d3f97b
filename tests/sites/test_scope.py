"""Unknown parent ids answer 404 (or 422 naming the field) for every role, never a 500.

The scope helper's admin path ("every site") used to skip the existence check, so an
unknown site id reached the insert and failed on the foreign key.
"""

from __future__ import annotations

from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.sites import scope
from tests import builders

UNKNOWN = 999_999

PATH_PARENTS = [
    ("post", f"/api/v1/sites/{UNKNOWN}/closures", {"day": "2030-01-02", "reason": "Works"}),
    ("post", f"/api/v1/sites/{UNKNOWN}/spaces", {"name": "Room", "kind": "room"}),
    ("get", f"/api/v1/sites/{UNKNOWN}/closures", None),
    ("get", f"/api/v1/sites/{UNKNOWN}/spaces", None),
]


async def _api(make_client: Any, role: Role) -> Any:
    u = await builders.user(role)
    region = await builders.region()
    own = await builders.site(region.id)
    if role is Role.ops_manager:
        await builders.assign(u, regions=[region.id])
    elif role is Role.community_manager:
        await builders.assign(u, sites=[own.id])
    return await builders.api(make_client, u)


@pytest.mark.parametrize("role", [Role.admin, Role.ops_manager, Role.community_manager])
@pytest.mark.parametrize(("method", "path", "body"), PATH_PARENTS)
async def test_unknown_site_in_the_path_is_not_found(
    make_client: Any, role: Role, method: str, path: str, body: Any
) -> None:
    api = await _api(make_client, role)
    response = await api.request(method, path, json=body)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", [Role.admin, Role.ops_manager, Role.community_manager])
async def test_problem_report_for_an_unknown_site_is_not_found(
    make_client: Any, role: Role
) -> None:
    api = await _api(make_client, role)
    response = await api.post(
        "/api/v1/problem-reports", json={"site_id": UNKNOWN, "description": "The tap drips."}
    )
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("role", [Role.admin, Role.ops_manager, Role.community_manager])
async def test_site_feed_for_an_unknown_site_names_the_field(make_client: Any, role: Role) -> None:
    api = await _api(make_client, role)
    response = await api.post("/api/v1/calendar-feeds", json={"kind": "site", "site_id": UNKNOWN})
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == "site_id"


async def test_admin_scope_checks_existence() -> None:
    admin = builders.principal(await builders.user(Role.admin))
    region = await builders.region()
    site = await builders.site(region.id)
    assert await scope.can_see_site(admin, site.id)
    assert not await scope.can_see_site(admin, UNKNOWN)
    with pytest.raises(Exception, match="does not exist"):
        await scope.require_region(admin, UNKNOWN)
    await scope.require_region(admin, region.id)
    assert isinstance(admin, Principal)
