"""Server-rendered pages: home, regions, sites (list, detail, form), spaces, closures, access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Response, Template

from facilities.accounts import queries as account_queries
from facilities.accounts.enums import Role
from facilities.accounts.principal import actor
from facilities.kit import clock, forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Req
from facilities.sites import actions, queries
from facilities.sites.enums import (
    SITE_KIND_LABELS,
    SPACE_KIND_LABELS,
    WEEKDAY_LABELS,
    WEEKDAYS,
    SiteKind,
    SpaceKind,
)
from facilities.sites.schemas import (
    AccessUpdate,
    ClosureCreate,
    RegionCreate,
    SiteCreate,
    SiteRead,
    SiteUpdate,
    SpaceCreate,
    SpaceUpdate,
)


def hours_to_text(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals)


def hours_from_form(values: dict[str, Any]) -> dict[str, list[list[str]]]:
    """``hours_mon = "08:00-12:00, 13:00-18:00"`` → ``{"mon": [["08:00","12:00"], …]}``."""
    result: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        text = str(values.pop(f"hours_{day}", "") or "").strip()
        intervals = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            start, _sep, end = part.replace("–", "-").partition("-")
            intervals.append([start.strip(), end.strip()])
        result[day] = intervals
    return result


def _site_form_values(site: SiteRead | None) -> dict[str, Any]:
    if site is None:
        return {
            "time_zone": "Europe/Berlin",
            "country": "DE",
            "holiday_country": "DE",
            "kind": "coworking",
            "allow_anonymous_reports": True,
        }
    values: dict[str, Any] = {k: getattr(site, k) for k in site.__struct_fields__}
    values["kind"] = site.kind.value
    for day in WEEKDAYS:
        values[f"hours_{day}"] = hours_to_text(site.opening_hours.get(day, []))
    return values


class SitePages(Controller):
    include_in_schema = False

    # ---- regions ----------------------------------------------------------------------

    @get("/regions", opt={"permission": "regions.view"})
    async def regions(self, request: Req) -> Template:
        return page(
            request,
            "sites/regions.html",
            {"regions": await queries.list_regions(actor(request)), "errors": {}},
        )

    @post("/regions", opt={"permission": "regions.change", "form": RegionCreate})
    async def create_region(self, request: Req, data: Form) -> Response[Any]:
        values = forms.clean(data)
        region, errors = forms.convert(values, RegionCreate)
        if region is not None:
            try:
                await actions.create_region(actor=actor(request), data=region)
                return redirect("/regions", _("Region created."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        regions = await queries.list_regions(actor(request))
        return page(
            request,
            "sites/regions.html",
            {"regions": regions, "errors": errors, "values": values},
            status_code=422,
        )

    # ---- sites ------------------------------------------------------------------------

    @get("/sites", opt={"permission": "sites.view"})
    async def sites(
        self,
        request: Req,
        q: str | None = Parameter(default=None, max_length=100),
        region_id: FromQuery[int | None] = None,
        kind: FromQuery[SiteKind | None] = None,
        archived: FromQuery[bool] = False,
        offset: int = Parameter(default=0, ge=0),
    ) -> Template:
        me = actor(request)
        result = await queries.list_sites(
            me, q=q, region_id=region_id, kind=kind, archived=archived, limit=50, offset=offset
        )
        return page(
            request,
            "sites/list.html",
            {
                "page": result,
                "regions": await queries.list_regions(me),
                "filters": {
                    "q": q or "",
                    "region_id": region_id,
                    "kind": kind.value if kind else "",
                    "archived": archived,
                },
                "kind_labels": SITE_KIND_LABELS,
            },
        )

    async def _form(
        self,
        request: Req,
        site: SiteRead | None,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "sites/form.html",
            {
                "site": site,
                "values": values,
                "errors": errors,
                "regions": await queries.list_regions(actor(request)),
                "kinds": list(SiteKind),
                "kind_labels": SITE_KIND_LABELS,
                "weekdays": WEEKDAYS,
                "weekday_labels": WEEKDAY_LABELS,
                "full_edit": actor(request).can("sites.change"),
            },
            status_code=status,
        )

    @get("/sites/new", opt={"permission": "sites.change"})
    async def new_site(self, request: Req) -> Template:
        return await self._form(request, None, _site_form_values(None), {})

    @post("/sites/new", opt={"permission": "sites.change", "form": SiteCreate})
    async def create_site(self, request: Req, data: Form) -> Response[Any]:
        entered = forms.clean(data)
        values = dict(entered)
        values["opening_hours"] = hours_from_form(values)
        values["allow_anonymous_reports"] = values.get("allow_anonymous_reports") == "on"
        site_data, errors = forms.convert(values, SiteCreate)
        if site_data is not None:
            try:
                site = await actions.create_site(actor=actor(request), data=site_data)
                return redirect(f"/sites/{site.id}", _("Site created."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._form(request, None, entered, errors, 422)

    @get("/sites/{site_id:int}", opt={"permission": "sites.view"})
    async def site(self, request: Req, site_id: FromPath[int]) -> Template:
        return await self._site_page(request, site_id, {})

    async def _site_page(
        self, request: Req, site_id: FromPath[int], errors: dict[str, str], status: int = 200
    ) -> Template:
        me = actor(request)
        site = await queries.get_site(me, site_id)
        today = clock.now().date()
        return page(
            request,
            "sites/detail.html",
            {
                "site": site,
                "spaces": await queries.list_spaces(me, site_id),
                "closures": await queries.list_closures(me, site_id),
                "closed_days": await queries.closed_days(site, today, today + timedelta(days=120)),
                "kind_labels": SITE_KIND_LABELS,
                "space_kinds": list(SpaceKind),
                "space_kind_labels": SPACE_KIND_LABELS,
                "weekdays": WEEKDAYS,
                "weekday_labels": WEEKDAY_LABELS,
                "hours_to_text": hours_to_text,
                "errors": errors,
            },
            status_code=status,
        )

    @get("/sites/{site_id:int}/edit", opt={"permission": "sites.operate"})
    async def edit_site(self, request: Req, site_id: FromPath[int]) -> Template:
        site = await queries.get_site(actor(request), site_id)
        return await self._form(request, site, _site_form_values(site), {})

    @post("/sites/{site_id:int}/edit", opt={"permission": "sites.operate", "form": SiteUpdate})
    async def update_site(self, request: Req, site_id: FromPath[int], data: Form) -> Response[Any]:
        me = actor(request)
        site = await queries.get_site(me, site_id)
        entered = forms.clean(
            data,
            keep_empty=frozenset(
                {"access_notes", "address", "postal_code", "city", "holiday_subdivision"}
            ),
        )
        values = dict(entered)
        values["opening_hours"] = hours_from_form(values)
        values["allow_anonymous_reports"] = values.get("allow_anonymous_reports") == "on"
        if me.can("sites.change"):
            for optional in ("latitude", "longitude", "floor_area_m2", "desks"):
                values.setdefault(optional, None)
        else:
            values = {
                k: v
                for k, v in values.items()
                if k in ("opening_hours", "access_notes", "allow_anonymous_reports")
            }
        update, errors = forms.convert(values, SiteUpdate)
        if update is not None:
            try:
                await actions.update_site(actor=me, site_id=site_id, data=update)
                return redirect(f"/sites/{site_id}", _("Site saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._form(request, site, {**_site_form_values(site), **entered}, errors, 422)

    @post("/sites/{site_id:int}/archive", opt={"permission": "sites.change"})
    async def archive(self, request: Req, site_id: FromPath[int]) -> Response[Any]:
        await actions.set_site_archived(actor=actor(request), site_id=site_id, archived=True)
        return redirect(f"/sites/{site_id}", _("Site archived."))

    @post("/sites/{site_id:int}/unarchive", opt={"permission": "sites.change"})
    async def unarchive(self, request: Req, site_id: FromPath[int]) -> Response[Any]:
        await actions.set_site_archived(actor=actor(request), site_id=site_id, archived=False)
        return redirect(f"/sites/{site_id}", _("Site restored."))

    @post(
        "/sites/{site_id:int}/closures", opt={"permission": "sites.operate", "form": ClosureCreate}
    )
    async def add_closure(self, request: Req, site_id: FromPath[int], data: Form) -> Response[Any]:
        closure, errors = forms.convert(forms.clean(data), ClosureCreate)
        if closure is not None:
            try:
                await actions.add_closure(actor=actor(request), site_id=site_id, data=closure)
                return redirect(f"/sites/{site_id}#closures", _("Closure day added."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._site_page(
            request, site_id, {f"closure_{k}": v for k, v in errors.items()}, 422
        )

    @post(
        "/sites/{site_id:int}/closures/{closure_id:int}/delete", opt={"permission": "sites.operate"}
    )
    async def remove_closure(
        self, request: Req, site_id: FromPath[int], closure_id: FromPath[int]
    ) -> Response[Any]:
        await actions.remove_closure(actor=actor(request), site_id=site_id, closure_id=closure_id)
        return redirect(f"/sites/{site_id}#closures", _("Closure day removed."))

    @post("/sites/{site_id:int}/spaces", opt={"permission": "sites.operate", "form": SpaceCreate})
    async def add_space(self, request: Req, site_id: FromPath[int], data: Form) -> Response[Any]:
        space, errors = forms.convert(forms.clean(data), SpaceCreate)
        if space is not None:
            try:
                await actions.create_space(actor=actor(request), site_id=site_id, data=space)
                return redirect(f"/sites/{site_id}#spaces", _("Space added."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._site_page(
            request, site_id, {f"space_{k}": v for k, v in errors.items()}, 422
        )

    @post("/spaces/{space_id:int}/archive", opt={"permission": "sites.operate"})
    async def archive_space(self, request: Req, space_id: FromPath[int]) -> Response[Any]:
        space = await actions.update_space(
            actor=actor(request), space_id=space_id, data=SpaceUpdate(archived=True)
        )
        return redirect(f"/sites/{space.site_id}#spaces", _("Space archived."))

    # ---- access -----------------------------------------------------------------------

    @get("/admin/users/{user_id:int}/access", opt={"permission": "users.view"})
    async def access(self, request: Req, user_id: FromPath[int]) -> Template:
        return await self._access_page(request, user_id, {})

    async def _access_page(
        self, request: Req, user_id: FromPath[int], errors: dict[str, str], status: int = 200
    ) -> Template:
        user = await account_queries.get_user(user_id)
        return page(
            request,
            "sites/access.html",
            {
                "user": user,
                "access": await queries.get_access(user_id),
                "sites": await queries.all_sites_brief(),
                "regions": await queries.list_regions(actor(request)),
                "by_site": user.role in (Role.community_manager, Role.viewer),
                "by_region": user.role in (Role.ops_manager, Role.viewer),
                "errors": errors,
            },
            status_code=status,
        )

    @post("/admin/users/{user_id:int}/access", opt={"permission": "users.manage"})
    async def set_access(self, request: Req, user_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        update, errors = forms.convert(
            {"site_ids": form.getall("site_ids", []), "region_ids": form.getall("region_ids", [])},
            AccessUpdate,
        )
        if update is not None:
            try:
                await actions.set_access(actor=actor(request), user_id=user_id, data=update)
                return redirect(f"/admin/users/{user_id}/access", _("Access saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._access_page(request, user_id, errors, 422)
