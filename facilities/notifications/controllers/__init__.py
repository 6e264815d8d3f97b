from facilities.notifications.controllers.api import NotificationsApi
from facilities.notifications.controllers.pages import NotificationPages, ReporterStatusPages

__all__ = ["NotificationPages", "NotificationsApi", "ReporterStatusPages"]
