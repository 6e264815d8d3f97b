"""Who hears of what happens to work orders and problem reports.

Registered with ``facilities.maintenance.hooks`` by ``facilities.wiring.install``; each
listener runs inside the change's transaction, so its outbox rows commit with the change.
Bulk creation (PM generation) calls ``on_work_orders_created`` once per batch: only the
orders created ``assigned`` notify anyone, so the others cost nothing.

* work assigned → the partner organisation's active users (their preferences) and the
  organisation's contact address when no user has it, with a magic link to that one order;
* status changed / commented → the other side: the site's community managers when the
  partner acted, the partner's users when staff acted; never the actor;
* report received → the site's community managers, and the reporter if they left an
  address; accepted / resolved → the reporter only.

The reporter's links: the report's own status token is only known to the request that
created it (only its hash is stored), so the mails carry a *signed* link instead
(``/n/report/<report id>.<HMAC>``, see ``reporter_link``): unforgeable without the secret
key, nothing extra stored, and it shows the same public status page.
"""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation, User
from facilities.kit.errors import FacilitiesError
from facilities.kit.security import sign
from facilities.maintenance import hooks
from facilities.maintenance.enums import REPORT_STATUS_LABELS, ReportStatus
from facilities.maintenance.lifecycle import STATUS_LABELS, WorkOrderStatus
from facilities.maintenance.tables import ProblemReport, WorkOrder
from facilities.maintenance.workorders import magic
from facilities.notifications.enums import Event
from facilities.notifications.notify import Recipient, notify
from facilities.settings import get_settings
from facilities.sites.tables import SiteAssignment

PRIORITY_LABELS = {"p1": "P1", "p2": "P2", "p3": "P3", "p4": "P4"}


def reporter_link(report_id: int) -> str:
    signed = sign(get_settings().resolved_secret_key(), f"report-{report_id}")
    return f"{get_settings().base_url}/n/report/{signed}"


async def _order(work_order_id: int) -> dict[str, Any] | None:
    return (
        await WorkOrder.select(
            WorkOrder.id,
            WorkOrder.title,
            WorkOrder.description,
            WorkOrder.priority,
            WorkOrder.status,
            WorkOrder.due_at,
            WorkOrder.site.id.as_alias("site_id"),
            WorkOrder.site.name.as_alias("site_name"),
            WorkOrder.site.address.as_alias("site_address"),
            WorkOrder.site.city.as_alias("site_city"),
            WorkOrder.partner_organisation.as_alias("partner_id"),
        )
        .where(WorkOrder.id == work_order_id)
        .first()
    )


async def site_staff(site_id: int) -> list[Recipient]:
    """The site's community managers (active accounts)."""
    rows = await SiteAssignment.select(SiteAssignment.user).where(
        (SiteAssignment.site == site_id)
        & (SiteAssignment.user.role == Role.community_manager.value)
        & (SiteAssignment.user.active == True)  # noqa: E712
    )
    return [Recipient(user_id=row["user"]) for row in rows]


async def partner_users(partner_id: int | None) -> list[Recipient]:
    if partner_id is None:
        return []
    rows = await User.select(User.id).where(
        (User.partner_organisation == partner_id) & (User.active.eq(True))
    )
    return [Recipient(user_id=row["id"]) for row in rows]


def _not_actor(recipients: list[Recipient], actor: Principal | None) -> list[Recipient]:
    if actor is None:
        return recipients
    return [
        r
        for r in recipients
        if not (actor.user_id is not None and r.user_id == actor.user_id)
        and not (r.email and r.email.lower() == actor.email.lower())
    ]


def _base_context(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "work_order_id": order["id"],
        "title": order["title"],
        "site_id": order["site_id"],
        "site_name": order["site_name"],
        "priority": PRIORITY_LABELS.get(order["priority"], order["priority"]),
        "due_at": order["due_at"],
        "link": f"{get_settings().base_url}/work-orders/{order['id']}",
    }


async def _issue_magic_link(work_order_id: int, email: str) -> str | None:
    """A magic link for the contact address, or None when none can be issued (e.g. an
    invalid contact address): the assignment itself must never fail for it."""
    try:
        path = await magic.issue_link(work_order_id=work_order_id, email=email, issued_by=None)
    except FacilitiesError:
        return None
    return path if path.startswith("http") else f"{get_settings().base_url}{path}"


