"""Reporting from the scan page: the report, the status link, "same problem", bad input, abuse."""

from __future__ import annotations

import re

import httpx

from facilities.accounts.enums import Role
from facilities.accounts.tables import AuditEvent
from facilities.kit.security import token_hash
from facilities.maintenance.tables import (
    ProblemReport,
    ProblemReportPhoto,
    ProblemReportVote,
    RateLimitHit,
)
from tests import builders
from tests import maintenance_builders as mb


async def _send(client: httpx.AsyncClient, code: str, files=None, **fields: str) -> httpx.Response:
    token = await builders.csrf(client, f"/q/{code}")
    data = {"category": "leak", "urgency": "high", "description": "Water under the machine"}
    data.update(fields)
    data["_csrf_token"] = token
    return await client.post(f"/q/{code}/report", data=data, files=files or {"photo": ("", b"")})


async def test_anonymous_report_with_photo_gives_a_private_status_link(client) -> None:
    site, asset_id, code = await mb.scanned_asset(name="Dishwasher")
    response = await _send(
        client,
        code,
        files={"photo": ("leak.png", mb.png(), "image/png")},
        reporter_name="Mia Member",
        reporter_email="mia@example.com",
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    match = re.fullmatch(r"/r/([A-Za-z0-9_-]{20,})", location)
    assert match, location
    token = match.group(1)

    row = await ProblemReport.select().first()
    assert row["asset"] == asset_id and row["site"] == site.id
    assert row["source"] == "scan" and row["status"] == "new"
    assert row["category"] == "leak" and row["urgency"] == "high"
    assert row["title"] == "Water under the machine"
    assert row["reporter_name"] == "Mia Member" and row["reporter_email"] == "mia@example.com"
    assert row["reporter_user"] is None
    assert row["status_token_hash"] == token_hash(token)
    assert token not in str(row)  # only the hash is stored
    photo = await ProblemReportPhoto.select().first()
    assert photo["report"] == row["id"] and photo["content_type"] == "image/jpeg"
    event = await AuditEvent.select().where(AuditEvent.action == "problem_report.create").first()
    assert event["site_id"] == site.id and event["actor"] is None
    assert "mia@example.com" not in str(event)

    status = await client.get(location)
    assert status.status_code == 200
    assert "Water under the machine" in status.text
    assert "Reported, waiting for review" in status.text
    assert "Thank you! Your report was sent." in status.text
    assert f"http://testserver/r/{token}" in status.text
    assert "no-store" in status.headers["cache-control"]
    assert status.headers["referrer-policy"] == "no-referrer"
    for private in ("Mia Member", "mia@example.com"):
        assert private not in status.text

    scan = await client.get(f"/q/{code}")
    assert "Water under the machine" in scan.text
    assert "Mia Member" not in scan.text and "mia@example.com" not in scan.text


async def test_unknown_status_token_is_404(client) -> None:
    response = await client.get("/r/not-a-real-token")
    assert response.status_code == 404
    assert "This status link is not known" in response.text


async def test_signed_in_scan_report_records_the_user(make_client) -> None:
    _site, _asset_id, code = await mb.scanned_asset(anonymous=False)
    viewer = await builders.user(Role.viewer)
    client = await builders.browser_session(make_client, viewer)
    response = await _send(client, code)
    assert response.status_code == 303
    row = await ProblemReport.select(ProblemReport.reporter_user).first()
    assert row["reporter_user"] == viewer.id


async def test_anonymous_cannot_post_to_a_sign_in_site(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset(anonymous=False)
    await client.get("/login")  # a CSRF cookie
    token = await builders.csrf(client, "/login")
    response = await client.post(
        f"/q/{code}/report",
        data={"description": "x", "_csrf_token": token},
        files={"photo": ("", b"")},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert await ProblemReport.count() == 0


async def test_photo_that_is_not_an_image_is_refused_clearly(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    response = await _send(
        client, code, files={"photo": ("evil.png", b"%PDF-1.4 not an image", "image/png")}
    )
    assert response.status_code == 422
    assert "This file is not an image we can read." in response.text
    assert 'aria-describedby="e-photo"' in response.text
    assert "Water under the machine" in response.text  # what was typed is kept
    assert await ProblemReport.count() == 0
    assert await ProblemReportPhoto.count() == 0


async def test_thirty_megabyte_photo_is_413(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    big = b"\xff\xd8\xff" + b"0" * (30 * 1024 * 1024)
    response = await _send(client, code, files={"photo": ("big.jpg", big, "image/jpeg")})
    assert response.status_code == 413
    assert "too large" in response.text
    assert await ProblemReport.count() == 0


async def test_empty_description_names_the_field(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    for description in ("", "   "):
        response = await _send(client, code, description=description)
        assert response.status_code == 422
        assert re.search(r'aria-describedby="[^"]*\be-description\b', response.text)
        assert 'id="e-description"' in response.text
    assert await ProblemReport.count() == 0


async def test_too_long_description_names_the_field(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    response = await _send(client, code, description="x" * 2001)
    assert response.status_code == 422
    assert 'id="e-description"' in response.text
    assert "2000" in response.text
    assert await ProblemReport.count() == 0


async def test_bad_email_names_the_field(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    response = await _send(client, code, reporter_email="not an address")
    assert response.status_code == 422
    assert "<details open>" in response.text
    assert await ProblemReport.count() == 0


async def test_honeypot_gets_a_fake_success_and_nothing_is_stored(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    response = await _send(client, code, website="http://spam.example")
    assert response.status_code == 303
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{20,}", response.headers["location"])
    assert await ProblemReport.count() == 0
    assert await RateLimitHit.count() == 0
    assert (await client.get(response.headers["location"])).status_code == 404


async def test_unknown_fields_are_ignored_not_a_crash(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    response = await _send(client, code, status="resolved", site_id="999", source="api")
    assert response.status_code == 303
    row = await ProblemReport.select().first()
    assert row["status"] == "new" and row["source"] == "scan"


async def test_same_problem_adds_a_vote_with_comment(client) -> None:
    _site, asset_id, code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    token = await builders.csrf(client, f"/q/{code}")
    response = await client.post(
        f"/q/{code}/reports/{created.report.id}/same",
        data={"comment": "still dripping", "_csrf_token": token},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/q/{code}"
    row = await ProblemReport.select(ProblemReport.same_count).first()
    assert row["same_count"] == 1
    vote = await ProblemReportVote.select().first()
    assert vote["comment"] == "still dripping" and vote["user"] is None
    page = await client.get(f"/q/{code}")
    assert "Thanks, we counted you in." in page.text
    assert "1 more person" in page.text
    assert await AuditEvent.count().where(AuditEvent.action == "problem_report.same") == 1


async def test_same_problem_only_on_open_reports_of_this_asset(client) -> None:
    site, _asset_id, code = await mb.scanned_asset()
    other_asset = await mb.asset(site.id)
    elsewhere = await mb.report(asset_id=other_asset)
    token = await builders.csrf(client, f"/q/{code}")
    response = await client.post(
        f"/q/{code}/reports/{elsewhere.report.id}/same", data={"_csrf_token": token}
    )
    assert response.status_code == 303
    assert await ProblemReportVote.count() == 0
    assert "That report is closed already" in (await client.get(f"/q/{code}")).text


async def test_same_problem_comment_too_long(client) -> None:
    _site, asset_id, code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    token = await builders.csrf(client, f"/q/{code}")
    response = await client.post(
        f"/q/{code}/reports/{created.report.id}/same",
        data={"comment": "x" * 501, "_csrf_token": token},
    )
    assert response.status_code == 422
    assert await ProblemReportVote.count() == 0


async def test_script_in_description_is_escaped_on_the_status_page(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    response = await _send(client, code, description="<script>alert('x')</script>\nmore")
    assert response.status_code == 303
    html = (await client.get(response.headers["location"])).text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


async def test_flooding_the_public_form_gets_429_with_retry_after(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    for n in range(10):
        response = await _send(client, code, description=f"flood {n}")
        assert response.status_code == 303, (n, response.text)
    response = await _send(client, code, description="one too many")
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "Too many requests" in response.text
    assert await ProblemReport.count() == 10
    hits = await RateLimitHit.select(RateLimitHit.key)
    assert all("10.1.2.3" not in h["key"] for h in hits)  # only keyed hashes are stored


async def test_flooding_same_problem_gets_429(client) -> None:
    _site, asset_id, code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    token = await builders.csrf(client, f"/q/{code}")
    path = f"/q/{code}/reports/{created.report.id}/same"
    for _n in range(20):  # 20 browsers (no reporter cookie) behind one address
        assert (await client.post(path, data={"_csrf_token": token})).status_code == 303
        client.cookies.delete("facilities_reporter")
    response = await client.post(path, data={"_csrf_token": token})
    assert response.status_code == 429
    assert "retry-after" in response.headers
    assert (await ProblemReport.select(ProblemReport.same_count).first())["same_count"] == 20


async def test_per_code_limit_across_addresses(app) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    statuses = []
    for n in range(31):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(f"10.9.0.{n + 1}", 4000)),
            base_url="http://testserver",
        )
        async with client:
            statuses.append((await _send(client, code, description=f"from {n}")).status_code)
    assert statuses[:30] == [303] * 30
    assert statuses[30] == 429


async def test_a_repeated_client_key_is_the_same_report_and_writes_nothing(client) -> None:
    _site, _asset, code = await mb.scanned_asset()
    page = await client.get(f"/q/{code}")
    assert 'name="client_key"' in page.text and "data-offline-queue" in page.text
    key = "0b6f2a4e-6c1d-4f7e-9a53-2f1d8c7b9e10"
    photo = {"photo": ("tap.png", mb.png(), "image/png")}
    first = await _send(client, code, files=photo, client_key=key)
    assert first.status_code == 303 and "/r/" in first.headers["location"]
    again = await _send(client, code, files=photo, client_key=key)  # the queue, once more
    assert again.status_code == 303 and again.headers["location"] == f"/q/{code}"
    assert await ProblemReport.count() == 1
    assert await ProblemReportPhoto.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "problem_report.create") == 1
    other = await _send(client, code, files=photo, client_key="not-a-uuid")
    assert other.status_code == 303 and "/r/" in other.headers["location"]
    assert await ProblemReport.count() == 2  # a key that is no UUID is no key
