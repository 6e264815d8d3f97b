"""Pure rules of contracts: notice deadline, derived status, renewal, overlap of periods.

Status is derived from the dates, the same way everywhere (pages, API, jobs, routing):

* ``draft`` stays draft until ops activate the contract;
* otherwise ``ended`` when today is after the end date, ``expiring`` from the notice deadline
  (end date - notice period) on, else ``active``.

"Today" is the UTC date for the stored status (the daily job ``services.refresh_contracts``
rewrites it); routing compares a site's local date with start/end itself.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from facilities.services.enums import ContractStatus


def notice_deadline(end_date: date, notice_days: int) -> date:
    return end_date - timedelta(days=int(notice_days or 0))


def derived_status(
    stored: str, start_date: date, end_date: date, notice_days: int, today: date
) -> ContractStatus:
    if stored == ContractStatus.draft:
        return ContractStatus.draft
    if today > end_date:
        return ContractStatus.ended
    if today >= notice_deadline(end_date, notice_days):
        return ContractStatus.expiring
    return ContractStatus.active


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def renewed_end(end_date: date, term_months: int, today: date) -> date:
    """An automatically renewing contract past its end runs on by whole terms until today is
    within one."""
    end = end_date
    while end < today:
        end = add_months(end, max(1, int(term_months or 12)))
    return end


def periods_overlap(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end
