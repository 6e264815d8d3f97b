"""Problem reports, work orders (with checklists, time, costs, comments, photos), preventive
maintenance schedules and their occurrences, asset meter readings, calendar feeds.
"""

from piccolo.columns import (
    JSONB,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    LazyTableReference,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.accounts.tables import PartnerOrganisation, User
from facilities.assets.tables import Asset, AssetCategory
from facilities.sites.tables import Region, Site, Space


class ProblemReport(Table, tablename="problem_report"):
    id: Serial
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    category = Varchar(length=30, null=False)
    title = Varchar(length=200, null=False)
    description = Text(null=False)
    urgency = Varchar(length=20, null=False, default="normal")
    status = Varchar(length=20, null=False, default="new", index=True)
    source = Varchar(length=10, null=False, default="web")
    reporter_name = Varchar(length=120, default="")
    reporter_email = Varchar(length=254, default="")
    # The language of the page it was reported from: the anonymous reporter's e-mails use it.
    reporter_locale = Varchar(length=5, default="")
    # The browser's key of one submission (static/offline.js): a repeat is the same report.
    client_key = Varchar(length=36, null=True, default=None)
    reporter_user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    # The reporter's private status link holds a random token; only its hash is kept.
    status_token_hash = Varchar(length=64, unique=True, null=False)
    merged_into: ForeignKey = ForeignKey(
        LazyTableReference("ProblemReport", module_path="facilities.maintenance.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.set_null,
    )
    rejection_reason = Varchar(length=500, default="")
    triaged_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    triaged_at = Timestamptz(null=True, default=None)
    same_count = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class ProblemReportVote(Table, tablename="problem_report_vote"):
    """A "same problem" click: +1 with an optional comment instead of a duplicate report."""

    id: Serial
    report = ForeignKey(ProblemReport, null=False, on_delete=OnDelete.cascade, index=True)
    comment = Varchar(length=500, default="")
    user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    # Who pressed it: a keyed hash of the reporter's browser cookie or user id (never the
    # cookie itself); unique per report (raw index), so one reporter counts once.
    reporter_key = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ProblemReportPhoto(Table, tablename="problem_report_photo"):
    id: Serial
    report = ForeignKey(ProblemReport, null=False, on_delete=OnDelete.cascade, index=True)
    storage_key = Varchar(length=80, unique=True, null=False)
    content_type = Varchar(length=100, null=False)
    size = Integer(null=False)
    created_at = Timestamptz(default=TimestamptzNow())


class RateLimitHit(Table, tablename="rate_limit_hit"):
    """One counted request for ``facilities.kit.ratelimit`` (shared by every app replica).

    ``key`` is "<limit name>:<keyed hash>" - never a raw IP address. Rows older than the
    longest window are pruned (``maintenance.prune_rate_limits``). Indexed on
    (key, created_at) by a raw migration.
    """

    id: Serial
    key = Varchar(length=80, null=False)
    created_at = Timestamptz(null=False, index=True)


# ---- checklists ---------------------------------------------------------------------


class ChecklistTemplate(Table, tablename="checklist_template"):
    """A reusable checklist that ops manage per asset category; edits create new versions."""

    id: Serial
    name = Varchar(length=200, unique=True, null=False)
    category = ForeignKey(AssetCategory, null=True, default=None, on_delete=OnDelete.set_null)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ChecklistTemplateVersion(Table, tablename="checklist_template_version"):
    """Immutable content of one version. ``items``: [{key, label, kind, unit, min, max,
    required}] with kind in checkbox | pass_flag_fail | number | text | photo | meter | signature.
    Unique (template, version) by a raw index."""

    id: Serial
    template = ForeignKey(ChecklistTemplate, null=False, on_delete=OnDelete.cascade, index=True)
    version = Integer(null=False)
    items = JSONB(default=[])
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


# ---- preventive maintenance ---------------------------------------------------------


class PMSchedule(Table, tablename="pm_schedule"):
    """A maintenance programme: for one asset, or every asset of a category in some sites or
    a region (including assets added later). ``mode``: fixed (RRULE in site-local time),
    floating (N days/months after the last completion), meter, time_or_meter."""

    id: Serial
    name = Varchar(length=200, null=False)
    description = Text(default="")
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    category = ForeignKey(AssetCategory, null=True, default=None, on_delete=OnDelete.restrict)
    region = ForeignKey(Region, null=True, default=None, on_delete=OnDelete.restrict)
    mode = Varchar(length=20, null=False, default="fixed")
    rrule = Varchar(length=500, default="")
    dtstart_local = Varchar(length=19, default="")  # naive ISO, site-local wall time
    floating_every = Integer(null=True, default=None)
    floating_unit = Varchar(length=10, default="days")  # days | months
    meter_every = Numeric(digits=(14, 2), null=True, default=None)
    lead_days = Integer(default=0)
    skip_closed_days = Boolean(default=True)
    active_months = JSONB(default=[])  # [] = all year
    end_date = Date(null=True, default=None)
    max_count = Integer(null=True, default=None)
    catch_up = Varchar(length=20, default="all")  # all | latest_only
    partner_organisation = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.set_null
    )
    priority = Varchar(length=4, default="p3")
    checklist_template = ForeignKey(
        ChecklistTemplate, null=True, default=None, on_delete=OnDelete.set_null
    )
    estimated_minutes = Integer(null=True, default=None)
    grace_days = Integer(default=0)
    active = Boolean(default=True)
    # Edits affect future occurrences only: generation starts after this instant.
    effective_from = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PMScheduleSite(Table, tablename="pm_schedule_site"):
    """The sites a category programme covers (none and no region = the asset's own site)."""

    id: Serial
    schedule = ForeignKey(PMSchedule, null=False, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade, index=True)


# ---- work orders --------------------------------------------------------------------


class WorkOrder(Table, tablename="work_order"):
    id: Serial
    kind = Varchar(length=30, null=False, default="corrective")
    title = Varchar(length=200, null=False)
    description = Text(default="")
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    space = ForeignKey(Space, null=True, default=None, on_delete=OnDelete.set_null)
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    priority = Varchar(length=4, null=False, default="p3")
    status = Varchar(length=20, null=False, default="open", index=True)
    due_at = Timestamptz(null=True, default=None, index=True)
    scheduled_for = Timestamptz(null=True, default=None)
    partner_organisation = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    assignee = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    estimated_minutes = Integer(null=True, default=None)
    origin = Varchar(length=20, null=False, default="manual")
    problem_report = ForeignKey(
        ProblemReport, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    schedule = ForeignKey(
        PMSchedule, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    occurrence_key = Varchar(length=40, null=True, default=None)
    parent: ForeignKey = ForeignKey(
        LazyTableReference("WorkOrder", module_path="facilities.maintenance.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.set_null,
    )
    checklist_version = ForeignKey(
        ChecklistTemplateVersion, null=True, default=None, on_delete=OnDelete.restrict
    )
    hold_reason = Varchar(length=20, default="")
    trade = Varchar(length=30, null=True, default=None, index=True)  # accounts.enums.Trade
    completion_note = Text(default="")
    cancel_reason = Varchar(length=500, default="")
    asset_down = Boolean(default=False)  # the asset is "down" while this order is open
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    accepted_at = Timestamptz(null=True, default=None)
    started_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    verified_at = Timestamptz(null=True, default=None)
    # Its history has a "complete" / a "reopen" event (set by ``record_events``): partner
    # scorecards count first-time fixes from an index instead of probing the history.
    completed_once = Boolean(default=False)
    reopened_once = Boolean(default=False)
    # Milliseconds from creation to ``accepted_at`` / to ``completed_at`` (rounded; None
    # while that time is None), written with them by the lifecycle action: scorecards
    # take the median durations from an index instead of computing them per row.
    response_ms = BigInt(null=True, default=None)
    resolution_ms = BigInt(null=True, default=None)


class WorkOrderEvent(Table, tablename="work_order_event"):
    """Every transition and notable change: who, when, from, to, note."""

    id: Serial
    work_order = ForeignKey(WorkOrder, null=False, on_delete=OnDelete.cascade, index=True)
    action = Varchar(length=30, null=False)
    from_status = Varchar(length=20, null=True, default=None)
    to_status = Varchar(length=20, null=True, default=None)
    actor = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    actor_label = Varchar(length=254, default="")
    note = Text(default="")
    created_at = Timestamptz(null=False, index=True)
    # whom an "assign" (or a "create" routed to a partner) gave the order to, as named then
    assigned_label = Varchar(length=300, default="")


class WorkOrderChecklistItem(Table, tablename="work_order_checklist_item"):
    """A work order's copy of its checklist version's items, with the answers."""

    id: Serial
    work_order = ForeignKey(WorkOrder, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer(null=False)
    key = Varchar(length=60, null=False)
    label = Varchar(length=300, null=False)
    kind = Varchar(length=20, null=False)
    unit = Varchar(length=20, default="")
    min_value = Numeric(digits=(14, 4), null=True, default=None)
    max_value = Numeric(digits=(14, 4), null=True, default=None)
    required = Boolean(default=True)
    value_text = Text(null=True, default=None)  # text, pass/flag/fail, checkbox, signature
    value_number = Numeric(digits=(14, 4), null=True, default=None)
    photo_key = Varchar(length=80, null=True, default=None)
    out_of_limits = Boolean(default=False)
    answered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    answered_at = Timestamptz(null=True, default=None)
    follow_up = ForeignKey(WorkOrder, null=True, default=None, on_delete=OnDelete.set_null)


class WorkOrderTime(Table, tablename="work_order_time"):
    id: Serial
    work_order = ForeignKey(WorkOrder, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    minutes = Integer(null=False)
    work_date = Date(null=False)
    note = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class WorkOrderCost(Table, tablename="work_order_cost"):
    id: Serial
    work_order = ForeignKey(WorkOrder, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=12, null=False, default="part")  # part | other | refrigerant
    description = Varchar(length=300, null=False)
    quantity = Numeric(digits=(12, 3), null=False)  # refrigerant: kg filled in (top-up)
    unit_cost = Numeric(digits=(12, 2), null=False)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    # A refrigerant top-up: the gas (ASHRAE name such as R-410A), checked against the
    # refrigerant library registered in ``hooks.set_refrigerant_check``.
    gas = Varchar(length=20, null=True, default=None)


class WorkOrderComment(Table, tablename="work_order_comment"):
    id: Serial
    work_order = ForeignKey(WorkOrder, null=False, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    author_label = Varchar(length=254, default="")
    body = Text(null=False)
    created_at = Timestamptz(default=TimestamptzNow())


class WorkOrderPhoto(Table, tablename="work_order_photo"):
    id: Serial
    work_order = ForeignKey(WorkOrder, null=False, on_delete=OnDelete.cascade, index=True)
    stage = Varchar(length=10, null=False, default="other")  # before | after | other
    storage_key = Varchar(length=80, unique=True, null=False)
    content_type = Varchar(length=100, null=False)
    size = Integer(null=False)
    uploaded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class PMOccurrence(Table, tablename="pm_occurrence"):
    """One due occurrence of a schedule for one asset: created (with its work order) or
    skipped. Unique (schedule, asset, occurrence_key) by a raw index - the idempotency key of
    generation (``ON CONFLICT DO NOTHING``)."""

    id: Serial
    schedule = ForeignKey(PMSchedule, null=False, on_delete=OnDelete.cascade)
    asset = ForeignKey(Asset, null=False, on_delete=OnDelete.cascade)
    occurrence_key = Varchar(length=40, null=False)
    due_at = Timestamptz(null=False, index=True)
    status = Varchar(length=10, null=False, default="created")  # created | skipped
    work_order = ForeignKey(WorkOrder, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class CalendarFeed(Table, tablename="calendar_feed"):
    """A secret iCal feed URL (token hash only) for a user, a partner or a site; revocable."""

    id: Serial
    token_hash = Varchar(length=64, unique=True, null=False)
    kind = Varchar(length=10, null=False)  # user | partner | site
    user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.cascade)
    partner_organisation = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.cascade
    )
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.cascade)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class WorkOrderMagicLink(Table, tablename="work_order_magic_link"):
    """A link that lets a one-off contractor without an account work on ONE order.

    Only the token's SHA-256 hash is stored. The link works while it is neither expired
    nor revoked, the order is still assigned to ``partner_organisation`` and not closed.
    """

    id: Serial
    token_hash = Varchar(length=64, unique=True, null=False)
    work_order = ForeignKey(WorkOrder, null=False, on_delete=OnDelete.cascade, index=True)
    partner_organisation = ForeignKey(PartnerOrganisation, null=False, on_delete=OnDelete.cascade)
    email = Varchar(length=254, null=False)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=False)
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class PMComplianceSummary(Table, tablename="pm_compliance_summary"):
    """PM compliance's maintained totals per site and UTC day (``grain`` "d") or month
    ("m"), read and written only by ``pm.compliance_summary`` (raw SQL; created and
    backfilled by a raw migration, unique on grain, period_start, site)."""

    id: Serial
    grain = Varchar(length=1, null=False)
    period_start = Date(null=False)
    site = Integer(null=False)
    on_time = Integer(null=False)
    late = Integer(null=False)
    pending = Integer(null=False)


class WorkOrderRepairSummary(Table, tablename="work_order_repair_summary"):
    """Repairs' maintained totals per UTC day of completion, site and kind (MTTR and
    first-time fix), read and written only by ``workorders.repair_summary`` (raw SQL;
    created and backfilled by a raw migration, unique on day, site, kind)."""

    id: Serial
    day = Date(null=False)
    site = Integer(null=False)
    kind = Varchar(length=32, null=False)
    repairs = Integer(null=False)
    timed = Integer(null=False)
    repair_minutes = DoublePrecision(null=False)
    first_time = Integer(null=False)


class PMPlanned(Table, tablename="pm_planned"):
    """The agenda's planned occurrences: what generation will create for a schedule at an
    asset (``generation.upcoming``, status pending) up to a horizon, one row each, read by
    the calendar page and the feeds (``pm.planned``; raw SQL, created by a raw migration,
    unique on schedule, asset, occurrence_key). ``local_day``: the start's date at the
    site."""

    id: Serial
    schedule = Integer(null=False)
    asset = Integer(null=False)
    occurrence_key = Varchar(length=40, null=False)
    start_at = Timestamptz(null=False)
    site = Integer(null=False)
    partner_organisation = Integer(null=True, default=None)
    local_day = Date(null=False)


class PMPlannedPair(Table, tablename="pm_planned_pair"):
    """What each (schedule, asset)'s rows in ``pm_planned`` were computed from (a digest of
    every input and the schedule's version, ``pm.planned``) and up to when; unique on
    schedule, asset."""

    id: Serial
    schedule = Integer(null=False)
    asset = Integer(null=False)
    signature = Varchar(length=32, null=False)
    until = Timestamptz(null=False)
    schedule_version = Integer(null=False, default=0)


class PMPlannedState(Table, tablename="pm_planned_state"):
    """One row (id 1): the version stamp ``pm_planned`` is current for and its horizon."""

    id: Serial
    stamp = Text(null=False)
    horizon = Timestamptz(null=False)
    refreshed_at = Timestamptz(null=False)
