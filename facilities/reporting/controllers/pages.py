"""Pages that read across domains: the home page per role, the calendar, the audit trail."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter
from litestar.response import Template

from facilities.accounts.principal import actor
from facilities.kit import timefmt
from facilities.kit.i18n import _
from facilities.kit.listing import PAGE_SIZE, provide, view
from facilities.kit.templating import page
from facilities.kit.web import Req
from facilities.maintenance.lifecycle import STATUS_LABELS
from facilities.maintenance.pm import actions as pm_actions
from facilities.maintenance.workorders.schemas import PRIORITY_LABELS
from facilities.reporting import calendar, home, kpi_help
from facilities.reporting.audit_labels import (
    action_label,
    action_options,
    object_type_label,
    object_type_options,
)
from facilities.reporting.queries import AuditFilters, audit_page
from facilities.services import queries as service_queries
from facilities.services.sla.enums import STATE_LABELS, TARGET_LABELS
from facilities.services.sla.panel import duration


class AuditPages(Controller):
    include_in_schema = False

    @get(
        "/audit",
        opt={"permission": "audit.view"},
        dependencies={"filters": provide(AuditFilters)},
    )
    async def audit(
        self,
        request: Req,
        filters: NamedDependency[AuditFilters],
        from_date: FromQuery[date | None] = None,
        to_date: FromQuery[date | None] = None,
        offset: int = Parameter(default=0, ge=0),
    ) -> Template:
        """The audit trail; the page's dates are whole days in the reader's time zone."""
        zone = timefmt.reader_zone()
        if from_date is not None:
            start = datetime.combine(from_date, time.min, tzinfo=zone)
            filters = dataclasses.replace(filters, since=start)
        if to_date is not None:
            end = datetime.combine(to_date + timedelta(days=1), time.min, tzinfo=zone)
            filters = dataclasses.replace(filters, until=end)
        events = await audit_page(
            actor(request), **filters.arguments(), limit=PAGE_SIZE, offset=offset
        )
        listing = view(filters, total=events.total, offset=offset)
        for name in ("since", "until"):
            listing.values.pop(name)
        listing.values["from_date"] = from_date.isoformat() if from_date else ""
        listing.values["to_date"] = to_date.isoformat() if to_date else ""
        return page(
            request,
            "audit.html",
            {
                "events": events,
                "listing": listing,
                "filters": listing.values,
                "action_label": action_label,
                "object_type_label": object_type_label,
                "object_types": object_type_options(),
                "actions": action_options(),
            },
        )


def _labels() -> dict[str, Any]:
    return {
        "status_labels": {k.value: _(v) for k, v in STATUS_LABELS.items()},
        "priority_labels": {k.value: _(v) for k, v in PRIORITY_LABELS.items()},
        "sla_state_labels": {k.value: _(v) for k, v in STATE_LABELS.items()},
        "sla_target_labels": {k.value: _(v) for k, v in TARGET_LABELS.items()},
        "duration": duration,
    }


class HomePages(Controller):
    include_in_schema = False

    @get("/", opt={"permission": "profile.use"})
    async def home(self, request: Req) -> Template:
        me = actor(request)
        return page(request, "home.html", {"home": await home.home(me), **_labels()})


class CalendarPages(Controller):
    include_in_schema = False

    @get("/calendar", opt={"permission": "calendar.use"})
    async def calendar_page(
        self,
        request: Req,
        view: FromQuery[str] = "month",
        day: FromQuery[date | None] = None,
        month: FromQuery[str | None] = None,
        week: FromQuery[date | None] = None,
        site_id: FromQuery[int | None] = None,
        partner_id: FromQuery[int | None] = None,
    ) -> Template:
        me = actor(request)
        anchor = day or week or _month(month)
        context = await calendar.calendar(
            me, view=view, anchor=anchor, site_id=site_id, partner_id=partner_id
        )
        context["sites"] = await service_queries.site_options(me)
        context["partners"] = (
            [] if me.partner_organisation_id else await service_queries.providers()
        )
        context["feeds"] = await pm_actions.list_feeds(me)
        return page(request, "reporting/calendar.html", context)


def _month(value: str | None) -> date | None:
    """``2027-01`` → 1 January 2027; anything else → None (this month)."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


class KpiHelpPages(Controller):
    """What each figure means and how it is computed (``/help/kpis``)."""

    include_in_schema = False

    @get("/help/kpis", opt={"permission": "profile.use"})
    async def kpis(self, request: Req) -> Template:
        return page(request, "reporting/kpis.html", {"sections": kpi_help.sections()})
