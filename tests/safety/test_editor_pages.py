"""The ops pages for what was API-only: the inspection template editor (create, edit as a
new version, version history), programmes (list, create, edit, generate now), editing a
certificate, certificate types, and the incident list's cursor paging. Each page: renders
for ops, 404 for a foreign or unknown id, bad input re-renders with the message next to
the field and every value as typed, valid input goes through the action."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.safety.compliance.actions import seed_certificate_types
from facilities.safety.inspections import queries
from tests import builders
from tests.safety.helpers import incident_body, person, place, programme, starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    token = await builders.csrf(client, "/safety/templates")
    return await client.post(path, data={**data, "_csrf_token": token})


def _row(i: int, **values: str) -> dict[str, str]:
    return {f"items-{i}-{k}": v for k, v in values.items()}


def _error_near(text: str, field: str) -> str:
    """The message shown under the field ``field`` (its error paragraph's text)."""
    match = re.search(rf'<p class="error" id="e-{re.escape(field)}"[^>]*>(.*?)</p>', text, re.S)
    assert match, f"no error shown at {field}"
    return html.unescape(match.group(1))


TEMPLATE_FORM = {
    "name": "Monthly walk",
    "language": "en",
    "rows": "5",
    **_row(
        0,
        label="Extinguisher in place",
        kind="pass_fail_na",
        weight="2",
        critical="on",
        required="on",
        section="Fire",
    ),
    **_row(
        1,
        label="Pressure",
        kind="number",
        unit="bar",
        min="1",
        max="2,5",
        weight="1",
        required="on",
    ),
    **_row(
        2,
        label="Signage",
        kind="choice",
        options="Good\nWorn\nMissing",
        fail_choice="Missing",
        weight="1",
    ),
    **_row(3, label="Lights work", kind="yes_no", weight="1", required="on"),
    **_row(
        4,
        label="Which light is broken?",
        kind="text",
        weight="0",
        show_if="4",
        show_if_answers="no",
    ),
}


async def test_create_a_template_with_every_kind_and_a_follow_up(make_client: Any) -> None:
    w = await world()
    ops = await builders.browser_session(make_client, w.ops)
    page = await ops.get("/safety/templates/new")
    assert page.status_code == 200
    for label in ("Pass / fail / not applicable", "Yes / no", "Number (unit, limits)", "Text",
                  "Multiple choice", "Photo", "Signature"):  # fmt: skip
        assert label in page.text
    form = {**TEMPLATE_FORM, **_row(5, label="Photo of the panel", kind="photo", weight="0")}
    form.update(_row(6, label="Signed off", kind="signature", weight="0", required="on"))
    form["rows"] = "7"
    created = await _post(ops, "/safety/templates/new", form)
    assert created.status_code == 303, created.text
    template_id = int(created.headers["location"].rsplit("/", 1)[-1])
    template = await queries.get_template(builders.principal(w.ops), template_id)
    items = {i.label: i for i in template.items}
    assert template.version == 1 and len(items) == 7
    first = items["Extinguisher in place"]
    assert first.critical and first.section == "Fire" and str(first.weight) == "2"
    pressure = items["Pressure"]
    assert (pressure.unit, str(pressure.min), str(pressure.max)) == ("bar", "1", "2.5")
    assert items["Signage"].options == ["Good", "Worn", "Missing"]
    assert items["Signage"].fail_answers == ["Missing"]
    follow = items["Which light is broken?"]
    assert follow.show_if_item == items["Lights work"].key and follow.show_if_answers == ["no"]
    assert not follow.required
    shown = await ops.get(f"/safety/templates/{template_id}")
    assert shown.status_code == 200 and "Which light is broken?" in shown.text
    assert 'value="4"' in shown.text  # the follow-up names item 4


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"rows": "1", **_row(0, label="", kind="text")}, "items", "Add at least one item"),
        (_row(1, weight="-1"), "items[1].weight", "cannot be negative"),
        (_row(1, min="5", max="2"), "items[1].min", "lower limit is above the upper"),
        (_row(2, options="Only one"), "items[2].options", "at least two"),
        (_row(4, show_if="9"), "items[4].show_if_item", "earlier item"),
    ],
)
async def test_bad_template_input_is_shown_at_the_field_and_nothing_is_lost(
    make_client: Any, change: dict[str, str], field: str, message: str
) -> None:
    w = await world()
    ops = await builders.browser_session(make_client, w.ops)
    form = {**TEMPLATE_FORM, **change}
    refused = await _post(ops, "/safety/templates/new", form)
    assert refused.status_code == 422, refused.text
    assert message in _error_near(refused.text, field)
    assert 'value="Monthly walk"' in refused.text
    if field != "items":
        for typed in ("Extinguisher in place", "Pressure", "Lights work"):
            assert typed in html.unescape(refused.text)
        assert 'name="items-1-unit" value="bar"' in refused.text
    assert await queries.list_templates(builders.principal(w.ops)) == []


