"""Reads of problem reports: scoped to the caller's sites, or public views without personal data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from litestar.params import FromQuery
from piccolo.columns.combination import WhereRaw
from piccolo.query import OrderByRaw

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.assets.tables import Asset
from facilities.kit.errors import NotFound
from facilities.kit.listing import QueryId, Search, like_pattern, rank_sql, search_text
from facilities.kit.rows import to_struct
from facilities.kit.schema import INT_MAX, Page
from facilities.kit.security import token_hash
from facilities.maintenance.enums import (
    ProblemCategory,
    ReportStatus,
    Urgency,
)
from facilities.maintenance.reports.schemas import (
    MergedTarget,
    ProblemReportRead,
    PublicReport,
    ReportStatusView,
    VoteRead,
)
from facilities.maintenance.tables import (
    ProblemReport,
    ProblemReportPhoto,
    ProblemReportVote,
    WorkOrder,
)
from facilities.sites import scope
from facilities.sites.tables import Site

OPEN_STATUSES = (ReportStatus.new.value, ReportStatus.accepted.value)

_COLUMNS = (
    ProblemReport.id,
    ProblemReport.site,
    ProblemReport.site.name.as_alias("site_name"),
    ProblemReport.asset,
    ProblemReport.asset.name.as_alias("asset_name"),
    ProblemReport.category,
    ProblemReport.title,
    ProblemReport.description,
    ProblemReport.urgency,
    ProblemReport.status,
    ProblemReport.source,
    ProblemReport.reporter_name,
    ProblemReport.reporter_email,
    ProblemReport.reporter_user,
    ProblemReport.same_count,
    ProblemReport.merged_into,
    ProblemReport.rejection_reason,
    ProblemReport.triaged_by,
    ProblemReport.triaged_at,
    ProblemReport.created_at,
    ProblemReport.updated_at,
)


_REPORT_KEYS = {
    "site_id": "site",
    "asset_id": "asset",
    "reporter_user_id": "reporter_user",
    "merged_into_id": "merged_into",
    "triaged_by_id": "triaged_by",
}


def _read(row: dict[str, Any], photo_ids: list[int] | None = None) -> ProblemReportRead:
    return to_struct(ProblemReportRead, row, _REPORT_KEYS, photo_ids=photo_ids or [])


async def _photo_ids(report_ids: list[int]) -> dict[int, list[int]]:
    if not report_ids:
        return {}
    rows = (
        await ProblemReportPhoto.select(ProblemReportPhoto.id, ProblemReportPhoto.report)
        .where(ProblemReportPhoto.report.is_in(report_ids))
        .order_by(ProblemReportPhoto.id)
    )
    result: dict[int, list[int]] = {}
    for r in rows:
        result.setdefault(r["report"], []).append(r["id"])
    return result


async def report_site_ids(principal: Principal) -> set[int] | None:
    """Sites whose reports the principal may see (None = all). Partners: none for now."""
    if principal.role is Role.partner:
        return set()
    return await scope.visible_site_ids(principal)


ReportSort = Literal["queue", "newest", "oldest", "urgency"]
_URGENCY_ORDER = rank_sql('"problem_report"."urgency"', ["urgent", "high", "normal", "low"])


@dataclass(frozen=True, slots=True)
class ReportFilters:
    """The problem-report list's filters, read by its API and its page (``kit.listing``).
    ``q``: the title, the description or the number ("#12"); ``sort``: queue (new reports
    oldest first, the others newest first), newest, oldest or urgency (most urgent first)."""

    status: FromQuery[ReportStatus | None] = None
    site_id: QueryId = None
    asset_id: QueryId = None
    category: FromQuery[ProblemCategory | None] = None
    urgency: FromQuery[Urgency | None] = None
    q: Search = None
    sort: FromQuery[ReportSort] = "queue"

    def arguments(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


async def list_reports(
    principal: Principal,
    *,
    status: ReportStatus | None = None,
    site_id: int | None = None,
    asset_id: int | None = None,
    category: ProblemCategory | None = None,
    urgency: Urgency | None = None,
    q: str | None = None,
    sort: ReportSort = "queue",
    limit: int = 50,
    offset: int = 0,
) -> Page[ProblemReportRead]:
    visible = await report_site_ids(principal)
    conditions: list[Any] = []
    if visible is not None:
        conditions.append(ProblemReport.site.is_in(list(visible) or [-1]))
    if status is not None:
        conditions.append(ProblemReport.status == status.value)
    if site_id is not None:
        conditions.append(ProblemReport.site == site_id)
    if asset_id is not None:
        conditions.append(ProblemReport.asset == asset_id)
    if category is not None:
        conditions.append(ProblemReport.category == category.value)
    if urgency is not None:
        conditions.append(ProblemReport.urgency == urgency.value)
    text = search_text(q)
    if text is not None:
        number = text.removeprefix("#")
        if text.startswith("#") and number.isdigit():
            conditions.append(ProblemReport.id == (int(number) if int(number) <= INT_MAX else -1))
        else:
            pattern = like_pattern(text)
            conditions.append(
                WhereRaw(
                    '(lower("problem_report"."title") LIKE {} ESCAPE \'\\\''
                    ' OR lower("problem_report"."description") LIKE {} ESCAPE \'\\\')',
                    pattern,
                    pattern,
                )
            )
    query = ProblemReport.select(*_COLUMNS)
    count = ProblemReport.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    oldest = sort == "oldest" or (sort == "queue" and status is ReportStatus.new)
    if sort == "urgency":
        query = query.order_by(OrderByRaw(_URGENCY_ORDER)).order_by(ProblemReport.created_at)
    else:
        query = query.order_by(ProblemReport.created_at, ascending=oldest)
    rows = await query.order_by(ProblemReport.id, ascending=oldest).limit(limit).offset(offset)
    total = await count if offset or len(rows) >= limit else offset + len(rows)
    photos = await _photo_ids([r["id"] for r in rows])
    return Page(
        items=[_read(r, photos.get(r["id"])) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


async def get_report(principal: Principal, report_id: int) -> ProblemReportRead:
    """A report in the caller's scope; anything else is 404."""
    row = await ProblemReport.select(*_COLUMNS).where(ProblemReport.id == report_id).first()
    if row is None:
        raise NotFound()
    visible = await report_site_ids(principal)
    if visible is not None and row["site"] not in visible:
        raise NotFound()
    return _read(row, (await _photo_ids([report_id])).get(report_id))


