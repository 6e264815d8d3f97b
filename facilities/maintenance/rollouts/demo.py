"""Demo data for roll-outs (``facilities demo``): a Wi-Fi 7 roll-out across the field sites,
installed by the partner named by the caller (the demo: the organisation of
partner@demo.facilities, so that login sees the board), with sites in every stage —
installed ones (registered as monitored access points with their QR labels), work in
progress, one blocked for lack of access, accepted and planned ones. Everything through
the real actions. Idempotent: an existing roll-out of that name is left alone."""

from __future__ import annotations

import io
from datetime import timedelta

import msgspec
from PIL import Image

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.i18n import _, using_locale
from facilities.maintenance.checklists import actions as checklist_actions
from facilities.maintenance.checklists.schemas import AnswerUpdate
from facilities.maintenance.rollouts import actions
from facilities.maintenance.rollouts.schemas import RolloutCreate, RolloutSiteCreate
from facilities.maintenance.workorders import actions as wo_actions
from facilities.maintenance.workorders import queries as wo_queries
from facilities.maintenance.workorders.schemas import TransitionRequest
from facilities.settings import get_settings


def _photo() -> bytes:
    """The photo item needs an image: a small grey one."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (160, 160, 160)).save(out, format="PNG")
    return out.getvalue()


async def _step(actor: Principal, order_id: int, action: str, **values: str) -> None:
    current = await wo_queries.work_order_by_id(order_id)
    data = {"action": action, "version": current.version, **values}
    await wo_actions.transition(
        actor=actor, work_order_id=order_id, data=msgspec.convert(data, TransitionRequest)
    )


async def _install(installer: Principal, order_id: int, serial: str) -> None:
    checklist = await checklist_actions.load_checklist(installer, order_id)
    for item in checklist.items:
        if item.kind == "photo":
            await checklist_actions.answer_photo(
                actor=installer, work_order_id=order_id, item_id=item.id, photo=_photo()
            )
        elif item.key == actions.SERIAL_KEY:
            value: str | None = serial
        elif item.kind == "pass_flag_fail":
            value = "pass"
        else:
            continue
        if item.kind != "photo":
            await checklist_actions.answer_item(
                actor=installer,
                work_order_id=order_id,
                item_id=item.id,
                data=AnswerUpdate(value=value),
            )


async def load_rollout(
    system: Principal, site_ids: list[int], *, name: str, category: str, installer: str
) -> None:
    """``category`` and ``installer``: names of the asset category and the partner."""
    if await db.raw("SELECT id FROM rollout WHERE name = {}", name) or not site_ids:
        return
    found = await db.raw("SELECT id FROM asset_category WHERE name = {}", category)
    partner = await db.raw("SELECT id FROM partner_organisation WHERE name = {}", installer)
    if not found or not partner:
        return
    with using_locale(get_settings().default_locale):  # titles and checklist in its language
        await _load(system, site_ids, name, int(found[0]["id"]), int(partner[0]["id"]), installer)


async def _load(
    system: Principal, site_ids: list[int], name: str, category_id: int, partner_id: int, who: str
) -> None:
    today = clock.now().date()
    made = await actions.create_rollout(
        actor=system,
        data=RolloutCreate(
            name=name,
            category_id=category_id,
            partner_organisation_id=partner_id,
            sites=[
                RolloutSiteCreate(site_id=site_id, target_date=today + timedelta(days=7 * n - 14))
                for n, site_id in enumerate(site_ids)
            ],
        ),
    )
    person = Principal(
        user_id=None,
        email="installer@demo.facilities",
        name=who,
        role=Role.partner,
        locale="en",
        partner_organisation_id=partner_id,
        via="session",
        credential_id=0,
    )
    orders = [s.work_order_id for s in made.sites if s.work_order_id is not None]
    for n, order_id in enumerate(orders):
        if n >= 7:
            break  # the rest stay planned
        await _step(person, order_id, "accept")
        if n >= 5:
            continue  # scheduled: accepted, not started
        await _step(person, order_id, "start")
        if n == 4:
            await _step(
                person, order_id, "hold", hold_reason="access", note=_("No key to the mast")
            )
            continue
        if n == 3:
            continue  # in progress
        await _install(person, order_id, f"U7-DEMO-{order_id:04d}")
        await _step(person, order_id, "complete", note=_("Installed and online"))
        if n == 0:
            await _step(system, order_id, "verify")
