from enum import StrEnum

from facilities.kit.i18n import N_


class ProblemCategory(StrEnum):
    broken = "broken"
    leak = "leak"
    dirty = "dirty"
    noise = "noise"
    safety = "safety"
    connectivity = "connectivity"
    other = "other"


PROBLEM_CATEGORY_LABELS = {
    ProblemCategory.broken: N_("Broken or not working"),
    ProblemCategory.leak: N_("Leaking"),
    ProblemCategory.dirty: N_("Dirty or needs cleaning"),
    ProblemCategory.noise: N_("Strange noise or smell"),
    ProblemCategory.safety: N_("Unsafe"),
    ProblemCategory.connectivity: N_("No network or Wi-Fi"),
    ProblemCategory.other: N_("Something else"),
}


class Urgency(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


URGENCY_LABELS = {
    Urgency.low: N_("Can wait"),
    Urgency.normal: N_("Soon"),
    Urgency.high: N_("Today"),
    Urgency.urgent: N_("Urgent — danger or nothing works"),
}


class ReportStatus(StrEnum):
    new = "new"  # in the triage queue
    accepted = "accepted"  # became (or joined) work; the work-order issue links it
    merged = "merged"  # duplicate of another report
    rejected = "rejected"
    resolved = "resolved"


REPORT_STATUS_LABELS = {
    ReportStatus.new: N_("Reported, waiting for review"),
    ReportStatus.accepted: N_("Accepted, work is planned"),
    ReportStatus.merged: N_("Already reported (merged)"),
    ReportStatus.rejected: N_("Rejected"),
    ReportStatus.resolved: N_("Fixed"),
}


class ReportSource(StrEnum):
    scan = "scan"
    web = "web"
    api = "api"
