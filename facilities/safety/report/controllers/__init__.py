from facilities.safety.report.controllers.api import SafetyReportApi
from facilities.safety.report.controllers.pages import SafetyReportPages

__all__ = ["SafetyReportApi", "SafetyReportPages"]
