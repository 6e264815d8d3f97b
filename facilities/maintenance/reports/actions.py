"""Writes of problem reports: create, "same problem" votes, triage. One transaction each, audited.

Accepting a report (``accept_report``) sets it to ``accepted`` and creates its work order in
the same transaction (``facilities.maintenance.workorders.actions.create_from_report``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio

from facilities.accounts import audit, cache
from facilities.accounts.principal import Principal
from facilities.db import raw, transaction
from facilities.kit import clock, uploads
from facilities.kit.errors import Conflict, NotFound, RuleViolation
from facilities.kit.i18n import _, current_locale
from facilities.kit.security import keyed_hash, new_token, token_hash
from facilities.maintenance import hooks
from facilities.maintenance.enums import ReportSource, ReportStatus
from facilities.maintenance.reports import queries
from facilities.maintenance.reports.queries import OPEN_STATUSES
from facilities.maintenance.reports.schemas import (
    MAX_REASON,
    MAX_TITLE,
    ProblemReportCreate,
    ProblemReportRead,
    VoteCreate,
    VoteRead,
)
from facilities.maintenance.tables import ProblemReport, ProblemReportPhoto, ProblemReportVote
from facilities.maintenance.workorders import actions as work_order_actions
from facilities.settings import get_settings
from facilities.sites import scope

TITLE_FROM_DESCRIPTION = 80


@dataclass(frozen=True, slots=True)
class NewReport:
    report: ProblemReportRead
    # The reporter's status link token; only its hash is stored, so a repeated submission
    # (same ``client_key``) gets the first report without it (None).
    token: str | None


def derive_title(description: str) -> str:
    """The first line of the description, shortened to a readable title."""
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    if len(first) <= TITLE_FROM_DESCRIPTION:
        return first
    cut = first[:TITLE_FROM_DESCRIPTION].rsplit(" ", 1)[0] or first[:TITLE_FROM_DESCRIPTION]
    return cut.rstrip(" ,.;:") + "…"


async def store_photo(data: bytes) -> uploads.StoredFile:
    """Re-encode and store an uploaded photo off the event loop (4xx naming ``photo``)."""
    return await anyio.to_thread.run_sync(partial(uploads.store_image, data, field="photo"))


async def _resolve_site(
    actor: Principal | None, data: ProblemReportCreate, *, scoped: bool
) -> tuple[int, int | None]:
    """(site id, asset id) of a new report, checked against the caller's scope."""
    asset_id = data.asset_id
    if asset_id is not None:
        site_id = await queries.asset_site(asset_id)
        if site_id is None:
            raise NotFound(_("This asset does not exist."))
        if data.site_id is not None and data.site_id != site_id:
            raise RuleViolation("asset_id", _("This asset is not at the chosen site."))
    elif data.site_id is not None:
        site_id = data.site_id
    else:
        raise RuleViolation("site_id", _("Choose a site or an asset."))
    if scoped:
        if actor is None:
            raise NotFound()
        await scope.require_site(actor, site_id)
    return site_id, asset_id