async def report_by_id(report_id: int) -> ProblemReportRead:
    """Unscoped read for actions that already checked the scope."""
    row = await ProblemReport.select(*_COLUMNS).where(ProblemReport.id == report_id).first()
    if row is None:
        raise NotFound()
    return _read(row, (await _photo_ids([report_id])).get(report_id))


async def list_votes(principal: Principal, report_id: int) -> list[VoteRead]:
    await get_report(principal, report_id)
    rows = (
        await ProblemReportVote.select(
            ProblemReportVote.id,
            ProblemReportVote.report,
            ProblemReportVote.comment,
            ProblemReportVote.user,
            ProblemReportVote.created_at,
        )
        .where(ProblemReportVote.report == report_id)
        .order_by(ProblemReportVote.created_at)
    )
    return [to_struct(VoteRead, r, {"report_id": "report", "user_id": "user"}) for r in rows]


async def report_photo(principal: Principal, report_id: int, photo_id: int) -> tuple[str, str]:
    """(storage key, content type) of a photo of a report in the caller's scope."""
    await get_report(principal, report_id)
    row = (
        await ProblemReportPhoto.select(
            ProblemReportPhoto.storage_key, ProblemReportPhoto.content_type
        )
        .where((ProblemReportPhoto.id == photo_id) & (ProblemReportPhoto.report == report_id))
        .first()
    )
    if row is None:
        raise NotFound()
    return row["storage_key"], row["content_type"]


async def merge_candidates(report: ProblemReportRead, limit: int = 50) -> list[ProblemReportRead]:
    """Other open reports of the same site (same asset first) to merge a duplicate into."""
    rows = (
        await ProblemReport.select(*_COLUMNS)
        .where(
            (ProblemReport.site == report.site_id)
            & (ProblemReport.id != report.id)
            & ProblemReport.status.is_in(list(OPEN_STATUSES))
        )
        .order_by(ProblemReport.created_at, ascending=False)
        .limit(limit)
    )
    reads = [_read(r) for r in rows]
    return sorted(reads, key=lambda r: r.asset_id != report.asset_id)


# ---- public views (no personal data) --------------------------------------------------


_OPEN_REPORTS_SQL = (
    "SELECT id, title, status, same_count, created_at FROM problem_report"
    " WHERE asset = {} AND status IN ({}, {}) ORDER BY created_at DESC LIMIT {}"
)


