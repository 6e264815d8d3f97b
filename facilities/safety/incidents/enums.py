"""Kinds, severities, injuries and states of incidents, with their words."""

from enum import StrEnum

from facilities.kit.i18n import N_


class IncidentKind(StrEnum):
    incident = "incident"
    near_miss = "near_miss"


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class InjuryKind(StrEnum):
    cut = "cut"
    bruise = "bruise"
    sprain = "sprain"
    fracture = "fracture"
    burn = "burn"
    electric_shock = "electric_shock"
    other = "other"


class IncidentStatus(StrEnum):
    reported = "reported"
    investigating = "investigating"
    actions_open = "actions_open"
    closed = "closed"


class Source(StrEnum):
    app = "app"
    qr = "qr"


KIND_LABELS = {IncidentKind.incident: N_("Incident"), IncidentKind.near_miss: N_("Near miss")}
SEVERITY_LABELS = {
    Severity.low: N_("Low"),
    Severity.medium: N_("Medium"),
    Severity.high: N_("High"),
    Severity.critical: N_("Critical"),
}
INJURY_LABELS = {
    InjuryKind.cut: N_("Cut"),
    InjuryKind.bruise: N_("Bruise"),
    InjuryKind.sprain: N_("Sprain or strain"),
    InjuryKind.fracture: N_("Fracture"),
    InjuryKind.burn: N_("Burn"),
    InjuryKind.electric_shock: N_("Electric shock"),
    InjuryKind.other: N_("Other injury"),
}
STATUS_LABELS = {
    IncidentStatus.reported: N_("Reported"),
    IncidentStatus.investigating: N_("Under investigation"),
    IncidentStatus.actions_open: N_("Corrective actions open"),
    IncidentStatus.closed: N_("Closed"),
}
SOURCE_LABELS = {Source.app: N_("Reported in the app"), Source.qr: N_("Reported at a QR label")}

# More than this many days off work makes an injury reportable to the accident insurer
# (Germany: Unfallanzeige to the Berufsgenossenschaft, §193 SGB VII) ...
REPORTABLE_AFTER_DAYS_OFF = 3
# ... within this many days of learning of it.
INSURER_NOTICE_DAYS = 3
