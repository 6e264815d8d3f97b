"""What the report and work-order pages share (no HTTP): labels, "2 hours ago", the honeypot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_timedelta

from facilities.kit import clock
from facilities.kit.i18n import _, current_locale
from facilities.maintenance.enums import (
    PROBLEM_CATEGORY_LABELS,
    REPORT_STATUS_LABELS,
    URGENCY_LABELS,
)

# The hidden field people never fill in; a bot that fills it gets a fake success.
HONEYPOT = "website"


def labels() -> dict[str, Any]:
    """Translated labels for the templates (category, urgency, status)."""
    return {
        "category_labels": {k.value: _(v) for k, v in PROBLEM_CATEGORY_LABELS.items()},
        "urgency_labels": {k.value: _(v) for k, v in URGENCY_LABELS.items()},
        "status_labels": {k.value: _(v) for k, v in REPORT_STATUS_LABELS.items()},
    }


def time_ago(moment: datetime) -> str:
    delta = moment - clock.now()
    if abs(delta.total_seconds()) < 60:
        return _("just now")
    return format_timedelta(
        delta, granularity="minute", add_direction=True, locale=current_locale()
    )