async def test_add_rows_without_javascript_keeps_what_was_typed(make_client: Any) -> None:
    w = await world()
    ops = await builders.browser_session(make_client, w.ops)
    more = await _post(ops, "/safety/templates/new", {**TEMPLATE_FORM, "action": "add"})
    assert more.status_code == 200
    assert 'name="rows" value="8"' in more.text and "Extinguisher in place" in more.text
    assert await queries.list_templates(builders.principal(w.ops)) == []


async def test_editing_makes_a_new_version_and_the_history_shows_both(make_client: Any) -> None:
    w = await world()
    template = await starter("first_aid_kit")
    await programme(template.id, site_id=w.site.id)
    ops = await builders.browser_session(make_client, w.ops)
    url = f"/safety/templates/{template.id}"
    page = await ops.get(url)
    assert page.status_code == 200 and "keep the version they were started on" in page.text
    rows = {  # as a browser sends it: the failing-answer checkboxes below, ticked ones only
        k: v
        for k, v in re.findall(r'<input[^>]* name="(items-\d+-\w+)" value="([^"]*)"', page.text)
        if "-fail_" not in k
    }
    count = re.search(r'name="rows" value="(\d+)"', page.text)
    assert count
    form: dict[str, Any] = {**rows, "name": template.name, "rows": count.group(1), "version": "1"}
    for k, v in re.findall(r'name="(items-\d+-fail_\w+)" value="([^"]*)" checked', page.text):
        form.setdefault(k, []).append(v)
    for i in range(len(template.items)):
        form[f"items-{i}-kind"] = template.items[i].kind.value
        form[f"items-{i}-required"] = "on"
    new = len(template.items)
    form.update(_row(new, label="Eye wash bottle sealed", kind="yes_no", weight="1"))
    bad = await _post(ops, url, {**form, **_row(new, weight="-2")})
    assert bad.status_code == 422 and "Eye wash bottle sealed" in bad.text
    saved = await _post(ops, url, form)
    assert saved.status_code == 303, saved.text
    after = await queries.get_template(builders.principal(w.ops), template.id)
    assert after.version == 2 and after.items[-1].label == "Eye wash bottle sealed"
    assert [i.key for i in after.items[:-1]] == [i.key for i in template.items]
    stale = await _post(ops, url, form)  # based on version 1 still
    assert stale.status_code == 409 and "Eye wash bottle sealed" in stale.text
    history = await ops.get(f"{url}/versions")
    assert history.status_code == 200
    assert "Version 2" in history.text and "Version 1" in history.text


async def test_template_pages_404_for_unknown_ids_and_403_for_community_managers(
    make_client: Any,
) -> None:
    w = await world()
    ops = await builders.browser_session(make_client, w.ops)
    for path in ("/safety/templates/999999", "/safety/templates/999999/versions"):
        assert (await ops.get(path)).status_code == 404
    assert (await _post(ops, "/safety/templates/999999", {"name": "x"})).status_code == 404
    cm = await builders.browser_session(make_client, w.cm)
    assert (await cm.get("/safety/templates/new")).status_code == 403


PROGRAMME_FORM = {
    "name": "Monthly extinguisher check",
    "scope": "site",
    "frequency": "monthly",
    "interval": "1",
    "month_day": "1",
    "dtstart_local": "2026-03-01T09:00",
    "lead_days": "5",
    "skip_closed_days": "on",
    "assignee": "role",
    "assignee_role": "community_manager",
}


