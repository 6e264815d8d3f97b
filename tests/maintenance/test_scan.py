"""The public scan page /q/{code}: what it shows, which codes it refuses, scan logging."""

from __future__ import annotations

import re
from datetime import timedelta

from facilities.accounts.enums import Role
from facilities.assets.tables import QrScan
from facilities.kit import clock, templating
from facilities.maintenance.tables import ProblemReport
from tests import builders
from tests import maintenance_builders as mb

CSS_PATH = "/static/app.css"


async def test_anonymous_scan_shows_asset_open_reports_and_form(client) -> None:
    site, asset_id, code = await mb.scanned_asset(name="Espresso machine 2nd floor")
    await mb.report(asset_id=asset_id, description="Drips water\nsince this morning")
    await mb.report(asset_id=asset_id, description="Closed one")
    closed = (
        await ProblemReport.select(ProblemReport.id)
        .where(ProblemReport.title == "Closed one")
        .first()
    )
    await ProblemReport.update({ProblemReport.status: "rejected"}).where(
        ProblemReport.id == closed["id"]
    )

    response = await client.get(f"/q/{code}")
    assert response.status_code == 200, response.text
    html = response.text
    assert "Espresso machine 2nd floor" in html
    assert site.name in html
    assert "Operational" in html
    assert "Drips water" in html  # the open report, titled by its first line
    assert "since this morning" not in html  # the description itself stays private
    assert "Closed one" not in html  # only open reports
    assert "Same problem" in html
    assert f'action="/q/{code}/report"' in html
    assert 'name="_csrf_token"' in html
    assert 'enctype="multipart/form-data"' in html
    # Readable without JavaScript: the only scripts are the optional photo shrinker and the
    # offline queue (the form posts as usual without them).
    version = templating.static_version()
    assert re.fullmatch(r"[0-9a-f]{12}", version)  # a digest of the files, not a constant
    assert re.findall(r"<script[^>]*>", html) == [
        f'<script src="/static/photo.js?v={version}" defer>',
        f'<script src="/static/offline.js?v={version}" data-worker="/q/offline-sw.js" defer>',
    ]
    assert "/assets/" not in html  # no staff links for the public


async def test_scan_page_is_light(client) -> None:
    _site, asset_id, code = await mb.scanned_asset()
    for n in range(5):
        await mb.report(asset_id=asset_id, description=f"Problem number {n} " + "x" * 150)
    page = await client.get(f"/q/{code}")
    css = await client.get(CSS_PATH)
    assert page.status_code == 200 and css.status_code == 200
    total = len(page.content) + len(css.content)
    assert total < 40 * 1024, f"scan page + CSS = {total} bytes"


async def test_scan_is_logged_anonymous_and_signed_in(make_client) -> None:
    _site, asset_id, code = await mb.scanned_asset()
    anonymous = make_client()
    assert (await anonymous.get(f"/q/{code}")).status_code == 200
    admin = await builders.user(Role.admin)
    signed_in = await builders.browser_session(make_client, admin)
    assert (await signed_in.get(f"/q/{code}")).status_code == 200
    rows = await QrScan.select(QrScan.asset, QrScan.user).order_by(QrScan.id)
    assert rows == [{"asset": asset_id, "user": None}, {"asset": asset_id, "user": admin.id}]
    columns = {c._meta.name for c in QrScan._meta.columns}
    assert not any("ip" in name or "addr" in name for name in columns)


