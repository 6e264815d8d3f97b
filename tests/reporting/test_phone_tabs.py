"""The phone's bottom bar: a tab is about 75 px wide, so a long label gets a short form
("Arbeitsaufträge" broke mid-word as "Arbeitsauf / träge"); the menus keep the full one."""

from __future__ import annotations

import re

from facilities.accounts.enums import Role
from tests import builders


def _tabs(html: str) -> list[str]:
    bar = html.split('class="tabbar"', 1)[1].split('class="more"', 1)[0]
    return re.findall(r"<span>([^<]*)</span>", bar)


async def test_german_work_orders_tab_is_short_and_the_menu_keeps_the_full_label(
    make_client,
) -> None:
    ops = await builders.user(Role.ops_manager, locale="de")
    page = await (await builders.browser_session(make_client, ops)).get("/")
    assert page.status_code == 200
    tabs = _tabs(page.text)
    assert "Aufträge" in tabs and "Arbeitsaufträge" not in tabs
    assert "<span>Arbeitsaufträge</span>" in page.text  # the desk menu and "More"


async def test_a_partners_own_work_tab_keeps_its_words(make_client) -> None:
    partner = await builders.user(Role.partner, locale="de")
    page = await (await builders.browser_session(make_client, partner)).get("/")
    tabs = _tabs(page.text)
    assert "Meine Aufträge" in tabs
    assert "Bilanz" in tabs and "Bewertungen" not in tabs
