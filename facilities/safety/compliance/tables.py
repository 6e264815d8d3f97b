"""The compliance register: certificate and statutory check types, certificates per site or
asset, their documents."""

from piccolo.columns import (
    Boolean,
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
from facilities.assets.tables import Asset
from facilities.maintenance.tables import WorkOrder
from facilities.sites.tables import Site


class CertificateType(Table, tablename="safety_certificate_type"):
    """A kind of certificate or statutory check with its usual interval (shipped as data in
    ``compliance/defaults.py``; editable)."""

    id: Serial
    key = Varchar(length=40, unique=True, null=False)
    name_en = Varchar(length=200, null=False)
    name_de = Varchar(length=200, null=False)
    interval_months = Integer(null=False)
    applies_to = Varchar(length=10, null=False, default="site")  # site | asset
    shipped = Boolean(default=False)
    active = Boolean(default=True)


class Certificate(Table, tablename="safety_certificate"):
    id: Serial
    certificate_type = ForeignKey(CertificateType, null=False, on_delete=OnDelete.restrict)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.set_null)
    reference = Varchar(length=100, default="")
    issued_on = Date(null=False)
    expires_on = Date(null=False, index=True)
    responsible_user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    responsible_partner = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    notes = Text(default="")
    renewal_work_order = ForeignKey(WorkOrder, null=True, default=None, on_delete=OnDelete.set_null)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CertificateDocument(Table, tablename="safety_certificate_document"):
    id: Serial
    certificate = ForeignKey(Certificate, null=False, on_delete=OnDelete.cascade, index=True)
    file_key = Varchar(length=100, null=False)
    content_type = Varchar(length=80, null=False)
    filename = Varchar(length=200, null=False)
    size = Integer(null=False)
    created_at = Timestamptz(default=TimestamptzNow())
