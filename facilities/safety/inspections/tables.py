"""Tables of safety inspections: versioned templates, programmes, inspections and their
answers, findings, and the idempotency keys of answers and submissions.

Raw unique indexes (migration): ``inspection_template_version (template, version)``,
``inspection (programme, target_key, occurrence_key)`` (one inspection per programme, site or
asset and occurrence: generation is idempotent), ``inspection_answer (inspection, item_key)``
and ``inspection_client_key (client_key)``.
"""

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
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
from facilities.maintenance.tables import WorkOrder
from facilities.sites.tables import Region, Site


class InspectionTemplate(Table, tablename="inspection_template"):
    """A template; its items live in versions. ``starter``: the shipped starter template it
    was copied from (its key), empty for one written here."""

    id: Serial
    name = Varchar(length=200, null=False)
    language = Varchar(length=10, default="en")
    category = ForeignKey(AssetCategory, null=True, default=None, on_delete=OnDelete.set_null)
    starter = Varchar(length=60, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class InspectionTemplateVersion(Table, tablename="inspection_template_version"):
    """The items of one version (``engine.normalise_scored_items``); never changed."""

    id: Serial
    template = ForeignKey(InspectionTemplate, null=False, on_delete=OnDelete.cascade, index=True)
    version = Integer(null=False)
    items = JSON(default="[]")
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class InspectionProgramme(Table, tablename="inspection_programme"):
    """A template applied by a recurrence to one site (``site``), every site of a region
    (``region``), every site of a kind (``kind``: ``site_kind``, optionally limited to a
    region) or every asset of a category across the sites (``category``, optionally
    limited to a region). Inspections use the template's newest version when
    they are generated. Assignee: a role (``community_manager``), a partner or a person."""

    id: Serial
    name = Varchar(length=200, null=False)
    template = ForeignKey(InspectionTemplate, null=False, on_delete=OnDelete.restrict, index=True)
    scope = Varchar(length=20, null=False)  # site | region | kind | category
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.restrict)
    region = ForeignKey(Region, null=True, default=None, on_delete=OnDelete.restrict)
    category = ForeignKey(AssetCategory, null=True, default=None, on_delete=OnDelete.restrict)
    site_kind = Varchar(length=20, null=True, default=None)  # coworking | field (scope kind)
    rrule = Text(null=False)
    dtstart_local = Varchar(length=19, null=False)  # naive site-local ISO time
    lead_days = Integer(default=7)
    skip_closed_days = Boolean(default=True)
    assignee_role = Varchar(length=30, default="")
    assignee_partner = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.set_null
    )
    assignee_user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    active = Boolean(default=True, index=True)
    effective_from = Timestamptz(null=False)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Inspection(Table, tablename="inspection"):
    """One inspection of a site or an asset on a template version. ``status``: due,
    in_progress, submitted, missed (``overdue`` is shown, not stored: due or in progress
    past ``due_at``). ``version`` counts the changes (answers, start, submission);
    ``recheck_of``: the finding this one-item re-check is for."""

    id: Serial
    # no index of its own: "inspection_programme" is a table's name; the unique index
    # (programme, target_key, occurrence_key) serves lookups by programme
    programme = ForeignKey(
        InspectionProgramme, null=True, default=None, on_delete=OnDelete.set_null
    )
    template_version = ForeignKey(  # not indexed: the index name would be a table's
        InspectionTemplateVersion, null=False, on_delete=OnDelete.restrict
    )
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    target_key = Varchar(length=40, null=False)  # site:<id> | asset:<id>
    occurrence_key = Varchar(length=40, null=False)
    due_at = Timestamptz(null=False, index=True)
    status = Varchar(length=20, null=False, default="due", index=True)
    only_item = Varchar(length=60, default="")  # a re-check asks this one item
    assignee_role = Varchar(length=30, default="")
    assignee_partner = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.set_null
    )
    assignee_user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    started_at = Timestamptz(null=True, default=None)
    started_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    submitted_at = Timestamptz(null=True, default=None)
    submitted_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    earned = Numeric(digits=(12, 4), null=True, default=None)
    possible = Numeric(digits=(12, 4), null=True, default=None)
    score = Numeric(digits=(5, 1), null=True, default=None)
    signature_key = Varchar(length=100, null=True, default=None)
    recheck_of = Integer(null=True, default=None)  # finding id (the finding table is below)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class InspectionAnswer(Table, tablename="inspection_answer"):
    """The answer to one item; ``version`` counts its changes (a stale write answers 409)."""

    id: Serial
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    item_key = Varchar(length=60, null=False)
    answered = Boolean(default=False)
    value_text = Text(null=True, default=None)
    value_number = Numeric(digits=(14, 4), null=True, default=None)
    out_of_limits = Boolean(default=False)
    note = Text(default="")
    photo_key = Varchar(length=100, null=True, default=None)
    version = Integer(default=1)
    answered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    answered_at = Timestamptz(null=True, default=None)


class Finding(Table, tablename="inspection_finding"):
    """A failed item of a submitted inspection. ``status``: open | closed. Open findings of
    the same site or asset and item share one corrective work order."""

    id: Serial
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    template = ForeignKey(InspectionTemplate, null=False, on_delete=OnDelete.restrict)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.restrict)
    target_key = Varchar(length=40, null=False)
    item_key = Varchar(length=60, null=False)
    item_label = Varchar(length=300, null=False)
    answer = Text(default="")
    critical = Boolean(default=False)
    status = Varchar(length=20, default="open", index=True)
    work_order = ForeignKey(WorkOrder, null=True, default=None, on_delete=OnDelete.set_null)
    recheck = ForeignKey(Inspection, null=True, default=None, on_delete=OnDelete.set_null)
    locked_out = Boolean(default=False)
    inspector_role = Varchar(length=30, default="")
    assignee_partner = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.set_null
    )
    created_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)


class InspectionClientKey(Table, tablename="inspection_client_key"):
    """A client-generated key (UUID) of an answer or a submission already handled, with the
    answer it got: a repeat returns it and writes nothing."""

    id: Serial
    client_key = Varchar(length=36, null=False)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=20, null=False)  # answer | submit
    response = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
