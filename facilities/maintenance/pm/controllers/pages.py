"""Pages: schedules (form with RRULE builder and preview), meter readings, PM compliance,
and calendar feed management (the calendar page itself is in
``facilities/reporting/controllers/pages.py``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import clock, forms, recurrence_form, rrule_text
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import N_, _
from facilities.kit.listing import PAGE_SIZE, provide, view
from facilities.kit.templating import page, redirect
from facilities.kit.web import Req
from facilities.maintenance.pm import actions, compliance, queries
from facilities.maintenance.pm.schemas import (
    FeedCreate,
    PreviewRequest,
    ScheduleCreate,
    ScheduleUpdate,
)
from facilities.maintenance.workorders.schemas import PRIORITY_LABELS
from facilities.settings import get_settings
from facilities.sites import queries as site_queries

MODE_LABELS = {
    "fixed": N_("Fixed calendar"),
    "floating": N_("Floating (after the last completion)"),
    "meter": N_("Meter based"),
    "time_or_meter": N_("Time or meter, whichever comes first"),
}
SCALARS = (
    "name",
    "description",
    "asset_id",
    "category_id",
    "region_id",
    "mode",
    "floating_every",
    "floating_unit",
    "meter_every",
    "lead_days",
    "end_date",
    "max_count",
    "catch_up",
    "partner_organisation_id",
    "priority",
    "checklist_template_id",
    "estimated_minutes",
    "grace_days",
)


def _form_values(form: Any) -> dict[str, Any]:
    """The posted form as plain values (lists for the repeated checkboxes)."""
    values = forms.clean({k: form.get(k) for k in form})
    for key in ("site_ids", "weekdays", "months", "active_months"):
        values[key] = [v for v in form.getall(key, []) if v]
    values["skip_closed_days"] = form.get("skip_closed_days") == "on"
    values["ends"] = form.get("ends") or recurrence_form.ends_of(
        values.get("end_date"), values.get("max_count")
    )
    start = values.get("dtstart_local")
    if isinstance(start, str) and len(start) == 16:  # <input type="datetime-local">
        values["dtstart_local"] = start + ":00"
    return values


def _schedule_payload(
    values: dict[str, Any], *, update: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """The API payload for the form, with the RRULE built on the server from the editor's
    fields (or the advanced raw rule); errors name the field."""
    payload = {k: values[k] for k in SCALARS if k in values}
    if not update:
        if values.get("target") == "asset":
            payload.pop("category_id", None)
            payload.pop("region_id", None)
        else:
            payload.pop("asset_id", None)
            if values.get("site_ids"):
                payload["site_ids"] = values["site_ids"]
    payload["skip_closed_days"] = values["skip_closed_days"]
    payload["active_months"] = values.get("active_months", [])
    ends = values.get("ends")
    if ends != "on":
        payload.pop("end_date", None)
    if ends != "after":
        payload.pop("max_count", None)
    if values.get("dtstart_local"):
        payload["dtstart_local"] = values["dtstart_local"]
    if values.get("mode") in ("floating", "meter") and not values.get("rrule"):
        return payload, {}
    try:
        payload["rrule"] = recurrence_form.rule_from_values(values)
    except FacilitiesError as error:
        return payload, forms.errors_of(error)
    return payload, {}


class PMPages(Controller):
    include_in_schema = False

    # ---- schedules ----------------------------------------------------------------------

    @get(
        "/schedules",
        opt={"permission": "schedules.view"},
        dependencies={"filters": provide(queries.ScheduleFilters)},
    )
    async def list_schedules(
        self,
        request: Req,
        filters: NamedDependency[queries.ScheduleFilters],
        offset: int = Parameter(default=0, ge=0),
    ) -> Template:
        me = actor(request)
        result = await queries.list_schedules(
            me, **filters.arguments(), limit=PAGE_SIZE, offset=offset
        )
        listing = view(filters, total=result.total, offset=offset)
        return page(
            request,
            "maintenance/pm/list.html",
            {
                "schedules": result.items,
                "listing": listing,
                "filters": listing.values,
                "sites": (await site_queries.list_sites(me, limit=200)).items,
                "mode_labels": {k: _(v) for k, v in MODE_LABELS.items()},
                "priority_labels": {k.value: _(v) for k, v in PRIORITY_LABELS.items()},
            },
        )

    async def _form(
        self,
        request: Req,
        values: dict[str, Any],
        errors: dict[str, str],
        *,
        schedule_id: int | None = None,
        preview: list[datetime] | None = None,
        preview_rule: str = "",
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "maintenance/pm/form.html",
            {
                **await queries.form_options(actor(request)),
                "values": values,
                "errors": errors,
                "schedule_id": schedule_id,
                "preview": preview,
                "preview_rule": preview_rule,
                "preview_words": (
                    rrule_text.describe(preview_rule, values.get("dtstart_local"))
                    if preview_rule
                    else ""
                ),
                "preview_tz": preview[0].tzinfo if preview else None,
                "mode_labels": MODE_LABELS,
                "priority_labels": {k.value: _(v) for k, v in PRIORITY_LABELS.items()},
                "rec": recurrence_form.choices(),
            },
            status_code=status,
        )

    @get("/schedules/new", opt={"permission": "schedules.manage"})
    async def new_schedule(self, request: Req) -> Template:
        start = (clock.now() + timedelta(days=1)).replace(hour=8, minute=0, second=0)
        values = {
            "target": "asset",
            "mode": "fixed",
            "frequency": "monthly",
            "interval": 1,
            "dtstart_local": start.strftime("%Y-%m-%dT%H:%M"),
            "skip_closed_days": True,
            "priority": "p3",
            "catch_up": "all",
            "floating_unit": "days",
            "lead_days": 0,
            "grace_days": 0,
        }
        return await self._form(request, values, {})

    async def _preview(
        self, request: Req, values: dict[str, Any], payload: dict[str, Any]
    ) -> tuple[list[datetime] | None, str, dict[str, str]]:
        site_id = None
        if values.get("target") == "asset" and values.get("asset_id"):
            try:
                site_id = await queries.asset_site(actor(request), int(values["asset_id"]))
            except (FacilitiesError, ValueError):
                site_id = None
        elif values.get("site_ids"):
            site_id = int(values["site_ids"][0])
        data, errors = forms.convert(
            {
                "rrule": payload.get("rrule"),
                "dtstart_local": payload.get("dtstart_local"),
                "site_id": site_id,
                # No site chosen yet (a category or region schedule): the operator's zone.
                "time_zone": get_settings().time_zone,
                "count": 6,
            },
            PreviewRequest,
        )
        if data is None:
            return None, "", errors
        try:
            shown = await queries.preview(actor(request), data)
        except FacilitiesError as error:
            return None, "", forms.errors_of(error)
        return shown.occurrences, shown.rrule, {}

    @post("/schedules/new", opt={"permission": "schedules.manage", "form": ScheduleCreate})
    async def create_schedule(self, request: Req) -> Response[Any]:
        form = await request.form()
        values = _form_values(form)
        payload, errors = _schedule_payload(values)
        if errors:
            return await self._form(request, values, errors, status=422)
        if form.get("action") == "preview":
            shown, rule, errors = await self._preview(request, values, payload)
            return await self._form(request, values, errors, preview=shown, preview_rule=rule)
        data, errors = forms.convert(payload, ScheduleCreate)
        if data is not None:
            try:
                created = await actions.create_schedule(actor=actor(request), data=data)
                return redirect(f"/schedules/{created.id}", _("Schedule saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._form(request, values, errors, status=422)

    @get("/schedules/{schedule_id:int}", opt={"permission": "schedules.view"})
    async def schedule_detail(self, request: Req, schedule_id: FromPath[int]) -> Template:
        me = actor(request)
        schedule = await queries.get_schedule(me, schedule_id)
        upcoming: list[datetime] = []
        site = await queries.first_site(
            {"id": schedule.id, "asset": schedule.asset_id, "region": schedule.region_id}
        )
        if schedule.rrule and schedule.dtstart_local:
            try:
                shown = await queries.preview(
                    me,
                    PreviewRequest(
                        rrule=schedule.rrule,
                        dtstart_local=datetime.fromisoformat(schedule.dtstart_local),
                        site_id=site["id"] if site else None,
                        count=6,
                    ),
                )
                upcoming = shown.occurrences
            except FacilitiesError:
                upcoming = []
        return page(
            request,
            "maintenance/pm/detail.html",
            {
                "schedule": schedule,
                "priority_labels": {k.value: _(v) for k, v in PRIORITY_LABELS.items()},
                "occurrence_labels": {"created": _("created"), "skipped": _("skipped")},
                "site_tz": site["time_zone"] if site else None,
                "upcoming": upcoming,
                "occurrences": await queries.schedule_occurrences(schedule_id),
                "mode_labels": MODE_LABELS,
            },
        )

    @get("/schedules/{schedule_id:int}/edit", opt={"permission": "schedules.manage"})
    async def edit_schedule(self, request: Req, schedule_id: FromPath[int]) -> Template:
        schedule = await queries.get_schedule(actor(request), schedule_id)
        values = msgspec.structs.asdict(schedule)
        values["dtstart_local"] = schedule.dtstart_local[:16]
        values["partner_organisation_id"] = schedule.partner_organisation_id
        values["target"] = "asset" if schedule.asset_id else "category"
        values["ends"] = recurrence_form.ends_of(schedule.end_date, schedule.max_count)
        if schedule.rrule:
            values.update(recurrence_form.values_from_rule(schedule.rrule))
        return await self._form(request, values, {}, schedule_id=schedule_id)

    @post(
        "/schedules/{schedule_id:int}/edit",
        opt={"permission": "schedules.manage", "form": ScheduleUpdate},
    )
    async def update_schedule(self, request: Req, schedule_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        values = _form_values(form)
        payload, errors = _schedule_payload(values, update=True)
        if errors:
            return await self._form(request, values, errors, schedule_id=schedule_id, status=422)
        for key in ("asset_id", "category_id", "region_id"):
            payload.pop(key, None)
        for key in (
            "partner_organisation_id",
            "checklist_template_id",
            "end_date",
            "max_count",
            "estimated_minutes",
            "floating_every",
            "meter_every",
        ):
            payload.setdefault(key, None)
        payload["version"] = values.get("version")
        if form.get("action") == "preview":
            shown, rule, errors = await self._preview(request, values, payload)
            return await self._form(
                request, values, errors, schedule_id=schedule_id, preview=shown, preview_rule=rule
            )
        data, errors = forms.convert(payload, ScheduleUpdate)
        if data is not None:
            try:
                await actions.update_schedule(
                    actor=actor(request), schedule_id=schedule_id, data=data
                )
                return redirect(f"/schedules/{schedule_id}", _("Schedule saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._form(request, values, errors, schedule_id=schedule_id, status=422)

    # ---- compliance ---------------------------------------------------------------------

    @get("/pm/compliance", opt={"permission": "schedules.view"})
    async def compliance_page(
        self,
        request: Req,
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        group_by: FromQuery[str] = "site",
    ) -> Template:
        today = clock.now().date()
        start = start or today - timedelta(days=90)
        end = end or today + timedelta(days=1)
        errors: dict[str, str] = {}
        report = None
        try:
            report = await compliance.compute(
                actor(request), start=start, end=end, group_by=group_by
            )
        except FacilitiesError as error:
            errors = forms.errors_of(error)
        return page(
            request,
            "maintenance/pm/compliance.html",
            {"report": report, "start": start, "end": end, "group_by": group_by, "errors": errors},
            status_code=422 if errors else 200,
        )

    # ---- calendar -----------------------------------------------------------------------

    @post("/calendar/feeds", opt={"permission": "calendar.use", "form": FeedCreate})
    async def create_feed(self, request: Req) -> Response[Any]:
        form = await request.form()
        values = forms.clean({k: form.get(k) for k in form})
        data, errors = forms.convert(values, FeedCreate)
        if data is None:
            return redirect("/calendar", "; ".join(errors.values()), "error")
        try:
            created = await actions.create_feed(actor=actor(request), data=data)
        except FacilitiesError as error:
            return redirect("/calendar", error.message, "error")
        return redirect(
            "/calendar",
            _("Your feed URL (shown once): %(url)s") % {"url": created.url},
        )

    @post("/calendar/feeds/{feed_id:int}/revoke", opt={"permission": "calendar.use"})
    async def revoke_feed(self, request: Req, feed_id: FromPath[int]) -> Response[Any]:
        await actions.revoke_feed(actor=actor(request), feed_id=feed_id)
        return redirect("/calendar", _("Feed revoked."))
