"""What the report and work-order pages share (no HTTP): labels, "2 hours ago", the honeypot.

``time_ago`` is the shared relative-time helper (``kit/timefmt.py``) under the templates' name.
"""

from __future__ import annotations

from typing import Any

from facilities.kit.i18n import _
from facilities.kit.timefmt import format_relative as time_ago  # noqa: F401 - re-exported
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
