from enum import StrEnum

from facilities.kit.i18n import N_


class Role(StrEnum):
    admin = "admin"
    ops_manager = "ops_manager"
    community_manager = "community_manager"
    partner = "partner"
    viewer = "viewer"


ROLE_LABELS = {
    Role.admin: N_("Administrator"),
    Role.ops_manager: N_("Ops manager"),
    Role.community_manager: N_("Community manager"),
    Role.partner: N_("Maintenance partner"),
    Role.viewer: N_("Viewer"),
}


class Locale(StrEnum):
    en = "en"
    de = "de"


class Trade(StrEnum):
    """The trades partner organisations work in; work orders carry one for routing."""

    electrical = "electrical"
    hvac = "hvac"
    plumbing = "plumbing"
    it_network = "it_network"
    cleaning = "cleaning"
    catering = "catering"
    fire_safety = "fire_safety"
    elevators = "elevators"
    general = "general"


TRADE_LABELS = {
    Trade.electrical: N_("Electrical"),
    Trade.hvac: N_("Heating, ventilation, air conditioning"),
    Trade.plumbing: N_("Plumbing"),
    Trade.it_network: N_("IT and network"),
    Trade.cleaning: N_("Cleaning"),
    Trade.catering: N_("Catering"),
    Trade.fire_safety: N_("Fire safety"),
    Trade.elevators: N_("Elevators"),
    Trade.general: N_("General"),
}
