"""``/api/v1`` endpoints of the accounts domain."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from facilities.accounts import actions, queries
from facilities.accounts.enums import Role, Trade
from facilities.accounts.permissions import ROLE_PERMISSIONS
from facilities.accounts.principal import actor
from facilities.accounts.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    MeRead,
    PartnerOrganisationCreate,
    PartnerOrganisationRead,
    PartnerOrganisationUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Req


class AccountsApi(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @get("/me", opt={"permission": "profile.use"})
    async def me(self, request: Req) -> MeRead:
        p = actor(request)
        return MeRead(
            id=p.account_id,
            email=p.email,
            name=p.name,
            role=p.role,
            locale=p.locale,  # type: ignore[arg-type]
            partner_organisation_id=p.partner_organisation_id,
            permissions=sorted(ROLE_PERMISSIONS[p.role]),
        )

    @get("/tokens", opt={"permission": "profile.use"})
    async def list_tokens(self, request: Req) -> list[ApiTokenRead]:
        return await queries.list_api_tokens(actor(request))

    @post("/tokens", opt={"permission": "profile.use"})
    async def create_token(self, request: Req, data: JSONBody[ApiTokenCreate]) -> ApiTokenCreated:
        return await actions.create_api_token(actor=actor(request), data=data)

    @delete(
        "/tokens/{token_id:int}", opt={"permission": "profile.use"}, status_code=HTTP_204_NO_CONTENT
    )
    async def revoke_token(self, request: Req, token_id: FromPath[int]) -> None:
        await actions.revoke_api_token(actor=actor(request), token_id=token_id)

    @get("/users", opt={"permission": "users.view"})
    async def list_users(
        self,
        role: FromQuery[Role | None] = None,
        q: FromQuery[str | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[UserRead]:
        return await queries.list_users(role=role, q=q, limit=limit, offset=offset)

    @post("/users", opt={"permission": "users.manage"})
    async def create_user(self, request: Req, data: JSONBody[UserCreate]) -> UserRead:
        return await actions.create_user(actor=actor(request), data=data)

    @get("/users/{user_id:int}", opt={"permission": "users.view"})
    async def get_user(self, user_id: FromPath[int]) -> UserRead:
        return await queries.get_user(user_id)

    @patch("/users/{user_id:int}", opt={"permission": "users.manage"})
    async def update_user(
        self, request: Req, user_id: FromPath[int], data: JSONBody[UserUpdate]
    ) -> UserRead:
        return await actions.update_user(actor=actor(request), user_id=user_id, data=data)

    @get("/partner-organisations", opt={"permission": "partners.view"})
    async def list_partners(
        self, trade: FromQuery[Trade | None] = None, active: FromQuery[bool] = False
    ) -> list[PartnerOrganisationRead]:
        return await queries.list_partner_organisations(trade=trade, active_only=active)

    @post("/partner-organisations", opt={"permission": "partners.manage"})
    async def create_partner(
        self, request: Req, data: JSONBody[PartnerOrganisationCreate]
    ) -> PartnerOrganisationRead:
        return await actions.create_partner_organisation(actor=actor(request), data=data)

    @get("/partner-organisations/{partner_id:int}", opt={"permission": "partners.view"})
    async def get_partner(self, partner_id: FromPath[int]) -> PartnerOrganisationRead:
        return await queries.get_partner_organisation(partner_id)

    @patch("/partner-organisations/{partner_id:int}", opt={"permission": "partners.manage"})
    async def update_partner(
        self,
        request: Req,
        partner_id: FromPath[int],
        data: JSONBody[PartnerOrganisationUpdate],
    ) -> PartnerOrganisationRead:
        return await actions.update_partner_organisation(
            actor=actor(request), partner_id=partner_id, data=data
        )
