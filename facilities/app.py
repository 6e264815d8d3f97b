"""The composition root: ``create_app()`` wires every domain's routers into one Litestar app."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from litestar import Litestar
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from facilities import __version__, db, navigation
from facilities.accounts.auth import (
    AuthMiddleware,
    BearerAwareCSRFMiddleware,
    check_routes,
    csrf_config,
    permission_guard,
)
from facilities.accounts.controllers import AccountPages, AccountsApi, PartnerPages
from facilities.all_settings import load_all_settings
from facilities.assets.controllers import AssetAdminPages, AssetPages, AssetsApi
from facilities.assets.monitoring.controllers import MonitoringApi, MonitoringPages
from facilities.health import HealthController
from facilities.integrations.controllers import IntegrationPages, IntegrationsApi
from facilities.kit.formlimits import install_form_limits
from facilities.kit.http import EXCEPTION_HANDLERS
from facilities.kit.listing import DropEmptyQuery
from facilities.kit.openapi import declare_error_responses
from facilities.kit.params import install_int_bounds, int_bounds_guard
from facilities.kit.templating import TEMPLATE_DIR, template_config
from facilities.maintenance.checklists.controllers import ChecklistPages, ChecklistsApi
from facilities.maintenance.pm.controllers import CalendarFeedPublic, PMApi, PMPages
from facilities.maintenance.reports.controllers import ProblemReportsApi, ReportPages, ScanPages
from facilities.maintenance.rollouts.controllers import RolloutPages, RolloutsApi
from facilities.maintenance.workorders.controllers import (
    MagicLinkPages,
    WorkOrderEditPages,
    WorkOrderPages,
    WorkOrdersApi,
)
from facilities.notifications.controllers import (
    NotificationPages,
    NotificationsApi,
    ReporterStatusPages,
)
from facilities.reporting.controllers import (
    AuditApi,
    AuditPages,
    BenchmarkPages,
    BudgetPages,
    CalendarPages,
    ExportsApi,
    HomePages,
    KpiHelpPages,
    ReportingApi,
    ReportingPages,
    SubscriptionPages,
    SubscriptionsApi,
)
from facilities.safety.compliance.controllers import CertificatePages, ComplianceApi
from facilities.safety.incidents.controllers import HazardPages, IncidentPages, IncidentsApi
from facilities.safety.inspections.controllers import (
    InspectionPages,
    InspectionsApi,
    ProgrammePages,
    TemplateEditorPages,
)
from facilities.safety.report.controllers import SafetyReportApi, SafetyReportPages
from facilities.safety.training.controllers import TrainingApi, TrainingPages
from facilities.scheduler import build_scheduler
from facilities.services.controllers import ContractPages, ContractsApi
from facilities.services.sla.controllers import SlaApi, SlaPages
from facilities.settings import get_settings
from facilities.sites.controllers import SitePages, SitesApi
from facilities.sustainability.controllers import (
    AssetMeterApi,
    AssetMeterPages,
    SustainabilityApi,
    SustainabilityLibraryPages,
    SustainabilityManagePages,
    SustainabilityPages,
)
from facilities.wiring import install

log = logging.getLogger("facilities")

STATIC_DIR = Path(__file__).resolve().parent / "static"  # inside the package: wheels ship it

ROUTERS = [
    HealthController,
    AccountsApi,
    AccountPages,
    PartnerPages,
    SitesApi,
    HomePages,
    SitePages,
    AssetsApi,
    AssetPages,
    AssetAdminPages,
    MonitoringApi,
    MonitoringPages,
    IntegrationsApi,
    IntegrationPages,
    AuditApi,
    AuditPages,
    KpiHelpPages,
    ProblemReportsApi,
    ReportPages,
    ScanPages,
    WorkOrdersApi,
    WorkOrderPages,
    WorkOrderEditPages,
    MagicLinkPages,
    ChecklistsApi,
    ChecklistPages,
    PMApi,
    PMPages,
    RolloutsApi,
    RolloutPages,
    CalendarFeedPublic,
    CalendarPages,
    ContractsApi,
    ContractPages,
    SlaApi,
    SlaPages,
    NotificationsApi,
    NotificationPages,
    ReporterStatusPages,
    SustainabilityApi,
    SustainabilityPages,
    SustainabilityManagePages,
    SustainabilityLibraryPages,
    AssetMeterApi,
    AssetMeterPages,
    IncidentsApi,
    IncidentPages,
    HazardPages,
    ComplianceApi,
    CertificatePages,
    TrainingApi,
    TrainingPages,
    SafetyReportApi,
    SafetyReportPages,
    InspectionsApi,
    InspectionPages,
    TemplateEditorPages,
    ProgrammePages,
    ReportingApi,
    ReportingPages,
    BudgetPages,
    ExportsApi,
    SubscriptionsApi,
    SubscriptionPages,
    BenchmarkPages,
]


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    settings = get_settings()
    await db.open_database()  # raises (and stops startup) if the database is unreachable
    scheduler = None
    try:
        if settings.migrate_on_start:
            applied = await db.migrate()
            if applied:
                log.info("applied %d migration(s)", applied)
        if settings.scheduler:
            scheduler = build_scheduler()
            scheduler.start()
        yield
    finally:
        if scheduler is not None:
            await scheduler.stop()
        await db.close_database()


def create_app() -> Litestar:
    load_all_settings()
    install()  # every listener, hook, router, panel and provider (facilities/wiring.py)
    settings = get_settings()
    handlers: list[object] = [
        *ROUTERS,
        create_static_files_router(
            path="/static", directories=[STATIC_DIR], opt={"public": True}, include_in_schema=False
        ),
    ]
    if settings.bench_mode:
        from facilities.benchref import BENCH_ROUTES

        handlers.extend(BENCH_ROUTES)
    templates = template_config([TEMPLATE_DIR])
    templates.instance.engine.globals["navigation"] = navigation.menu  # type: ignore[union-attr]
    app = Litestar(
        route_handlers=handlers,  # type: ignore[arg-type]
        lifespan=[lifespan],
        guards=[permission_guard, int_bounds_guard],
        middleware=[
            DropEmptyQuery,
            DefineMiddleware(BearerAwareCSRFMiddleware, config=csrf_config()),
            AuthMiddleware(),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=templates,
        openapi_config=OpenAPIConfig(
            title="Facilities API",
            version=__version__,
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http", scheme="bearer", description="API token from your account page"
                    )
                }
            ),
            security=[{"bearer": []}],
        ),
        request_max_body_size=16 * 1024 * 1024,  # photos up to 15 MB plus form fields
        debug=False,
    )
    install_int_bounds(app)
    install_form_limits(app)
    check_routes(app)
    declare_error_responses(app)
    return app