async def _work_assigned(change: hooks.WorkOrderChange, order: dict[str, Any]) -> None:
    partner_id = change.partner_organisation_id
    if partner_id is None:
        return
    context = {
        **_base_context(order),
        "description": order["description"] or "",
        "address": ", ".join(p for p in (order["site_address"], order["site_city"]) if p),
    }
    users = await partner_users(partner_id)
    await notify(
        Event.work_assigned.value,
        recipients=_not_actor(users, change.actor),
        context=context,
    )
    organisation = (
        await PartnerOrganisation.select(PartnerOrganisation.email, PartnerOrganisation.name)
        .where(PartnerOrganisation.id == partner_id)
        .first()
    )
    contact = (organisation or {}).get("email", "").strip().lower()
    if not contact:
        return
    known = await User.exists().where(User.email == contact)
    if known:
        return
    link = await _issue_magic_link(order["id"], contact)
    if link is None:
        return
    await notify(
        Event.work_assigned.value,
        recipients=[Recipient(email=contact, name=organisation["name"] if organisation else "")],
        context={**context, "magic_link": link},
        webhooks=False,
    )


async def on_work_order_change(change: hooks.WorkOrderChange) -> None:
    order = await _order(change.work_order_id)
    if order is None:
        return
    if change.action in ("create", "assign") and change.to_status == WorkOrderStatus.assigned:
        await _work_assigned(change, order)
        return
    if change.action == "create":
        return
    partner_acted = change.actor is None or change.actor.role is Role.partner
    others = (
        await site_staff(order["site_id"])
        if partner_acted
        else await partner_users(change.partner_organisation_id or order["partner_id"])
    )
    recipients = _not_actor(others, change.actor)
    actor_name = change.actor.name if change.actor else ""
    if change.action == "comment":
        await notify(
            Event.work_commented.value,
            recipients=recipients,
            context={**_base_context(order), "comment": change.note, "actor_name": actor_name},
        )
        return
    if change.from_status == change.to_status:
        return
    await notify(
        Event.work_status_changed.value,
        recipients=recipients,
        context={
            **_base_context(order),
            "from_status": STATUS_LABELS[WorkOrderStatus(change.from_status)]
            if change.from_status
            else "",
            "to_status": STATUS_LABELS[WorkOrderStatus(change.to_status)]
            if change.to_status
            else "",
            "note": change.note,
            "actor_name": actor_name,
        },
    )


async def on_work_orders_created(changes: list[hooks.WorkOrderChange]) -> None:
    """Many new orders at once: "work assigned" for those created with a partner."""
    for change in changes:
        if change.to_status == WorkOrderStatus.assigned and change.partner_organisation_id:
            await on_work_order_change(change)


async def on_report_change(change: hooks.ReportChange) -> None:
    report = (
        await ProblemReport.select(
            ProblemReport.id,
            ProblemReport.title,
            ProblemReport.description,
            ProblemReport.status,
            ProblemReport.reporter_email,
            ProblemReport.reporter_name,
            ProblemReport.reporter_locale,
            ProblemReport.reporter_user.locale.as_alias("reporter_user_locale"),
            ProblemReport.site.name.as_alias("site_name"),
            ProblemReport.created_at,
        )
        .where(ProblemReport.id == change.report_id)
        .first()
    )
    if report is None:
        return
    event = {
        "received": Event.report_received,
        "accepted": Event.report_accepted,
        "resolved": Event.report_resolved,
    }.get(change.action)
    if event is None:
        return
    context = {
        "report_id": report["id"],
        "title": report["title"],
        "site_id": change.site_id,
        "site_name": report["site_name"],
        "status": REPORT_STATUS_LABELS[ReportStatus(report["status"])],
        "created_at": report["created_at"],
        "for_reporter": False,
    }
    if event is Event.report_received:
        await notify(
            event.value,
            recipients=await site_staff(change.site_id),
            context={
                **context,
                "description": report["description"],
                "link": f"{get_settings().base_url}/problem-reports/{report['id']}",
            },
        )
    else:  # nobody on staff is mailed, but webhooks subscribed to it hear of it
        await notify(
            event.value,
            recipients=[],
            context={**context, "description": report["description"]},
        )
    email = (report["reporter_email"] or "").strip()
    if not email:
        return
    await notify(
        event.value,
        recipients=[
            Recipient(
                email=email,
                name=report["reporter_name"] or "",
                # A signed-in reporter's own language, else the page they reported from.
                locale=report["reporter_user_locale"]
                or report["reporter_locale"]
                or get_settings().default_locale,
            )
        ],
        context={
            **context,
            "description": report["description"],
            "for_reporter": True,
            "status_url": reporter_link(report["id"]),
        },
        webhooks=False,
        respect_preferences=False,
    )
