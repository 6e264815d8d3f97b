"""Contract types, price models, statuses, and which trades a contract type covers."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from facilities.accounts.enums import Trade
from facilities.kit.i18n import N_


class ContractType(StrEnum):
    cleaning = "cleaning"
    catering = "catering"
    facility_management = "facility_management"
    maintenance = "maintenance"
    isp_connectivity = "isp_connectivity"
    waste_collection = "waste_collection"
    security = "security"
    other = "other"


CONTRACT_TYPE_LABELS = {
    ContractType.cleaning: N_("Cleaning"),
    ContractType.catering: N_("Catering"),
    ContractType.facility_management: N_("Facility management"),
    ContractType.maintenance: N_("Maintenance"),
    ContractType.isp_connectivity: N_("ISP and connectivity"),
    ContractType.waste_collection: N_("Waste collection"),
    ContractType.security: N_("Security"),
    ContractType.other: N_("Other"),
}

# The one place that says which trades a contract type covers by itself. The contract's own
# ``trades`` list adds to it (a maintenance contract names its trades; a facility-management
# contract covers "general" plus whatever it lists). Types without an implied trade
# (waste collection, security, other) route work only for the trades they list.
TYPE_TRADES: dict[ContractType, frozenset[Trade]] = {
    ContractType.cleaning: frozenset({Trade.cleaning}),
    ContractType.catering: frozenset({Trade.catering}),
    ContractType.facility_management: frozenset({Trade.general}),
    ContractType.maintenance: frozenset(),
    ContractType.isp_connectivity: frozenset({Trade.it_network}),
    ContractType.waste_collection: frozenset(),
    ContractType.security: frozenset(),
    ContractType.other: frozenset(),
}


def covered_trades(contract_type: str, listed: Iterable[str]) -> frozenset[str]:
    """Every trade a contract covers: the type's implied trades plus the listed ones."""
    implied = TYPE_TRADES.get(ContractType(contract_type), frozenset())
    return frozenset({t.value for t in implied} | {str(t) for t in listed})


class PriceModel(StrEnum):
    fixed_monthly = "fixed_monthly"
    per_visit = "per_visit"
    per_hour = "per_hour"
    per_unit = "per_unit"


PRICE_MODEL_LABELS = {
    PriceModel.fixed_monthly: N_("Fixed per month"),
    PriceModel.per_visit: N_("Per visit"),
    PriceModel.per_hour: N_("Per hour"),
    PriceModel.per_unit: N_("Per unit"),
}


class ContractStatus(StrEnum):
    draft = "draft"
    active = "active"
    expiring = "expiring"
    ended = "ended"


CONTRACT_STATUS_LABELS = {
    ContractStatus.draft: N_("Draft"),
    ContractStatus.active: N_("Active"),
    ContractStatus.expiring: N_("Expiring"),
    ContractStatus.ended: N_("Ended"),
}


class VisitStatus(StrEnum):
    scheduled = "scheduled"
    done = "done"
    not_done = "not_done"
    missed = "missed"
    cancelled = "cancelled"


VISIT_STATUS_LABELS = {
    VisitStatus.scheduled: N_("Scheduled"),
    VisitStatus.done: N_("Done"),
    VisitStatus.not_done: N_("Not done"),
    VisitStatus.missed: N_("Missed"),
    VisitStatus.cancelled: N_("Cancelled"),
}
