from facilities.assets.monitoring.controllers.api import MonitoringApi

__all__ = ["MonitoringApi"]
