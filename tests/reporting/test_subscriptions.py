"""Report subscriptions: the monthly operations report and the quarterly budget report reach a
real SMTP server with the PDF attached, once per period, in the subscriber's language; a
subscription for a scope the user may not see is refused."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from pypdf import PdfReader

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.reporting import subscriptions
from tests import builders
from tests.notifications.helpers import deliver
from tests.reporting.kpi_dataset import build
from tests.smtp import Smtp


def _pdf_text(message: Any) -> tuple[str, str]:
    parts = [p for p in message.iter_attachments()]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_content_type() == "application/pdf"
    data = part.get_content()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return part.get_filename(), text


def test_last_finished_periods() -> None:
    day = date(2026, 7, 1)  # a Wednesday
    assert subscriptions.last_period("monthly", day) == (
        "2026-06",
        date(2026, 6, 1),
        date(2026, 6, 30),
    )
    assert subscriptions.last_period("quarterly", day) == (
        "2026-Q2",
        date(2026, 4, 1),
        date(2026, 6, 30),
    )
    assert subscriptions.last_period("weekly", day) == (
        "2026-W26",
        date(2026, 6, 22),
        date(2026, 6, 28),
    )


async def test_monthly_report_arrives_with_the_pdf_once(make_client: Any, smtp: Smtp) -> None:
    data = await build()
    viewer = await builders.user(Role.viewer, locale="de")
    await builders.assign(viewer, sites=[data.w.site.id])
    client = await builders.api(make_client, viewer)
    answer = await client.post(
        "/api/v1/reporting/subscriptions",
        json={
            "report": "operations",
            "frequency": "monthly",
            "site_id": data.w.site.id,
            "locale": "de",
        },
    )
    assert answer.status_code == 201, answer.text
    budget = await client.post(
        "/api/v1/reporting/subscriptions",
        json={"report": "budget", "frequency": "quarterly", "locale": "en"},
    )
    assert budget.status_code == 201, budget.text
    with clock.pinned(datetime(2026, 7, 1, 6, 20, tzinfo=UTC)):
        assert await subscriptions.run() == 2
        assert await subscriptions.run() == 0  # the same period: nothing new
        result = await deliver()
    assert result.failed == 0, result
    mails = smtp.to(viewer.email)
    assert len(mails) == 2
    monthly = next(m for m in mails if "2026-06" in str(m["Subject"]))
    name, text = _pdf_text(monthly)
    assert name == "operations-2026-06.pdf"
    assert "Mittlere Reparaturdauer (MTTR)" in text and "3 Std. 50 Min." in text  # 230 min
    assert data.w.site.name in text
    quarterly = next(m for m in mails if "2026-Q2" in str(m["Subject"]))
    name, text = _pdf_text(quarterly)
    assert name == "budget-2026-Q2.pdf" and "Budget report" in text


async def test_a_scope_the_user_may_not_see_is_refused(make_client: Any) -> None:
    data = await build()
    client = await builders.api(make_client, data.w.cm)
    for body, field in (
        ({"site_id": data.w.other_site.id}, "site_id"),
        ({"site_id": 999999}, "site_id"),
        ({"region_id": 999999}, "region_id"),
    ):
        answer = await client.post(
            "/api/v1/reporting/subscriptions",
            json={"report": "operations", "frequency": "weekly", **body},
        )
        assert answer.status_code == 422, answer.text
        assert field in answer.text
    mine = await client.get("/api/v1/reporting/subscriptions")
    assert mine.json() == []
