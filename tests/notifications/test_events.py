"""Who is told what: work orders, problem reports, preferences, German, the digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from facilities.accounts.enums import Role
from facilities.accounts.tables import PartnerOrganisation
from facilities.kit import clock
from facilities.maintenance.reports import actions as report_actions
from facilities.maintenance.tables import WorkOrder
from facilities.maintenance.workorders import work
from facilities.maintenance.workorders.schemas import CommentCreate
from facilities.notifications.actions import send_digests, set_preferences
from facilities.notifications.delivery import deliver_due
from facilities.notifications.enums import Event, Mode
from facilities.notifications.notify import Recipient, notify
from facilities.notifications.rendering import MissingTemplateVariable
from facilities.notifications.schemas import PreferencesUpdate
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb
from tests.notifications.helpers import outbox_rows
from tests.smtp import Smtp


async def test_assignment_mails_partner_users_and_contact_with_magic_link(
    smtp: Smtp, pinned: None, client
) -> None:
    w = await wb.world()
    await PartnerOrganisation.update({PartnerOrganisation.email: "desk@plumbers.example"}).where(
        PartnerOrganisation.id == w.partner_org_id
    )
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    result = await deliver_due()
    assert result.sent == 2
    (to_user,) = smtp.to(w.partner.email)
    assert order.title in str(to_user["Subject"])
    assert f"/work-orders/{order.id}" in to_user.get_body(("plain",)).get_content()
    assert "/m/" not in to_user.get_body(("plain",)).get_content()
    (to_contact,) = smtp.to("desk@plumbers.example")
    text = to_contact.get_body(("plain",)).get_content()
    html = to_contact.get_body(("html",)).get_content()
    link = next(line for line in text.splitlines() if "/m/" in line).strip()
    assert link.startswith("http://testserver/m/") and link in html
    # The link works without an account (the magic-link page answers).
    response = await client.get(link.removeprefix("http://testserver"))
    assert response.status_code == 200, response.text
    assert order.title in response.text
    # Nobody else heard of it; the stranger's organisation least of all.
    assert not smtp.to(w.stranger.email) and not smtp.to(w.cm.email)


async def test_contact_address_of_a_user_gets_no_second_mail(smtp: Smtp, pinned: None) -> None:
    w = await wb.world()
    await PartnerOrganisation.update({PartnerOrganisation.email: w.partner.email}).where(
        PartnerOrganisation.id == w.partner_org_id
    )
    await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    await deliver_due()
    assert len(smtp.to(w.partner.email)) == 1
    assert "/m/" not in smtp.to(w.partner.email)[0].get_body(("plain",)).get_content()


async def test_status_changes_and_comments_go_to_the_other_side_never_the_actor(
    smtp: Smtp, pinned: None
) -> None:
    w = await wb.world()
    await set_preferences(
        actor=builders.principal(w.cm),
        data=PreferencesUpdate(
            preferences={
                Event.work_status_changed: Mode.immediate,
                Event.work_commented: Mode.immediate,
            }
        ),
    )
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    await deliver_due()
    smtp.collector.messages.clear()
    await wb.step(order.id, w.partner, "accept")
    await deliver_due()
    assert [m["To"] for m in smtp.messages] == [w.cm.email]
    assert "Accepted" in str(smtp.messages[0]["Subject"])
    smtp.collector.messages.clear()
    await work.add_comment(
        actor=builders.principal(w.cm),
        work_order_id=order.id,
        data=CommentCreate(body="Key at reception"),
    )
    await deliver_due()
    assert [m["To"] for m in smtp.messages] == [w.partner.email]
    assert "Key at reception" in smtp.messages[0].get_body(("plain",)).get_content()


async def test_report_flow_tells_cms_and_the_reporter(smtp: Smtp, pinned: None, client) -> None:
    w = await wb.world()
    await set_preferences(
        actor=builders.principal(w.cm),
        data=PreferencesUpdate(preferences={Event.report_received: Mode.immediate}),
    )
    created = await mb.report(
        site_id=w.site.id, reporter_email="anna@members.example", reporter_name="Anna"
    )
    await deliver_due()
    assert len(smtp.to(w.cm.email)) == 1
    (received,) = smtp.to("anna@members.example")
    status_link = next(
        line.strip()
        for line in received.get_body(("plain",)).get_content().splitlines()
        if "/n/report/" in line
    )
    page = await client.get(status_link.removeprefix("http://testserver"))
    assert page.status_code == 200 and created.report.title in page.text
    forged = await client.get(status_link.removeprefix("http://testserver")[:-3] + "abc")
    assert forged.status_code == 404

    await report_actions.accept_report(actor=builders.principal(w.cm), report_id=created.report.id)
    order_id = (await WorkOrder.select(WorkOrder.id).first())["id"]
    await wb.step(order_id, w.cm, "assign", partner_organisation_id=w.partner_org_id)
    await wb.step(order_id, w.partner, "start")
    await wb.step(order_id, w.partner, "complete", note="Seal replaced")
    await deliver_due()
    subjects = [str(m["Subject"]) for m in smtp.to("anna@members.example")]
    assert len(subjects) == 3
    assert any("being handled" in s for s in subjects)
    assert any(s.startswith("Fixed:") for s in subjects)
    assert smtp.duplicates() == {}


async def test_report_without_email_tells_only_staff(smtp: Smtp, pinned: None) -> None:
    w = await wb.world()
    await mb.report(site_id=w.site.id)
    await deliver_due()
    assert {m["To"] for m in smtp.messages} <= {w.cm.email}
    rows = await outbox_rows(kind="email")
    assert all(r["recipient"] == w.cm.email for r in rows)


async def test_german_user_gets_german_mail_with_local_times(smtp: Smtp, pinned: None) -> None:
    w = await wb.world()
    german = await builders.user(Role.partner, partner_id=w.partner_org_id, locale="de")
    due = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    await wb.work_order(
        w.site.id, partner_organisation_id=w.partner_org_id, due_at=due, title="Kühlschrank tropft"
    )
    await deliver_due()
    (mail,) = smtp.to(german.email)
    assert "Kühlschrank tropft" in str(mail["Subject"])  # RFC 2047, decoded by the receiver
    text = mail.get_body(("plain",)).get_content()
    assert "Hallo" in text
    assert "26.11.2026, 16:30" in text  # Europe/Berlin, German format
    assert "Arbeitsauftrag" in text
    (english,) = smtp.to(w.partner.email)
    assert "26 Nov 2026, 16:30" in english.get_body(("plain",)).get_content()


async def test_missing_template_variable_is_a_clear_error_and_writes_nothing(pinned: None) -> None:
    user = await builders.user(Role.ops_manager)
    with pytest.raises(MissingTemplateVariable) as error:
        await notify(
            "sla_breached",
            recipients=[Recipient(user_id=user.id)],
            context={
                "work_order_id": 1,
                "title": "Boiler",
                "target": "resolution",
                "level": "ops_manager",
            },
        )
    assert "'due_at'" in str(error.value)
    assert await outbox_rows() == []
    with pytest.raises(ValueError):
        await notify("no_such_event", recipients=[], context={})


async def test_sla_and_contract_events_render_from_the_documented_context(
    smtp: Smtp, pinned: None
) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id)
    ops = await builders.user(Role.ops_manager, locale="de")
    written = await notify(
        "sla_at_risk",
        recipients=[Recipient(user_id=ops.id)],
        context={
            "work_order_id": order.id,
            "title": order.title,
            "site_name": w.site.name,
            "target": "response",
            "due_at": clock.now() + timedelta(hours=1),
            "level": "ops_manager",
        },
        dedupe_key=f"sla:{order.id}:response:at_risk:ops_manager",
    )
    assert written == 1
    again = await notify(
        "sla_at_risk",
        recipients=[Recipient(user_id=ops.id)],
        context={
            "work_order_id": order.id,
            "title": order.title,
            "site_name": w.site.name,
            "target": "response",
            "due_at": clock.now() + timedelta(hours=1),
            "level": "ops_manager",
        },
        dedupe_key=f"sla:{order.id}:response:at_risk:ops_manager",
    )
    assert again == 0  # the dedupe key makes a repeat a no-op
    await notify(
        "contract_renewal_due",
        recipients=[Recipient(email="ops@example.com", locale="de")],
        context={
            "contract_id": 7,
            "contract_name": "Reinigung HD",
            "provider_name": "Putzteufel GmbH",
            "notice_deadline": date(2026, 12, 31),
            "end_date": date(2027, 3, 31),
        },
    )
    await deliver_due()
    assert len(smtp.to(ops.email)) == 1
    (contract,) = smtp.to("ops@example.com")
    assert "31.12.2026" in str(contract["Subject"])


async def test_preference_off_queues_nothing(smtp: Smtp, pinned: None) -> None:
    w = await wb.world()
    await set_preferences(
        actor=builders.principal(w.partner),
        data=PreferencesUpdate(preferences={Event.work_assigned: Mode.off}),
    )
    await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    assert await outbox_rows(recipient=w.partner.email) == []


async def test_digest_sends_one_mail_with_several_items_once_per_local_day(
    smtp: Smtp, pinned: None
) -> None:
    w = await wb.world()  # the CM's default: comments and status changes in the digest
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    await wb.step(order.id, w.partner, "accept")
    await wb.step(order.id, w.partner, "start")
    await work.add_comment(
        actor=builders.principal(w.partner),
        work_order_id=order.id,
        data=CommentCreate(body="Parts ordered"),
    )
    assert await outbox_rows(recipient=w.cm.email) == []
    with clock.pinned(datetime(2026, 11, 25, 4, 0, tzinfo=UTC)):  # 05:00 in Berlin: too early
        assert await send_digests() == 0
    with clock.pinned(datetime(2026, 11, 25, 7, 0, tzinfo=UTC)):  # 08:00 in Berlin
        assert await send_digests() == 1
        assert await send_digests() == 0  # idempotent
        await deliver_due()
    (digest,) = smtp.to(w.cm.email)
    assert "3 updates" in str(digest["Subject"])
    text = digest.get_body(("plain",)).get_content()
    assert text.count("\n- ") == 3


async def test_outbox_detail_hides_the_magic_link_from_ops(make_client, pinned: None) -> None:
    w = await wb.world()
    await PartnerOrganisation.update({PartnerOrganisation.email: "desk@plumbers.example"}).where(
        PartnerOrganisation.id == w.partner_org_id
    )
    await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    (row,) = await outbox_rows(recipient="desk@plumbers.example")
    assert "/m/" in row["body_text"] and "/m/…" not in row["body_text"]
    api = await builders.api(make_client, await builders.user(Role.admin))
    detail = (await api.get(f"/api/v1/outbox/{row['id']}")).json()
    assert "/m/…" in detail["body_text"]
    token = row["body_text"].split("/m/")[1].split()[0]
    assert token not in detail["body_text"]
