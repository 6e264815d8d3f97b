"""Deleting a site that something still refers to is a 409 naming what, never a 500.

The "is it referenced" check is derived from Piccolo's table metadata (every foreign key to
``Site`` in every registered app), so tables of upper domains are covered automatically.
"""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from facilities.piccolo_conf import APP_REGISTRY
from facilities.sites.queries import OWNED_BY_SITE, site_foreign_keys
from facilities.sites.tables import Site
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb
from tests.services import helpers as services


async def _admin_api(make_client: Any) -> Any:
    return await builders.api(make_client, await builders.user(Role.admin))


async def test_a_site_with_an_asset_but_no_space_is_a_conflict(make_client: Any) -> None:
    api = await _admin_api(make_client)
    region = await builders.region()
    site = await builders.site(region.id)
    await mb.asset(site.id, "Boiler")
    response = await api.delete(f"/api/v1/sites/{site.id}")
    assert response.status_code == 409, response.text
    assert "1 asset" in response.json()["message"]
    assert await Site.exists().where(Site.id == site.id)


async def test_the_conflict_counts_rows_of_upper_domains(make_client: Any) -> None:
    api = await _admin_api(make_client)
    w = await wb.world()
    await wb.work_order(w.site.id)
    await wb.work_order(w.site.id)
    await services.contract(w.partner_org_id, [w.site.id])
    response = await api.delete(f"/api/v1/sites/{w.site.id}")
    assert response.status_code == 409, response.text
    message = response.json()["message"]
    assert "2 work orders" in message
    assert "1 service contract site" in message
    assert "1 site assignment" in message  # the community manager's


async def test_an_unreferenced_site_is_deleted_with_its_closure_days(make_client: Any) -> None:
    api = await _admin_api(make_client)
    region = await builders.region()
    site = await builders.site(region.id)
    closure = await api.post(
        f"/api/v1/sites/{site.id}/closures", json={"day": "2030-01-02", "reason": "Works"}
    )
    assert closure.status_code == 201, closure.text
    response = await api.delete(f"/api/v1/sites/{site.id}")
    assert response.status_code == 204, response.text
    assert not await Site.exists().where(Site.id == site.id)


def test_every_foreign_key_to_a_site_is_known() -> None:
    expected = {
        (table._meta.tablename, column._meta.name)
        for config in APP_REGISTRY.app_configs.values()
        for table in config.table_classes
        if table not in OWNED_BY_SITE
        for column in table._meta.foreign_key_columns
        if column._foreign_key_meta.resolved_references is Site
    }
    found = {(c._meta.table._meta.tablename, c._meta.name) for c in site_foreign_keys()}
    assert found == expected
    # Upper domains are in it: maintenance, facility services.
    assert {"asset", "work_order", "problem_report", "service_contract_site"} <= {
        name for name, _ in found
    }
