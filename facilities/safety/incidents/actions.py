"""Writes of incidents: report (signed in or at a QR label), investigate, photos, and
corrective actions as work orders (only through ``workorders.creation.create_work_orders``)."""

from __future__ import annotations

from datetime import UTC, timedelta
from functools import partial
from typing import Any

import anyio
import msgspec

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation
from facilities.assets.tables import Asset
from facilities.db import transaction
from facilities.kit import clock, uploads
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _, in_installation_language
from facilities.maintenance.workorders.creation import NewWorkOrder, create_work_orders
from facilities.maintenance.workorders.schemas import Origin, WorkOrderCreate
from facilities.safety.incidents import queries, rules
from facilities.safety.incidents.enums import IncidentKind, IncidentStatus, Severity, Source
from facilities.safety.incidents.schemas import (
    ActionCreate,
    HazardCreate,
    IncidentCreate,
    IncidentRead,
    IncidentUpdate,
)
from facilities.safety.incidents.tables import Incident, IncidentAction, IncidentPhoto
from facilities.sites import scope
from facilities.sites.tables import Site, Space

MAX_PHOTOS = 5
FUTURE_TOLERANCE = timedelta(minutes=5)  # a phone's clock may run a little ahead


async def store_photos(photos: list[bytes]) -> list[uploads.StoredFile]:
    """Re-encode and store photos off the event loop (the upload checks; 4xx naming
    ``photo``) before the transaction starts."""
    if len(photos) > MAX_PHOTOS:
        raise RuleViolation("photo", _("At most five photos per incident."))
    return [
        await anyio.to_thread.run_sync(partial(uploads.store_image, data, field="photo"))
        for data in photos
    ]


async def _check_place(site_id: int, space_id: int | None, asset_id: int | None) -> None:
    if space_id is not None:
        space = await Space.select(Space.site).where(Space.id == space_id).first()
        if space is None or space["site"] != site_id:
            raise RuleViolation("space_id", _("Choose a space of the incident's site."))
    if asset_id is not None:
        asset = await Asset.select(Asset.site).where(Asset.id == asset_id).first()
        if asset is None or asset["site"] != site_id:
            raise RuleViolation("asset_id", _("Choose an asset of the incident's site."))


async def _time_zone(site_id: int) -> str:
    row = await Site.select(Site.time_zone).where(Site.id == site_id).first()
    return row["time_zone"] if row else "UTC"


def _check_injury(kind: str, injury: bool, injury_kind: Any, days_off: int | None) -> None:
    if kind == IncidentKind.near_miss.value and injury:
        raise RuleViolation(
            "injury", _("A near miss hurt nobody: report it as an incident if someone was hurt.")
        )
    if injury and injury_kind is None:
        raise RuleViolation("injury_kind", _("Choose the kind of injury."))
    if not injury and days_off:
        raise RuleViolation("days_off", _("Days off work only go with an injury."))


async def _insert(
    *,
    actor: Principal | None,
    values: dict[str, Any],
    photos: list[uploads.StoredFile],
) -> int:
    now = clock.now()
    reportable = rules.is_reportable(
        kind=values["kind"], injury=values["injury"], days_off=values["days_off"]
    )
    deadline = rules.insurer_deadline(now, await _time_zone(values["site"])) if reportable else None
    row = Incident(
        **values,
        reportable=reportable,
        insurer_deadline=deadline,
        status=IncidentStatus.reported.value,
        reported_by=actor.user_id if actor else None,
        version=1,
        created_at=now,
        updated_at=now,
    )
    await row.save()
    for stored in photos:
        await IncidentPhoto(
            incident=row.id,
            file_key=stored.key,
            content_type=stored.content_type,
            size=stored.size,
            created_at=now,
        ).save()
    await audit.record(
        actor=actor,
        action="incident.report",
        object_type="incident",
        object_id=row.id,
        summary=f"{values['kind']}: {values['title']}",
        site_id=values["site"],
        after={"severity": values["severity"], "reportable": reportable},
    )
    return int(row.id)


