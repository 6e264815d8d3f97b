"""Writes of facility services: contracts (with the overlap warning), documents, visit
plans and visit sign-off. Each in one transaction, with an audit event."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import anyio.to_thread
import msgspec

from facilities.accounts import audit
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation
from facilities.db import transaction
from facilities.kit import clock, recurrence, uploads
from facilities.kit.errors import Conflict, PermissionDenied, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import aware
from facilities.services import queries
from facilities.services.enums import ContractStatus, VisitStatus
from facilities.services.rules import derived_status
from facilities.services.schemas import (
    ContractCreate,
    ContractRead,
    ContractSummary,
    ContractUpdate,
    DocumentRead,
    VisitPlanCreate,
    VisitPlanRead,
    VisitPlanUpdate,
    VisitRead,
    VisitSignOff,
)
from facilities.services.tables import (
    ServiceContract,
    ServiceContractDocument,
    ServiceContractSite,
    ServiceVisit,
    VisitPlan,
    VisitPlanSite,
)
from facilities.sites import scope
from facilities.sites.tables import Site


class OverlapWarning(Conflict):
    """Another active contract covers a site and trade of this one in the same period: the
    caller must confirm (``confirm_overlap``). The API answers 409 listing them."""

    def __init__(self, overlaps: list[ContractSummary]) -> None:
        names = ", ".join(f"{o.name} ({o.provider_name})" for o in overlaps)
        super().__init__(
            _(
                "Another active contract already covers a site and trade of this one in the"
                " same period: %(names)s. Confirm to save anyway."
            )
            % {"names": names},
            field="confirm_overlap",
        )
        self.overlaps = overlaps


# ---- contracts ------------------------------------------------------------------------


async def _check_sites(actor: Principal, site_ids: list[int]) -> list[int]:
    wanted = sorted(set(site_ids))
    if not wanted:
        return []
    found = {
        r["id"]
        for r in await Site.select(Site.id).where(Site.id.is_in(wanted) & Site.archived.eq(False))
    }
    visible = await scope.visible_site_ids(actor)
    for site_id in wanted:
        if site_id not in found or (visible is not None and site_id not in visible):
            raise RuleViolation("site_ids", _("Unknown site: %(id)s.") % {"id": site_id})
    return wanted


async def _check_provider(provider_id: int) -> str:
    row = (
        await PartnerOrganisation.select(PartnerOrganisation.name)
        .where(PartnerOrganisation.id == provider_id)
        .first()
    )
    if row is None:
        raise RuleViolation("provider_id", _("Unknown partner organisation."))
    return str(row["name"])


MAX_MONEY = Decimal("1000000000000")


def _check_dates(values: dict[str, Any]) -> None:
    if values["end_date"] < values["start_date"]:
        raise RuleViolation("end_date", _("The contract cannot end before it starts."))
    for key in ("price", "budget_per_year"):
        value = values.get(key)
        if value is None:
            continue
        if not value.is_finite() or value < 0 or value >= MAX_MONEY:
            raise RuleViolation(key, _("Give an amount of zero or more."))
        if value != value.quantize(Decimal("0.01")):
            raise RuleViolation(key, _("Give the amount with at most two decimals."))


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "provider": values["provider_id"],
        "name": values["name"].strip(),
        "reference": values.get("reference", "").strip(),
        "contract_type": str(values["contract_type"]),
        "trades": sorted({str(t) for t in values.get("trades") or []}),
        "scope": values.get("scope", ""),
        "start_date": values["start_date"],
        "end_date": values["end_date"],
        "notice_days": values["notice_days"],
        "auto_renew": values["auto_renew"],
        "renewal_term_months": values["renewal_term_months"],
        "price_model": str(values["price_model"]),
        "price": values.get("price"),
        "currency": values["currency"],
        "budget_per_year": values.get("budget_per_year"),
    }


def _status(requested: str, values: dict[str, Any]) -> str:
    return derived_status(
        requested, values["start_date"], values["end_date"], values["notice_days"], queries.today()
    ).value


async def _check_overlap(contract_id: int | None, values: dict[str, Any], confirm: bool) -> None:
    if confirm:
        return
    found = await queries.overlapping(
        contract_id=contract_id,
        contract_type=str(values["contract_type"]),
        trades=[str(t) for t in values.get("trades") or []],
        site_ids=values["site_ids"],
        start_date=values["start_date"],
        end_date=values["end_date"],
    )
    if found:
        raise OverlapWarning(found)


async def create_contract(*, actor: Principal, data: ContractCreate) -> ContractRead:
    values = msgspec.structs.asdict(data)
    _check_dates(values)
    async with transaction():
        await _check_provider(data.provider_id)
        values["site_ids"] = await _check_sites(actor, data.site_ids)
        requested = data.status.value
        if requested in (ContractStatus.expiring, ContractStatus.ended):
            requested = ContractStatus.active.value  # the dates decide these
        status = _status(requested, values)
        if status != ContractStatus.draft:
            await _check_overlap(None, values, data.confirm_overlap)
        now = clock.now()
        row = ServiceContract(
            **_columns(values),
            status=status,
            version=1,
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        await row.save()
        await _set_sites(row.id, values["site_ids"])
        await audit.record(
            actor=actor,
            action="contract.create",
            object_type="service_contract",
            object_id=row.id,
            summary=row.name,
            after={**_columns(values), "site_ids": values["site_ids"], "status": row.status},
        )
        return await queries.get_contract(actor, row.id)


async def _set_sites(contract_id: int, site_ids: list[int]) -> None:
    await ServiceContractSite.delete().where(ServiceContractSite.contract == contract_id)
    if site_ids:
        await ServiceContractSite.insert(
            *[ServiceContractSite(contract=contract_id, site=s) for s in site_ids]
        )


def _norm(value: Any) -> Any:
    return sorted(str(v) for v in value) if isinstance(value, list) else value


async def update_contract(
    *, actor: Principal, contract_id: int, data: ContractUpdate
) -> ContractRead:
    async with transaction():
        current = await queries.get_contract(actor, contract_id)
        if data.version != current.version:
            raise Conflict(
                _("Someone else changed this contract meanwhile; reload and try again."),
                field="version",
            )
        before = {
            "provider_id": current.provider_id,
            "name": current.name,
            "reference": current.reference,
            "contract_type": current.contract_type,
            "trades": current.trades,
            "site_ids": current.site_ids,
            "scope": current.scope,
            "start_date": current.start_date,
            "end_date": current.end_date,
            "notice_days": current.notice_days,
            "auto_renew": current.auto_renew,
            "renewal_term_months": current.renewal_term_months,
            "price_model": current.price_model,
            "price": current.price,
            "currency": current.currency,
            "budget_per_year": current.budget_per_year,
            "status": current.status,
        }
        values: dict[str, Any] = dict(before)
        for key, value in msgspec.structs.asdict(data).items():
            if key in ("version", "confirm_overlap") or value is msgspec.UNSET:
                continue
            values[key] = value
        _check_dates(values)
        if values["provider_id"] != current.provider_id:
            await _check_provider(values["provider_id"])
        if values["site_ids"] != current.site_ids:
            values["site_ids"] = await _check_sites(actor, values["site_ids"])
        requested = str(values["status"])
        if requested in (ContractStatus.expiring, ContractStatus.ended):
            requested = ContractStatus.active.value  # the dates decide these
        status = _status(requested, values)
        # Warn again only when coverage or period changed, or a draft is being activated.
        coverage = ("provider_id", "contract_type", "trades", "site_ids", "start_date", "end_date")
        changed_coverage = any(_norm(values[k]) != _norm(before[k]) for k in coverage)
        activated = current.status is ContractStatus.draft
        if status != ContractStatus.draft and (changed_coverage or activated):
            await _check_overlap(contract_id, values, data.confirm_overlap)
        columns: dict[Any, Any] = _columns(values)
        await ServiceContract.update(
            {
                **columns,
                ServiceContract.status: status,
                ServiceContract.version: current.version + 1,
                ServiceContract.updated_at: clock.now(),
            }
        ).where((ServiceContract.id == contract_id) & (ServiceContract.version == data.version))
        await _set_sites(contract_id, values["site_ids"])
        values["status"] = status
        old, new = audit.diff(before, values)
        await audit.record(
            actor=actor,
            action="contract.update",
            object_type="service_contract",
            object_id=contract_id,
            summary=str(values["name"]),
            before=old,
            after=new,
        )
        return await queries.get_contract(actor, contract_id)


async def set_contract_status(
    *, actor: Principal, contract_id: int, active: bool, confirm_overlap: bool = False
) -> ContractRead:
    """Activate a draft (the dates then decide active / expiring / ended) or put it back to
    draft (routing and visits stop)."""
    current = await queries.get_contract(actor, contract_id)
    data = ContractUpdate(
        version=current.version,
        status=ContractStatus.active if active else ContractStatus.draft,
        confirm_overlap=confirm_overlap,
    )
    return await update_contract(actor=actor, contract_id=contract_id, data=data)


# ---- documents ------------------------------------------------------------------------


def clean_filename(name: str | None, fallback: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '"<>|*?:;')
    return base.strip()[:200] or fallback


def _is_image(content: bytes) -> bool:
    return (
        content[:3] == b"\xff\xd8\xff"
        or content[:8] in (b"\x89PNG\r\n\x1a\n",)
        or (content[:4] == b"RIFF" and content[8:12] == b"WEBP")
    )


async def add_document(
    *, actor: Principal, contract_id: int, filename: str | None, content: bytes
) -> DocumentRead:
    """A PDF (checked by its first bytes) or a photo (re-encoded, metadata gone)."""
    await queries.contract_row(actor, contract_id)
    if _is_image(content):
        stored = await anyio.to_thread.run_sync(lambda: uploads.store_image(content, field="file"))
        suffix = ".png" if stored.content_type == "image/png" else ".jpg"
        name = clean_filename(filename, "image").rsplit(".", 1)[0] + suffix
    else:
        if not content.startswith(b"%PDF-"):
            raise RuleViolation("file", _("Upload a PDF or an image (JPEG, PNG, WebP)."))
        stored = uploads.store_document(content, field="file")
        name = clean_filename(filename, "document.pdf")
    try:
        async with transaction():
            await queries.contract_row(actor, contract_id)
            row = ServiceContractDocument(
                contract=contract_id,
                filename=name,
                content_type=stored.content_type,
                size=stored.size,
                storage_key=stored.key,
                uploaded_by=actor.user_id,
                created_at=clock.now(),
            )
            await row.save()
            await audit.record(
                actor=actor,
                action="contract.document_add",
                object_type="service_contract",
                object_id=contract_id,
                summary=name,
                after={"document_id": row.id, "filename": name},
            )
    except BaseException:
        uploads.delete(stored.key)
        raise
    meta, _key = await queries.get_document(actor, contract_id, row.id)
    return meta


async def delete_document(*, actor: Principal, contract_id: int, document_id: int) -> None:
    async with transaction():
        meta, key = await queries.get_document(actor, contract_id, document_id)
        await ServiceContractDocument.delete().where(ServiceContractDocument.id == document_id)
        await audit.record(
            actor=actor,
            action="contract.document_delete",
            object_type="service_contract",
            object_id=contract_id,
            summary=meta.filename,
            before={"document_id": document_id, "filename": meta.filename},
        )
    uploads.delete(key)


# ---- visit plans ----------------------------------------------------------------------


def _local(value: datetime) -> datetime:
    if value.tzinfo is not None:
        raise RuleViolation("dtstart_local", _("Give a local date and time without offset."))
    return value.replace(second=0, microsecond=0)


async def _zone(site_id: int) -> str:
    row = await Site.select(Site.time_zone).where(Site.id == site_id).first()
    return str(row["time_zone"]) if row else "UTC"


async def create_plan(
    *, actor: Principal, contract_id: int, data: VisitPlanCreate
) -> VisitPlanRead:
    async with transaction():
        contract = await queries.get_contract(actor, contract_id)
        start = _local(data.dtstart_local)
        site_ids = sorted(set(data.site_ids))
        for site_id in site_ids:
            if site_id not in contract.site_ids:
                raise RuleViolation(
                    "site_ids",
                    _("Site %(id)s is not covered by this contract.") % {"id": site_id},
                )
        covered = site_ids or contract.site_ids
        if not covered:
            raise RuleViolation("site_ids", _("The contract covers no site yet."))
        recurrence.parse(data.rrule, start, await _zone(covered[0]), field="rrule")
        now = clock.now()
        row = VisitPlan(
            contract=contract_id,
            name=data.name.strip(),
            rrule=data.rrule.strip().removeprefix("RRULE:"),
            dtstart_local=start.isoformat(timespec="seconds"),
            window_minutes=data.window_minutes,
            lead_days=data.lead_days,
            skip_closed_days=data.skip_closed_days,
            end_date=data.end_date,
            active=data.active,
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        await row.save()
        if site_ids:
            await VisitPlanSite.insert(*[VisitPlanSite(plan=row.id, site=s) for s in site_ids])
        await audit.record(
            actor=actor,
            action="visit_plan.create",
            object_type="service_visit_plan",
            object_id=row.id,
            summary=row.name,
            after={"contract_id": contract_id, "rrule": row.rrule, "site_ids": site_ids},
        )
        return await queries.get_plan(actor, row.id)


async def update_plan(*, actor: Principal, plan_id: int, data: VisitPlanUpdate) -> VisitPlanRead:
    """Name, window, lead, end and active; visits already generated stay (cancel them
    one by one); a deactivated plan generates nothing new."""
    async with transaction():
        current = await queries.get_plan(actor, plan_id)
        changes: dict[Any, Any] = {}
        for key, value in msgspec.structs.asdict(data).items():
            if value is not msgspec.UNSET:
                changes[key] = value
        if not changes:
            return current
        await VisitPlan.update({**changes, VisitPlan.updated_at: clock.now()}).where(
            VisitPlan.id == plan_id
        )
        await audit.record(
            actor=actor,
            action="visit_plan.update",
            object_type="service_visit_plan",
            object_id=plan_id,
            summary=current.name,
            after=changes,
        )
        return await queries.get_plan(actor, plan_id)


# ---- visits ---------------------------------------------------------------------------


async def sign_off(*, actor: Principal, visit_id: int, data: VisitSignOff) -> VisitRead:
    """The community manager (or ops) confirms a visit: done with a rating 1-5, or not done.
    A missed visit may still be signed off late; a signed-off or cancelled one may not."""
    if actor.role not in (Role.admin, Role.ops_manager, Role.community_manager):
        raise PermissionDenied()
    if data.done and data.rating is None:
        raise RuleViolation("rating", _("Rate the visit from 1 to 5."))
    if not data.done and not data.comment.strip():
        raise RuleViolation("comment", _("Say what was not done."))
    async with transaction():
        row = await queries.visit_row(actor, visit_id)
        if row["status"] not in (VisitStatus.scheduled, VisitStatus.missed):
            raise Conflict(_("This visit is already signed off."), field="status")
        now = clock.now()
        if aware(row["scheduled_for"]) > now:
            raise RuleViolation("done", _("This visit has not started yet."))
        status = VisitStatus.done if data.done else VisitStatus.not_done
        updated = (
            await ServiceVisit.update(
                {
                    ServiceVisit.status: status.value,
                    ServiceVisit.rating: data.rating if data.done else None,
                    ServiceVisit.comment: data.comment.strip(),
                    ServiceVisit.signed_off_by: actor.user_id,
                    ServiceVisit.signed_off_at: now,
                }
            )
            .where(
                (ServiceVisit.id == visit_id)
                & ServiceVisit.status.is_in([VisitStatus.scheduled.value, VisitStatus.missed.value])
            )
            .returning(ServiceVisit.id)
        )
        if not updated:
            raise Conflict(_("This visit is already signed off."), field="status")
        await audit.record(
            actor=actor,
            action="visit.sign_off",
            object_type="service_visit",
            object_id=visit_id,
            site_id=row["site"],
            summary=f"{row['plan.name']}: {status.value}",
            before={"status": row["status"]},
            after={"status": status.value, "rating": data.rating, "comment": data.comment},
        )
    return await queries.get_visit(actor, visit_id)


async def cancel_visit(*, actor: Principal, visit_id: int) -> VisitRead:
    async with transaction():
        row = await queries.visit_row(actor, visit_id)
        if row["status"] != VisitStatus.scheduled:
            raise Conflict(_("Only a scheduled visit can be cancelled."), field="status")
        await ServiceVisit.update({ServiceVisit.status: VisitStatus.cancelled.value}).where(
            ServiceVisit.id == visit_id
        )
        await audit.record(
            actor=actor,
            action="visit.cancel",
            object_type="service_visit",
            object_id=visit_id,
            site_id=row["site"],
            summary=row["plan.name"],
        )
    return await queries.get_visit(actor, visit_id)
