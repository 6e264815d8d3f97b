"""Figures in words for pages, PDFs and e-mails: a KPI value in its unit, in the reader's
language, and whether a change is for the better."""

from __future__ import annotations

from facilities.kit.i18n import _, format_number


def show(unit: str, value: float | None) -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{format_number(value, 1)} %"
    if unit == "minutes":
        if value >= 60:
            hours, minutes = divmod(round(value), 60)
            return _("%(h)s h %(m)s min") % {"h": format_number(hours, 0), "m": minutes}
        return _("%(m)s min") % {"m": format_number(value, 0)}
    if unit == "hours":
        return f"{format_number(value, 0)} h"
    if unit == "days":
        return _("%(d)s days") % {"d": format_number(value, 1)}
    if unit == "count":
        return format_number(value, 0)
    return format_number(value, 2)


def change(better: str, value: float | None, previous: float | None) -> str:
    """ "up", "down" or "same" in the good/bad sense: "good", "bad", "same" or ""."""
    if value is None or previous is None:
        return ""
    if abs(value - previous) < 1e-9:
        return "same"
    rising = value > previous
    return "good" if rising == (better == "higher") else "bad"
