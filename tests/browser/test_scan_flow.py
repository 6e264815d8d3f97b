"""Issue 3 on a phone: scan a label, +1 an open report, report a new problem with a photo;
the community manager triages it and the reporter's private status link shows the outcome."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

from PIL import Image
from playwright.async_api import expect

from facilities.maintenance.tables import ProblemReport, ProblemReportPhoto, WorkOrder
from tests import maintenance_builders as mb
from tests import workorders_builders as wb
from tests.browser.helpers import PHONE, sign_in


def _jpeg(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 60, 40)).save(out, "JPEG", quality=80)
    path.write_bytes(out.getvalue())
    return path


async def test_scan_same_problem_report_with_photo_and_triage(new_context) -> None:
    w = await wb.world()  # the coffee machine at w.site; w.cm manages the site
    await mb.report(asset_id=w.asset_id, description="The milk frother is not working")
    code = await mb.label(w.asset_id)
    photo = _jpeg(Path(tempfile.mkdtemp(prefix="scan-photo-")) / "leak.jpg")

    member = await (await new_context()).new_page()
    assert member.viewport_size == PHONE
    await member.goto(f"/q/{code}")
    await expect(
        member.get_by_role("heading", name="Coffee machine Jura X8", level=1)
    ).to_be_visible()
    already = member.locator("#open")
    await expect(already.get_by_text("The milk frother is not working")).to_be_visible()
    await expect(already.get_by_text("1 more person")).to_have_count(0)

    # "Same problem": a +1 instead of a new report; the count shows up at once.
    async with member.expect_navigation():
        await already.get_by_role("button", name=re.compile("Same problem")).click()
    await expect(member).to_have_url(re.compile(rf"/q/{code}"))
    await expect(member.locator("#open").get_by_text("1 more person")).to_be_visible()
    assert await ProblemReport.count() == 1

    # A new problem with a photo, from the same phone.
    form = member.locator("#new")
    await form.get_by_label("What's wrong?").select_option("leak")
    await form.get_by_label("Description").fill("Water is dripping from the drip tray")
    await form.get_by_label("Photo (optional)").set_input_files(str(photo))
    async with member.expect_navigation():
        await form.get_by_role("button", name="Send report").click()
    await expect(member).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+$"))
    status_url = member.url
    await expect(member.locator(".status-now")).to_have_text("Reported, waiting for review")
    await expect(member.locator("p.pre")).to_have_text("Water is dripping from the drip tray")
    new = (
        await ProblemReport.select()
        .where(ProblemReport.status == "new")
        .order_by(ProblemReport.id, ascending=False)
        .first()
    )
    assert new is not None and new["description"] == "Water is dripping from the drip tray"
    assert await ProblemReportPhoto.count().where(ProblemReportPhoto.report == new["id"]) == 1

    # The community manager accepts it from the triage queue (also on a phone).
    manager = await (await new_context()).new_page()
    await sign_in(manager, w.cm.email)
    await manager.goto("/triage")
    row = (
        manager.get_by_test_id("triage")
        .get_by_role("row")
        .filter(has_text="Water is dripping from the drip tray")
    )
    await expect(row.get_by_text("photo")).to_be_visible()
    async with manager.expect_navigation():
        await row.get_by_role("button", name="Accept").click()
    accepted = await ProblemReport.select().where(ProblemReport.id == new["id"]).first()
    assert accepted["status"] == "accepted"
    assert await WorkOrder.count().where(WorkOrder.problem_report == new["id"]) == 1

    # The reporter's private link shows the outcome.
    await member.goto(status_url)
    await expect(member.locator(".status-now")).to_have_text("Accepted, work is planned")