async def test_programme_pages_create_edit_and_generate(make_client: Any) -> None:
    w = await world()
    template = await starter()
    ops = await builders.browser_session(make_client, w.ops)
    assert (await ops.get("/safety/programmes")).status_code == 200
    new = await ops.get(f"/safety/programmes/new?template_id={template.id}")
    assert new.status_code == 200 and "Every weekday" not in new.text
    form = {**PROGRAMME_FORM, "template_id": str(template.id)}
    missing = await _post(ops, "/safety/programmes/new", form)  # no site chosen
    assert missing.status_code == 422
    assert "Choose the site" in _error_near(missing.text, "site_id")
    assert 'value="Monthly extinguisher check"' in missing.text
    bad_rule = await _post(
        ops, "/safety/programmes/new", {**form, "site_id": str(w.site.id), "interval": "0"}
    )
    assert bad_rule.status_code == 422 and 'value="Monthly extinguisher check"' in bad_rule.text
    created = await _post(ops, "/safety/programmes/new", {**form, "site_id": str(w.site.id)})
    assert created.status_code == 303, created.text
    me = builders.principal(w.ops)
    [made] = await queries.list_programmes(me)
    assert (made.rrule, made.lead_days, made.site_id) == ("FREQ=MONTHLY;BYMONTHDAY=1", 5, w.site.id)
    listing = await ops.get("/safety/programmes")
    assert "Monthly extinguisher check" in listing.text and w.site.name in listing.text
    edit = await ops.get(f"/safety/programmes/{made.id}")
    assert edit.status_code == 200 and 'value="5"' in edit.text
    changed = {**form, "site_id": str(w.site.id), "lead_days": "10", "active": "on"}
    changed.update({"assignee": "partner", "assignee_partner_id": str(w.partner_org_id)})
    saved = await _post(ops, f"/safety/programmes/{made.id}", changed)
    assert saved.status_code == 303, saved.text
    after = await queries.get_programme(me, made.id)
    assert after.lead_days == 10 and after.assignee_partner_id == w.partner_org_id
    assert after.assignee_role == ""
    generated = await _post(ops, "/safety/programmes/generate", {})
    assert generated.status_code == 303
    assert await queries.list_inspections(me)


async def test_a_programme_outside_the_callers_regions_is_404(make_client: Any) -> None:
    w = await world()
    template = await starter()
    elsewhere = await place()
    foreign = await programme(template.id, site_id=elsewhere.site.id)
    ops = await builders.browser_session(make_client, w.ops)
    assert (await ops.get(f"/safety/programmes/{foreign}")).status_code == 404
    form = {**PROGRAMME_FORM, "template_id": str(template.id), "site_id": str(w.site.id)}
    assert (await _post(ops, f"/safety/programmes/{foreign}", form)).status_code == 404
    assert "Monthly check" not in (await ops.get("/safety/programmes")).text


async def test_programme_api_patch(make_client: Any) -> None:
    w = await world()
    template = await starter()
    made = await programme(template.id, site_id=w.site.id)
    api = await builders.api(make_client, w.ops)
    url = f"/api/v1/safety/programmes/{made}"
    changed = await api.patch(url, json={"lead_days": 3, "active": False})
    assert changed.status_code == 200 and changed.json()["lead_days"] == 3
    assert changed.json()["active"] is False
    refused = await api.patch(url, json={"scope": "region"})
    assert refused.status_code == 422 and "region" in refused.text
    versions = await api.get(f"/api/v1/safety/templates/{template.id}/versions")
    assert [v["version"] for v in versions.json()] == [1]


# ---- certificates ------------------------------------------------------------------------


