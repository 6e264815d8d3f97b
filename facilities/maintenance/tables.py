"""Problem reports (from a QR scan, the web UI or the API), +1 votes and photos.

Work orders, checklists and PM schedules join this domain with the work-order issue.
"""

from piccolo.columns import (
    ForeignKey,
    Integer,
    LazyTableReference,
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
from facilities.sites.tables import Site


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
    created_at = Timestamptz(default=TimestamptzNow())


class ProblemReportPhoto(Table, tablename="problem_report_photo"):
    id: Serial
    report = ForeignKey(ProblemReport, null=False, on_delete=OnDelete.cascade, index=True)
    storage_key = Varchar(length=80, unique=True, null=False)
    content_type = Varchar(length=100, null=False)
    size = Integer(null=False)
    created_at = Timestamptz(default=TimestamptzNow())
