"""Site pages on a phone: the site form without JavaScript, closures, spaces, scoping (404)."""

from __future__ import annotations

import re
from datetime import timedelta

from babel.dates import format_date
from playwright.async_api import expect

from facilities.accounts.enums import Role
from facilities.kit import clock
from tests import builders
from tests.browser.helpers import field_of, labelled, open_menu, sign_in


async def test_ops_manager_creates_a_site_without_javascript(new_context) -> None:
    region = await builders.region("Rhine-Neckar")
    await builders.region("North Hesse")  # not theirs: must not be offered
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    context = await new_context(java_script_enabled=False)
    page = await context.new_page()
    await sign_in(page, ops.email)

    await (await open_menu(page)).get_by_text("Sites", exact=True).first.click()
    await page.get_by_role("link", name="New site").click()
    await expect(page).to_have_url(re.compile(r"/sites/new$"))
    await expect(page.get_by_role("heading", name="New site", level=1)).to_be_visible()
    await expect(labelled(page, "Region").locator("option")).to_have_text(["Rhine-Neckar"])
    # Defaults of a new site.
    await expect(labelled(page, "Time zone")).to_have_value("Europe/Berlin")

    entered = {
        "Name": "Heidelberg Bahnstadt",
        "Short code": "HD-BS",
        "Street and number": "Langer Anger 7",
        "Postal code": "69115",
        "Town": "Heidelberg",
        "Latitude": "49",
        "Longitude": "9",
        "Time zone": "Mars/Olympus",
        "Floor area (m²)": "812",
        "Desks": "58",
        "Subdivision (e.g. BW)": "BW",
        "Monday": "08:00-12:00, 13:00-18:00",
        "Friday": "08:00-16:00",
        "Saturday": "09:00-13:00",
        "Access notes for partners": "Key safe left of the door, code 4711.\nAsk at the café.",
    }
    for label, value in entered.items():
        await labelled(page, label).fill(value)
    await labelled(page, "Kind").select_option(label="Field site")
    anonymous = page.get_by_label(
        "Anyone who scans a label may report a problem without signing in"
    )
    await expect(anonymous).to_be_checked()
    await anonymous.uncheck()

    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name="Save").click()
    assert (await navigation.value).status == 422

    # Re-rendered with the error beside the time zone field, and nothing lost.
    await expect(page).to_have_url(re.compile(r"/sites/new$"))
    await expect(page.get_by_role("alert")).to_contain_text("Please check the highlighted fields.")
    time_zone = field_of(page, "Time zone")
    await expect(time_zone).to_have_class(re.compile(r"\bhas-error\b"))
    await expect(time_zone.locator(".error")).to_have_text(
        "Unknown time zone: use an IANA name such as Europe/Berlin."
    )
    await expect(labelled(page, "Time zone")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".field.has-error")).to_have_count(1)
    for label, value in entered.items():
        await expect(labelled(page, label)).to_have_value(value)
    await expect(labelled(page, "Kind")).to_have_value("field")
    await expect(labelled(page, "Region")).to_have_value(str(region.id))
    await expect(anonymous).not_to_be_checked()
    for untouched in ("Tuesday", "Sunday"):
        await expect(labelled(page, untouched)).to_have_value("")

    await labelled(page, "Time zone").fill("Europe/Berlin")
    await page.get_by_role("button", name="Save").click()

    await expect(page).to_have_url(re.compile(r"/sites/\d+$"))
    await expect(page.get_by_role("status")).to_have_text("Site created.")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Heidelberg Bahnstadt HD-BS")
    facts = page.locator("section.card").first
    for text in ("Field site", "Rhine-Neckar", "Langer Anger 7, 69115 Heidelberg", "Europe/Berlin"):
        await expect(facts).to_contain_text(text)
    await expect(facts).to_contain_text("sign-in required")
    await expect(page.get_by_text("Key safe left of the door, code 4711.")).to_be_visible()
    hours = page.locator("section.card", has=page.get_by_role("heading", name="Opening hours"))
    await expect(hours.locator("dd")).to_have_text(
        [
            "08:00-12:00, 13:00-18:00",
            "closed",
            "closed",
            "closed",
            "08:00-16:00",
            "09:00-13:00",
            "closed",
        ]
    )


