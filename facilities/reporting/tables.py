"""Reporting's own records: budgets and manual expense lines (everything else it reads)."""

from piccolo.columns import (
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

from facilities.accounts.tables import User
from facilities.sites.tables import Region, Site


class Budget(Table, tablename="budget"):
    """The budget of one site or one region (exactly one of them) for a year and a cost
    category, split into quarters (``split``: even | manual; q1+q2+q3+q4 = amount). One per
    (year, category, site, region) by a raw unique index."""

    id: Serial
    year = Integer(null=False)
    category = Varchar(length=30, null=False)
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    region = ForeignKey(Region, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    amount = Numeric(digits=(14, 2), null=False)
    q1 = Numeric(digits=(14, 2), null=False)
    q2 = Numeric(digits=(14, 2), null=False)
    q3 = Numeric(digits=(14, 2), null=False)
    q4 = Numeric(digits=(14, 2), null=False)
    split = Varchar(length=10, null=False, default="even")
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Expense(Table, tablename="expense"):
    """A cost the product does not know from its own records (an invoice not tied to a work
    order), in the installation's currency, with an optional attachment."""

    id: Serial
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    category = Varchar(length=30, null=False)
    spent_on = Date(null=False, index=True)
    amount = Numeric(digits=(14, 2), null=False)
    currency = Varchar(length=3, null=False)
    description = Text(default="")
    filename = Varchar(length=255, null=True, default=None)
    content_type = Varchar(length=100, null=True, default=None)
    size = Integer(null=True, default=None)
    storage_key = Varchar(length=80, null=True, default=None, unique=True)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ReportSubscription(Table, tablename="report_subscription"):
    """A user's standing order for a report by e-mail (PDF attached): which report, for which
    scope (a site, a region, or every site the user sees), how often, in which language.
    ``last_period`` is the key of the last period sent ("2026-11", "2026-W48", "2026-Q4")."""

    id: Serial
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    report = Varchar(length=20, null=False)  # operations | budget
    frequency = Varchar(length=10, null=False)  # weekly | monthly | quarterly
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.cascade)
    region = ForeignKey(Region, null=True, default=None, on_delete=OnDelete.cascade)
    locale = Varchar(length=5, null=False, default="en")
    last_period = Varchar(length=10, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
