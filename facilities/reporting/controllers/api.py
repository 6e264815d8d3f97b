"""``/api/v1/audit``: the audit trail, scoped (admins see everything, ops managers the events
of their sites). ``/api/v1/reporting/…``: KPI definitions, dashboards (all the caller's sites,
a region, a site) and the records behind each figure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Stream

from facilities.accounts.principal import actor
from facilities.accounts.schemas import AuditEventRead
from facilities.kit.listing import provide
from facilities.kit.openapi import XLSX
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Req, content_disposition
from facilities.reporting import benchmark, capacity, dashboard, export_rows, exports, subscriptions
from facilities.reporting.budgets import actions as budget_actions
from facilities.reporting.budgets.report import budget_report as build_budget_report
from facilities.reporting.queries import AuditFilters, audit_page
from facilities.reporting.schemas import (
    BenchmarkRead,
    BudgetRead,
    BudgetReportRead,
    BudgetSet,
    CapacityRead,
    DashboardRead,
    ExpenseCreate,
    ExpenseRead,
    KpiDefinitionRead,
    RecordsRead,
    SubscriptionCreate,
    SubscriptionRead,
)

Aware = Annotated[datetime, msgspec.Meta(tz=True)]


class AuditApi(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]

    @get(
        "/",
        opt={"permission": "audit.view"},
        dependencies={"filters": provide(AuditFilters)},
    )
    async def list_events(
        self,
        request: Req,
        filters: NamedDependency[AuditFilters],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[AuditEventRead]:
        """Audit events of the caller's sites (admins: all). Filters combine; ``since`` and
        ``until`` need a time zone; ``q`` searches the summary and the actor's name;
        ``sort``: newest, oldest."""
        return await audit_page(actor(request), **filters.arguments(), limit=limit, offset=offset)


def _kpis(kpi: list[str] | None) -> list[str] | None:
    """``kpi=mttr&kpi=backlog`` or ``kpi=mttr,backlog``."""
    if not kpi:
        return None
    return [n.strip() for item in kpi for n in item.split(",") if n.strip()]


class ReportingApi(Controller):
    """Periods are whole days, ``start`` and ``end`` both included (default: this month up to
    today; at most 366 days). Figures per ``docs/kpis.md``."""

    path = "/api/v1/reporting"
    tags = ["reporting"]

    @get("/kpis", opt={"permission": "reporting.view"})
    async def list_kpis(self, request: Req) -> list[KpiDefinitionRead]:
        return [KpiDefinitionRead(**d) for d in dashboard.definitions()]

    @get("/dashboard", opt={"permission": "reporting.view"})
    async def dashboard_all(
        self,
        request: Req,
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        kpi: FromQuery[list[str] | None] = None,
    ) -> DashboardRead:
        """Every site the caller sees."""
        return await dashboard.dashboard(actor(request), start=start, end=end, chosen=_kpis(kpi))

    @get("/regions/{region_id:int}/dashboard", opt={"permission": "reporting.view"})
    async def dashboard_region(
        self,
        request: Req,
        region_id: FromPath[int],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        kpi: FromQuery[list[str] | None] = None,
    ) -> DashboardRead:
        return await dashboard.dashboard(
            actor(request), start=start, end=end, region_id=region_id, chosen=_kpis(kpi)
        )

    @get("/sites/{site_id:int}/dashboard", opt={"permission": "reporting.view"})
    async def dashboard_site(
        self,
        request: Req,
        site_id: FromPath[int],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        kpi: FromQuery[list[str] | None] = None,
    ) -> DashboardRead:
        return await dashboard.dashboard(
            actor(request), start=start, end=end, site_id=site_id, chosen=_kpis(kpi)
        )

    @get("/records", opt={"permission": "reporting.view"})
    async def records(
        self,
        request: Req,
        kpi: str = Parameter(max_length=60),
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        region_id: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> RecordsRead:
        """The records behind one figure: exactly the rows it counts (largest first)."""
        return await dashboard.drill_down(
            actor(request),
            name=kpi,
            start=start,
            end=end,
            region_id=region_id,
            site_id=site_id,
            limit=limit,
            offset=offset,
        )

    @get("/benchmark", opt={"permission": "reporting.view"})
    async def benchmark(
        self,
        request: Req,
        kpi: str = Parameter(max_length=60),
        per: str = Parameter(default="none", max_length=10),
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        region_id: FromQuery[int | None] = None,
    ) -> BenchmarkRead:
        """The scope's sites ranked on ``kpi`` (or ``energy_kwh``), ``per`` none, m2, desk or
        visit; median, quartiles and outliers (Tukey's fences)."""
        found = await benchmark.benchmark(
            actor(request), name=kpi, per=per, start=start, end=end, region_id=region_id
        )
        return msgspec.convert(found, BenchmarkRead)

    @get("/capacity", opt={"permission": "reporting.view"})
    async def capacity(self, request: Req, region_id: FromQuery[int | None] = None) -> CapacityRead:
        """Planned work per partner and per person for the next eight weeks (Monday to
        Sunday, UTC) against their stated weekly capacity; overloads marked."""
        found = await capacity.capacity(actor(request), region_id=region_id)
        return msgspec.convert(found, CapacityRead)

    # ---- budgets and actuals ----------------------------------------------------------

    @put("/budgets", opt={"permission": "budgets.manage"})
    async def set_budget(self, request: Req, data: JSONBody[BudgetSet]) -> BudgetRead:
        """Set (or replace) a year's budget of a site or a region for a cost category."""
        return await budget_actions.set_budget(actor=actor(request), data=data)

    @post("/expenses", opt={"permission": "budgets.manage"})
    async def add_expense(self, request: Req, data: JSONBody[ExpenseCreate]) -> ExpenseRead:
        """A manual expense line in the installation's currency (attachments: the page)."""
        return await budget_actions.add_expense(actor=actor(request), data=data)

    @get("/budget-report", opt={"permission": "reporting.view"})
    async def budget_report(
        self,
        request: Req,
        year: FromQuery[int],
        quarter: FromQuery[int],
        region_id: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
    ) -> BudgetReportRead:
        return await build_budget_report(
            actor(request), year=year, quarter=quarter, region_id=region_id, site_id=site_id
        )


class SubscriptionsApi(Controller):
    """The caller's report subscriptions (e-mailed with the PDF on the scheduler)."""

    path = "/api/v1/reporting/subscriptions"
    tags = ["reporting"]

    @get("/", opt={"permission": "reporting.view"})
    async def mine(self, request: Req) -> list[SubscriptionRead]:
        return await subscriptions.my_subscriptions(actor(request))

    @post("/", opt={"permission": "reporting.view"})
    async def subscribe(self, request: Req, data: JSONBody[SubscriptionCreate]) -> SubscriptionRead:
        """A scope the caller may not see is refused (422 naming the field)."""
        return await subscriptions.subscribe(actor=actor(request), data=data)

    @delete("/{subscription_id:int}", opt={"permission": "reporting.view"})
    async def unsubscribe(self, request: Req, subscription_id: FromPath[int]) -> None:
        await subscriptions.unsubscribe(actor=actor(request), subscription_id=subscription_id)


# ---- exports (streamed) ---------------------------------------------------------------

CSV = "text/csv"  # Litestar adds "; charset=utf-8" to text types


def _download(body: Any, media_type: str, filename: str) -> Stream:
    return Stream(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition("attachment", filename),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


class ExportsApi(Controller):
    """CSV and XLSX downloads, streamed: the work-order list (what the caller may see: a
    partner its own work), the records behind a figure, and Asana's import format."""

    path = "/api/v1/reporting/exports"
    tags = ["reporting"]

    @get("/work-orders.csv", opt={"permission": "workorders.view"}, media_type=CSV)
    async def work_orders_csv(self, request: Req, open_only: FromQuery[bool] = False) -> Stream:
        rows = export_rows.work_order_rows(actor(request), open_only=open_only)
        return _download(
            exports.csv_stream(export_rows.work_order_heads(), rows), CSV, "work-orders.csv"
        )

    @get("/work-orders.xlsx", opt={"permission": "workorders.view"}, media_type=XLSX)
    async def work_orders_xlsx(self, request: Req, open_only: FromQuery[bool] = False) -> Stream:
        rows = export_rows.work_order_rows(actor(request), open_only=open_only)
        path = await exports.xlsx_from_batches("Work orders", export_rows.work_order_heads(), rows)
        return _download(exports.stream_file(path), XLSX, "work-orders.xlsx")

    @get("/asana.csv", opt={"permission": "reporting.view"}, media_type=CSV)
    async def asana_csv(self, request: Req, open_only: FromQuery[bool] = True) -> Stream:
        """Work orders and PM schedules in Asana's CSV import columns (Name, Description,
        Section, Assignee, Due Date, Tags)."""
        rows = export_rows.asana_rows(actor(request), open_only=open_only)
        return _download(exports.csv_stream(export_rows.ASANA_HEADS, rows), CSV, "asana.csv")

    @get("/records.csv", opt={"permission": "reporting.view"}, media_type=CSV)
    async def records_csv(
        self,
        request: Req,
        kpi: str = Parameter(max_length=60),
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        region_id: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
    ) -> Stream:
        """The records behind a figure."""
        heads, rows = await export_rows.record_rows(
            actor(request), kpi=kpi, start=start, end=end, region_id=region_id, site_id=site_id
        )
        return _download(exports.csv_stream(heads, rows), CSV, f"{kpi}.csv")

    @get("/records.xlsx", opt={"permission": "reporting.view"}, media_type=XLSX)
    async def records_xlsx(
        self,
        request: Req,
        kpi: str = Parameter(max_length=60),
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        region_id: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
    ) -> Stream:
        heads, rows = await export_rows.record_rows(
            actor(request), kpi=kpi, start=start, end=end, region_id=region_id, site_id=site_id
        )
        path = await exports.xlsx_from_batches(kpi, heads, rows)
        return _download(exports.stream_file(path), XLSX, f"{kpi}.xlsx")
