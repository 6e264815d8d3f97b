"""``/api/v1`` endpoints: regions, sites, closure days, holidays, spaces, user access."""

from __future__ import annotations

from datetime import date

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from facilities.accounts.principal import actor
from facilities.accounts.queries import get_user
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Req
from facilities.sites import actions, queries
from facilities.sites.enums import SiteKind
from facilities.sites.schemas import (
    AccessRead,
    AccessUpdate,
    ClosureCreate,
    ClosureRead,
    HolidayRead,
    RegionCreate,
    RegionRead,
    RegionUpdate,
    SiteCreate,
    SiteRead,
    SiteUpdate,
    SpaceCreate,
    SpaceRead,
    SpaceUpdate,
)


class SitesApi(Controller):
    path = "/api/v1"
    tags = ["sites"]

    # ---- regions ----------------------------------------------------------------------

    @get("/regions", opt={"permission": "regions.view"})
    async def list_regions(self, request: Req) -> list[RegionRead]:
        return await queries.list_regions(actor(request))

    @post("/regions", opt={"permission": "regions.change"})
    async def create_region(self, request: Req, data: JSONBody[RegionCreate]) -> RegionRead:
        return await actions.create_region(actor=actor(request), data=data)

    @get("/regions/{region_id:int}", opt={"permission": "regions.view"})
    async def get_region(self, request: Req, region_id: FromPath[int]) -> RegionRead:
        return await queries.get_region(actor(request), region_id)

    @patch("/regions/{region_id:int}", opt={"permission": "regions.change"})
    async def update_region(
        self, request: Req, region_id: FromPath[int], data: JSONBody[RegionUpdate]
    ) -> RegionRead:
        return await actions.update_region(actor=actor(request), region_id=region_id, data=data)

    # ---- sites ------------------------------------------------------------------------

    @get("/sites", opt={"permission": "sites.view"})
    async def list_sites(
        self,
        request: Req,
        region_id: FromQuery[int | None] = None,
        kind: FromQuery[SiteKind | None] = None,
        archived: bool | None = Parameter(default=False, description="true, false; omit for both"),
        q: str | None = Parameter(default=None, max_length=100),
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[SiteRead]:
        return await queries.list_sites(
            actor(request),
            region_id=region_id,
            kind=kind,
            archived=archived,
            q=q,
            limit=limit,
            offset=offset,
        )

    @post("/sites", opt={"permission": "sites.change"})
    async def create_site(self, request: Req, data: JSONBody[SiteCreate]) -> SiteRead:
        return await actions.create_site(actor=actor(request), data=data)

    @get("/sites/{site_id:int}", opt={"permission": "sites.view"})
    async def get_site(self, request: Req, site_id: FromPath[int]) -> SiteRead:
        return await queries.get_site(actor(request), site_id)

    @patch("/sites/{site_id:int}", opt={"permission": "sites.operate"})
    async def update_site(
        self, request: Req, site_id: FromPath[int], data: JSONBody[SiteUpdate]
    ) -> SiteRead:
        return await actions.update_site(actor=actor(request), site_id=site_id, data=data)

    @post("/sites/{site_id:int}/archive", opt={"permission": "sites.change"}, status_code=200)
    async def archive_site(self, request: Req, site_id: FromPath[int]) -> SiteRead:
        return await actions.set_site_archived(actor=actor(request), site_id=site_id, archived=True)

    @post("/sites/{site_id:int}/unarchive", opt={"permission": "sites.change"}, status_code=200)
    async def unarchive_site(self, request: Req, site_id: FromPath[int]) -> SiteRead:
        return await actions.set_site_archived(
            actor=actor(request), site_id=site_id, archived=False
        )

    @delete(
        "/sites/{site_id:int}", opt={"permission": "sites.change"}, status_code=HTTP_204_NO_CONTENT
    )
    async def delete_site(self, request: Req, site_id: FromPath[int]) -> None:
        await actions.delete_site(actor=actor(request), site_id=site_id)

    # ---- closure days and holidays ----------------------------------------------------

    @get("/sites/{site_id:int}/closures", opt={"permission": "sites.view"})
    async def list_closures(self, request: Req, site_id: FromPath[int]) -> list[ClosureRead]:
        return await queries.list_closures(actor(request), site_id)

    @post("/sites/{site_id:int}/closures", opt={"permission": "sites.operate"})
    async def add_closure(
        self, request: Req, site_id: FromPath[int], data: JSONBody[ClosureCreate]
    ) -> ClosureRead:
        return await actions.add_closure(actor=actor(request), site_id=site_id, data=data)

    @delete(
        "/sites/{site_id:int}/closures/{closure_id:int}",
        opt={"permission": "sites.operate"},
        status_code=HTTP_204_NO_CONTENT,
    )
    async def remove_closure(
        self, request: Req, site_id: FromPath[int], closure_id: FromPath[int]
    ) -> None:
        await actions.remove_closure(actor=actor(request), site_id=site_id, closure_id=closure_id)

    @get("/sites/{site_id:int}/closed-days", opt={"permission": "sites.view"})
    async def closed_days(
        self, request: Req, site_id: FromPath[int], start: FromQuery[date], end: FromQuery[date]
    ) -> list[HolidayRead]:
        """Public holidays (site's country/subdivision) and site closures in [start, end]."""
        if end < start:
            raise RuleViolation("end", _("The end must not be before the start."))
        if (end - start).days > 3 * 366:
            raise RuleViolation("end", _("Ask for at most three years at once."))
        site = await queries.get_site(actor(request), site_id)
        return await queries.closed_days(site, start, end)

    # ---- spaces -----------------------------------------------------------------------

    @get("/sites/{site_id:int}/spaces", opt={"permission": "sites.view"})
    async def list_spaces(
        self, request: Req, site_id: FromPath[int], archived: FromQuery[bool | None] = False
    ) -> list[SpaceRead]:
        return await queries.list_spaces(actor(request), site_id, archived=archived)

    @post("/sites/{site_id:int}/spaces", opt={"permission": "sites.operate"})
    async def create_space(
        self, request: Req, site_id: FromPath[int], data: JSONBody[SpaceCreate]
    ) -> SpaceRead:
        return await actions.create_space(actor=actor(request), site_id=site_id, data=data)

    @get("/spaces/{space_id:int}", opt={"permission": "sites.view"})
    async def get_space(self, request: Req, space_id: FromPath[int]) -> SpaceRead:
        return await queries.get_space(actor(request), space_id)

    @patch("/spaces/{space_id:int}", opt={"permission": "sites.operate"})
    async def update_space(
        self, request: Req, space_id: FromPath[int], data: JSONBody[SpaceUpdate]
    ) -> SpaceRead:
        return await actions.update_space(actor=actor(request), space_id=space_id, data=data)

    # ---- who sees which sites ---------------------------------------------------------

    @get("/users/{user_id:int}/access", opt={"permission": "users.view"})
    async def get_access(self, user_id: FromPath[int]) -> AccessRead:
        await get_user(user_id)
        return await queries.get_access(user_id)

    @put("/users/{user_id:int}/access", opt={"permission": "users.manage"})
    async def set_access(
        self, request: Req, user_id: FromPath[int], data: JSONBody[AccessUpdate]
    ) -> AccessRead:
        return await actions.set_access(actor=actor(request), user_id=user_id, data=data)
