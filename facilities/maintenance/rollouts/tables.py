"""Roll-outs (tables in the ``maintenance`` Piccolo app): a project that installs one kind
of hardware (an asset category) at many sites, and one row per site with its installation
work order and, once installed, the asset registered for it. Unique (rollout, site) by a
raw index (migration)."""

from piccolo.columns import (
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.accounts.tables import PartnerOrganisation, User
from facilities.assets.monitoring.tables import DeviceSource
from facilities.assets.tables import Asset, AssetCategory
from facilities.maintenance.tables import ChecklistTemplateVersion, WorkOrder
from facilities.sites.tables import Site


class Rollout(Table, tablename="rollout"):
    """What is installed (``category``), by whom (``partner_organisation``; None: the
    contract router per site), with which checklist, and which controller (``source``)
    will report for the installed devices."""

    id: Serial
    name = Varchar(length=200, null=False, unique=True)
    category = ForeignKey(AssetCategory, null=False, on_delete=OnDelete.restrict)
    partner_organisation = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.set_null
    )
    source = ForeignKey(DeviceSource, null=True, default=None, on_delete=OnDelete.set_null)
    checklist_version = ForeignKey(
        ChecklistTemplateVersion, null=True, default=None, on_delete=OnDelete.set_null
    )
    notes = Text(default="")
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class RolloutSite(Table, tablename="rollout_site"):
    """One site of a roll-out: its target date, its installation work order and the asset
    registered when that order was completed."""

    id: Serial
    rollout = ForeignKey(Rollout, null=False, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    target_date = Date(null=True, default=None)
    work_order = ForeignKey(
        WorkOrder, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.set_null)
    installed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
