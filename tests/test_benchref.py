"""The benchmark's reference endpoints exist only in bench mode, never in production."""

from __future__ import annotations

import httpx
import pytest

from facilities import benchref
from facilities.settings import Settings, get_settings
from tests import builders

BENCH_PATHS = ["/bench/hello", "/bench/raw/sites", "/bench/raw/sites/1"]


@pytest.mark.parametrize("path", BENCH_PATHS)
async def test_reference_endpoints_are_not_mounted_outside_bench_mode(client, path) -> None:
    assert get_settings().bench_mode is False
    response = await client.get(path)
    assert response.status_code == 404


async def test_reference_endpoints_are_not_in_the_openapi_schema(make_client) -> None:
    admin = await builders.user()
    client = await builders.api(make_client, admin)
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    assert not [p for p in response.json()["paths"] if p.startswith("/bench")]


def test_bench_mode_is_refused_in_production() -> None:
    with pytest.raises(ValueError, match="FACILITIES_BENCH_MODE"):
        Settings(env="production", secret_key="x" * 40, bench_mode=True)


async def test_in_bench_mode_the_raw_references_answer_what_the_api_answers(
    monkeypatch,
) -> None:
    """Same site, same fields: the ratio compares the same work done two ways."""
    from facilities.app import create_app

    monkeypatch.setattr(get_settings(), "bench_mode", True)
    app = create_app()
    region = await builders.region()
    site = await builders.site(region.id, city="Mannheim", desks=12)
    admin = await builders.user()
    token = await builders.token(admin)
    transport = httpx.ASGITransport(app=app)  # no lifespan: the session opened the database
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await _compare(client, site.id, token)
    finally:
        await benchref.close()


async def _compare(client: httpx.AsyncClient, site_id: int, token: str) -> None:
    hello = await client.get("/bench/hello")
    assert hello.status_code == 200 and hello.json() == {"hello": "world"}
    auth = {"authorization": f"Bearer {token}"}
    api = await client.get(f"/api/v1/sites/{site_id}", headers=auth)
    raw = await client.get(f"/bench/raw/sites/{site_id}")
    assert api.status_code == raw.status_code == 200, raw.text
    assert set(api.json()) == set(raw.json())
    for field in ("id", "region_id", "region_name", "name", "code", "city", "desks"):
        assert raw.json()[field] == api.json()[field]
    page = (await client.get("/bench/raw/sites")).json()
    assert page["total"] == 1 and [s["id"] for s in page["items"]] == [site_id]
    assert (await client.get("/bench/raw/sites/999999")).status_code == 404
