"""Reporting's words: cost categories of budgets and actuals."""

from __future__ import annotations

from enum import StrEnum

from facilities.kit.i18n import N_


class CostCategory(StrEnum):
    maintenance = "maintenance"
    cleaning = "cleaning"
    catering = "catering"
    facility_management = "facility_management"
    connectivity = "connectivity"
    energy = "energy"
    safety = "safety"
    other = "other"


COST_CATEGORY_LABELS = {
    CostCategory.maintenance: N_("Maintenance"),
    CostCategory.cleaning: N_("Cleaning"),
    CostCategory.catering: N_("Catering"),
    CostCategory.facility_management: N_("Facility management"),
    CostCategory.connectivity: N_("Connectivity"),
    CostCategory.energy: N_("Energy"),
    CostCategory.safety: N_("Safety"),
    CostCategory.other: N_("Other"),
}

# A service contract's type → the cost category its fees count in.
CONTRACT_CATEGORY = {
    "cleaning": CostCategory.cleaning,
    "catering": CostCategory.catering,
    "facility_management": CostCategory.facility_management,
    "maintenance": CostCategory.maintenance,
    "isp_connectivity": CostCategory.connectivity,
    "waste_collection": CostCategory.other,
    "security": CostCategory.safety,
    "other": CostCategory.other,
}


class Split(StrEnum):
    even = "even"
    manual = "manual"


class ReportKind(StrEnum):
    operations = "operations"
    budget = "budget"


REPORT_LABELS = {
    ReportKind.operations: N_("Regional operations report"),
    ReportKind.budget: N_("Quarterly budget report"),
}


class Frequency(StrEnum):
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"


FREQUENCY_LABELS = {
    Frequency.weekly: N_("Weekly"),
    Frequency.monthly: N_("Monthly"),
    Frequency.quarterly: N_("Quarterly"),
}
