"""Writes of SLA policies: one transaction each, audited, version-checked."""

from __future__ import annotations

from typing import Any

import msgspec

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _
from facilities.services.sla import queries
from facilities.services.sla.schemas import PolicyCreate, PolicyRead, PolicyUpdate
from facilities.services.sla.tables import SlaPolicy
from facilities.services.tables import ServiceContract

_TARGETS = ("response_minutes", "attendance_minutes", "resolution_minutes")


def _check_targets(values: dict[str, Any]) -> None:
    for field in _TARGETS:
        value = values.get(field)
        if value is not None and value <= 0:  # the schema says so too; forms come here
            raise RuleViolation(field, _("A target must be a positive number of minutes."))
    if all(values.get(field) is None for field in _TARGETS):
        raise RuleViolation("resolution_minutes", _("Set at least one target."))


async def _check_unique(contract_id: int | None, priority: str, trade: str | None) -> None:
    query = SlaPolicy.exists().where(SlaPolicy.priority == priority)
    query = query.where(
        SlaPolicy.contract.is_null() if contract_id is None else SlaPolicy.contract == contract_id
    )
    query = query.where(SlaPolicy.trade.is_null() if trade is None else SlaPolicy.trade == trade)
    if await query:
        raise Conflict(
            _("There is already a policy for this contract, priority and trade."), field="priority"
        )


def _audit_values(policy: PolicyRead) -> dict[str, Any]:
    return {
        "contract_id": policy.contract_id,
        "priority": policy.priority,
        "trade": policy.trade,
        "response_minutes": policy.response_minutes,
        "attendance_minutes": policy.attendance_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "calendar": policy.calendar,
        "pause_reasons": list(policy.pause_reasons),
        "overrun_percent": policy.overrun_percent,
    }


async def create_policy(*, actor: Principal, data: PolicyCreate) -> PolicyRead:
    values = msgspec.structs.asdict(data)
    _check_targets(values)
    trade = data.trade.value if data.trade else None
    async with transaction():
        if data.contract_id is not None and not await ServiceContract.exists().where(
            ServiceContract.id == data.contract_id
        ):
            raise RuleViolation("contract_id", _("Unknown contract."))
        await _check_unique(data.contract_id, data.priority.value, trade)
        now = clock.now()
        row = SlaPolicy(
            contract=data.contract_id,
            priority=data.priority.value,
            trade=trade,
            response_minutes=data.response_minutes,
            attendance_minutes=data.attendance_minutes,
            resolution_minutes=data.resolution_minutes,
            calendar=data.calendar.value,
            pause_reasons=sorted({r.value for r in data.pause_reasons}),
            overrun_percent=data.overrun_percent,
            version=1,
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        await row.save()
        policy = await queries.get_policy(int(row.id))
        await audit.record(
            actor=actor,
            action="sla_policy.create",
            object_type="sla_policy",
            object_id=policy.id,
            summary=f"{policy.priority.value} {policy.trade or ''}".strip(),
            after=_audit_values(policy),
        )
    return policy


async def update_policy(*, actor: Principal, policy_id: int, data: PolicyUpdate) -> PolicyRead:
    async with transaction():
        before = await queries.get_policy(policy_id)
        merged = _audit_values(before)
        changes: dict[Any, Any] = {}
        for name in (*_TARGETS, "calendar", "pause_reasons", "overrun_percent"):
            value = getattr(data, name)
            if value is msgspec.UNSET:
                continue
            merged[name] = value
            if name == "pause_reasons":
                value = sorted({r.value for r in value})
            elif name == "calendar":
                value = value.value
            changes[getattr(SlaPolicy, name)] = value
        _check_targets(merged)
        changes[SlaPolicy.version] = SlaPolicy.version + 1
        changes[SlaPolicy.updated_at] = clock.now()
        updated = (
            await SlaPolicy.update(changes)
            .where((SlaPolicy.id == policy_id) & (SlaPolicy.version == data.version))
            .returning(SlaPolicy.id)
        )
        if not updated:
            raise Conflict(
                _("Someone else changed this policy meanwhile. Reload it and try again."),
                field="version",
            )
        after = await queries.get_policy(policy_id)
        await audit.record(
            actor=actor,
            action="sla_policy.update",
            object_type="sla_policy",
            object_id=policy_id,
            summary=f"{after.priority.value} {after.trade or ''}".strip(),
            before=_audit_values(before),
            after=_audit_values(after),
        )
    return after


async def delete_policy(*, actor: Principal, policy_id: int) -> None:
    """Outcomes and escalations keep their rows (their policy becomes unknown)."""
    async with transaction():
        before = await queries.get_policy(policy_id)
        await SlaPolicy.delete().where(SlaPolicy.id == policy_id)
        await audit.record(
            actor=actor,
            action="sla_policy.delete",
            object_type="sla_policy",
            object_id=policy_id,
            summary=f"{before.priority.value} {before.trade or ''}".strip(),
            before=_audit_values(before),
        )
