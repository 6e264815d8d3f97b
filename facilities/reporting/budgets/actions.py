"""Writes of budgets and expense lines: one transaction each, with its audit event."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.kit import clock, uploads
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import _, in_installation_language
from facilities.reporting.enums import COST_CATEGORY_LABELS, CostCategory, Split
from facilities.reporting.schemas import BudgetRead, BudgetSet, ExpenseCreate, ExpenseRead
from facilities.reporting.tables import Budget, Expense
from facilities.settings import get_settings
from facilities.sites.scope import can_see_site, visible_region_ids

CENT = Decimal("0.01")


MAX = Decimal("1000000000000")


def _check_money(field: str, value: Decimal) -> None:
    if not value.is_finite() or abs(value) >= MAX:
        raise RuleViolation(field, _("Type an amount below one trillion."))


def quarters(data: BudgetSet) -> list[Decimal]:
    """The four quarters of a budget, checked (pure)."""
    _check_money("amount", data.amount)
    amount = data.amount.quantize(CENT, ROUND_HALF_UP)
    if amount < 0:
        raise RuleViolation("amount", _("A budget cannot be negative."))
    if data.split is Split.even:
        if data.quarters is not None:
            raise RuleViolation("quarters", _("Give quarters only with a manual split."))
        part = (amount / 4).quantize(CENT, ROUND_HALF_UP)
        return [part, part, part, amount - 3 * part]
    given = data.quarters or []
    if len(given) != 4:
        raise RuleViolation("quarters", _("Give the four quarters of the year."))
    for q in given:
        _check_money("quarters", q)
    parts = [q.quantize(CENT, ROUND_HALF_UP) for q in given]
    if any(q < 0 for q in parts):
        raise RuleViolation("quarters", _("A quarter cannot be negative."))
    if sum(parts) != amount:
        raise RuleViolation(
            "quarters",
            _("The quarters add up to %(sum)s, not to the year's %(amount)s.")
            % {"sum": sum(parts), "amount": amount},
        )
    return parts


def _category(category: CostCategory) -> str:
    """The category's name for the stored audit summary: in the installation's language
    (kit.i18n), not its code."""
    with in_installation_language():
        return _(COST_CATEGORY_LABELS[category])


async def _check_scope(actor: Principal, data: BudgetSet) -> None:
    if (data.site_id is None) == (data.region_id is None):
        raise RuleViolation("site_id", _("Choose a site or a region (one of them)."))
    if data.site_id is not None and not await can_see_site(actor, data.site_id):
        raise RuleViolation("site_id", _("There is no such site among yours."))
    if data.region_id is not None:
        regions = await visible_region_ids(actor)
        known = await db.raw("SELECT id FROM region WHERE id = {}", data.region_id)
        if not known or (regions is not None and data.region_id not in regions):
            raise RuleViolation("region_id", _("There is no such region among yours."))


async def set_budget(*, actor: Principal, data: BudgetSet) -> BudgetRead:
    parts = quarters(data)
    await _check_scope(actor, data)
    amount = sum(parts, Decimal("0"))
    async with db.transaction():
        found = await Budget.select(Budget.id).where(
            (Budget.year == data.year)
            & (Budget.category == data.category.value)
            & (Budget.site.is_null() if data.site_id is None else Budget.site == data.site_id)
            & (
                Budget.region.is_null()
                if data.region_id is None
                else Budget.region == data.region_id
            )
        )
        values: dict[Any, Any] = {
            Budget.amount: amount,
            Budget.q1: parts[0],
            Budget.q2: parts[1],
            Budget.q3: parts[2],
            Budget.q4: parts[3],
            Budget.split: data.split.value,
            Budget.updated_at: clock.now(),
        }
        if found:
            budget_id = int(found[0]["id"])
            await Budget.update({**values, Budget.version: Budget.version + 1}).where(
                Budget.id == budget_id
            )
        else:
            row = Budget(
                year=data.year,
                category=data.category.value,
                site=data.site_id,
                region=data.region_id,
                amount=amount,
                q1=parts[0],
                q2=parts[1],
                q3=parts[2],
                q4=parts[3],
                split=data.split.value,
                created_by=actor.user_id,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
            await row.save()
            budget_id = int(row.id)
        currency = get_settings().currency
        await audit.record(
            actor=actor,
            action="budget.set",
            object_type="budget",
            object_id=budget_id,
            summary=f"{data.year} {_category(data.category)}: {amount} {currency}",
            site_id=data.site_id,
            after={"amount": str(amount), "quarters": [str(q) for q in parts]},
        )
    return BudgetRead(
        id=budget_id,
        year=data.year,
        category=data.category.value,
        site_id=data.site_id,
        region_id=data.region_id,
        amount=amount,
        quarters=parts,
        split=data.split.value,
    )


async def add_expense(
    *,
    actor: Principal,
    data: ExpenseCreate,
    attachment: bytes | None = None,
    filename: str | None = None,
) -> ExpenseRead:
    _check_money("amount", data.amount)
    if data.amount < 0:
        raise RuleViolation("amount", _("An expense cannot be negative."))
    currency = get_settings().currency
    if data.currency.upper() != currency:
        raise RuleViolation(
            "currency",
            _("Expenses are entered in %(currency)s, the currency of this installation.")
            % {"currency": currency},
        )
    if not await can_see_site(actor, data.site_id):
        raise RuleViolation("site_id", _("There is no such site among yours."))
    stored = uploads.store_document(attachment, field="attachment") if attachment else None
    amount = data.amount.quantize(CENT, ROUND_HALF_UP)
    try:
        async with db.transaction():
            row = Expense(
                site=data.site_id,
                category=data.category.value,
                spent_on=data.spent_on,
                amount=amount,
                currency=currency,
                description=data.description,
                filename=(filename or "attachment")[:255] if stored else None,
                content_type=stored.content_type if stored else None,
                size=stored.size if stored else None,
                storage_key=stored.key if stored else None,
                created_by=actor.user_id,
                created_at=clock.now(),
            )
            await row.save()
            await audit.record(
                actor=actor,
                action="expense.create",
                object_type="expense",
                object_id=row.id,
                summary=f"{data.spent_on} {_category(data.category)}: {amount} {currency}",
                site_id=data.site_id,
            )
    except BaseException:
        if stored:
            uploads.delete(stored.key)
        raise
    return ExpenseRead(
        id=int(row.id),
        site_id=data.site_id,
        category=data.category.value,
        spent_on=data.spent_on,
        amount=amount,
        currency=currency,
        description=data.description,
        filename=row.filename,
        has_attachment=stored is not None,
    )


async def require_expense_file(actor: Principal, expense_id: int) -> tuple[str, str, str]:
    """(storage key, content type, filename) of an expense's attachment in scope, else 404."""
    rows = await Expense.select(
        Expense.site, Expense.storage_key, Expense.content_type, Expense.filename
    ).where(Expense.id == expense_id)
    if not rows or not rows[0]["storage_key"] or not await can_see_site(actor, rows[0]["site"]):
        raise NotFound()
    row = rows[0]
    return str(row["storage_key"]), str(row["content_type"]), str(row["filename"])
