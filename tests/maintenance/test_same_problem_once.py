"""One "same problem" (+1) per reporter per report (issue 9, item 10): a random, httpOnly,
SameSite=Lax cookie identifies the reporter's browser (only a keyed hash of it is stored,
unique per report); a second press is not counted and the page says so, without JavaScript."""

from __future__ import annotations

from facilities import db
from facilities.accounts.enums import Role
from facilities.maintenance.reports import actions
from facilities.maintenance.reports.schemas import VoteCreate
from facilities.maintenance.tables import ProblemReport, ProblemReportVote
from tests import builders
from tests import maintenance_builders as mb


async def _same_count() -> int:
    return int((await ProblemReport.select(ProblemReport.same_count).first())["same_count"])


async def test_a_second_press_from_the_same_phone_is_not_counted(make_client) -> None:  # type: ignore[no-untyped-def]
    _site, asset_id, code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    phone = make_client()
    token = await builders.csrf(phone, f"/q/{code}")
    path = f"/q/{code}/reports/{created.report.id}/same"
    first = await phone.post(path, data={"comment": "still dripping", "_csrf_token": token})
    assert first.status_code == 303
    cookie = next(
        c for c in first.headers.get_list("set-cookie") if c.startswith("facilities_reporter=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Max-Age=63072000" in cookie and "Path=/q" in cookie
    value = phone.cookies["facilities_reporter"]
    assert len(value) >= 40

    page = await phone.get(f"/q/{code}")
    assert "Thanks, we counted you in." in page.text
    assert "You already reported this — thanks" in page.text
    assert f'action="{path}"' not in page.text  # the button became the note

    second = await phone.post(path, data={"_csrf_token": token})
    assert second.status_code == 303
    assert await _same_count() == 1
    assert await ProblemReportVote.count() == 1
    again = await phone.get(f"/q/{code}")
    assert "You already reported this — thanks" in again.text
    assert "1 more person" in again.text

    # Only a keyed hash of the cookie is stored.
    keys = [r["reporter_key"] for r in await ProblemReportVote.select()]
    assert keys[0] and value not in keys[0] and len(keys[0]) <= 64

    # Another phone counts; in German the page says it too.
    other = make_client(**{"accept-language": "de"})
    token = await builders.csrf(other, f"/q/{code}")
    assert (await other.post(path, data={"_csrf_token": token})).status_code == 303
    assert await _same_count() == 2
    german = await other.get(f"/q/{code}")
    assert "Sie haben das schon gemeldet – danke" in german.text


async def test_the_unique_index_holds_under_a_double_tap() -> None:
    _site, asset_id, _code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    votes = [
        await actions.add_vote_on_asset(
            actor=None,
            asset_id=asset_id,
            report_id=created.report.id,
            data=VoteCreate(),
            browser="b" * 43,
        )
        for _ in range(3)
    ]
    assert [v.counted for v in votes] == [True, False, False]
    assert len({v.id for v in votes}) == 1
    assert await _same_count() == 1
    # The database itself refuses a second row for the same reporter and report.
    raised = False
    try:
        await db.raw(
            "INSERT INTO problem_report_vote (report, comment, reporter_key, created_at)"
            " VALUES ({}, '', {}, CURRENT_TIMESTAMP)",
            created.report.id,
            (await ProblemReportVote.select().first())["reporter_key"],
        )
    except Exception:  # either engine's integrity error
        raised = True
    assert raised


async def test_signed_in_users_count_once_through_the_api(make_client) -> None:  # type: ignore[no-untyped-def]
    site, asset_id, _code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    client = await builders.api(make_client, cm)
    path = f"/api/v1/problem-reports/{created.report.id}/votes"
    first = await client.post(path, json={})
    second = await client.post(path, json={})
    assert first.json()["counted"] is True and second.json()["counted"] is False
    assert first.json()["id"] == second.json()["id"]
    assert await _same_count() == 1
