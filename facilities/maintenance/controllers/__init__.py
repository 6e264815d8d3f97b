from facilities.maintenance.controllers.api import ProblemReportsApi
from facilities.maintenance.controllers.pages import ReportPages
from facilities.maintenance.controllers.scan import ScanPages

__all__ = ["ProblemReportsApi", "ReportPages", "ScanPages"]
