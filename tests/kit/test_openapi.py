"""The OpenAPI schema says what the API answers: the product's error shape on every error
status, the real media types of binary answers, and a 409 body that the stale-version
answer of ``PATCH /api/v1/contracts/{id}`` matches."""

from __future__ import annotations

from typing import Any

import pytest

from facilities.accounts.enums import Role
from tests import builders
from tests import workorders_builders as wb
from tests.services import helpers as services


async def _schema(api: Any) -> dict[str, Any]:
    response = await api.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def _body_schema(schema: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    ref = response["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


async def test_every_api_error_is_declared_in_the_products_shape(make_client: Any) -> None:
    api = await builders.api(make_client, await builders.user(Role.admin))
    schema = await _schema(api)
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "422"):
                assert status in responses, f"{method} {path}: {status}"
            for status, response in responses.items():
                if int(status) < 400:
                    continue
                body = _body_schema(schema, response)
                assert {"code", "message"} <= set(body["required"]), f"{method} {path} {status}"
                assert "status_code" not in body["properties"], f"{method} {path} {status}"


async def test_a_bad_multipart_upload_answers_the_declared_400(make_client: Any) -> None:
    api = await builders.api(make_client, await builders.user(Role.admin))
    w = await wb.world()
    response = await api.post(
        f"/api/v1/assets/{w.asset_id}/files",
        content=b"--x\r\nnot a multipart body",
        headers={"content-type": "multipart/form-data; boundary=y"},
    )
    assert response.status_code in (400, 422), response.text
    declared = _body_schema(
        await _schema(api),
        (await _schema(api))["paths"]["/api/v1/assets/{asset_id}/files"]["post"]["responses"][
            str(response.status_code)
        ],
    )
    assert set(declared["required"]) <= set(response.json())


async def test_a_stale_contract_version_matches_the_declared_409(make_client: Any) -> None:
    api = await builders.api(make_client, await builders.user(Role.admin))
    w = await wb.world()
    contract = await services.contract(w.partner_org_id, [w.site.id])
    response = await api.patch(
        f"/api/v1/contracts/{contract.id}", json={"version": contract.version + 5, "name": "X"}
    )
    assert response.status_code == 409, response.text
    schema = await _schema(api)
    declared = _body_schema(
        schema, schema["paths"]["/api/v1/contracts/{contract_id}"]["patch"]["responses"]["409"]
    )
    assert set(declared.get("required", [])) <= set(response.json())


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/work-orders/{work_order_id}/sheet.pdf", "application/pdf"),
        ("/api/v1/assets/export.csv", "text/csv"),
        ("/api/v1/work-orders/{work_order_id}/photos/{photo_id}", "image/*"),
    ],
)
async def test_binary_answers_declare_their_media_type(
    make_client: Any, path: str, media_type: str
) -> None:
    api = await builders.api(make_client, await builders.user(Role.admin))
    schema = await _schema(api)
    assert list(schema["paths"][path]["get"]["responses"]["200"]["content"]) == [media_type]


async def test_the_csv_answer_has_one_charset(make_client: Any) -> None:
    api = await builders.api(make_client, await builders.user(Role.admin))
    response = await api.get("/api/v1/assets/import-template.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
