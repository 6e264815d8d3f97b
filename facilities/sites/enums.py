from enum import StrEnum

from facilities.kit.i18n import N_


class SiteKind(StrEnum):
    coworking = "coworking"
    field = "field"


SITE_KIND_LABELS = {SiteKind.coworking: N_("Coworking space"), SiteKind.field: N_("Field site")}


class SpaceKind(StrEnum):
    floor = "floor"
    room = "room"
    zone = "zone"
    outdoor = "outdoor"
    other = "other"


SPACE_KIND_LABELS = {
    SpaceKind.floor: N_("Floor"),
    SpaceKind.room: N_("Room"),
    SpaceKind.zone: N_("Zone"),
    SpaceKind.outdoor: N_("Outdoor area"),
    SpaceKind.other: N_("Other"),
}

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
