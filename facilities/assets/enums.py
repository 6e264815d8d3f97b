from enum import StrEnum

from facilities.kit.i18n import N_


class Criticality(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


CRITICALITY_LABELS = {
    Criticality.low: N_("Low"),
    Criticality.medium: N_("Medium"),
    Criticality.high: N_("High"),
    Criticality.critical: N_("Critical"),
}


class AssetStatus(StrEnum):
    operational = "operational"
    degraded = "degraded"
    down = "down"
    retired = "retired"


ASSET_STATUS_LABELS = {
    AssetStatus.operational: N_("Operational"),
    AssetStatus.degraded: N_("Degraded"),
    AssetStatus.down: N_("Down"),
    AssetStatus.retired: N_("Retired"),
}


class FileKind(StrEnum):
    photo = "photo"
    document = "document"


class QrStatus(StrEnum):
    active = "active"  # on an asset, or blank (no asset yet) waiting to be claimed
    replaced = "replaced"  # a new label was issued; scanning says so
    revoked = "revoked"
