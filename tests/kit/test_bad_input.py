"""The foundation issue's list of bad input, each with a clear 4xx naming the field."""

import pytest

from facilities.accounts.enums import Role
from facilities.accounts.tables import UserSession
from facilities.kit.http import _friendly
from facilities.kit.security import token_hash
from tests import builders


async def _admin_api(make_client):
    admin = await builders.user(Role.admin)
    return await builders.api(make_client, admin)


async def test_invalid_time_zone_names_the_field(make_client) -> None:
    api = await _admin_api(make_client)
    region = await builders.region()
    response = await api.post(
        "/api/v1/sites",
        json={
            "region_id": region.id,
            "name": "X",
            "code": "X-1",
            "kind": "field",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["fields"][0]["field"] == "time_zone"
    assert "time zone" in body["fields"][0]["message"].lower()


async def test_duplicate_site_code_is_a_conflict(make_client) -> None:
    api = await _admin_api(make_client)
    region = await builders.region()
    await builders.site(region.id, code="MA-QU")
    response = await api.post(
        "/api/v1/sites",
        json={"region_id": region.id, "name": "Other", "code": "ma-qu", "kind": "coworking"},
    )
    assert response.status_code == 409
    assert response.json()["fields"] == [
        {"field": "code", "message": "Another site already uses this code."}
    ]


async def test_negative_floor_area_names_the_field(make_client) -> None:
    api = await _admin_api(make_client)
    region = await builders.region()
    response = await api.post(
        "/api/v1/sites",
        json={
            "region_id": region.id,
            "name": "X",
            "code": "X-2",
            "kind": "coworking",
            "floor_area_m2": -5,
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "floor_area_m2"
    assert response.json()["fields"][0]["message"] == "Must be at least 0.0."


async def test_wrong_password_generic_message_then_rate_limit(make_client) -> None:
    user = await builders.user(Role.viewer)
    client = make_client()
    messages = set()
    for attempt in range(6):  # five for the account (its limit from here), one unknown
        token = await builders.csrf(client)
        email = user.email if attempt < 5 else "nobody@example.com"
        response = await client.post(
            "/login", data={"email": email, "password": "wrong-password", "_csrf_token": token}
        )
        assert response.status_code == 401
        messages.add("The e-mail address or password is not correct." in response.text)
    assert messages == {True}  # same generic message whether or not the account exists
    token = await builders.csrf(client)
    response = await client.post(
        "/login", data={"email": user.email, "password": builders.PASSWORD, "_csrf_token": token}
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins. Please wait 15 minutes" in response.text


async def test_foreign_site_id_is_404(make_client) -> None:
    mine, other = await builders.region(), await builders.region()
    my_site = await builders.site(mine.id)
    foreign = await builders.site(other.id)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[my_site.id])
    api = await builders.api(make_client, cm)
    assert (await api.get(f"/api/v1/sites/{my_site.id}")).status_code == 200
    response = await api.get(f"/api/v1/sites/{foreign.id}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert (await api.get("/api/v1/sites/999999")).status_code == 404


async def test_expired_session_cookie_redirects_to_login(make_client) -> None:
    user = await builders.user(Role.viewer)
    client = await builders.browser_session(make_client, user)
    assert (await client.get("/sites")).status_code == 200
    from datetime import timedelta

    from facilities.kit import clock

    await UserSession.update({UserSession.expires_at: clock.now() - timedelta(seconds=1)}).where(
        UserSession.user == user.id
    )
    from facilities.accounts import cache

    cache.clear()
    response = await client.get("/sites")
    assert response.status_code == 302
    assert response.headers["location"].startswith("/login?next=/sites")


async def test_tampered_session_cookie_is_rejected(make_client) -> None:
    user = await builders.user(Role.viewer)
    client = await builders.browser_session(make_client, user)
    real = client.cookies.get("facilities_session")
    assert await UserSession.exists().where(UserSession.token_hash == token_hash(real))
    client.cookies.set(
        "facilities_session", real[:-2] + ("AA" if not real.endswith("AA") else "BB")
    )
    page = await client.get("/sites")
    assert page.status_code == 302 and page.headers["location"].startswith("/login")
    api = await client.get("/api/v1/sites")
    assert api.status_code == 401


async def test_missing_csrf_token_is_refused(make_client) -> None:
    user = await builders.user(Role.admin)
    client = await builders.browser_session(make_client, user)
    response = await client.post("/regions", data={"name": "Sneaky"})
    assert response.status_code == 403
    assert "form expired" in response.text
    response = await client.post("/regions", data={"name": "Sneaky", "_csrf_token": "forged"})
    assert response.status_code == 403


async def test_cookie_authenticated_api_write_needs_csrf_header(make_client) -> None:
    user = await builders.user(Role.admin)
    client = await builders.browser_session(make_client, user)
    response = await client.post("/api/v1/regions", json={"name": "Via cookie"})
    assert response.status_code == 403
    token = await builders.csrf(client, "/account")
    response = await client.post(
        "/api/v1/regions", json={"name": "Via cookie"}, headers={"x-csrftoken": token}
    )
    assert response.status_code == 201


async def test_malformed_json_body_is_422(make_client) -> None:
    api = await _admin_api(make_client)
    response = await api.post(
        "/api/v1/regions", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["fields"][0]["field"] == "body"


async def test_unknown_field_is_named(make_client) -> None:
    api = await _admin_api(make_client)
    response = await api.post("/api/v1/regions", json={"name": "R", "colour": "blue"})
    assert response.status_code == 422
    assert "colour" in response.json()["message"]


async def test_unknown_filter_value_is_422_naming_the_parameter(make_client) -> None:
    api = await _admin_api(make_client)
    response = await api.get("/api/v1/sites", params={"kind": "castle"})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "kind"
    response = await api.get("/api/v1/sites", params={"limit": "0"})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "limit"


async def test_invalid_opening_hours_name_the_day(make_client) -> None:
    api = await _admin_api(make_client)
    region = await builders.region()
    response = await api.post(
        "/api/v1/sites",
        json={
            "region_id": region.id,
            "name": "X",
            "code": "X-3",
            "kind": "coworking",
            "opening_hours": {"mon": [["18:00", "08:00"]]},
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "opening_hours.mon"


async def test_failed_action_leaves_no_partial_write(make_client) -> None:
    from facilities.accounts.tables import AuditEvent
    from facilities.sites.tables import Site

    api = await _admin_api(make_client)
    region = await builders.region()
    sites_before, events_before = await Site.count(), await AuditEvent.count()
    response = await api.post(
        "/api/v1/sites",
        json={
            "region_id": region.id,
            "name": "X",
            "code": "X-4",
            "kind": "coworking",
            "holiday_country": "DE",
            "holiday_subdivision": "XX",
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "holiday_subdivision"
    assert await Site.count() == sites_before
    assert await AuditEvent.count() == events_before


async def test_missing_required_field_is_named(make_client) -> None:
    api = await _admin_api(make_client)
    region = await builders.region()
    response = await api.post(
        "/api/v1/sites", json={"region_id": region.id, "code": "X-9", "kind": "field"}
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "name"


@pytest.mark.parametrize(
    ("raw", "friendly"),
    [
        ("Expected `int`, got `str` - at `$.a`", "Must be a whole number."),
        ("Expected `float | null`, got `str` - at `$.a`", "Must be a number."),
        ("Expected `int`, got `null` - at `$.a`", "A value is required."),
        ("Expected `str` of length <= 200 - at `$.b`", "At most 200 characters."),
        ("Expected `str` of length >= 1 - at `$.b`", "Must not be empty."),
        ("Expected `int` >= 1 - at `$.c`", "Must be at least 1."),
        ("Expected `float` > 0.0 - at `$.c`", "Must be greater than 0.0."),
        ("Expected `int` <= 5 - at `$.c`", "Must be at most 5."),
        ("Invalid enum value 'z' - at `$.e`", "Not one of the allowed values."),
        ("Invalid RFC3339 encoded date - at `$.i`", "Not a valid date (e.g. 2026-05-04)."),
        ("Something msgspec says one day", "Something msgspec says one day"),
    ],
)
def test_validation_messages_are_said_for_people(raw: str, friendly: str) -> None:
    assert _friendly(raw) == friendly


async def test_wrong_type_names_the_field_in_plain_words_and_in_german(make_client) -> None:
    api = await _admin_api(make_client)
    region = await builders.region()
    body = {"region_id": region.id, "name": "X", "code": "X-1", "kind": "nowhere"}
    response = await api.post("/api/v1/sites", json=body)
    assert response.status_code == 422
    field = response.json()["fields"][0]
    assert field == {"field": "kind", "message": "Not one of the allowed values."}
    body["kind"], body["floor_area_m2"] = "field", "big"
    german = await builders.api(make_client, await builders.user(Role.admin, locale="de"))
    response = await german.post("/api/v1/sites", json=body)
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "floor_area_m2"
    assert response.json()["fields"][0]["message"] == "Muss eine Zahl sein."


def test_unknown_technical_messages_are_never_shown() -> None:
    assert _friendly("Expected `frobnicated` thing - at `$.x`") == "This value is not valid."