async def create_report(
    *,
    actor: Principal | None,
    data: ProblemReportCreate,
    source: ReportSource,
    photo: bytes | None = None,
    scoped: bool = True,
    client_key: str | None = None,
) -> NewReport:
    """A new report in the triage queue.

    ``scoped=False`` only for the public scan page, where the label decided the asset and
    the site's ``allow_anonymous_reports`` (or a sign-in) was checked by the caller.
    ``client_key`` (a browser's UUID for one submission, ``static/offline.js``): a repeat
    returns the first report and writes nothing (token None), also when two copies race
    (the unique index decides).
    """
    if client_key is not None:
        first = await _by_client_key(client_key)
        if first is not None:
            return first
    description = data.description.strip()
    if not description:
        raise RuleViolation("description", _("Please describe the problem."))
    site_id, asset_id = await _resolve_site(actor, data, scoped=scoped)
    title = (data.title.strip() or derive_title(description))[:MAX_TITLE]
    stored = await store_photo(photo) if photo else None
    token = new_token(24)
    now = clock.now()
    try:
        async with transaction():
            report = ProblemReport(
                site=site_id,
                asset=asset_id,
                category=data.category.value,
                title=title,
                description=description,
                urgency=data.urgency.value,
                status=ReportStatus.new.value,
                source=source.value,
                reporter_name=data.reporter_name.strip(),
                reporter_email=data.reporter_email.strip(),
                # The language of the page (or request) it came from: the reporter's e-mails.
                reporter_locale=current_locale(),
                client_key=client_key,
                reporter_user=actor.user_id if actor else None,
                status_token_hash=token_hash(token),
                same_count=0,
                created_at=now,
                updated_at=now,
            )
            await report.save()
            if stored is not None:
                await ProblemReportPhoto.insert(
                    ProblemReportPhoto(
                        report=report.id,
                        storage_key=stored.key,
                        content_type=stored.content_type,
                        size=stored.size,
                        created_at=now,
                    )
                ).run()
            await audit.record(
                actor=actor,
                action="problem_report.create",
                object_type="problem_report",
                object_id=report.id,
                summary=title if actor else f"{title} ({_('anonymous, via QR label')})",
                site_id=site_id,
                after={
                    "asset_id": asset_id,
                    "category": data.category,
                    "urgency": data.urgency,
                    "source": source,
                    "photo": stored is not None,
                },
            )
            await hooks.report_changed(
                hooks.ReportChange(report_id=int(report.id), action="received", site_id=site_id)
            )
    except BaseException as error:
        if stored is not None:
            uploads.delete(stored.key)
        if client_key is not None and isinstance(error, Exception):
            # A copy sent at the same moment won the unique index: that one is the report.
            first = await _by_client_key(client_key)
            if first is not None:
                return first
        raise
    return NewReport(report=await queries.report_by_id(report.id), token=token)


async def _by_client_key(client_key: str) -> NewReport | None:
    row = (
        await ProblemReport.select(ProblemReport.id)
        .where(ProblemReport.client_key == client_key)
        .first()
    )
    if row is None:
        return None
    return NewReport(report=await queries.report_by_id(row["id"]), token=None)


async def add_photo(*, actor: Principal, report_id: int, photo: bytes) -> ProblemReportRead:
    """Attach a photo to an open report in the caller's scope (API)."""
    report = await queries.get_report(actor, report_id)
    if report.status.value not in OPEN_STATUSES:
        raise Conflict(_("This report is closed."))
    if len(report.photo_ids) >= 5:
        raise RuleViolation("photo", _("A report holds at most five photos."))
    stored = await store_photo(photo)
    try:
        async with transaction():
            await ProblemReportPhoto.insert(
                ProblemReportPhoto(
                    report=report_id,
                    storage_key=stored.key,
                    content_type=stored.content_type,
                    size=stored.size,
                    created_at=clock.now(),
                )
            ).run()
            await audit.record(
                actor=actor,
                action="problem_report.add_photo",
                object_type="problem_report",
                object_id=report_id,
                summary=report.title,
                site_id=report.site_id,
            )
    except BaseException:
        uploads.delete(stored.key)
        raise
    return await queries.report_by_id(report_id)


# ---- "same problem" ------------------------------------------------------------------


def reporter_key(actor: Principal | None, browser: str | None) -> str | None:
    """Who presses "same problem", as stored: a keyed hash of the signed-in user, else of
    the reporter's browser cookie (never the cookie itself); None when neither is known."""
    secret = get_settings().resolved_secret_key()
    if actor is not None and actor.user_id is not None:
        return keyed_hash(secret, f"user:{actor.user_id}")
    if browser:
        return keyed_hash(secret, f"browser:{browser}")
    return None


