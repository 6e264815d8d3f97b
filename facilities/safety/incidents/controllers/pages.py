"""Pages: the incident list, "report an incident" (phone first, photos, no JavaScript
needed), an incident with its investigation, and the public "report a safety hazard" form
of an asset's QR label (rate-limited like the problem-report form)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Response, Template

from facilities.accounts.principal import Principal, actor
from facilities.assets import queries as asset_queries
from facilities.kit import clock, forms
from facilities.kit.errors import FacilitiesError, NotFound, RateLimited
from facilities.kit.i18n import _
from facilities.kit.listing import PAGE_SIZE, provide, view
from facilities.kit.ratelimit import client_address
from facilities.kit.templating import page, redirect
from facilities.kit.timefmt import reader_zone
from facilities.kit.web import Multipart, Req, optional_upload
from facilities.maintenance import limits
from facilities.maintenance.workorders.schemas import PRIORITY_LABELS
from facilities.safety.incidents import actions, queries
from facilities.safety.incidents.enums import (
    INJURY_LABELS,
    KIND_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
)
from facilities.safety.incidents.schemas import (
    ActionCreate,
    HazardCreate,
    IncidentCreate,
    IncidentUpdate,
)
from facilities.safety.limits import HAZARDS_PER_CLIENT, HAZARDS_PER_CODE
from facilities.sites import queries as site_queries

LABELS = {
    "kind_labels": KIND_LABELS,
    "severity_labels": SEVERITY_LABELS,
    "injury_labels": INJURY_LABELS,
    "status_labels": STATUS_LABELS,
    "source_labels": SOURCE_LABELS,
    "priority_labels": PRIORITY_LABELS,
}
HONEYPOT = "website"
PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


async def _photos(data: dict[str, Any]) -> list[bytes]:
    value = data.get("photo")
    items = value if isinstance(value, list) else [value]
    found = [await optional_upload(item) for item in items]
    return [content for content in found if content]


def _checkbox(values: dict[str, Any], name: str) -> None:
    values[name] = values.get(name) in ("on", "true", "1", True)


class IncidentPages(Controller):
    include_in_schema = False

    @get(
        "/safety/incidents",
        opt={"permission": "incidents.report"},
        dependencies={"filters": provide(queries.IncidentFilters)},
    )
    async def list_page(
        self,
        request: Req,
        filters: NamedDependency[queries.IncidentFilters],
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        cursor: Annotated[str | None, QueryParameter(max_length=400)] = None,
    ) -> Template:
        me = actor(request)
        # Next pages follow the cursor; ``offset`` then only says where in the list this
        # page is (for "Previous" and the position), as on the work-order list.
        result = await queries.list_incidents(
            me,
            **filters.arguments(),
            limit=PAGE_SIZE,
            offset=0 if cursor else offset,
            cursor=cursor,
        )
        listing = view(
            filters,
            total=result.total,
            offset=offset,
            limit=PAGE_SIZE,
            next_cursor=result.next_cursor,
            max_offset=queries.MAX_OFFSET,
        )
        return page(
            request,
            "safety/incidents.html",
            {
                **LABELS,
                "incidents": result.items,
                "listing": listing,
                "site_id": filters.site_id,
                "sites": (await site_queries.list_sites(me, limit=500)).items,
            },
        )

    async def _new_page(
        self,
        request: Req,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        sites = (await site_queries.list_sites(me, limit=500)).items
        defaults = {
            "kind": "incident",
            "severity": "medium",
            "occurred_at": clock.now().astimezone(reader_zone()).strftime("%Y-%m-%dT%H:%M"),
            "site_id": str(sites[0].id) if len(sites) == 1 else "",
        }
        return page(
            request,
            "safety/incident_new.html",
            {
                **LABELS,
                "sites": sites,
                "values": _Fields(values or defaults),
                "errors": _Fields(errors or {}),
            },
            status_code=status_code,
        )

    @get("/safety/incidents/new", opt={"permission": "incidents.report"})
    async def new_page(self, request: Req) -> Template:
        return await self._new_page(request)

    @post(
        "/safety/incidents",
        opt={"permission": "incidents.report"},
        status_code=303,
        request_max_body_size=64 * 1024 * 1024,
    )
    async def create(self, request: Req, data: Multipart) -> Response[Any]:
        me = actor(request)
        entered = {k: v for k, v in data.items() if isinstance(v, str)}
        values = forms.clean(entered)
        _checkbox(values, "injury")
        _checkbox(values, "confidential")
        converted = dict(values)
        site = await _site_zone(me, values.get("site_id"))
        if "occurred_at" in converted:
            converted["occurred_at"] = _local_to_aware(str(converted["occurred_at"]), site)
        if not values["injury"]:
            converted.pop("injury_kind", None)
        incident, errors = forms.convert(converted, IncidentCreate)
        if incident is not None:
            try:
                created = await actions.report_incident(
                    actor=me, data=incident, photos=await _photos(data)
                )
                return redirect(
                    f"/safety/incidents/{created.id}", _("Thank you. The incident is reported.")
                )
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._new_page(request, values, errors, 422)

    async def _detail(
        self,
        request: Req,
        incident_id: int,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        incident = await queries.get_incident(me, incident_id)
        return page(
            request,
            "safety/incident.html",
            {**LABELS, "incident": incident, "errors": _Fields(errors or {})},
            status_code=status_code,
        )

    @get("/safety/incidents/{incident_id:int}", opt={"permission": "incidents.report"})
    async def detail(self, request: Req, incident_id: FromPath[int]) -> Template:
        return await self._detail(request, incident_id)

    @post(
        "/safety/incidents/{incident_id:int}/photos",
        opt={"permission": "incidents.report"},
        status_code=303,
        request_max_body_size=64 * 1024 * 1024,
    )
    async def add_photos(
        self, request: Req, incident_id: FromPath[int], data: Multipart
    ) -> Response[Any]:
        photos = await _photos(data)
        errors = {"photo": _("Choose a photo.")}
        if photos:
            try:
                await actions.add_photos(
                    actor=actor(request), incident_id=incident_id, photos=photos
                )
                return redirect(f"/safety/incidents/{incident_id}", _("Photo added."))
            except FacilitiesError as error:
                errors = {"photo": next(iter(forms.errors_of(error).values()))}
        return await self._detail(request, incident_id, errors, 422)

    @post(
        "/safety/incidents/{incident_id:int}/investigate",
        opt={"permission": "incidents.investigate"},
        status_code=303,
    )
    async def investigate(
        self, request: Req, incident_id: FromPath[int], data: Multipart
    ) -> Response[Any]:
        values = forms.clean(
            {k: v for k, v in data.items() if isinstance(v, str)},
            keep_empty=frozenset({"root_cause", "findings"}),
        )
        for name in ("injury", "confidential"):
            _checkbox(values, name)
        if not values["injury"]:
            values["injury_kind"] = None
            values["days_off"] = None
        if values.get("insurer_notified_at"):
            incident = await queries.get_incident(actor(request), incident_id)
            values["insurer_notified_at"] = _local_to_aware(
                str(values["insurer_notified_at"]), incident.time_zone
            )
        update, errors = forms.convert(values, IncidentUpdate)
        if update is not None:
            try:
                await actions.investigate(
                    actor=actor(request), incident_id=incident_id, data=update
                )
                return redirect(f"/safety/incidents/{incident_id}", _("Saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._detail(request, incident_id, errors, 422)

    @post(
        "/safety/incidents/{incident_id:int}/actions",
        opt={"permission": "incidents.investigate"},
        status_code=303,
    )
    async def add_action(
        self, request: Req, incident_id: FromPath[int], data: Multipart
    ) -> Response[Any]:
        values = forms.clean({k: v for k, v in data.items() if isinstance(v, str)})
        action, errors = forms.convert(values, ActionCreate)
        if action is not None:
            try:
                await actions.add_corrective_action(
                    actor=actor(request), incident_id=incident_id, data=action
                )
                return redirect(
                    f"/safety/incidents/{incident_id}", _("Corrective work order created.")
                )
            except FacilitiesError as error:
                errors = {f"action_{k}": v for k, v in forms.errors_of(error).items()}
        else:
            errors = {f"action_{k}": v for k, v in errors.items()}
        return await self._detail(request, incident_id, errors, 422)


async def _site_zone(me: Principal, site_id: Any) -> str | None:
    try:
        site = await site_queries.get_site(me, int(site_id))
    except (TypeError, ValueError, FacilitiesError):
        return None
    return site.time_zone


def _local_to_aware(text: str, time_zone: str | None) -> Any:
    """A ``datetime-local`` value read in the site's zone (the reader's before a site is
    chosen); anything unreadable is passed on for the schema to refuse in words."""
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        return text
    if local.tzinfo is not None:
        return local
    zone = ZoneInfo(time_zone) if time_zone else reader_zone()
    return local.replace(tzinfo=zone)


# ---- the public hazard form of a QR label ------------------------------------------------


async def _label(request: Req, code: str) -> tuple[Any, Any] | Response[Any]:
    resolved = await asset_queries.resolve_scan(code) if len(code) <= 64 else None
    if resolved is None:
        raise NotFound()
    lookup, card = resolved
    if lookup.status != "active" or lookup.asset_id is None:
        raise NotFound()
    if card is None:
        card = await asset_queries.asset_card(lookup.asset_id)
    principal = request.scope.get("user")
    if not card.allow_anonymous_reports and principal is None:
        return Redirect(path=f"/login?next=/q/{lookup.code}/hazard", status_code=303)
    return lookup, card


def _hazard_page(
    request: Req,
    code: str,
    card: Any,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    response = page(
        request,
        "safety/hazard.html",
        {
            "code": code,
            "card": card,
            "values": _Fields(values or {}),
            "errors": _Fields(errors or {}),
            "honeypot": HONEYPOT,
        },
        status_code=status,
    )
    response.headers.update({**PRIVATE, **(headers or {})})
    return response


class HazardPages(Controller):
    include_in_schema = False

    @get("/q/{code:str}/hazard", opt={"public": True})
    async def hazard_form(self, request: Req, code: FromPath[str]) -> Response[Any]:
        found = await _label(request, code)
        if not isinstance(found, tuple):
            return found
        lookup, card = found
        return _hazard_page(request, lookup.code, card)

    @post(
        "/q/{code:str}/hazard",
        opt={"public": True},
        status_code=303,
        request_max_body_size=48 * 1024 * 1024,
    )
    async def hazard(self, request: Req, code: FromPath[str], data: Multipart) -> Response[Any]:
        found = await _label(request, code)
        if not isinstance(found, tuple):
            return found
        lookup, card = found
        if str(data.get(HONEYPOT) or "").strip():
            return redirect(f"/q/{lookup.code}", _("Thank you. The hazard is reported."))
        values = forms.clean({k: v for k, v in data.items() if isinstance(v, str)})
        principal: Principal | None = request.scope.get("user")
        subject = f"user:{principal.user_id}" if principal else f"ip:{client_address(request)}"
        try:
            await limits.limiter.hit((HAZARDS_PER_CLIENT, subject), (HAZARDS_PER_CODE, lookup.code))
        except RateLimited as error:
            return _hazard_page(
                request,
                lookup.code,
                card,
                values,
                {"form": error.message},
                429,
                {"Retry-After": str(error.retry_after)},
            )
        hazard, errors = forms.convert(values, HazardCreate)
        if hazard is not None:
            try:
                await actions.report_hazard(
                    actor=principal,
                    asset_id=card.id,
                    site_id=card.site_id,
                    data=hazard,
                    photos=await _photos(data),
                )
                return redirect(
                    f"/q/{lookup.code}",
                    _("Thank you. The hazard is reported to the people responsible for safety."),
                )
            except FacilitiesError as error:
                errors = forms.errors_of(error)
                status = error.status_code
                return _hazard_page(request, lookup.code, card, values, errors, status)
        return _hazard_page(request, lookup.code, card, values, errors, 422)
