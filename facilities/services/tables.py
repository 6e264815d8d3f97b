"""Service contracts with outside providers, the sites they cover, their documents, visit
plans (recurring cleaning rounds, deliveries, FM walks) and the generated visits."""

from piccolo.columns import (
    JSONB,
    Boolean,
    Date,
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
from facilities.sites.tables import Site


class ServiceContract(Table, tablename="service_contract"):
    """A contract with a provider (a partner organisation).

    ``status`` is ``draft`` until activated; after that it is derived from the dates
    (``facilities.services.contracts.derived_status``): active, expiring (today past the
    notice deadline = end - notice period), ended (today after end). Actions write the derived
    value and the daily job ``services.refresh_contracts`` keeps it current; readers that
    must be exact (routing) compare the dates themselves.
    ``trades``: extra trades listed explicitly (the contract type implies some, see
    ``facilities.services.enums.TYPE_TRADES``).
    """

    id: Serial
    provider = ForeignKey(PartnerOrganisation, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200, null=False)
    reference = Varchar(length=100, default="")
    contract_type = Varchar(length=30, null=False, index=True)
    trades = JSONB(default=[])
    scope = Text(default="")
    start_date = Date(null=False)
    end_date = Date(null=False)
    notice_days = Integer(default=0)
    auto_renew = Boolean(default=False)
    renewal_term_months = Integer(default=12)
    price_model = Varchar(length=20, null=False, default="fixed_monthly")
    price = Numeric(digits=(12, 2), null=True, default=None)
    currency = Varchar(length=3, default="EUR")
    budget_per_year = Numeric(digits=(14, 2), null=True, default=None)
    status = Varchar(length=20, null=False, default="draft", index=True)
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ServiceContractSite(Table, tablename="service_contract_site"):
    """A site a contract covers. Unique (contract, site) by a raw index."""

    id: Serial
    contract = ForeignKey(ServiceContract, null=False, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade, index=True)


class ServiceContractDocument(Table, tablename="service_contract_document"):
    """The signed contract, annexes, price lists: PDFs and images (``facilities.kit.uploads``)."""

    id: Serial
    contract = ForeignKey(ServiceContract, null=False, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=255, null=False)
    content_type = Varchar(length=100, null=False)
    size = Integer(null=False)
    storage_key = Varchar(length=80, unique=True, null=False)
    uploaded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class VisitPlan(Table, tablename="service_visit_plan"):
    """Recurring visits under a contract: an RRULE in site-local wall time (like fixed PM
    schedules), a window length, for some of the contract's sites (none = all of them)."""

    id: Serial
    contract = ForeignKey(ServiceContract, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200, null=False)
    rrule = Varchar(length=500, null=False)
    dtstart_local = Varchar(length=19, null=False)  # naive ISO, site-local wall time
    window_minutes = Integer(null=False, default=120)
    lead_days = Integer(default=14)
    skip_closed_days = Boolean(default=True)
    end_date = Date(null=True, default=None)
    active = Boolean(default=True)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class VisitPlanSite(Table, tablename="service_visit_plan_site"):
    id: Serial
    plan = ForeignKey(VisitPlan, null=False, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade, index=True)


class ServiceVisit(Table, tablename="service_visit"):
    """One planned visit at one site. Unique (plan, site, occurrence_key) by a raw index -
    the idempotency key of generation (``ON CONFLICT DO NOTHING``).
    ``status``: scheduled | done | not_done | missed | cancelled."""

    id: Serial
    plan = ForeignKey(VisitPlan, null=False, on_delete=OnDelete.cascade)
    contract = ForeignKey(ServiceContract, null=False, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade, index=True)
    occurrence_key = Varchar(length=40, null=False)
    scheduled_for = Timestamptz(null=False, index=True)
    window_end = Timestamptz(null=False)
    status = Varchar(length=20, null=False, default="scheduled", index=True)
    rating = Integer(null=True, default=None)
    comment = Text(default="")
    signed_off_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    signed_off_at = Timestamptz(null=True, default=None)
    missed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
