"""Scheduled reports: a user's subscriptions, and the job that sends each due one by e-mail
through the notifications outbox with the PDF attached.

The job (``reporting.send_subscribed_reports``, hourly) looks at every subscription: the last
*finished* period of its frequency (last week Monday–Sunday, last month, last quarter) is due
when it is not the one sent last. The report is computed as the subscriber sees it now (their
scope, their role), rendered in the subscription's language, stored in the upload store and
queued with a dedupe key per subscription and period: the job can run in several processes
or twice and the mail goes out once; a delivery that fails is retried by the outbox like any
e-mail, with the same PDF.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import cache
from typing import Any

from jinja2 import Environment

from facilities import db
from facilities.accounts import audit
from facilities.accounts import queries as account_queries
from facilities.accounts.principal import Principal
from facilities.kit import clock, pdf, uploads
from facilities.kit.errors import FacilitiesError, NotFound, RuleViolation
from facilities.kit.i18n import _, using_locale
from facilities.kit.rows import dict_rows
from facilities.kit.templating import TEMPLATE_DIR, make_environment
from facilities.notifications import outbox
from facilities.reporting import charts, dashboard, present, queries
from facilities.reporting.budgets.output import context as budget_context
from facilities.reporting.budgets.report import budget_report
from facilities.reporting.enums import REPORT_LABELS, ReportKind
from facilities.reporting.schemas import SubscriptionCreate, SubscriptionRead
from facilities.reporting.tables import ReportSubscription
from facilities.settings import get_settings

log = logging.getLogger(__name__)


def last_period(frequency: str, today: date) -> tuple[str, date, date]:
    """(key, first day, last day) of the last finished period before ``today`` (pure)."""
    if frequency == "weekly":
        monday = today - timedelta(days=today.weekday() + 7)
        year, week, _day = monday.isocalendar()
        return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)
    if frequency == "monthly":
        last = today.replace(day=1) - timedelta(days=1)
        return f"{last.year}-{last.month:02d}", last.replace(day=1), last
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = quarter_start - timedelta(days=1)
    q = (last.month - 1) // 3 + 1
    return f"{last.year}-Q{q}", date(last.year, 3 * q - 2, 1), last


# ---- subscribing ----------------------------------------------------------------------


def _read(row: dict[str, Any]) -> SubscriptionRead:
    return SubscriptionRead(
        id=int(row["id"]),
        report=str(row["report"]),
        frequency=str(row["frequency"]),
        site_id=row["site"],
        region_id=row["region"],
        locale=str(row["locale"]),
        last_period=row["last_period"],
    )


async def subscribe(*, actor: Principal, data: SubscriptionCreate) -> SubscriptionRead:
    """A subscription of the caller; a scope the caller may not see is refused (422 naming
    the field, the same answer for a site that does not exist)."""
    if data.site_id is not None and data.region_id is not None:
        raise RuleViolation("site_id", _("Choose a site or a region, not both."))
    try:
        await queries.scope_sites(actor, region_id=data.region_id, site_id=data.site_id)
    except NotFound:
        field = "site_id" if data.site_id is not None else "region_id"
        raise RuleViolation(
            field, _("You cannot see this scope, so you cannot subscribe to it.")
        ) from None
    async with db.transaction():
        row = ReportSubscription(
            user=actor.account_id,
            report=data.report.value,
            frequency=data.frequency.value,
            site=data.site_id,
            region=data.region_id,
            locale=data.locale,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="report_subscription.create",
            object_type="report_subscription",
            object_id=row.id,
            summary=f"{data.report.value} {data.frequency.value}",
            site_id=data.site_id,
        )
    return SubscriptionRead(
        id=int(row.id),
        report=data.report.value,
        frequency=data.frequency.value,
        site_id=data.site_id,
        region_id=data.region_id,
        locale=data.locale,
        last_period=None,
    )


async def my_subscriptions(actor: Principal) -> list[SubscriptionRead]:
    rows = await dict_rows(
        "SELECT id, report, frequency, site, region, locale, last_period"
        ' FROM report_subscription WHERE "user" = {} ORDER BY id',
        actor.account_id,
    )
    return [_read(r) for r in rows]


async def unsubscribe(*, actor: Principal, subscription_id: int) -> None:
    async with db.transaction():
        rows = await dict_rows(
            'DELETE FROM report_subscription WHERE id = {} AND "user" = {} RETURNING id',
            subscription_id,
            actor.account_id,
        )
        if not rows:
            raise NotFound()
        await audit.record(
            actor=actor,
            action="report_subscription.delete",
            object_type="report_subscription",
            object_id=subscription_id,
        )


# ---- rendering ------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return make_environment([TEMPLATE_DIR])


async def operations_pdf(
    principal: Principal, first: date, last: date, region_id: int | None, site_id: int | None
) -> tuple[bytes, str]:
    board = await dashboard.dashboard(
        principal, start=first, end=last, region_id=region_id, site_id=site_id
    )
    html = (
        _environment()
        .get_template("reporting/operations_pdf.html")
        .render(board=board, show=present.show, change=present.change, sparkline=charts.sparkline)
    )
    return await pdf.render(html), board.scope


async def budget_pdf(
    principal: Principal, last: date, region_id: int | None, site_id: int | None
) -> tuple[bytes, str]:
    quarter = (last.month - 1) // 3 + 1
    report = await budget_report(
        principal, year=last.year, quarter=quarter, region_id=region_id, site_id=site_id
    )
    html = _environment().get_template("reporting/budget_pdf.html").render(**budget_context(report))
    return await pdf.render(html), report.scope


# ---- the job --------------------------------------------------------------------------


async def send_due(today: date | None = None) -> int:
    """Queue every due subscription's report; returns how many were queued."""
    day = today or clock.now().date()
    rows = await dict_rows(
        'SELECT id, "user" AS user_id, report, frequency, site, region, locale, last_period'
        " FROM report_subscription ORDER BY id"
    )
    sent = 0
    for row in rows:
        key, first, last = last_period(str(row["frequency"]), day)
        if row["last_period"] == key:
            continue
        try:
            sent += await _send_one(row, key, first, last)
        except FacilitiesError as error:  # the scope went away: skip, say why, try next time
            log.warning("subscription %s not sent: %s", row["id"], error.message)
    return sent


