"""Incidents and near misses, their photos and their corrective work orders."""

from piccolo.columns import (
    Boolean,
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

from facilities.accounts.tables import User
from facilities.assets.tables import Asset
from facilities.maintenance.tables import WorkOrder
from facilities.sites.tables import Site, Space


class Incident(Table, tablename="safety_incident"):
    """An incident (someone or something came to harm) or a near miss (it nearly did).

    ``reportable``: an injury with more than three days off work, to be notified to the
    accident insurer (in Germany the Berufsgenossenschaft, §193 SGB VII) by
    ``insurer_deadline`` (the end of the third day after the report, in site time)."""

    id: Serial
    kind = Varchar(length=12, null=False, index=True)  # incident | near_miss
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    space = ForeignKey(Space, null=True, default=None, on_delete=OnDelete.set_null)
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.set_null)
    occurred_at = Timestamptz(null=False, index=True)
    title = Varchar(length=200, null=False)
    description = Text(default="")
    people_involved = Text(default="")
    injury = Boolean(default=False)
    injury_kind = Varchar(length=20, default="")
    days_off = Integer(null=True, default=None)
    severity = Varchar(length=10, null=False)
    status = Varchar(length=15, null=False, default="reported", index=True)
    confidential = Boolean(default=False)
    root_cause = Text(default="")
    findings = Text(default="")
    source = Varchar(length=10, null=False, default="app")  # app | qr
    reported_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    reporter_email = Varchar(length=254, default="")
    reportable = Boolean(default=False)
    insurer_deadline = Timestamptz(null=True, default=None)
    insurer_notified_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    version = Integer(null=False, default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class IncidentPhoto(Table, tablename="safety_incident_photo"):
    id: Serial
    incident = ForeignKey(Incident, null=False, on_delete=OnDelete.cascade, index=True)
    file_key = Varchar(length=100, null=False)
    content_type = Varchar(length=50, null=False)
    size = Integer(null=False)
    created_at = Timestamptz(default=TimestamptzNow())


class IncidentAction(Table, tablename="safety_incident_action"):
    """A corrective action: a work order created for the incident (through the one path)."""

    id: Serial
    incident = ForeignKey(Incident, null=False, on_delete=OnDelete.cascade, index=True)
    work_order = ForeignKey(WorkOrder, null=False, on_delete=OnDelete.cascade)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
