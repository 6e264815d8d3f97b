"""Share links of the safety report."""

from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.accounts.tables import User
from facilities.sites.tables import Region, Site


class ReportLink(Table, tablename="safety_report_link"):
    """A read-only link to one report (scope and period fixed), no sign-in; only the token's
    SHA-256 is stored. It acts for its creator as the creator is now
    (``accounts.queries.principal_for_link``), expires and can be revoked."""

    id: Serial
    token_hash = Varchar(length=64, unique=True, null=False)
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.cascade)
    region = ForeignKey(Region, null=True, default=None, on_delete=OnDelete.cascade)
    period_from = Date(null=False)
    period_to = Date(null=False)
    label = Varchar(length=200, default="")
    expires_at = Timestamptz(null=False)
    revoked_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