async def _certificate(api: Any, site_id: int) -> dict[str, Any]:
    await seed_certificate_types()
    kinds = {t["key"]: t["id"] for t in (await api.get("/api/v1/safety/certificate-types")).json()}
    body = {"certificate_type_id": kinds["fire_safety"], "site_id": site_id,
            "issued_on": "2026-01-10"}  # fmt: skip
    response = await api.post("/api/v1/safety/certificates", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_edit_a_certificate(make_client: Any) -> None:
    here = await place()
    ops_user, api = await person(make_client, Role.ops_manager, here)
    cert = await _certificate(api, here.site.id)
    ops = await builders.browser_session(make_client, ops_user)
    url = f"/safety/certificates/{cert['id']}/edit"
    page = await ops.get(url)
    assert page.status_code == 200 and 'value="2026-01-10"' in page.text
    assert f'href="{url}"' in (await ops.get(f"/safety/certificates/{cert['id']}")).text
    bad = {"issued_on": "2026-02-01", "expires_on": "2026-01-01", "reference": "TÜV 7",
           "notes": "Checked by the fire marshal", "responsible_user_id": str(ops_user.id)}  # fmt: skip
    refused = await _post(ops, url, bad)
    assert refused.status_code == 422
    assert "after the issue date" in _error_near(refused.text, "expires_on")
    assert 'value="TÜV 7"' in refused.text and "Checked by the fire marshal" in refused.text
    saved = await _post(ops, url, {**bad, "expires_on": "2027-02-01"})
    assert saved.status_code == 303, saved.text
    after = (await api.get(f"/api/v1/safety/certificates/{cert['id']}")).json()
    assert (after["expires_on"], after["reference"]) == ("2027-02-01", "TÜV 7")
    assert after["responsible_user_id"] == ops_user.id
    elsewhere = await place()
    admin = await builders.api(make_client, await builders.user(Role.admin))
    foreign = await _certificate(admin, elsewhere.site.id)
    assert (await ops.get(f"/safety/certificates/{foreign['id']}/edit")).status_code == 404
    posted = await _post(ops, f"/safety/certificates/{foreign['id']}/edit", bad)
    assert posted.status_code == 404


async def test_certificate_types_page(make_client: Any) -> None:
    here = await place()
    ops_user, _api = await person(make_client, Role.ops_manager, here)
    await seed_certificate_types()
    ops = await builders.browser_session(make_client, ops_user)
    page = await ops.get("/safety/certificates/types")
    assert page.status_code == 200 and "Add a certificate type" in page.text
    form = {"name_en": "Pressure vessel", "name_de": "Druckbehälter", "interval_months": "0",
            "applies_to": "asset"}  # fmt: skip
    refused = await _post(ops, "/safety/certificates/types", form)
    assert refused.status_code == 422 and 'value="Druckbehälter"' in refused.text
    assert _error_near(refused.text, "interval_months")
    created = await _post(ops, "/safety/certificates/types", {**form, "interval_months": "24"})
    assert created.status_code == 303, created.text
    listed = await ops.get("/safety/certificates/types")
    assert "Pressure vessel" in listed.text and "pressure_vessel" in listed.text
    again = await _post(ops, "/safety/certificates/types", {**form, "interval_months": "24"})
    assert again.status_code == 422 and "exists already" in _error_near(again.text, "key")


# ---- incidents: cursor paging ------------------------------------------------------------


async def test_incident_list_pages_by_cursor(make_client: Any) -> None:
    here = await place()
    ops_user, api = await person(make_client, Role.ops_manager, here)
    for day in range(1, 6):
        body = incident_body(here.site.id, occurred_at=f"2026-02-0{day}T08:00:00+01:00",
                             title=f"Slip {day}")  # fmt: skip
        assert (await api.post("/api/v1/safety/incidents", json=body)).status_code == 201
    url = "/api/v1/safety/incidents"
    first = (await api.get(url, params={"limit": 2})).json()
    assert first["total"] == 5 and [i["title"] for i in first["items"]] == ["Slip 5", "Slip 4"]
    seen = [i["title"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        following = (await api.get(url, params={"limit": 2, "cursor": cursor})).json()
        seen += [i["title"] for i in following["items"]]
        cursor = following["next_cursor"]
    assert seen == [f"Slip {d}" for d in range(5, 0, -1)]
    bad = await api.get(url, params={"cursor": "nonsense"})
    assert bad.status_code == 422 and "cursor" in bad.text
    ops = await builders.browser_session(make_client, ops_user)
    page = await ops.get("/safety/incidents")
    assert page.status_code == 200 and "Slip 5" in page.text


async def test_the_new_forms_carry_the_servers_limits(make_client: Any) -> None:
    """The checks of ``tests/kit/test_form_limits.py`` on the pages added here."""
    from facilities.kit.formlimits import field_limit, form_schema_limits
    from tests.kit.test_form_limits import _Forms

    w = await world()
    template = await starter("first_aid_kit")
    made = await programme(template.id, site_id=w.site.id)
    api = await builders.api(make_client, w.ops)
    cert = await _certificate(api, w.site.id)
    ops = await builders.browser_session(make_client, w.ops)
    problems, checked = [], 0
    for path in (
        "/safety/templates/new",
        f"/safety/templates/{template.id}",
        "/safety/programmes/new",
        f"/safety/programmes/{made}",
        f"/safety/certificates/{cert['id']}/edit",
        "/safety/certificates/types",
    ):
        response = await ops.get(path)
        assert response.status_code == 200, path
        parser = _Forms()
        parser._path = path
        parser.feed(response.text)
        for action, fields in parser.forms:
            limits = form_schema_limits(action)
            if not fields or limits is None:
                assert not fields or action.endswith("/generate"), (path, action)
                continue
            for tag, attrs in fields:
                limit = field_limit(limits, attrs.get("name") or "")
                if limit is None or limit.max_length is None:
                    continue
                checked += 1
                if attrs.get("maxlength") != str(limit.max_length):
                    problems.append(f"{path}: {tag} {attrs.get('name')} {attrs.get('maxlength')}")
                if tag == "textarea" and not attrs.get("aria-describedby"):
                    problems.append(f"{path}: {attrs.get('name')} states no limit")
    assert checked > 10 and not problems, problems


async def test_incident_page_follows_the_cursor(make_client: Any) -> None:
    here = await place()
    ops_user, api = await person(make_client, Role.ops_manager, here)
    for n in range(52):
        body = incident_body(
            here.site.id,
            occurred_at=f"2026-01-01T{n // 60:02d}:{n % 60:02d}:00Z",
            title=f"Trip {n}",
        )
        assert (await api.post("/api/v1/safety/incidents", json=body)).status_code == 201
    ops = await builders.browser_session(make_client, ops_user)
    first = await ops.get("/safety/incidents")
    assert "Trip 51" in first.text and "Trip 1<" not in first.text
    assert "1–50 of 52" in first.text
    following = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert following and "cursor=" in following.group(1)
    second = await ops.get("/safety/incidents" + html.unescape(following.group(1)))
    assert second.status_code == 200 and "51–52 of 52" in second.text
    assert "Trip 1<" in second.text and "Trip 0<" in second.text and "Trip 51" not in second.text


async def test_a_programme_for_every_field_site_of_a_region(make_client: Any) -> None:
    """Scope "every site of a kind": the field sites of the chosen region get inspections,
    its coworking spaces and another region's field sites do not; no kind chosen is a 422
    at the field with the form kept."""
    w = await world()
    field_a = await builders.site(w.region_id, kind="field", name="AP Hafen")
    field_b = await builders.site(w.region_id, kind="field", name="AP Bahnhof")
    elsewhere = await builders.region()
    far_field = await builders.site(elsewhere.id, kind="field", name="AP Far")
    template = await starter("access_point_at_height")
    ops = await builders.browser_session(make_client, w.ops)
    form = {
        **PROGRAMME_FORM,
        "name": "Access points at height",
        "template_id": str(template.id),
        "scope": "kind",
        "region_id": str(w.region_id),
    }
    missing = await _post(ops, "/safety/programmes/new", form)
    assert missing.status_code == 422
    assert "Choose the kind of site" in _error_near(missing.text, "site_kind")
    assert 'value="Access points at height"' in missing.text
    created = await _post(ops, "/safety/programmes/new", {**form, "site_kind": "field"})
    assert created.status_code == 303, created.text
    me = builders.principal(w.ops)
    [made] = await queries.list_programmes(me)
    assert (made.scope.value, made.site_kind, made.region_id) == ("kind", "field", w.region_id)
    listing = await ops.get("/safety/programmes")
    assert "Every site of a kind" in listing.text and "Field site" in listing.text
    assert (await _post(ops, "/safety/programmes/generate", {})).status_code == 303
    sites = {i.site_id for i in await queries.list_inspections(me)}
    assert sites == {field_a.id, field_b.id}  # not the coworking sites, not far_field
    assert far_field.id not in sites and w.site.id not in sites
