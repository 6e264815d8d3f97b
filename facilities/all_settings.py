"""Every settings object of the product, read at startup (a composition module, like
``scheduler.py`` for jobs): a bad value stops ``serve``, ``scheduler`` and every CLI command
with a message naming the variable, instead of failing later inside a job."""

from __future__ import annotations

from facilities.notifications.settings import get_outbox_settings
from facilities.reporting.settings import reporting_settings
from facilities.services.config import service_settings
from facilities.services.sla.settings import get_sla_settings
from facilities.settings import get_settings


def load_all_settings() -> None:
    get_settings()
    get_outbox_settings()
    service_settings()
    get_sla_settings()
    reporting_settings()
