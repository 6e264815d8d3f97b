from enum import StrEnum

from facilities.accounts.enums import Role
from facilities.kit.i18n import N_


class Event(StrEnum):
    work_assigned = "work_assigned"
    work_status_changed = "work_status_changed"
    work_commented = "work_commented"
    sla_at_risk = "sla_at_risk"
    sla_breached = "sla_breached"
    report_received = "report_received"
    report_accepted = "report_accepted"
    report_resolved = "report_resolved"
    contract_renewal_due = "contract_renewal_due"
    certificate_expiring = "certificate_expiring"
    training_expiring = "training_expiring"
    digest = "digest"
    report_subscription = "report_subscription"  # a subscribed report (reporting), PDF attached


EVENT_LABELS = {
    Event.work_assigned: N_("Work assigned"),
    Event.work_status_changed: N_("Work order status changed"),
    Event.work_commented: N_("Comment on a work order"),
    Event.sla_at_risk: N_("SLA target at risk"),
    Event.sla_breached: N_("SLA target breached"),
    Event.report_received: N_("Problem report received"),
    Event.report_accepted: N_("Problem report accepted"),
    Event.report_resolved: N_("Problem report resolved"),
    Event.contract_renewal_due: N_("Contract renewal due"),
    Event.certificate_expiring: N_("Certificate expiring"),
    Event.training_expiring: N_("Training expiring"),
    Event.digest: N_("Daily digest"),
    Event.report_subscription: N_("Subscribed report"),
}


class Mode(StrEnum):
    immediate = "immediate"
    digest = "digest"
    off = "off"


MODE_LABELS = {
    Mode.immediate: N_("Immediately"),
    Mode.digest: N_("In the daily digest"),
    Mode.off: N_("Off"),
}

# Events a user may choose for (the digest itself is not a choice).
# A subscribed report is chosen by subscribing (reporting), not here.
CHOOSABLE = tuple(e for e in Event if e not in (Event.digest, Event.report_subscription))


def default_mode(role: Role, event: Event) -> Mode:
    """Sensible defaults: urgent things (and new reports to triage) at once; comments and
    status changes in the community managers' digest."""
    if event in (Event.work_assigned, Event.sla_at_risk, Event.sla_breached):
        return Mode.immediate
    if role is Role.community_manager and event in (
        Event.work_commented,
        Event.work_status_changed,
    ):
        return Mode.digest
    return Mode.immediate


class Status(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


STATUS_LABELS = {
    Status.pending: N_("Pending"),
    Status.sending: N_("Sending"),
    Status.sent: N_("Sent"),
    Status.failed: N_("Failed"),
}


class Kind(StrEnum):
    email = "email"
    webhook = "webhook"