async def _send_one(row: dict[str, Any], key: str, first: date, last: date) -> int:
    principal = await account_queries.principal_for_link(int(row["user_id"]))
    if principal is None:  # the user is gone or deactivated
        return 0
    locale = str(row["locale"])
    with using_locale(locale):
        if row["report"] == ReportKind.budget.value:
            content, scope = await budget_pdf(principal, last, row["region"], row["site"])
        else:
            content, scope = await operations_pdf(
                principal, first, last, row["region"], row["site"]
            )
        title = _(REPORT_LABELS[ReportKind(row["report"])])
        subject = f"{title}: {scope} ({key})"
        base = get_settings().base_url
        body = _(
            "Hello %(name)s,\n\nattached is the %(report)s for %(scope)s, %(first)s to %(last)s."
            "\n\nThe figures as they stand now: %(url)s\nHow they are computed: %(help)s\n"
        ) % {
            "name": principal.name,
            "report": title,
            "scope": scope,
            "first": first.isoformat(),
            "last": last.isoformat(),
            "url": f"{base}/reporting",
            "help": f"{base}/help/kpis",
        }
    stored = uploads.store_document(content, field="report")
    filename = f"{row['report']}-{key}.pdf"
    async with db.transaction():
        queued = await outbox.queue(
            outbox.NewMessage(
                kind="email",
                event="report_subscription",
                recipient=principal.email,
                user_id=principal.user_id,
                locale=locale,
                site_id=row["site"],
                subject=subject,
                body_text=body,
                dedupe_key=f"report:{int(row['id'])}:{key}",
                attachment=(stored.key, filename, "application/pdf"),
            )
        )
        await db.raw(
            "UPDATE report_subscription SET last_period = {} WHERE id = {}", key, int(row["id"])
        )
    if queued is None:  # already queued by another run
        uploads.delete(stored.key)
        return 0
    return 1


async def run() -> int:
    return await send_due()
