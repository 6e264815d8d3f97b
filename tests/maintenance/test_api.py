"""/api/v1/problem-reports: same rules and scoping as the pages."""

from __future__ import annotations

from facilities.accounts.enums import Role
from facilities.maintenance.tables import ProblemReport, ProblemReportVote
from tests import builders
from tests import maintenance_builders as mb


async def _cm_api(make_client, site_id: int):
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site_id])
    return cm, await builders.api(make_client, cm)


async def test_create_report_returns_status_link(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset(name="Fridge")
    cm, api = await _cm_api(make_client, site.id)
    response = await api.post(
        "/api/v1/problem-reports",
        json={"asset_id": asset_id, "category": "broken", "description": "Not cooling"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status_url"].startswith("http://testserver/r/")
    report = body["report"]
    assert report["site_id"] == site.id and report["asset_name"] == "Fridge"
    assert report["source"] == "api" and report["status"] == "new"
    assert report["reporter_user_id"] == cm.id
    assert report["title"] == "Not cooling"
    anonymous = make_client()
    status = await anonymous.get(body["status_url"].removeprefix("http://testserver"))
    assert status.status_code == 200 and "Not cooling" in status.text


async def test_create_report_for_a_site_without_asset(make_client) -> None:
    site, _asset_id, _code = await mb.scanned_asset()
    _cm, api = await _cm_api(make_client, site.id)
    response = await api.post(
        "/api/v1/problem-reports",
        json={"site_id": site.id, "description": "Front door does not lock", "urgency": "high"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["report"]["asset_id"] is None


async def test_empty_description_is_422_naming_description(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    _cm, api = await _cm_api(make_client, site.id)
    for body in (
        {"asset_id": asset_id, "description": ""},
        {"asset_id": asset_id, "description": "   "},
        {"asset_id": asset_id},
    ):
        response = await api.post("/api/v1/problem-reports", json=body)
        assert response.status_code == 422, body
        fields = [f["field"] for f in response.json()["fields"]]
        assert "description" in fields or "description" in response.json()["message"], body
    too_long = await api.post(
        "/api/v1/problem-reports", json={"asset_id": asset_id, "description": "x" * 2001}
    )
    assert too_long.status_code == 422
    assert too_long.json()["fields"][0]["field"] == "description"
    assert await ProblemReport.count() == 0


async def test_bad_enum_and_missing_place_name_the_field(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    _cm, api = await _cm_api(make_client, site.id)
    bad = await api.post(
        "/api/v1/problem-reports",
        json={"asset_id": asset_id, "description": "x", "urgency": "yesterday"},
    )
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "urgency"
    nowhere = await api.post("/api/v1/problem-reports", json={"description": "x"})
    assert nowhere.status_code == 422 and nowhere.json()["fields"][0]["field"] == "site_id"


async def test_report_at_a_site_the_caller_is_not_assigned_to_is_404(make_client) -> None:
    site, _asset_id, _code = await mb.scanned_asset()
    other_site, other_asset, _other_code = await mb.scanned_asset()
    _cm, api = await _cm_api(make_client, site.id)
    for body in (
        {"asset_id": other_asset, "description": "x"},
        {"site_id": other_site.id, "description": "x"},
        {"asset_id": 999999, "description": "x"},
    ):
        response = await api.post("/api/v1/problem-reports", json=body)
        assert response.status_code == 404, body
    assert await ProblemReport.count() == 0


async def test_list_is_scoped_and_filters_the_triage_queue(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    other_site, other_asset, _other_code = await mb.scanned_asset()
    mine = await mb.report(asset_id=asset_id)
    accepted = await mb.report(asset_id=asset_id)
    await ProblemReport.update({ProblemReport.status: "accepted"}).where(
        ProblemReport.id == accepted.report.id
    )
    foreign = await mb.report(asset_id=other_asset)
    _cm, api = await _cm_api(make_client, site.id)
    queue = await api.get(f"/api/v1/problem-reports?status=new&site_id={site.id}")
    assert queue.status_code == 200
    assert [r["id"] for r in queue.json()["items"]] == [mine.report.id]
    everything = await api.get("/api/v1/problem-reports")
    assert {r["id"] for r in everything.json()["items"]} == {mine.report.id, accepted.report.id}
    assert (await api.get(f"/api/v1/problem-reports?site_id={other_site.id}")).json()["items"] == []
    assert (await api.get(f"/api/v1/problem-reports/{foreign.report.id}")).status_code == 404
    assert (await api.get(f"/api/v1/problem-reports/{mine.report.id}")).status_code == 200
    bad = await api.get("/api/v1/problem-reports?status=lost")
    assert bad.status_code in (400, 422)


async def test_ops_manager_sees_reports_of_their_region(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    await mb.report(asset_id=asset_id)
    ops = await builders.user(Role.ops_manager)
    from facilities.sites.tables import Site

    region = (await Site.select(Site.region).where(Site.id == site.id).first())["region"]
    await builders.assign(ops, regions=[region])
    api = await builders.api(make_client, ops)
    assert (await api.get("/api/v1/problem-reports")).json()["total"] == 1
    other_ops = await builders.user(Role.ops_manager)
    other = await builders.api(make_client, other_ops)
    assert (await other.get("/api/v1/problem-reports")).json()["items"] == []


async def test_partner_sees_no_reports(make_client) -> None:
    _site, asset_id, _code = await mb.scanned_asset()
    await mb.report(asset_id=asset_id)
    partner = await builders.user(Role.partner)
    api = await builders.api(make_client, partner)
    response = await api.get("/api/v1/problem-reports")
    assert response.status_code == 403
    assert (await api.get("/api/v1/problem-reports/1")).status_code == 403


async def test_triage_through_the_api(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    a = await mb.report(asset_id=asset_id, description="A")
    b = await mb.report(asset_id=asset_id, description="B")
    c = await mb.report(asset_id=asset_id, description="C")
    cm, api = await _cm_api(make_client, site.id)
    accepted = await api.post(f"/api/v1/problem-reports/{a.report.id}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["triaged_by_id"] == cm.id
    merged = await api.post(
        f"/api/v1/problem-reports/{b.report.id}/merge", json={"into_id": a.report.id}
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["merged_into_id"] == a.report.id
    assert (await api.get(f"/api/v1/problem-reports/{a.report.id}")).json()["same_count"] == 1
    no_reason = await api.post(f"/api/v1/problem-reports/{c.report.id}/reject", json={"reason": ""})
    assert no_reason.status_code == 422
    assert no_reason.json()["fields"][0]["field"] == "reason"
    blank_reason = await api.post(
        f"/api/v1/problem-reports/{c.report.id}/reject", json={"reason": "   "}
    )
    assert blank_reason.status_code == 422
    assert blank_reason.json()["fields"][0]["field"] == "reason"
    rejected = await api.post(
        f"/api/v1/problem-reports/{c.report.id}/reject", json={"reason": "Works as designed"}
    )
    assert rejected.status_code == 200
    assert rejected.json()["rejection_reason"] == "Works as designed"
    twice = await api.post(f"/api/v1/problem-reports/{c.report.id}/accept")
    assert twice.status_code == 409


async def test_merge_into_another_sites_report_is_refused(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    _other, other_asset, _other_code = await mb.scanned_asset()
    mine = await mb.report(asset_id=asset_id)
    foreign = await mb.report(asset_id=other_asset)
    _cm, api = await _cm_api(make_client, site.id)
    response = await api.post(
        f"/api/v1/problem-reports/{mine.report.id}/merge", json={"into_id": foreign.report.id}
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "into_id"
    # ... and the foreign report cannot be triaged at all.
    assert (
        await api.post(f"/api/v1/problem-reports/{foreign.report.id}/accept")
    ).status_code == 404


async def test_votes_through_the_api(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    cm, api = await _cm_api(make_client, site.id)
    response = await api.post(
        f"/api/v1/problem-reports/{created.report.id}/votes", json={"comment": "also broken"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["user_id"] == cm.id
    votes = await api.get(f"/api/v1/problem-reports/{created.report.id}/votes")
    assert [v["comment"] for v in votes.json()] == ["also broken"]
    assert await ProblemReportVote.count() == 1
    await api.post(f"/api/v1/problem-reports/{created.report.id}/reject", json={"reason": "no"})
    closed = await api.post(f"/api/v1/problem-reports/{created.report.id}/votes", json={})
    assert closed.status_code == 409


async def test_photos_through_the_api(make_client) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    _cm, api = await _cm_api(make_client, site.id)
    path = f"/api/v1/problem-reports/{created.report.id}/photos"
    not_image = await api.post(path, files={"photo": ("x.jpg", b"GIF89a-not-really", "image/jpeg")})
    assert not_image.status_code == 422
    assert not_image.json()["fields"][0]["field"] == "photo"
    ok = await api.post(path, files={"photo": ("x.png", mb.png(), "image/png")})
    assert ok.status_code == 201, ok.text
    photo_id = ok.json()["photo_ids"][0]
    photo = await api.get(f"{path}/{photo_id}")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    big = await api.post(
        path, files={"photo": ("big.jpg", b"0" * (30 * 1024 * 1024), "image/jpeg")}
    )
    assert big.status_code == 413
    assert big.json()["code"] == "too_large"
