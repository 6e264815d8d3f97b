"""Server-rendered pages per role, and the core forms without JavaScript."""

from __future__ import annotations

import pytest

from facilities.accounts.enums import Role
from facilities.sites.tables import ClosureDay, Site, Space
from tests import builders

PAGES = {
    "/": "profile.use",
    "/sites": "sites.view",
    "/regions": "regions.view",
    "/admin/users": "users.view",
    "/audit": "audit.view",
    "/account": "profile.use",
}
MENU = {
    "Sites": "sites.view",
    "Regions": "regions.view",
    "Users": "users.view",
    "Audit trail": "audit.view",
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
async def test_pages_and_menus_follow_the_role(role: Role, make_client) -> None:
    from facilities.accounts.permissions import has_permission

    region = await builders.region()
    site = await builders.site(region.id, name="Quadrate")
    user = await builders.user(role)
    if role is Role.ops_manager:
        await builders.assign(user, regions=[region.id])
    elif role in (Role.community_manager, Role.viewer):
        await builders.assign(user, sites=[site.id])
    client = await builders.browser_session(make_client, user)
    for path, permission in PAGES.items():
        response = await client.get(path)
        expected = 200 if has_permission(role, permission) else 403
        assert response.status_code == expected, (path, response.status_code)
    home = (await client.get("/")).text
    for label, permission in MENU.items():
        assert (f"<span>{label}</span></a>" in home) is has_permission(role, permission), label
    if has_permission(role, "sites.view"):
        detail = await client.get(f"/sites/{site.id}")
        assert detail.status_code == 200 and "Quadrate" in detail.text


async def test_error_pages_are_friendly(make_client) -> None:
    other = await builders.region()
    foreign = await builders.site(other.id)
    cm = await builders.user(Role.community_manager)
    client = await builders.browser_session(make_client, cm)
    response = await client.get(f"/sites/{foreign.id}")
    assert response.status_code == 404
    assert "Page not found" in response.text and "Traceback" not in response.text
    response = await client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.text
    response = await client.get("/audit")
    assert response.status_code == 403 and "You may not open this page" in response.text


async def test_site_form_keeps_input_on_error_then_saves(make_client) -> None:
    region = await builders.region()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    client = await builders.browser_session(make_client, ops)
    token = await builders.csrf(client, "/sites/new")
    form = {
        "_csrf_token": token,
        "name": "Heidelberg Bahnstadt",
        "code": "hd-bs",
        "region_id": str(region.id),
        "kind": "coworking",
        "time_zone": "Mars/Olympus",
        "city": "Heidelberg",
        "desks": "58",
        "hours_mon": "08:00-18:00",
        "hours_sat": "09:00-13:00",
        "access_notes": "Key safe <b>left</b>",
        "allow_anonymous_reports": "on",
    }
    response = await client.post("/sites/new", data=form)
    assert response.status_code == 422
    page = response.text
    assert "Unknown time zone" in page
    for kept in (
        'value="Heidelberg Bahnstadt"',
        'value="hd-bs"',
        'value="58"',
        'value="08:00-18:00"',
        "Key safe &lt;b&gt;left&lt;/b&gt;",
    ):
        assert kept in page, kept
    response = await client.post("/sites/new", data={**form, "time_zone": "Europe/Berlin"})
    assert response.status_code == 303
    site = await Site.select().where(Site.code == "HD-BS").output(load_json=True).first()
    assert site["opening_hours"]["mon"] == [["08:00", "18:00"]]
    assert site["opening_hours"]["sun"] == []
    page = (await client.get(response.headers["location"])).text
    assert "Site created." in page
    assert "Key safe &lt;b&gt;left&lt;/b&gt;" in page  # escaped, never HTML


async def test_community_manager_edits_only_operational_fields(make_client) -> None:
    region = await builders.region()
    site = await builders.site(region.id, name="Jungbusch")
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    client = await builders.browser_session(make_client, cm)
    form_page = (await client.get(f"/sites/{site.id}/edit")).text
    assert 'name="hours_mon"' in form_page and 'name="code"' not in form_page
    token = await builders.csrf(client, f"/sites/{site.id}/edit")
    response = await client.post(
        f"/sites/{site.id}/edit",
        data={
            "_csrf_token": token,
            "name": "Hijacked",
            "hours_tue": "07:00-19:00",
            "access_notes": "Code 1234",
        },
    )
    assert response.status_code == 303
    row = await Site.select().where(Site.id == site.id).output(load_json=True).first()
    assert row["name"] == "Jungbusch"  # not an operational field: ignored from the CM form
    assert row["access_notes"] == "Code 1234"
    assert row["opening_hours"]["tue"] == [["07:00", "19:00"]]
    # Through the API a CM changing the name is refused.
    api = await builders.api(make_client, cm)
    response = await api.patch(f"/api/v1/sites/{site.id}", json={"name": "Hijacked"})
    assert response.status_code == 403


async def test_closure_days_and_spaces_through_forms(make_client) -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    client = await builders.browser_session(make_client, cm)
    token = await builders.csrf(client, f"/sites/{site.id}")
    response = await client.post(
        f"/sites/{site.id}/closures",
        data={"_csrf_token": token, "day": "2026-12-31", "reason": "Inventory"},
    )
    assert response.status_code == 303
    response = await client.post(
        f"/sites/{site.id}/closures", data={"_csrf_token": token, "day": "2026-12-31"}
    )
    assert response.status_code == 409 or response.status_code == 422
    assert "already marked as closed" in response.text
    response = await client.post(
        f"/sites/{site.id}/spaces",
        data={"_csrf_token": token, "name": "1st floor", "kind": "floor"},
    )
    assert response.status_code == 303
    floor = await Space.select().where(Space.name == "1st floor").first()
    response = await client.post(
        f"/sites/{site.id}/spaces",
        data={
            "_csrf_token": token,
            "name": "Kitchen",
            "kind": "room",
            "parent_id": str(floor["id"]),
        },
    )
    assert response.status_code == 303
    page = (await client.get(f"/sites/{site.id}")).text
    assert "1st floor › Kitchen" in page
    assert "Inventory" in page
    assert await ClosureDay.count().where(ClosureDay.site == site.id) == 1


async def test_admin_creates_user_and_assigns_sites(make_client) -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    admin = await builders.user(Role.admin)
    client = await builders.browser_session(make_client, admin)
    token = await builders.csrf(client, "/admin/users")
    response = await client.post(
        "/admin/users",
        data={
            "_csrf_token": token,
            "name": "Nora",
            "email": "nora@example.com",
            "role": "community_manager",
            "password": "short",
        },
    )
    assert response.status_code == 422
    assert 'value="nora@example.com"' in response.text
    response = await client.post(
        "/admin/users",
        data={
            "_csrf_token": token,
            "name": "Nora",
            "email": "nora@example.com",
            "role": "community_manager",
            "password": "long enough pw",
        },
    )
    assert response.status_code == 303
    user_path = response.headers["location"]
    response = await client.post(
        f"{user_path}/access", data={"_csrf_token": token, "site_ids": [str(site.id)]}
    )
    assert response.status_code == 303
    from facilities.accounts.tables import User

    nora = await User.select().where(User.email == "nora@example.com").first()
    nora_client = make_client()
    token2 = await builders.csrf(nora_client)
    await nora_client.post(
        "/login",
        data={"email": "nora@example.com", "password": "long enough pw", "_csrf_token": token2},
    )
    sites = (await nora_client.get("/api/v1/sites")).json()["items"]
    assert [s["id"] for s in sites] == [site.id]
    assert nora["role"] == "community_manager"


async def test_german_user_gets_german_pages(make_client) -> None:
    user = await builders.user(Role.viewer, locale="de")
    client = await builders.browser_session(make_client, user)
    page = (await client.get("/account")).text
    assert '<html lang="de">' in page
    assert "Abmelden" in page  # "Sign out"


async def test_browser_language_is_used_before_sign_in(client) -> None:
    page = (await client.get("/login", headers={"accept-language": "de-DE,de;q=0.9"})).text
    assert '<html lang="de">' in page
    assert "Anmelden" in page