async def report_incident(
    *, actor: Principal, data: IncidentCreate, photos: list[bytes] | None = None
) -> IncidentRead:
    """Anyone signed in reports an incident or near miss at a site they see."""
    stored = await store_photos(photos or [])
    async with transaction():
        if not await scope.can_see_site(actor, data.site_id):
            raise RuleViolation("site_id", _("Unknown site: %(id)s.") % {"id": data.site_id})
        await _check_place(data.site_id, data.space_id, data.asset_id)
        _check_injury(data.kind.value, data.injury, data.injury_kind, data.days_off)
        if data.occurred_at > clock.now() + FUTURE_TOLERANCE:
            raise RuleViolation("occurred_at", _("The time lies in the future."))
        incident_id = await _insert(
            actor=actor,
            values={
                "kind": data.kind.value,
                "site": data.site_id,
                "space": data.space_id,
                "asset": data.asset_id,
                # UTC: SQLite compares the stored text (the list's order and its cursor)
                "occurred_at": data.occurred_at.astimezone(UTC),
                "title": data.title.strip(),
                "description": data.description.strip(),
                "people_involved": data.people_involved.strip(),
                "injury": data.injury,
                "injury_kind": data.injury_kind.value if data.injury_kind else "",
                "days_off": data.days_off,
                "severity": data.severity.value,
                "confidential": data.confidential,
                "source": Source.app.value,
                "reporter_email": "",
            },
            photos=stored,
        )
        return await queries.get_incident(actor, incident_id)


async def report_hazard(
    *,
    actor: Principal | None,
    asset_id: int,
    site_id: int,
    data: HazardCreate,
    photos: list[bytes] | None = None,
) -> int:
    """A safety hazard seen at an asset's QR label: a near miss, anonymous or with an
    e-mail (the caller has resolved the label and applied the rate limit)."""
    stored = await store_photos(photos or [])
    async with transaction():
        return await _insert(
            actor=actor,
            values={
                "kind": IncidentKind.near_miss.value,
                "site": site_id,
                "space": None,
                "asset": asset_id,
                "occurred_at": clock.now(),
                "title": data.title.strip(),
                "description": data.description.strip(),
                "people_involved": "",
                "injury": False,
                "injury_kind": "",
                "days_off": None,
                "severity": Severity.medium.value,
                "confidential": False,
                "source": Source.qr.value,
                "reporter_email": data.email.strip().lower(),
            },
            photos=stored,
        )


_COLUMNS = {
    "status": Incident.status,
    "severity": Incident.severity,
    "root_cause": Incident.root_cause,
    "findings": Incident.findings,
    "injury": Incident.injury,
    "injury_kind": Incident.injury_kind,
    "days_off": Incident.days_off,
    "confidential": Incident.confidential,
    "insurer_notified_at": Incident.insurer_notified_at,
}


async def investigate(*, actor: Principal, incident_id: int, data: IncidentUpdate) -> IncidentRead:
    """Root cause, findings, status, injury facts (409 when ``version`` is stale; closing
    needs a root cause)."""
    async with transaction():
        before = await queries.incident_row(actor, incident_id)
        changes = {
            k: v
            for k, v in msgspec.structs.asdict(data).items()
            if v is not msgspec.UNSET and k != "version"
        }
        merged = {**before, **changes}
        injury_kind = merged.get("injury_kind") or None
        _check_injury(before["kind"], merged["injury"], injury_kind, merged["days_off"])
        root_cause = str(merged.get("root_cause") or "").strip()
        closing = merged["status"] == IncidentStatus.closed.value
        if closing and not root_cause:
            raise RuleViolation("root_cause", _("Write down the root cause before closing."))
        now = clock.now()
        columns: dict[Any, Any] = {Incident.updated_at: now, Incident.version: data.version + 1}
        for key, value in changes.items():
            if hasattr(value, "value"):
                value = value.value
            if isinstance(value, str):
                value = value.strip()
            if key == "injury_kind" and value is None:
                value = ""
            columns[_COLUMNS[key]] = value
        reportable = rules.is_reportable(
            kind=before["kind"], injury=merged["injury"], days_off=merged["days_off"]
        )
        columns[Incident.reportable] = reportable
        if reportable and before["insurer_deadline"] is None:
            columns[Incident.insurer_deadline] = rules.insurer_deadline(now, before["time_zone"])
        if not reportable:
            columns[Incident.insurer_deadline] = None
        if "status" in changes:
            columns[Incident.closed_at] = now if closing else None
        updated = (
            await Incident.update(columns)
            .where((Incident.id == incident_id) & (Incident.version == data.version))
            .returning(Incident.id)
        )
        if not updated:
            raise Conflict(
                _("Someone else changed this incident meanwhile. Reload it and try again."),
                field="version",
            )
        await audit.record(
            actor=actor,
            action="incident.investigate",
            object_type="incident",
            object_id=incident_id,
            summary=", ".join(sorted(changes)),
            site_id=before["site"],
            before={k: before.get(k) for k in changes},
            after={k: (v.value if hasattr(v, "value") else v) for k, v in changes.items()},
        )
        return await queries.get_incident(actor, incident_id)