async def test_lockout_warning_is_shown(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset(
        locked_out=True, lockout_reason="exposed wiring", status="down"
    )
    html = (await client.get(f"/q/{code}")).text
    assert "Do not use — unsafe" in html
    assert "exposed wiring" in html
    assert "Down" in html


async def test_site_without_anonymous_reports_needs_sign_in(make_client) -> None:
    _site, _asset_id, code = await mb.scanned_asset(anonymous=False)
    response = await make_client().get(f"/q/{code}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/q/{code}"
    viewer = await builders.user(Role.viewer)
    signed_in = await builders.browser_session(make_client, viewer)
    assert (await signed_in.get(f"/q/{code}")).status_code == 200


async def test_lowercase_code_still_resolves(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset(name="Kettle")
    response = await client.get(f"/q/{code.lower()}")
    assert response.status_code == 200
    assert "Kettle" in response.text


async def test_unknown_code_is_a_clear_404(client) -> None:
    response = await client.get("/q/NOSUCHCODE42")
    assert response.status_code == 404
    assert "This label is not known" in response.text
    long = await client.get("/q/" + "A" * 300)
    assert long.status_code == 404
    assert "This label is not known" in long.text


async def test_revoked_code_is_410(client) -> None:
    _site, asset_id, _code = await mb.scanned_asset()
    revoked = await mb.label(asset_id, status="revoked")
    response = await client.get(f"/q/{revoked}")
    assert response.status_code == 410
    assert "This label is no longer valid" in response.text
    assert (await client.post(f"/q/{revoked}/report", data={})).status_code in (403, 410)


async def test_replaced_code_links_the_new_one_only_for_staff(make_client) -> None:
    site, asset_id, new_code = await mb.scanned_asset()
    old = await mb.label(asset_id, status="replaced", replaced_by=new_code)
    public = await make_client().get(f"/q/{old}")
    assert public.status_code == 200
    assert "This label was replaced" in public.text
    assert new_code not in public.text

    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    staff = await builders.browser_session(make_client, cm)
    response = await staff.get(f"/q/{old}")
    assert f'href="/q/{new_code}"' in response.text

    other_cm = await builders.user(Role.community_manager)
    outsider = await builders.browser_session(make_client, other_cm)
    assert new_code not in (await outsider.get(f"/q/{old}")).text


async def test_blank_label_offers_claim_only_with_permission(make_client) -> None:
    blank = await mb.label(None)
    public = await make_client().get(f"/q/{blank}")
    assert public.status_code == 200
    assert "not yet linked to an asset" in public.text
    assert "/assets/claim/" not in public.text

    cm = await builders.user(Role.community_manager)
    staff = await builders.browser_session(make_client, cm)
    assert f'href="/assets/claim/{blank}"' in (await staff.get(f"/q/{blank}")).text

    viewer = await builders.user(Role.viewer)  # no qr.claim
    reader = await builders.browser_session(make_client, viewer)
    assert "/assets/claim/" not in (await reader.get(f"/q/{blank}")).text


async def test_staff_see_asset_and_triage_links(make_client) -> None:
    site, asset_id, code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    staff = await builders.browser_session(make_client, cm)
    html = (await staff.get(f"/q/{code}")).text
    assert f'href="/assets/{asset_id}"' in html
    assert f'href="/triage?site_id={site.id}"' in html
    assert f'href="/problem-reports/{created.report.id}"' in html

    outsider_user = await builders.user(Role.community_manager)
    outsider = await builders.browser_session(make_client, outsider_user)
    html = (await outsider.get(f"/q/{code}")).text
    assert f'href="/assets/{asset_id}"' not in html


async def test_photo_route_serves_only_the_primary_photo(client) -> None:
    _site, asset_id, code = await mb.scanned_asset()
    assert (await client.get(f"/q/{code}/photo")).status_code == 404
    await mb.primary_photo(asset_id)
    page = await client.get(f"/q/{code}")
    assert f'src="/q/{code}/photo"' in page.text
    response = await client.get(f"/q/{code}/photo")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content[:2] == b"\xff\xd8"
    assert (await client.get("/q/NOSUCHCODE42/photo")).status_code == 404


async def test_photo_of_sign_in_site_is_not_public(client) -> None:
    _site, asset_id, code = await mb.scanned_asset(anonymous=False)
    await mb.primary_photo(asset_id)
    assert (await client.get(f"/q/{code}/photo")).status_code in (303, 404)


async def test_description_with_script_is_escaped_on_the_scan_page(client) -> None:
    _site, asset_id, code = await mb.scanned_asset(name="<b>Bold</b> machine")
    await mb.report(asset_id=asset_id, description="<script>alert(1)</script> broken")
    html = (await client.get(f"/q/{code}")).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Bold</b>" not in html
    assert re.search(r"&lt;b&gt;Bold&lt;/b&gt; machine", html)


async def test_viewer_sees_asset_link_but_no_triage_link(make_client) -> None:
    site, asset_id, code = await mb.scanned_asset()
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[site.id])
    client = await builders.browser_session(make_client, viewer)
    html = (await client.get(f"/q/{code}")).text
    assert f'href="/assets/{asset_id}"' in html
    assert "/triage" not in html


async def test_report_age_is_shown_relative(client) -> None:
    _site, asset_id, code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    await ProblemReport.update({ProblemReport.created_at: clock.now() - timedelta(hours=2)}).where(
        ProblemReport.id == created.report.id
    )
    assert "2 hours ago" in (await client.get(f"/q/{code}")).text
