"""Reads of facility services, scoped.

Who sees which contract: admins and ops managers every contract; a partner only the
contracts its organisation provides; community managers and viewers the contracts covering
at least one of their sites (``facilities.sites.scope``). Visits follow their contract, and
community managers and viewers see only the visits at their own sites. Anything else is 404.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from litestar.params import FromQuery

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation, User
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.listing import QueryId, Search, search_text
from facilities.kit.rows import (
    aware,
    decimal_or_none,
    json_list,
    to_date,
    to_date_or_none,
    to_struct,
)
from facilities.kit.schema import Page
from facilities.services.enums import (
    ContractStatus,
    ContractType,
    VisitStatus,
    covered_trades,
)
from facilities.services.rules import derived_status, notice_deadline
from facilities.services.schemas import (
    ContractRead,
    ContractSummary,
    DocumentRead,
    VisitPlanRead,
    VisitRead,
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


def today() -> date:
    return clock.now().astimezone(UTC).date()


async def contract_sites(contract_ids: list[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = defaultdict(list)
    if not contract_ids:
        return result
    rows = await ServiceContractSite.select(
        ServiceContractSite.contract, ServiceContractSite.site
    ).where(ServiceContractSite.contract.is_in(contract_ids))
    for row in rows:
        result[row["contract"]].append(row["site"])
    for sites in result.values():
        sites.sort()
    return result


def to_read(row: dict[str, Any], site_ids: list[int]) -> ContractRead:
    trades = [str(t) for t in json_list(row["trades"])]
    start, end = to_date(row["start_date"]), to_date(row["end_date"])
    return to_struct(
        ContractRead,
        row,
        {"provider_id": "provider", "provider_name": "provider.name"},
        reference=row["reference"] or "",
        trades=trades,
        covered_trades=sorted(covered_trades(row["contract_type"], trades)),
        site_ids=site_ids,
        scope=row["scope"] or "",
        start_date=start,
        end_date=end,
        notice_deadline=notice_deadline(end, row["notice_days"]),
        price=decimal_or_none(row["price"]),
        budget_per_year=decimal_or_none(row["budget_per_year"]),
        status=derived_status(row["status"], start, end, row["notice_days"], today()),
        created_at=aware(row["created_at"]),
        updated_at=aware(row["updated_at"]),
    )


def _select() -> Any:
    return ServiceContract.select(
        *ServiceContract.all_columns(), ServiceContract.provider.name.as_alias("provider.name")
    )


async def _may_see(principal: Principal, row: dict[str, Any], site_ids: list[int]) -> bool:
    if principal.role in (Role.admin, Role.ops_manager):
        return True
    if principal.role is Role.partner:
        return (
            principal.partner_organisation_id is not None
            and row["provider"] == principal.partner_organisation_id
        )
    visible = await scope.visible_site_ids(principal)
    return visible is None or bool(set(site_ids) & visible)


async def contract_row(principal: Principal, contract_id: int) -> tuple[dict[str, Any], list[int]]:
    row = await _select().where(ServiceContract.id == contract_id).first()
    if row is None:
        raise NotFound()
    site_ids = (await contract_sites([contract_id])).get(contract_id, [])
    if not await _may_see(principal, row, site_ids):
        raise NotFound()
    return row, site_ids


async def get_contract(principal: Principal, contract_id: int) -> ContractRead:
    row, site_ids = await contract_row(principal, contract_id)
    return to_read(row, site_ids)


ContractSort = Literal["name", "ending", "newest", "provider"]


@dataclass(frozen=True, slots=True)
class ContractFilters:
    """The contract list's filters, read by its API and its page (``kit.listing``).
    ``q``: the name or reference; ``sort``: name, ending (end date soonest first),
    newest, provider."""

    q: Search = None
    status: FromQuery[ContractStatus | None] = None
    contract_type: FromQuery[ContractType | None] = None
    provider_id: QueryId = None
    site_id: QueryId = None
    sort: FromQuery[ContractSort] = "name"

    def arguments(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


_CONTRACT_SORTS: dict[str, Any] = {
    "name": lambda c: (c.name.casefold(), c.id),
    "ending": lambda c: (c.end_date, c.name.casefold(), c.id),
    "newest": lambda c: (-c.created_at.timestamp(), -c.id),
    "provider": lambda c: (c.provider_name.casefold(), c.name.casefold(), c.id),
}


async def list_contracts(
    principal: Principal,
    *,
    status: ContractStatus | None = None,
    contract_type: ContractType | None = None,
    provider_id: int | None = None,
    site_id: int | None = None,
    q: str | None = None,
    sort: ContractSort = "name",
    limit: int | None = None,
    offset: int = 0,
) -> Page[ContractRead]:
    """The contracts the caller may see, filtered, sorted and cut to one page. The scope
    and the status are decided per contract (the status is derived from the dates), so the
    page is cut after them (contracts number in the hundreds)."""
    query = _select().order_by(ServiceContract.name).order_by(ServiceContract.id)
    if contract_type is not None:
        query = query.where(ServiceContract.contract_type == contract_type.value)
    if provider_id is not None:
        query = query.where(ServiceContract.provider == provider_id)
    if principal.role is Role.partner:
        query = query.where(ServiceContract.provider == (principal.partner_organisation_id or -1))
    rows = await query
    text = search_text(q)
    if text:  # case-insensitive on both engines (SQLite has no ILIKE)
        needle = text.casefold()
        rows = [
            r
            for r in rows
            if needle in r["name"].casefold() or needle in (r["reference"] or "").casefold()
        ]
    sites = await contract_sites([r["id"] for r in rows])
    result = []
    for row in rows:
        site_ids = sites.get(row["id"], [])
        if site_id is not None and site_id not in site_ids:
            continue
        if not await _may_see(principal, row, site_ids):
            continue
        read = to_read(row, site_ids)
        if status is not None and read.status is not status:
            continue
        result.append(read)
    result.sort(key=_CONTRACT_SORTS[sort])
    end = None if limit is None else offset + limit
    return Page(
        items=result[offset:end], total=len(result), limit=limit or len(result), offset=offset
    )


def summary(read: ContractRead) -> ContractSummary:
    return ContractSummary(
        id=read.id,
        name=read.name,
        provider_name=read.provider_name,
        start_date=read.start_date,
        end_date=read.end_date,
        site_ids=read.site_ids,
        trades=read.covered_trades,
    )


async def overlapping(
    *,
    contract_id: int | None,
    contract_type: str,
    trades: list[str],
    site_ids: list[int],
    start_date: date,
    end_date: date,
) -> list[ContractSummary]:
    """Other non-draft, not-ended contracts sharing a site and a trade in an overlapping
    period (contracts that cover no trade never overlap)."""
    mine = covered_trades(contract_type, trades)
    if not mine or not site_ids:
        return []
    others = await _select().where(
        ServiceContract.status.not_in([ContractStatus.draft.value, ContractStatus.ended.value])
        & (ServiceContract.start_date <= end_date)
        & (ServiceContract.end_date >= start_date)
    )
    others = [o for o in others if o["id"] != contract_id]
    sites = await contract_sites([o["id"] for o in others])
    found = []
    for other in others:
        read = to_read(other, sites.get(other["id"], []))
        if read.status in (ContractStatus.draft, ContractStatus.ended):
            continue
        if set(read.site_ids) & set(site_ids) and set(read.covered_trades) & mine:
            found.append(summary(read))
    return found


# ---- documents ------------------------------------------------------------------------


def _document(row: dict[str, Any]) -> DocumentRead:
    return to_struct(
        DocumentRead, row, {"contract_id": "contract"}, created_at=aware(row["created_at"])
    )


async def list_documents(principal: Principal, contract_id: int) -> list[DocumentRead]:
    await contract_row(principal, contract_id)
    rows = (
        await ServiceContractDocument.select()
        .where(ServiceContractDocument.contract == contract_id)
        .order_by(ServiceContractDocument.id)
    )
    return [_document(r) for r in rows]


async def get_document(
    principal: Principal, contract_id: int, document_id: int
) -> tuple[DocumentRead, str]:
    """A contract document and its storage key (404 outside scope)."""
    await contract_row(principal, contract_id)
    row = (
        await ServiceContractDocument.select()
        .where(
            (ServiceContractDocument.id == document_id)
            & (ServiceContractDocument.contract == contract_id)
        )
        .first()
    )
    if row is None:
        raise NotFound()
    return _document(row), row["storage_key"]


# ---- visit plans ----------------------------------------------------------------------


async def plan_sites(plan_ids: list[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = defaultdict(list)
    if not plan_ids:
        return result
    rows = await VisitPlanSite.select(VisitPlanSite.plan, VisitPlanSite.site).where(
        VisitPlanSite.plan.is_in(plan_ids)
    )
    for row in rows:
        result[row["plan"]].append(row["site"])
    for sites in result.values():
        sites.sort()
    return result


def _plan(row: dict[str, Any], site_ids: list[int]) -> VisitPlanRead:
    return to_struct(
        VisitPlanRead,
        row,
        {"contract_id": "contract"},
        end_date=to_date_or_none(row["end_date"]),
        site_ids=site_ids,
        created_at=aware(row["created_at"]),
    )


async def list_plans(principal: Principal, contract_id: int) -> list[VisitPlanRead]:
    await contract_row(principal, contract_id)
    rows = await VisitPlan.select().where(VisitPlan.contract == contract_id).order_by(VisitPlan.id)
    sites = await plan_sites([r["id"] for r in rows])
    return [_plan(r, sites.get(r["id"], [])) for r in rows]


async def get_plan(principal: Principal, plan_id: int) -> VisitPlanRead:
    row = await VisitPlan.select().where(VisitPlan.id == plan_id).first()
    if row is None:
        raise NotFound()
    await contract_row(principal, row["contract"])
    return _plan(row, (await plan_sites([plan_id])).get(plan_id, []))


# ---- visits ---------------------------------------------------------------------------


_VISIT_KEYS = {
    "plan_id": "plan",
    "plan_name": "plan.name",
    "contract_id": "contract",
    "contract_name": "contract.name",
    "provider_name": "contract.provider.name",
    "site_id": "site",
    "site_name": "site.name",
    "site_time_zone": "site.time_zone",
    "signed_off_by_name": "signed_off_by.name",
}


def _visit(row: dict[str, Any]) -> VisitRead:
    return to_struct(
        VisitRead,
        row,
        _VISIT_KEYS,
        scheduled_for=aware(row["scheduled_for"]),
        window_end=aware(row["window_end"]),
        comment=row["comment"] or "",
        signed_off_at=aware(row["signed_off_at"]) if row["signed_off_at"] else None,
    )


def _visit_select() -> Any:
    return ServiceVisit.select(
        *ServiceVisit.all_columns(),
        ServiceVisit.plan.name.as_alias("plan.name"),
        ServiceVisit.contract.name.as_alias("contract.name"),
        ServiceVisit.contract.provider.name.as_alias("contract.provider.name"),  # type: ignore[union-attr]
        ServiceVisit.site.name.as_alias("site.name"),
        ServiceVisit.site.time_zone.as_alias("site.time_zone"),
        ServiceVisit.signed_off_by.name.as_alias("signed_off_by.name"),
    )


async def _visit_conditions(principal: Principal) -> list[Any]:
    if principal.role in (Role.admin, Role.ops_manager):
        return []
    if principal.role is Role.partner:
        partner = principal.partner_organisation_id or -1
        return [ServiceVisit.contract.provider == partner]
    visible = await scope.visible_site_ids(principal)
    if visible is None:
        return []
    return [ServiceVisit.site.is_in(list(visible) or [-1])]


async def list_visits(
    principal: Principal,
    *,
    contract_id: int | None = None,
    site_id: int | None = None,
    status: VisitStatus | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 500,
) -> list[VisitRead]:
    query = _visit_select()
    for condition in await _visit_conditions(principal):
        query = query.where(condition)
    if contract_id is not None:
        await contract_row(principal, contract_id)
        query = query.where(ServiceVisit.contract == contract_id)
    if site_id is not None:
        await scope.require_site(principal, site_id)
        query = query.where(ServiceVisit.site == site_id)
    if status is not None:
        query = query.where(ServiceVisit.status == status.value)
    if start is not None:
        query = query.where(ServiceVisit.scheduled_for >= start)
    if end is not None:
        query = query.where(ServiceVisit.scheduled_for < end)
    rows = await query.order_by(ServiceVisit.scheduled_for).order_by(ServiceVisit.id).limit(limit)
    return [_visit(r) for r in rows]


async def visit_row(principal: Principal, visit_id: int) -> dict[str, Any]:
    query = _visit_select().where(ServiceVisit.id == visit_id)
    for condition in await _visit_conditions(principal):
        query = query.where(condition)
    row = await query.first()
    if row is None:
        raise NotFound()
    return dict(row)


async def get_visit(principal: Principal, visit_id: int) -> VisitRead:
    return _visit(await visit_row(principal, visit_id))


async def todays_visits(principal: Principal) -> list[VisitRead]:
    """Visits whose window touches today in their site's time zone (the CM's phone list):
    everything from 36 hours back to 36 hours ahead, then filtered by local date."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    now = clock.now()
    candidates = await list_visits(
        principal, start=now - timedelta(hours=36), end=now + timedelta(hours=36)
    )
    result = []
    for visit in candidates:
        zone = ZoneInfo(visit.site_time_zone)
        local_today = now.astimezone(zone).date()
        if visit.scheduled_for.astimezone(zone).date() == local_today:
            result.append(visit)
    return result


# ---- form helpers ---------------------------------------------------------------------


async def providers() -> list[dict[str, Any]]:
    return list(
        await PartnerOrganisation.select(PartnerOrganisation.id, PartnerOrganisation.name)
        .where(PartnerOrganisation.active.eq(True))
        .order_by(PartnerOrganisation.name)
    )


async def site_options(principal: Principal) -> list[dict[str, Any]]:
    query = Site.select(Site.id, Site.name, Site.code).where(Site.archived.eq(False))
    visible = await scope.visible_site_ids(principal)
    if visible is not None:
        query = query.where(Site.id.is_in(list(visible) or [-1]))
    return list(await query.order_by(Site.name))


async def site_names(site_ids: list[int]) -> dict[int, str]:
    if not site_ids:
        return {}
    rows = await Site.select(Site.id, Site.name).where(Site.id.is_in(site_ids))
    return {r["id"]: r["name"] for r in rows}


async def user_name(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    row = await User.select(User.name).where(User.id == user_id).first()
    return row["name"] if row else None