async def _vote(
    *,
    actor: Principal | None,
    report_id: int,
    site_id: int,
    title: str,
    data: VoteCreate,
    reporter: str | None,
) -> VoteRead:
    """+1 once per (report, reporter): a second press returns the first vote, uncounted
    (the unique index on ``(report, reporter_key)`` decides, also under a double tap)."""
    now = clock.now()
    comment = data.comment.strip()
    user_id = actor.user_id if actor else None
    async with transaction():
        inserted = await raw(
            'INSERT INTO problem_report_vote (report, comment, "user", reporter_key, created_at)'
            " VALUES ({}, {}, {}, {}, {})"
            " ON CONFLICT (report, reporter_key) DO NOTHING RETURNING id",
            report_id,
            comment,
            user_id,
            reporter,
            now,
        )
        if not inserted:
            row = (
                await ProblemReportVote.select()
                .where(
                    (ProblemReportVote.report == report_id)
                    & (ProblemReportVote.reporter_key == reporter)
                )
                .first()
            )
            assert row is not None
            return VoteRead(
                id=row["id"],
                report_id=report_id,
                comment=row["comment"],
                user_id=row["user"],
                created_at=row["created_at"],
                counted=False,
            )
        await ProblemReport.update(
            {ProblemReport.same_count: ProblemReport.same_count + 1, ProblemReport.updated_at: now}
        ).where(ProblemReport.id == report_id)
        await audit.record(
            actor=actor,
            action="problem_report.same",
            object_type="problem_report",
            object_id=report_id,
            summary=title,
            site_id=site_id,
            after={"comment": bool(comment)},
        )
    return VoteRead(
        id=inserted[0]["id"],
        report_id=report_id,
        comment=comment,
        user_id=user_id,
        created_at=now,
    )


async def add_vote_on_asset(
    *,
    actor: Principal | None,
    asset_id: int,
    report_id: int,
    data: VoteCreate,
    browser: str | None = None,
) -> VoteRead:
    """+1 from the scan page: the report must be open and on the scanned asset. ``browser``
    is the reporter's cookie; with neither cookie nor account the vote counts every time."""
    row = await queries.open_report_of_asset(asset_id, report_id)
    if row is None:
        raise NotFound(_("This report is not open on this asset."))
    report = await queries.report_by_id(report_id)
    return await _vote(
        actor=actor,
        report_id=report_id,
        site_id=row["site"],
        title=report.title,
        data=data,
        reporter=reporter_key(actor, browser),
    )


async def add_vote(*, actor: Principal, report_id: int, data: VoteCreate) -> VoteRead:
    """+1 by a signed-in user on a report in their scope (API); once per user."""
    report = await queries.get_report(actor, report_id)
    if report.status.value not in OPEN_STATUSES:
        raise Conflict(_("This report is closed; report the problem again if it is back."))
    return await _vote(
        actor=actor,
        report_id=report_id,
        site_id=report.site_id,
        title=report.title,
        data=data,
        reporter=reporter_key(actor, None),
    )


# ---- triage ---------------------------------------------------------------------------


async def _untriaged(actor: Principal, report_id: int) -> ProblemReportRead:
    report = await queries.get_report(actor, report_id)
    if report.status is not ReportStatus.new:
        raise Conflict(_("This report has already been triaged."), field="status")
    return report


async def _triage(report_id: int, values: dict[Any, Any]) -> None:
    """Move a report out of ``new``; exactly one of two concurrent triagers wins."""
    changed = (
        await ProblemReport.update(values)
        .where((ProblemReport.id == report_id) & (ProblemReport.status == ReportStatus.new.value))
        .returning(ProblemReport.id)
    )
    if not changed:
        raise Conflict(_("This report has already been triaged."), field="status")


