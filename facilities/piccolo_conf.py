"""Piccolo's configuration: the engine comes from ``facilities.db``; apps in dependency order."""

from piccolo.conf.apps import AppRegistry

from facilities.db import DB

__all__ = ["APP_REGISTRY", "DB"]

APP_REGISTRY = AppRegistry(
    apps=[
        "facilities.accounts.piccolo_app",
        "facilities.sites.piccolo_app",
        "facilities.assets.piccolo_app",
        "facilities.maintenance.piccolo_app",
        "facilities.notifications.piccolo_app",
        "facilities.services.piccolo_app",
        "facilities.services.sla.piccolo_app",
        "facilities.integrations.piccolo_app",
        "facilities.safety.piccolo_app",
        "facilities.sustainability.piccolo_app",
        "facilities.reporting.piccolo_app",
    ]
)