async def add_photos(*, actor: Principal, incident_id: int, photos: list[bytes]) -> IncidentRead:
    await queries.incident_row(actor, incident_id)
    stored = await store_photos(photos)
    async with transaction():
        row = await queries.incident_row(actor, incident_id)
        count = await IncidentPhoto.count().where(IncidentPhoto.incident == incident_id)
        if count + len(stored) > MAX_PHOTOS:
            raise RuleViolation("photo", _("At most five photos per incident."))
        for item in stored:
            await IncidentPhoto(
                incident=incident_id,
                file_key=item.key,
                content_type=item.content_type,
                size=item.size,
                created_at=clock.now(),
            ).save()
        await audit.record(
            actor=actor,
            action="incident.photo",
            object_type="incident",
            object_id=incident_id,
            site_id=row["site"],
        )
        return await queries.get_incident(actor, incident_id)


async def add_corrective_action(
    *, actor: Principal, incident_id: int, data: ActionCreate
) -> IncidentRead:
    """A corrective work order at the incident's site and asset, created through the one
    work-order write path (trade, routing, SLA, audit, notifications); the incident moves to
    "corrective actions open"."""
    async with transaction():
        row = await queries.incident_row(actor, incident_id)
        if row["status"] == IncidentStatus.closed.value:
            raise Conflict(_("The incident is closed."), field="status")
        partner = data.partner_organisation_id
        if partner is not None and not await PartnerOrganisation.exists().where(
            PartnerOrganisation.id == partner
        ):
            raise RuleViolation("partner_organisation_id", _("Unknown partner."))
        order = WorkOrderCreate(
            title=data.title,
            site_id=row["site"],
            space_id=row["space"],
            asset_id=row["asset"],
            description=data.description,
            priority=data.priority,
            due_at=data.due_at,
            partner_organisation_id=data.partner_organisation_id,
        )
        with in_installation_language():  # stored words (kit.i18n)
            note = _("Corrective action of incident #%(id)d") % {"id": incident_id}
        [created] = await create_work_orders(
            actor=actor,
            orders=[
                NewWorkOrder(
                    data=order,
                    origin=Origin.safety,
                    note=note,
                    audit_extra={"incident_id": incident_id},
                )
            ],
        )
        await IncidentAction(
            incident=incident_id,
            work_order=created.id,
            created_by=actor.user_id,
            created_at=clock.now(),
        ).save()
        columns: dict[Any, Any] = {Incident.updated_at: clock.now()}
        if row["status"] in (IncidentStatus.reported.value, IncidentStatus.investigating.value):
            columns[Incident.status] = IncidentStatus.actions_open.value
            columns[Incident.version] = row["version"] + 1
        await Incident.update(columns).where(Incident.id == incident_id)
        await audit.record(
            actor=actor,
            action="incident.corrective_action",
            object_type="incident",
            object_id=incident_id,
            summary=f"#{created.id} {data.title}",
            site_id=row["site"],
            after={"work_order_id": created.id},
        )
        return await queries.get_incident(actor, incident_id)