async def accept_report(*, actor: Principal, report_id: int) -> ProblemReportRead:
    """Accept a report from the triage queue: it becomes a work order in this transaction
    (title, description, site, asset, urgency as priority, photos, reporter via the link)."""
    now = clock.now()
    async with transaction():
        report = await _untriaged(actor, report_id)
        await _triage(
            report_id,
            {
                ProblemReport.status: ReportStatus.accepted.value,
                ProblemReport.triaged_by: actor.user_id,
                ProblemReport.triaged_at: now,
                ProblemReport.updated_at: now,
            },
        )
        await audit.record(
            actor=actor,
            action="problem_report.accept",
            object_type="problem_report",
            object_id=report_id,
            summary=report.title,
            site_id=report.site_id,
            before={"status": report.status},
            after={"status": ReportStatus.accepted},
        )
        order_id = await work_order_actions.create_from_report(actor=actor, report=report)
        await hooks.report_changed(
            hooks.ReportChange(
                report_id=report_id,
                action="accepted",
                site_id=report.site_id,
                work_order_id=order_id,
            )
        )
    cache.clear()  # after the commit: a routed order widens its partner's visible sites
    return await queries.report_by_id(report_id)


async def merge_report(*, actor: Principal, report_id: int, into_id: int) -> ProblemReportRead:
    """Mark a report as a duplicate of another open report of the same site.

    Its votes move over; the target's +1 count grows by the duplicate's count plus one (the
    duplicate itself is one more person with the same problem). Reports merged earlier into
    the duplicate now point at the target.
    """
    now = clock.now()
    async with transaction():
        report = await _untriaged(actor, report_id)
        try:
            target = await queries.report_by_id(into_id) if into_id != report_id else None
        except NotFound:
            target = None
        if (
            target is None
            or target.site_id != report.site_id
            or target.status.value not in OPEN_STATUSES
        ):
            raise RuleViolation("into_id", _("Choose another open report of the same site."))
        await _triage(
            report_id,
            {
                ProblemReport.status: ReportStatus.merged.value,
                ProblemReport.merged_into: into_id,
                ProblemReport.same_count: 0,
                ProblemReport.triaged_by: actor.user_id,
                ProblemReport.triaged_at: now,
                ProblemReport.updated_at: now,
            },
        )
        await ProblemReportVote.update({ProblemReportVote.report: into_id}).where(
            ProblemReportVote.report == report_id
        )
        await ProblemReport.update(
            {
                ProblemReport.same_count: ProblemReport.same_count + (report.same_count + 1),
                ProblemReport.updated_at: now,
            }
        ).where(ProblemReport.id == into_id)
        await ProblemReport.update({ProblemReport.merged_into: into_id}).where(
            ProblemReport.merged_into == report_id
        )
        await audit.record(
            actor=actor,
            action="problem_report.merge",
            object_type="problem_report",
            object_id=report_id,
            summary=f"{report.title} → #{into_id} {target.title}",
            site_id=report.site_id,
            before={"status": report.status, "merged_into": None},
            after={"status": ReportStatus.merged, "merged_into": into_id},
        )
        await hooks.report_changed(
            hooks.ReportChange(report_id=report_id, action="merged", site_id=report.site_id)
        )
    return await queries.report_by_id(report_id)


async def reject_report(*, actor: Principal, report_id: int, reason: str) -> ProblemReportRead:
    reason = reason.strip()
    if not reason:
        raise RuleViolation("reason", _("Give a reason; the reporter sees it."))
    if len(reason) > MAX_REASON:
        raise RuleViolation("reason", _("At most 500 characters."))
    now = clock.now()
    async with transaction():
        report = await _untriaged(actor, report_id)
        await _triage(
            report_id,
            {
                ProblemReport.status: ReportStatus.rejected.value,
                ProblemReport.rejection_reason: reason,
                ProblemReport.triaged_by: actor.user_id,
                ProblemReport.triaged_at: now,
                ProblemReport.updated_at: now,
            },
        )
        await audit.record(
            actor=actor,
            action="problem_report.reject",
            object_type="problem_report",
            object_id=report_id,
            summary=f"{report.title}: {reason}",
            site_id=report.site_id,
            before={"status": report.status},
            after={"status": ReportStatus.rejected, "rejection_reason": reason},
        )
        await hooks.report_changed(
            hooks.ReportChange(report_id=report_id, action="rejected", site_id=report.site_id)
        )
    return await queries.report_by_id(report_id)
