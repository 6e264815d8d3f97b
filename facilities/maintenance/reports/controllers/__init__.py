from facilities.maintenance.reports.controllers.api import ProblemReportsApi
from facilities.maintenance.reports.controllers.pages import ReportPages
from facilities.maintenance.reports.controllers.scan import ScanPages

__all__ = ["ProblemReportsApi", "ReportPages", "ScanPages"]
