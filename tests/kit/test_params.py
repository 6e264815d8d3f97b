"""Whole numbers out of the columns' range: 404 in the path, 422 naming the field elsewhere.

Runs on both engines (the suite runs once per engine): PostgreSQL's `integer` overflowed
above 2^31 − 1 and SQLite's driver above 2^63 − 1, both as 500s before.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar, get, post
from litestar.params import FromHeader, FromPath, FromQuery, JSONBody

from facilities.accounts.auth import check_int_parameters
from facilities.accounts.enums import Role
from facilities.kit.http import EXCEPTION_HANDLERS
from facilities.kit.params import install_int_bounds, int_bounds_guard
from facilities.kit.schema import Id, Schema
from tests import builders


class Unbounded(msgspec.Struct):
    site_id: int


BIG = 2**31  # one past PostgreSQL's integer
HUGE = "99999999999999999999"  # past SQLite's 64-bit integer


async def _api(make_client: Any) -> Any:
    return await builders.api(make_client, await builders.user(Role.admin))


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/work-orders/{BIG}",
        f"/api/v1/sites/{BIG}",
        f"/api/v1/sites/{HUGE}/spaces",
        f"/api/v1/assets/{BIG}/files/1",
        f"/work-orders/{BIG}",  # pages too
    ],
)
async def test_an_impossible_id_in_the_path_is_not_found(make_client: Any, path: str) -> None:
    api = await _api(make_client)
    response = await api.get(path)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/v1/work-orders?site_id={BIG}", "site_id"),
        (f"/api/v1/assets?offset={HUGE}", "offset"),
        (f"/api/v1/sites?region_id=-{HUGE}", "region_id"),
        (f"/api/v1/outbox?offset={BIG}", "offset"),
        (f"/api/v1/facility-services/sla-policies?contract_id={BIG}", "contract_id"),
    ],
)
async def test_an_out_of_range_filter_names_the_parameter(
    make_client: Any, path: str, field: str
) -> None:
    api = await _api(make_client)
    response = await api.get(path)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field]


async def test_an_out_of_range_id_in_a_body_names_the_field(make_client: Any) -> None:
    api = await _api(make_client)
    response = await api.post("/api/v1/work-orders", json={"title": "Fix the tap", "site_id": BIG})
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == "site_id"
    response = await api.post(
        "/api/v1/problem-reports", json={"description": "The tap drips", "asset_id": int(HUGE)}
    )
    assert response.status_code == 422, response.text


async def test_the_guard_needs_no_database() -> None:
    # The guard itself, without a database: the check happens before any query.
    class Probe(Schema):
        site_id: Id

    @get("/api/probe/{item_id:int}")
    async def probe(item_id: FromPath[int], offset: FromQuery[int] = 0) -> None:
        return None

    app = Litestar([probe], guards=[int_bounds_guard], exception_handlers=EXCEPTION_HANDLERS)
    install_int_bounds(app)
    check_int_parameters(app)
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app) as client:
        assert (await client.get(f"/api/probe/{BIG}")).status_code == 404
        assert (await client.get(f"/api/probe/1?offset={HUGE}")).status_code == 422
        assert (await client.get("/api/probe/1?offset=5")).status_code == 200
    assert Probe  # the body type is bounded (see the next test)


def test_startup_refuses_a_whole_number_the_check_cannot_cover() -> None:
    @get("/header")
    async def header(token_count: FromHeader[int]) -> None:
        return None

    @post("/body")
    async def body(data: JSONBody[Unbounded]) -> None:
        return None

    app = Litestar([header, body], guards=[int_bounds_guard])
    install_int_bounds(app)
    with pytest.raises(RuntimeError) as refused:
        check_int_parameters(app)
    assert "token_count (header" in str(refused.value)
    assert "body data: Unbounded.site_id" in str(refused.value) or "Unbounded.site_id" in str(
        refused.value
    )


def test_startup_refuses_an_app_without_the_guard() -> None:
    @get("/plain")
    async def plain() -> None:
        return None

    app = Litestar([plain])
    install_int_bounds(app)
    with pytest.raises(RuntimeError, match="int_bounds_guard"):
        check_int_parameters(app)
