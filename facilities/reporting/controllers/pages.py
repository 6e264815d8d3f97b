"""Pages that read across domains: the home page per role, the calendar, the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, get
from litestar.params import FromQuery, Parameter
from litestar.response import Template

from facilities.accounts.principal import actor
from facilities.kit.i18n import _
from facilities.kit.templating import page
from facilities.kit.web import Req
from facilities.maintenance.lifecycle import STATUS_LABELS
from facilities.maintenance.pm import actions as pm_actions
from facilities.maintenance.workorders.schemas import PRIORITY_LABELS
from facilities.reporting import calendar, home, kpi_help
from facilities.reporting.audit_labels import action_label
from facilities.reporting.queries import audit_page
from facilities.services import queries as service_queries
from facilities.services.sla.enums import STATE_LABELS, TARGET_LABELS
from facilities.services.sla.panel import duration


class AuditPages(Controller):
    include_in_schema = False

    @get("/audit", opt={"permission": "audit.view"})
    async def audit(
        self,
        request: Req,
        object_type: str | None = Parameter(default=None, max_length=60),
        action: str | None = Parameter(default=None, max_length=80),
        offset: int = Parameter(default=0, ge=0),
    ) -> Template:
        events = await audit_page(
            actor(request),
            object_type=object_type or None,
            action=action or None,
            actor_id=None,
            since=None,
            until=None,
            limit=50,
            offset=offset,
        )
        return page(
            request,
            "audit.html",
            {
                "events": events,
                "action_label": action_label,
                "filters": {"object_type": object_type or "", "action": action or ""},
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
