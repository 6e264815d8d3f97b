"""Triage pages: the queue, accept / merge / reject, and what the reporter then sees."""

from __future__ import annotations

from facilities.accounts.enums import Role
from facilities.accounts.tables import AuditEvent
from facilities.maintenance.tables import ProblemReport, ProblemReportPhoto, ProblemReportVote
from tests import builders
from tests import maintenance_builders as mb


async def _cm_at(make_client, site_id: int):
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site_id])
    return cm, await builders.browser_session(make_client, cm)


async def _status_text(client, token: str) -> str:
    response = await client.get(f"/r/{token}")
    assert response.status_code == 200
    return response.text


async def test_queue_shows_only_new_reports_of_own_sites(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    _other_site, other_asset, _other_code = await mb.scanned_asset()
    await mb.report(asset_id=asset_id, description="Mine and new")
    await mb.report(asset_id=other_asset, description="Somebody else's site")
    done = await mb.report(asset_id=asset_id, description="Mine but rejected")
    await ProblemReport.update({ProblemReport.status: "rejected"}).where(
        ProblemReport.id == done.report.id
    )
    _cm, client = await _cm_at(make_client, site.id)
    html = (await client.get("/triage")).text
    assert "Mine and new" in html
    assert "Somebody else" not in html
    assert "Mine but rejected" not in html
    rejected = (await client.get("/triage?status=rejected")).text
    assert "Mine but rejected" in rejected


async def test_accept_from_the_queue(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    cm, client = await _cm_at(make_client, site.id)
    response = await builders.post_form(
        client, f"/problem-reports/{created.report.id}/accept", {}, form_page="/triage"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/triage"
    row = await ProblemReport.select().where(ProblemReport.id == created.report.id).first()
    assert row["status"] == "accepted"
    assert row["triaged_by"] == cm.id and row["triaged_at"] is not None
    assert await AuditEvent.count().where(AuditEvent.action == "problem_report.accept") == 1
    assert "Accepted, work is planned" in await _status_text(client, created.token)

    again = await builders.post_form(
        client, f"/problem-reports/{created.report.id}/accept", {}, form_page="/triage"
    )
    assert again.status_code == 409
    assert "already been triaged" in again.text


async def test_merge_moves_votes_and_shows_on_the_status_page(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    original = await mb.report(asset_id=asset_id, description="Coffee machine leaks")
    duplicate = await mb.report(asset_id=asset_id, description="Water on the kitchen floor")
    await ProblemReportVote.insert(
        ProblemReportVote(report=duplicate.report.id, comment="me too")
    ).run()
    await ProblemReport.update({ProblemReport.same_count: 1}).where(
        ProblemReport.id == duplicate.report.id
    )
    _cm, client = await _cm_at(make_client, site.id)
    detail = await client.get(f"/problem-reports/{duplicate.report.id}")
    assert f'<option value="{original.report.id}">' in detail.text
    response = await builders.post_form(
        client,
        f"/problem-reports/{duplicate.report.id}/merge",
        {"into_id": str(original.report.id)},
        form_page="/triage",
    )
    assert response.status_code == 303, response.text
    rows = {r["id"]: r for r in await ProblemReport.select()}
    assert rows[duplicate.report.id]["status"] == "merged"
    assert rows[duplicate.report.id]["merged_into"] == original.report.id
    assert rows[duplicate.report.id]["same_count"] == 0
    assert rows[original.report.id]["same_count"] == 2  # its +1 and the duplicate itself
    vote = await ProblemReportVote.select().first()
    assert vote["report"] == original.report.id
    text = await _status_text(client, duplicate.token)
    assert "Already reported (merged)" in text
    assert "Coffee machine leaks" in text


async def test_merge_needs_an_open_report_of_the_same_site(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    _other_site, other_asset, _other_code = await mb.scanned_asset()
    report = await mb.report(asset_id=asset_id)
    foreign = await mb.report(asset_id=other_asset)
    _cm, client = await _cm_at(make_client, site.id)
    for into in (str(foreign.report.id), str(report.report.id), "", "999999"):
        response = await builders.post_form(
            client,
            f"/problem-reports/{report.report.id}/merge",
            {"into_id": into},
            form_page="/triage",
        )
        assert response.status_code == 422, into
        assert 'class="field has-error"' in response.text
    row = await ProblemReport.select().where(ProblemReport.id == report.report.id).first()
    assert row["status"] == "new"


async def test_reject_needs_a_reason_the_reporter_then_sees(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    _cm, client = await _cm_at(make_client, site.id)
    empty = await builders.post_form(
        client,
        f"/problem-reports/{created.report.id}/reject",
        {"reason": "  "},
        form_page="/triage",
    )
    assert empty.status_code == 422
    assert "Give a reason" in empty.text
    response = await builders.post_form(
        client,
        f"/problem-reports/{created.report.id}/reject",
        {"reason": "This is how the machine descales <b>itself</b>"},
        form_page="/triage",
    )
    assert response.status_code == 303
    text = await _status_text(client, created.token)
    assert "Rejected" in text
    assert "This is how the machine descales &lt;b&gt;itself&lt;/b&gt;" in text


async def test_other_sites_report_is_404_for_pages_and_actions(make_client) -> None:
    site, _asset_id, _code = await mb.scanned_asset()
    _other_site, other_asset, _other_code = await mb.scanned_asset()
    foreign = await mb.report(asset_id=other_asset)
    _cm, client = await _cm_at(make_client, site.id)
    assert (await client.get(f"/problem-reports/{foreign.report.id}")).status_code == 404
    for action in ("accept", "merge", "reject"):
        response = await builders.post_form(
            client,
            f"/problem-reports/{foreign.report.id}/{action}",
            {"reason": "no", "into_id": "1"},
            form_page="/triage",
        )
        assert response.status_code == 404, action
    row = await ProblemReport.select().first()
    assert row["status"] == "new"


async def test_viewer_may_read_but_not_triage(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[site.id])
    client = await builders.browser_session(make_client, viewer)
    detail = await client.get(f"/problem-reports/{created.report.id}")
    assert detail.status_code == 200
    assert "/accept" not in detail.text
    assert (await client.get("/triage")).status_code == 403
    response = await builders.post_form(
        client, f"/problem-reports/{created.report.id}/accept", {}, form_page="/account"
    )
    assert response.status_code == 403


async def test_script_is_escaped_on_triage_and_detail_pages(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    created = await mb.report(
        asset_id=asset_id,
        description="<script>alert(1)</script>",
        reporter_name="<img src=x onerror=alert(2)>",
    )
    _cm, client = await _cm_at(make_client, site.id)
    for path in ("/triage", f"/problem-reports/{created.report.id}"):
        html = (await client.get(path)).text
        assert "<script>alert(1)</script>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
        assert "<img src=x" not in html


async def test_report_a_problem_page_for_signed_in_users(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset(name="Printer")
    other_site, _other_asset, _other_code = await mb.scanned_asset()
    _cm, client = await _cm_at(make_client, site.id)
    choose = await client.get("/report")
    assert site.name in choose.text and other_site.name not in choose.text
    form = await client.get(f"/report?site_id={site.id}")
    assert "Printer" in form.text
    token = await builders.csrf(client, f"/report?site_id={site.id}")
    response = await client.post(
        "/report",
        data={
            "_csrf_token": token,
            "site_id": str(site.id),
            "asset_id": str(asset_id),
            "category": "broken",
            "urgency": "low",
            "description": "Paper jam every time",
        },
        files={"photo": ("jam.png", mb.png(), "image/png")},
    )
    assert response.status_code == 303, response.text
    row = await ProblemReport.select().first()
    assert row["source"] == "web" and row["asset"] == asset_id
    assert response.headers["location"] == f"/problem-reports/{row['id']}"
    detail = await client.get(response.headers["location"])
    assert "Paper jam every time" in detail.text
    assert "/r/" in detail.text  # the status link, shown once in the message
    photo_row = await ProblemReportPhoto.select(ProblemReportPhoto.id).first()
    photo_path = f"/problem-reports/{row['id']}/photos/{photo_row['id']}"
    assert f'src="{photo_path}"' in detail.text
    photo = await client.get(photo_path)
    assert photo.status_code == 200
    assert photo.content[:2] == b"\xff\xd8"
    assert (await make_client().get(photo_path)).status_code in (302, 303)  # not public

    foreign = await client.post(
        "/report",
        data={"_csrf_token": token, "site_id": str(other_site.id), "description": "x"},
        files={"photo": ("", b"")},
    )
    assert foreign.status_code == 404
    assert await ProblemReport.count() == 1

    empty = await client.post(
        "/report",
        data={"_csrf_token": token, "site_id": str(site.id), "description": ""},
        files={"photo": ("", b"")},
    )
    assert empty.status_code == 422
    assert 'id="e-description"' in empty.text
