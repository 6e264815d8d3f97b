"""Pages: the meter page's "enter a reading" form (no JavaScript, decimal comma, the jump
question), the meter list and the results page, in English and German."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from facilities.accounts.enums import Role
from tests import builders
from tests.sustainability.helpers import meter, reading


async def _cm_with_meter(make_client, locale: str = "en"):
    region = await builders.region()
    site = await builders.site(region.id)
    m = await meter(site.id, number="1ESY1160")
    cm = await builders.user(Role.community_manager, locale=locale)
    await builders.assign(cm, sites=[site.id])
    return m, await builders.browser_session(make_client, cm)


async def test_enter_a_reading_with_a_decimal_comma(make_client) -> None:
    m, session = await _cm_with_meter(make_client)
    page = await session.get(f"/sustainability/meters/{m.id}")
    assert page.status_code == 200
    assert 'inputmode="decimal"' in page.text
    # The form posts without JavaScript; the page's only script is the offline queue.
    main = page.text.split("<main", 1)[-1].split("</main>", 1)[0]
    scripts = re.findall(r'<script src="([^"?]+)', main)
    assert scripts == ["/static/offline.js"]
    response = await builders.post_form(
        session, f"/sustainability/meters/{m.id}/readings", {"value": "1.234,5", "kind": "regular"}
    )
    assert response.status_code == 303, response.text
    after = await session.get(response.headers["location"])
    assert "Reading saved." in after.text
    assert "1,234.5" in after.text


async def test_form_errors_keep_the_value_and_name_the_field(make_client) -> None:
    m, session = await _cm_with_meter(make_client)
    await reading(m.id, 500, datetime(2026, 1, 1, tzinfo=UTC))
    response = await builders.post_form(
        session, f"/sustainability/meters/{m.id}/readings", {"value": "400"}
    )
    assert response.status_code == 422
    assert "lower than the previous one" in response.text
    assert 'value="400"' in response.text
    not_a_number = await builders.post_form(
        session, f"/sustainability/meters/{m.id}/readings", {"value": "abc"}
    )
    assert not_a_number.status_code == 422
    assert "Type a number" in not_a_number.text
    assert "Expected" not in not_a_number.text


async def test_jump_asks_for_confirmation_on_the_page(make_client) -> None:
    m, session = await _cm_with_meter(make_client)
    for day, value in ((1, 0), (2, 10), (3, 20)):
        await reading(m.id, value, datetime(2026, 1, day, tzinfo=UTC))
    url = f"/sustainability/meters/{m.id}/readings"
    body = {"value": "2000", "read_at": "2026-01-04T01:00"}
    warned = await builders.post_form(session, url, body)
    assert warned.status_code == 409
    assert 'name="confirm_jump"' in warned.text
    confirmed = await builders.post_form(session, url, {**body, "confirm_jump": "on"})
    assert confirmed.status_code == 303


async def test_pages_in_german(make_client) -> None:
    m, session = await _cm_with_meter(make_client, locale="de")
    meter_page = await session.get(f"/sustainability/meters/{m.id}")
    assert "Zählerstand erfassen" in meter_page.text
    results = await session.get("/sustainability?year=2026")
    assert results.status_code == 200
    assert "Scope 2 marktbasiert" in results.text
    listing = await session.get("/sustainability/meters")
    assert "Strom (Netz)" in listing.text


async def test_viewer_sees_but_cannot_enter(make_client) -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    m = await meter(site.id)
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[site.id])
    session = await builders.browser_session(make_client, viewer)
    page = await session.get(f"/sustainability/meters/{m.id}")
    assert page.status_code == 200
    assert "/readings" not in page.text


def test_numbers_as_people_type_them() -> None:
    from facilities.sustainability.controllers.pages import _number

    assert _number("1234,5") == "1234.5"
    assert _number("1.234,5") == "1234.5"
    assert _number("1,234.5") == "1234.5"
    assert _number("1 234,5") == "1234.5"
    assert _number("1234.5") == "1234.5"
    assert _number("1234") == "1234"


async def test_partner_sees_no_sustainability_menu() -> None:
    from facilities.navigation import menu

    partner = builders.principal(await builders.user(Role.partner))
    keys = {link.key for group in menu(partner, "/").groups for link in group.links}
    assert not keys & {"sustainability", "meters"}
    cm = builders.principal(await builders.user(Role.community_manager))
    cm_keys = {link.key for group in menu(cm, "/").groups for link in group.links}
    assert {"sustainability", "meters"} <= cm_keys