async def test_community_manager_adds_closure_day_and_spaces(page) -> None:
    region = await builders.region()
    site = await builders.site(region.id, name="Mannheim Jungbusch", city="Mannheim")
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    await sign_in(page, cm.email)
    await (await open_menu(page)).get_by_text("Sites", exact=True).first.click()
    await page.get_by_role("link", name="Mannheim Jungbusch").click()
    await expect(page).to_have_url(re.compile(rf"/sites/{site.id}$"))
    await expect(page.get_by_role("button", name="Archive site")).to_have_count(0)

    # The edit form holds only the operational fields.
    await page.get_by_role("link", name="Edit", exact=True).click()
    await expect(page).to_have_url(re.compile(rf"/sites/{site.id}/edit$"))
    form = page.locator("main form")
    await expect(form.locator("legend")).to_have_text(["Opening hours", "Access"])
    names = await form.locator("input, select, textarea").evaluate_all(
        "els => els.map(e => e.name)"
    )
    weekdays = [f"hours_{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
    assert sorted(names) == sorted(
        ["_csrf_token", *weekdays, "access_notes", "allow_anonymous_reports"]
    )
    for hidden in ("Name", "Short code", "Region", "Time zone", "Desks"):
        await expect(labelled(page, hidden)).to_have_count(0)
    await page.get_by_role("link", name="Cancel").click()
    await expect(page).to_have_url(re.compile(rf"/sites/{site.id}$"))

    # A closure day.
    day = clock.now().date() + timedelta(days=30)
    await labelled(page, "Day").fill(day.isoformat())
    await labelled(page, "Reason").fill("Inventory")
    await page.get_by_role("button", name="Add closure day").click()
    await expect(page).to_have_url(re.compile(rf"/sites/{site.id}#closures$"))
    await expect(page.get_by_role("status")).to_have_text("Closure day added.")
    closures = page.locator("#closures")
    shown = format_date(day, "medium", locale="en_GB")
    await expect(closures.locator("li", has_text="site closure")).to_have_text(
        f"{shown} — Inventory (site closure)"
    )

    # A floor, then a room inside it.
    spaces = page.locator("#spaces")
    await expect(spaces.locator("ul.spaces li")).to_have_text(["No spaces yet."])
    await labelled(spaces, "Name").fill("1st floor")
    await labelled(spaces, "Kind").select_option(label="Floor")
    await spaces.get_by_role("button", name="Add space").click()
    await expect(page.get_by_role("status")).to_have_text("Space added.")
    await labelled(spaces, "Name").fill("Kitchen")
    await labelled(spaces, "Kind").select_option(label="Room")
    await labelled(spaces, "Inside").select_option(label="1st floor")
    await spaces.get_by_role("button", name="Add space").click()
    await expect(page.get_by_role("status")).to_have_text("Space added.")
    await expect(spaces.locator("ul.spaces > li")).to_have_count(2)
    await expect(spaces.locator("ul.spaces > li").nth(0)).to_contain_text("1st floor")
    await expect(spaces.locator("ul.spaces > li").nth(1)).to_contain_text("1st floor › Kitchen")
    await expect(spaces.locator("ul.spaces > li").nth(1)).to_contain_text("Room")


async def test_foreign_site_shows_the_friendly_404(page) -> None:
    own_region = await builders.region()
    other_region = await builders.region()
    own = await builders.site(own_region.id, name="Ludwigshafen Hbf")
    foreign = await builders.site(other_region.id, name="Secret Site Elsewhere")
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[own.id])
    await sign_in(page, cm.email)

    for path in (f"/sites/{foreign.id}", f"/sites/{foreign.id}/edit"):
        response = await page.goto(path)
        assert response is not None and response.status == 404
        await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        await expect(page.get_by_text("Error 404")).to_be_visible()
        await expect(page.get_by_role("link", name="Back to the start page")).to_be_visible()
        body = await page.locator("body").inner_text()
        for leak in ("Traceback", "Secret Site Elsewhere", "Exception", 'File "'):
            assert leak not in body, leak
    await page.get_by_role("link", name="Back to the start page").click()
    await expect(page).to_have_url(re.compile(r"/$"))
    await page.goto(f"/sites/{own.id}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Ludwigshafen Hbf")


async def test_error_pages_keep_the_navigation_of_a_signed_in_user(page) -> None:
    cm = await builders.user(Role.community_manager)
    await sign_in(page, cm.email)
    response = await page.goto("/sites/999999")
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await expect((await open_menu(page)).last).to_have_text("Account", timeout=1_000)
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=1_000)


async def test_decimal_coordinates_and_floor_area_can_be_entered(page) -> None:
    region = await builders.region()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    await sign_in(page, ops.email)
    await page.goto("/sites/new")
    await labelled(page, "Name").fill("Speyer Altpörtel")
    await labelled(page, "Short code").fill("SP-AP")
    await labelled(page, "Latitude").fill("49.3172")
    await labelled(page, "Longitude").fill("8.4412")
    await labelled(page, "Floor area (m²)").fill("812.5")
    await page.get_by_role("button", name="Save").click()
    await expect(page).to_have_url(re.compile(r"/sites/\d+$"), timeout=1_500)
    await expect(page.get_by_text("812.5 m²")).to_be_visible()
