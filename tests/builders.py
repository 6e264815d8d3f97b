"""One-line builders of valid rows, through the real actions (rules and audit included)."""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx

from facilities.accounts import actions as account_actions
from facilities.accounts.enums import Locale, Role
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import (
    ApiTokenCreate,
    PartnerOrganisationCreate,
    PartnerOrganisationRead,
    UserCreate,
    UserRead,
)
from facilities.accounts.tables import User
from facilities.sites import actions as site_actions
from facilities.sites.enums import SiteKind
from facilities.sites.schemas import AccessUpdate, RegionCreate, RegionRead, SiteCreate, SiteRead

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


async def system() -> Principal:
    """A real admin (created on first use in each test) acting for the builders."""
    row = await User.select(User.id).where(User.email == "system@example.com").first()
    if row is None:
        created = await account_actions.create_user(
            actor=None,
            data=UserCreate(email="system@example.com", name="System", role=Role.admin),
        )
        return principal(created)
    return Principal(
        user_id=row["id"],
        email="system@example.com",
        name="System",
        role=Role.admin,
        locale="en",
        partner_organisation_id=None,
        via="session",
        credential_id=0,
    )


async def partner_org(name: str | None = None) -> PartnerOrganisationRead:
    return await account_actions.create_partner_organisation(
        actor=await system(), data=PartnerOrganisationCreate(name=name or f"Partner {next(_seq)}")
    )


async def user(
    role: Role = Role.admin,
    *,
    email: str | None = None,
    partner_id: int | None = None,
    locale: str = "en",
    password: str = PASSWORD,
) -> UserRead:
    if role is Role.partner and partner_id is None:
        partner_id = (await partner_org()).id
    return await account_actions.create_user(
        actor=None,
        data=UserCreate(
            email=email or f"{role.value}{next(_seq)}@example.com",
            name=f"{role.value.title()} {next(_seq)}",
            role=role,
            password=password,
            partner_organisation_id=partner_id,
            locale=Locale(locale),
        ),
    )


def principal(u: UserRead) -> Principal:
    return Principal(
        user_id=u.id,
        email=u.email,
        name=u.name,
        role=u.role,
        locale=u.locale.value,
        partner_organisation_id=u.partner_organisation_id,
        via="session",
        credential_id=0,
    )


async def region(name: str | None = None) -> RegionRead:
    return await site_actions.create_region(
        actor=await system(), data=RegionCreate(name=name or f"Region {next(_seq)}")
    )


async def site(region_id: int, **values: Any) -> SiteRead:
    n = next(_seq)
    data = {"name": f"Site {n}", "code": f"S-{n}", "kind": SiteKind.coworking, **values}
    return await site_actions.create_site(
        actor=await system(), data=SiteCreate(region_id=region_id, **data)
    )


async def assign(
    u: UserRead, *, sites: list[int] | None = None, regions: list[int] | None = None
) -> None:
    await site_actions.set_access(
        actor=await system(),
        user_id=u.id,
        data=AccessUpdate(site_ids=sites or [], region_ids=regions or []),
    )


async def token(u: UserRead) -> str:
    created = await account_actions.create_api_token(
        actor=principal(u), data=ApiTokenCreate(name="test")
    )
    return created.secret


async def api(make_client: Any, u: UserRead) -> httpx.AsyncClient:
    return make_client(authorization=f"Bearer {await token(u)}")


_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    response = await client.get(path)
    match = _CSRF.search(response.text)
    assert match, f"no CSRF field on {path} ({response.status_code})"
    return match.group(1)


async def browser_session(
    make_client: Any, u: UserRead, password: str = PASSWORD
) -> httpx.AsyncClient:
    client = make_client()
    token_value = await csrf(client)
    response = await client.post(
        "/login",
        data={"email": u.email, "password": password, "_csrf_token": token_value, "next": "/"},
    )
    assert response.status_code == 303, response.text
    return client


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, Any], *, form_page: str | None = None
) -> httpx.Response:
    token_value = await csrf(client, form_page or "/account")
    return await client.post(path, data={**data, "_csrf_token": token_value})
