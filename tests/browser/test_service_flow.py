"""Issue 5 end to end, in a real browser with a real SMTP server (aiosmtpd).

1. A member reports a leak from the QR label; the community manager accepts it; the work
   order is routed to the partner whose contract covers the site and the trade; the partner's
   contact address gets an e-mail with a magic link; the one-off contractor completes the
   order through it without an account; the reporter is told; the scorecard moves.
2. A P1 left alone escalates in order: assignee, then community manager, then ops manager.

The outbox job and the escalation job run in the test process (as the scheduler would), on
the same database the live server uses.
"""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from playwright.async_api import expect

from facilities.accounts.enums import Role
from facilities.accounts.tables import PartnerOrganisation
from facilities.kit import clock
from facilities.maintenance.tables import ProblemReport, WorkOrder
from facilities.notifications.delivery import deliver_due
from facilities.services.sla.defaults import seed_default_policies
from facilities.services.sla.jobs import escalate
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb
from tests.browser.helpers import sign_in
from tests.services import helpers as services
from tests.smtp import Smtp

CONTACT = "desk@rohr-frei.example"
REPORTER = "member@example.org"


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _link(message: EmailMessage, pattern: str) -> str:
    """The path of the first link in the mail matching ``pattern``."""
    match = re.search(rf"https?://\S*{pattern}\S*", _body(message))
    assert match, f"no {pattern} link in:\n{_body(message)}"
    return urlsplit(match.group(0).rstrip(".,)>")).path


async def _scorecard(api, partner_id: int) -> dict:  # type: ignore[no-untyped-def]
    response = await api.get(f"/api/v1/scorecards/{partner_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def test_report_routed_to_contracted_partner_completed_by_link(
    new_context, smtp: Smtp, make_client
) -> None:
    w = await wb.world()
    await PartnerOrganisation.update({PartnerOrganisation.email: CONTACT}).where(
        PartnerOrganisation.id == w.partner_org_id
    )
    await services.contract(
        w.partner_org_id,
        [w.site.id],
        name="Plumbing Heidelberg",
        contract_type="maintenance",
        trades=["plumbing"],
    )
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    await seed_default_policies(await builders.system())
    ops_api = await builders.api(make_client, ops)
    before = await _scorecard(ops_api, w.partner_org_id)
    code = await mb.label(w.asset_id)

    # A member reports a leak from the label, leaving an e-mail address.
    member = await (await new_context()).new_page()
    await member.goto(f"/q/{code}")
    form = member.locator("#new")
    await form.get_by_label("What's wrong?").select_option("leak")
    await form.get_by_label("Description").fill("Water is pouring out under the machine")
    await form.get_by_text("Your name and e-mail for updates (optional)").click()
    await form.get_by_label("E-mail").fill(REPORTER)
    async with member.expect_navigation():
        await form.get_by_role("button", name="Send report").click()
    report = await ProblemReport.select().order_by(ProblemReport.id, ascending=False).first()
    assert report["reporter_email"] == REPORTER

    # The community manager accepts it: the order goes to the contracted plumber at once.
    manager = await (await new_context()).new_page()
    await sign_in(manager, w.cm.email)
    await manager.goto("/triage")
    row = manager.get_by_test_id("triage").get_by_role("row").filter(has_text="pouring out")
    async with manager.expect_navigation():
        await row.get_by_role("button", name="Accept").click()
    order = await WorkOrder.select().where(WorkOrder.problem_report == report["id"]).first()
    assert order["trade"] == "plumbing"
    assert order["partner_organisation"] == w.partner_org_id
    assert order["status"] == "assigned"

    # The outbox job delivers: the contact address gets the job with a magic link.
    result = await deliver_due()
    assert result.failed == 0
    contact_mails = smtp.to(CONTACT)
    assert len(contact_mails) == 1
    link = _link(contact_mails[0], "/m/")
    assert smtp.to(w.partner.email), "the partner's user is told too"
    assert any("received" in str(m["Subject"]).lower() for m in smtp.to(REPORTER))

    # The one-off contractor, without an account, accepts, starts and completes it.
    contractor = await (await new_context()).new_page()
    await contractor.goto(link)
    await expect(contractor.get_by_role("heading", name=order["title"])).to_be_visible()
    for button in ("Accept", "Start work"):
        async with contractor.expect_navigation():
            await contractor.get_by_role("button", name=button, exact=True).click()
    await contractor.get_by_label("What was done?").fill("Hose clamp replaced, dry again.")
    async with contractor.expect_navigation():
        await contractor.get_by_role("button", name="Complete", exact=True).click()
    await expect(
        contractor.get_by_role("heading", name="This work order is closed")
    ).to_be_visible()
    done = await WorkOrder.select(WorkOrder.status).where(WorkOrder.id == order["id"]).first()
    assert done["status"] == "completed"

    # The reporter is told; nothing was sent twice.
    await deliver_due()
    subjects = [str(m["Subject"]).lower() for m in smtp.to(REPORTER)]
    assert any("resolved" in s or "fixed" in s for s in subjects), subjects
    assert smtp.duplicates() == {}

    # The scorecard moved, for ops in the browser and in the API.
    after = await _scorecard(ops_api, w.partner_org_id)
    assert after["completed"] == before["completed"] + 1
    assert after["median_resolution_minutes"] is not None
    ops_page = await (await new_context()).new_page()
    await sign_in(ops_page, ops.email)
    await ops_page.goto(f"/scorecards/{w.partner_org_id}")
    await expect(ops_page.get_by_role("heading", level=1)).to_contain_text(
        re.compile("scorecard", re.I)
    )


async def test_p1_left_alone_escalates_in_order(new_context, smtp: Smtp) -> None:
    w = await wb.world()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    await seed_default_policies(await builders.system())
    start = clock.now().replace(microsecond=0) - timedelta(hours=3)
    with clock.pinned(start):
        order = await wb.work_order(
            w.site.id,
            title="Fire door does not close",
            priority="p1",
            partner_organisation_id=w.partner_org_id,
        )
    await deliver_due()
    already = len(smtp.messages)

    def told() -> list[str]:
        return [str(m["To"]) for m in smtp.messages[already:]]

    # P1 response target: 60 minutes, 24/7. At 50 minutes (≥ 80 %) the assignee hears.
    await escalate(start + timedelta(minutes=50))
    await deliver_due()
    assert told() == [w.partner.email]
    # Breached at 61 minutes: the community manager, once.
    await escalate(start + timedelta(minutes=61))
    await escalate(start + timedelta(minutes=62))
    await deliver_due()
    assert told() == [w.partner.email, w.cm.email]
    # Breached for longer (150 % of the target): the ops manager of the region.
    await escalate(start + timedelta(minutes=91))
    await deliver_due()
    assert told() == [w.partner.email, w.cm.email, ops.email]
    await escalate(start + timedelta(minutes=95))
    await deliver_due()
    assert told() == [w.partner.email, w.cm.email, ops.email], "each level once"

    # The work order shows the breach and the escalations to the ops manager.
    page = await (await new_context()).new_page()
    await sign_in(page, ops.email)
    await page.goto(f"/work-orders/{order.id}")
    panel = page.locator("#sla")
    await expect(panel).to_contain_text(re.compile("breached", re.I))
    escalations = panel.locator(".sla-escalations li")
    await expect(escalations).to_have_count(3)
    for level in ("Level 1 · assignee", "Level 2 · community manager", "Level 3 · ops manager"):
        await expect(escalations.filter(has_text=level)).to_have_count(1)
