"""QR claim must not reveal labels of other scopes (issue 9, item 4): outside the caller's
scope a label answers exactly like an unknown code, in the API and on the claim page."""

from __future__ import annotations

from tests import assets_builders as ab
from tests import builders


async def test_claiming_another_scopes_label_answers_like_an_unknown_code(make_client) -> None:  # type: ignore[no-untyped-def]
    w = await ab.world()
    mine = await ab.asset(w.site.id, "AP hall")
    foreign = await ab.asset(w.other_site.id, "AP far away")
    foreign_code = foreign.qr_code or ""
    assert foreign_code
    cm = await ab.api(make_client, w.cm)
    unknown = await cm.post("/api/v1/qr-codes/ZZZZZZZZZZZZZ/claim", json={"asset_id": mine.id})
    taken = await cm.post(f"/api/v1/qr-codes/{foreign_code}/claim", json={"asset_id": mine.id})
    assert unknown.status_code == 404
    assert (taken.status_code, taken.json()) == (404, unknown.json())
    # A revoked label of another scope does not say "revoked" either.
    admin = await ab.api(make_client, w.admin)
    assert (await admin.post(f"/api/v1/qr-codes/{foreign_code}/revoke")).status_code == 200
    revoked = await cm.post(f"/api/v1/qr-codes/{foreign_code}/claim", json={"asset_id": mine.id})
    assert (revoked.status_code, revoked.json()) == (404, unknown.json())

    page = await builders.browser_session(make_client, w.cm)
    token = await builders.csrf(page, f"/assets/claim/{mine.qr_code}")
    posted = await page.post(
        f"/assets/claim/{foreign_code}", data={"asset_id": str(mine.id), "_csrf_token": token}
    )
    unknown_page = await page.post(
        "/assets/claim/ZZZZZZZZZZZZZ", data={"asset_id": str(mine.id), "_csrf_token": token}
    )
    assert posted.status_code == unknown_page.status_code == 404
    assert (await page.get(f"/assets/claim/{foreign_code}")).status_code == 404
    # The admin still sees the label is taken.
    again = await admin.post(f"/api/v1/qr-codes/{foreign_code}/claim", json={"asset_id": mine.id})
    assert again.status_code == 422
