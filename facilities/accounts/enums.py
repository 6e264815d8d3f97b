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
