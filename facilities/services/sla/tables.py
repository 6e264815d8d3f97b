"""SLA policies, the outcome of each target of each work order, and escalations."""

from piccolo.columns import (
    JSONB,
    Boolean,
    ForeignKey,
    Integer,
    LazyTableReference,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.accounts.tables import User
from facilities.services.tables import ServiceContract

_WORK_ORDER = LazyTableReference("WorkOrder", module_path="facilities.maintenance.tables")


class SlaPolicy(Table, tablename="sla_policy"):
    """Targets for one (contract or the installation-wide default, priority, trade or any).

    Unique ``(COALESCE(contract, 0), priority, COALESCE(trade, ''))`` by a raw index: exactly
    one default row per priority and trade. Targets are minutes of counted time (business
    hours or 24/7 per ``calendar``); ``pause_reasons`` is a JSON list of hold reasons that
    stop the clock; ``overrun_percent``: level-3 escalation once the elapsed time exceeds the
    target by this share.
    """

    id: Serial
    contract = ForeignKey(ServiceContract, null=True, default=None, on_delete=OnDelete.cascade)
    priority = Varchar(length=4, null=False)
    trade = Varchar(length=30, null=True, default=None)
    response_minutes = Integer(null=True, default=None)
    attendance_minutes = Integer(null=True, default=None)
    resolution_minutes = Integer(null=True, default=None)
    calendar = Varchar(length=20, null=False, default="business_hours")
    pause_reasons = JSONB(default=[])
    overrun_percent = Integer(null=False, default=50)
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SlaOutcome(Table, tablename="sla_outcome"):
    """Whether a target of a work order was met, written when its event happens (inside the
    transition's transaction). One row per (work order, target) by a raw unique index; a
    completion after a reopen replaces the resolution row (the last completion counts)."""

    id: Serial
    work_order: ForeignKey = ForeignKey(_WORK_ORDER, null=False, on_delete=OnDelete.cascade)
    target = Varchar(length=20, null=False)
    policy = ForeignKey(SlaPolicy, null=True, default=None, on_delete=OnDelete.set_null)
    target_minutes = Integer(null=False)
    due_at = Timestamptz(null=True, default=None)
    achieved_at = Timestamptz(null=False, index=True)
    met = Boolean(null=False)
    elapsed_minutes = Integer(null=False)
    partner_organisation = Integer(null=True, default=None, index=True)  # at achievement
    site = Integer(null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class SlaEscalation(Table, tablename="sla_escalation"):
    """One escalation step of one target of one work order: written exactly once per
    (work order, target, level) by a raw unique index and ``ON CONFLICT DO NOTHING``."""

    id: Serial
    work_order: ForeignKey = ForeignKey(_WORK_ORDER, null=False, on_delete=OnDelete.cascade)
    target = Varchar(length=20, null=False)
    level = Integer(null=False)
    state = Varchar(length=20, null=False)  # at_risk | breached (the clock's, when escalated)
    policy = ForeignKey(SlaPolicy, null=True, default=None, on_delete=OnDelete.set_null)
    due_at = Timestamptz(null=True, default=None)
    site = Integer(null=False, index=True)
    recipients = Integer(null=False, default=0)
    created_at = Timestamptz(null=False, index=True)