async def voted_report_ids(reporter_key: str | None, report_ids: list[int]) -> set[int]:
    """Which of these reports the reporter (``actions.reporter_key``) already +1'd."""
    if reporter_key is None or not report_ids:
        return set()
    marks = ", ".join("{}" for _ in report_ids)
    rows = await db.raw(
        f"SELECT report FROM problem_report_vote WHERE reporter_key = {{}} AND report IN ({marks})",  # noqa: S608 - placeholders only
        reporter_key,
        *report_ids,
    )
    return {int(r["report"]) for r in rows}


async def open_reports_for_asset(asset_id: int, limit: int = 20) -> list[PublicReport]:
    # Hand-written SQL: this runs on every public scan (Piccolo's query building cost more).
    rows = await db.raw(_OPEN_REPORTS_SQL, asset_id, *OPEN_STATUSES, limit)
    return [to_struct(PublicReport, r) for r in rows]


async def open_report_of_asset(asset_id: int, report_id: int) -> dict[str, Any] | None:
    """id, site, status of an open report on this asset (the "same problem" target)."""
    row: dict[str, Any] | None = (
        await ProblemReport.select(ProblemReport.id, ProblemReport.site, ProblemReport.status)
        .where(
            (ProblemReport.id == report_id)
            & (ProblemReport.asset == asset_id)
            & ProblemReport.status.is_in(list(OPEN_STATUSES))
        )
        .first()
    )
    return row


_PROGRESS = {
    "open": "planned",
    "assigned": "planned",
    "accepted": "on_the_way",
    "in_progress": "in_progress",
    "on_hold": "on_hold",
    "completed": "fixed",
    "verified": "fixed",
    "cancelled": "cancelled",
}


async def _work_progress(report_id: int) -> str | None:
    """How far the work order this report became has got (for the reporter's page)."""
    row = (
        await WorkOrder.select(WorkOrder.status)
        .where(WorkOrder.problem_report == report_id)
        .order_by(WorkOrder.id, ascending=False)
        .first()
    )
    return _PROGRESS.get(row["status"]) if row else None


async def status_by_token(token: str) -> ReportStatusView | None:
    row = (
        await ProblemReport.select(
            ProblemReport.id,
            ProblemReport.title,
            ProblemReport.category,
            ProblemReport.description,
            ProblemReport.status,
            ProblemReport.created_at,
            ProblemReport.triaged_at,
            ProblemReport.rejection_reason,
            ProblemReport.merged_into,
            ProblemReport.same_count,
            ProblemReport.asset.name.as_alias("asset_name"),
            ProblemReport.site.name.as_alias("site_name"),
        )
        .where(ProblemReport.status_token_hash == token_hash(token))
        .first()
    )
    if row is None:
        return None
    merged: MergedTarget | None = None
    target_id = row["merged_into"]
    seen: set[int] = set()
    while target_id is not None and target_id not in seen:  # follow a chain of merges
        seen.add(target_id)
        target = (
            await ProblemReport.select(
                ProblemReport.title, ProblemReport.status, ProblemReport.merged_into
            )
            .where(ProblemReport.id == target_id)
            .first()
        )
        if target is None:
            break
        merged = MergedTarget(title=target["title"], status=ReportStatus(target["status"]))
        target_id = target["merged_into"]
    return to_struct(
        ReportStatusView, row, work_progress=await _work_progress(row["id"]), merged_into=merged
    )


# ---- choosing where to report (web UI) -----------------------------------------------


async def reportable_sites(principal: Principal) -> list[dict[str, Any]]:
    visible = await report_site_ids(principal)
    query = Site.select(Site.id, Site.name, Site.code).where(Site.archived == False)  # noqa: E712
    if visible is not None:
        query = query.where(Site.id.is_in(list(visible) or [-1]))
    return list(await query.order_by(Site.name))


async def reportable_assets(principal: Principal, site_id: int) -> list[dict[str, Any]]:
    await scope.require_site(principal, site_id)
    rows = (
        await Asset.select(Asset.id, Asset.name)
        .where((Asset.site == site_id) & (Asset.status != "retired"))
        .order_by(Asset.name)
    )
    return list(rows)


async def asset_site(asset_id: int) -> int | None:
    row = await Asset.select(Asset.site).where(Asset.id == asset_id).first()
    return row["site"] if row else None
