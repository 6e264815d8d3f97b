"""One order's due time reads the same on its list, its page, its PDF sheet, its e-mail and
the iCal feed (issue 11: "Due 9 Dec 2026, 09:00:00" on the list against 10:00 elsewhere)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pypdf
import pytest
from icalendar import Calendar

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.notifications.delivery import deliver_due
from tests import builders
from tests import workorders_builders as wb
from tests.smtp import Smtp

DUE = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Europe/Berlin", "9 Dec 2026, 10:00"),
        # A site whose clock differs from the reader's (Europe/Berlin): its zone is named.
        ("Europe/Lisbon", "9 Dec 2026, 09:00 (Europe/Lisbon)"),
    ],
)
async def test_due_time_identical_on_list_page_pdf_mail_and_feed(
    make_client: Any, smtp: Smtp, zone: str, shown: str
) -> None:
    with clock.pinned(datetime(2026, 12, 1, 8, 0, tzinfo=UTC)):
        w = await wb.world(time_zone=zone)
        order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id, due_at=DUE)
        ops = await builders.user(Role.admin)
        browser = await builders.browser_session(make_client, ops)

        listing = await browser.get("/work-orders")
        assert listing.status_code == 200
        assert f"Due {shown}" in _flat(listing.text)

        detail = await browser.get(f"/work-orders/{order.id}")
        assert detail.status_code == 200
        assert shown in _flat(detail.text)

        sheet = await browser.get(f"/work-orders/{order.id}/sheet.pdf")
        assert sheet.status_code == 200
        pdf_text = " ".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(sheet.content)).pages
        )
        assert f"Due {shown}" in _flat(pdf_text)

        await deliver_due()
        (mail,) = smtp.to(w.partner.email)
        assert f"Due: {shown}" in _flat(mail.get_body(("plain",)).get_content())
        assert shown in _flat(mail.get_body(("html",)).get_content())

        api = await builders.api(make_client, ops)
        feed = await api.post("/api/v1/calendar-feeds", json={"kind": "site", "site_id": w.site.id})
        assert feed.status_code == 201, feed.text
        ics = await make_client().get(feed.json()["url"].removeprefix("http://testserver"))
        assert ics.status_code == 200
        events = [e for e in Calendar.from_ical(ics.content).walk("VEVENT")]
        (event,) = [e for e in events if str(e["uid"]).startswith(f"wo-{order.id}@")]
        start = event.decoded("dtstart")
        assert start == DUE  # the same instant, on the site's wall clock (TZID)
        assert getattr(start.tzinfo, "key", None) == zone
        assert f"DTSTART;TZID={zone}:".encode() in ics.content
        assert b"BEGIN:VTIMEZONE" in ics.content and f"TZID:{zone}".encode() in ics.content
