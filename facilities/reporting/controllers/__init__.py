"""The reporting controllers, for ``facilities.app.ROUTERS``."""

from facilities.reporting.controllers.api import (
    AuditApi,
    ExportsApi,
    ReportingApi,
    SubscriptionsApi,
)
from facilities.reporting.controllers.budget_pages import BudgetPages, SubscriptionPages
from facilities.reporting.controllers.pages import (
    AuditPages,
    BenchmarkPages,
    CalendarPages,
    HomePages,
    KpiHelpPages,
    ReportingPages,
)

__all__ = [
    "AuditApi",
    "AuditPages",
    "BenchmarkPages",
    "BudgetPages",
    "CalendarPages",
    "ExportsApi",
    "HomePages",
    "KpiHelpPages",
    "ReportingApi",
    "ReportingPages",
    "SubscriptionPages",
    "SubscriptionsApi",
]
