"""Figures in words for pages, PDFs and e-mails: a KPI value in its unit, in the reader's
language, and whether a change is for the better."""

from __future__ import annotations

from facilities.kit.i18n import N_, _, format_number

# Units of intensity (msgids: "desk" and "visit" are words).
PER_UNITS = {
    "kwh_per_m2": N_("kWh/m²"),
    "kwh_per_desk": N_("kWh/desk"),
    "kg_per_m2": N_("kg CO2e/m²"),
    "kg_per_desk": N_("kg CO2e/desk"),
    "kg_per_visit": N_("kg CO2e/visit"),
}


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
    if unit == "score":
        return f"{format_number(value, 1)} %"
    if unit in PER_UNITS:
        return f"{format_number(value, 2)} {_(PER_UNITS[unit])}"
    return format_number(value, 2)


def parts(unit: str, value: float | None) -> tuple[str, str]:
    """The figure and, for an intensity, its unit apart (a tile shows the unit smaller)."""
    if unit in PER_UNITS and value is not None:
        return format_number(value, 2), _(PER_UNITS[unit])
    return show(unit, value), ""


def change(better: str, value: float | None, previous: float | None) -> str:
    """ "up", "down" or "same" in the good/bad sense: "good", "bad", "same" or ""."""
    if value is None or previous is None:
        return ""
    if abs(value - previous) < 1e-9:
        return "same"
    rising = value > previous
    return "good" if rising == (better == "higher") else "bad"
