from tests import builders


async def test_health_live_needs_no_login(client) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_health_ready_reports_database_and_migrations(client) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["pending_migrations"] == 0


async def test_api_needs_login(client) -> None:
    response = await client.get("/api/v1/sites")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_me_with_token(make_client) -> None:
    admin = await builders.user()
    client = await builders.api(make_client, admin)
    response = await client.get("/api/v1/me")
    assert response.status_code == 200, response.text
    assert response.json()["email"] == admin.email
