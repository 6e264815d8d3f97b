"""Nothing but the scan page, its photo, the +1/report forms and the status link is public."""

from __future__ import annotations

import re

from facilities.maintenance.reports.controllers import ProblemReportsApi, ReportPages, ScanPages
from facilities.maintenance.tables import ProblemReport
from tests import builders
from tests import maintenance_builders as mb

PUBLIC = {
    "/q/offline-sw.js",  # the offline queue's service worker for the public report form
    "/q/{code:str}",
    "/q/{code:str}/photo",
    "/q/{code:str}/report",
    "/q/{code:str}/reports/{report_id:int}/same",
    "/r/{token:str}",
}


def _routes(app, controller) -> list[tuple[str, str, bool]]:
    """(method, path, public) of every handler defined on ``controller``."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            fn = getattr(handler.fn, "__qualname__", "")
            if not fn.startswith(controller.__name__ + "."):
                continue
            for method in handler.http_methods:
                if method != "OPTIONS":
                    found.append((method, route.path, bool(handler.opt.get("public"))))
    return found


def _concrete(path: str, report_id: int) -> str:
    path = path.replace("{report_id:int}", str(report_id)).replace("{photo_id:int}", "1")
    return re.sub(r"\{[a-z_]+:[a-z]+\}", "X", path)


async def test_public_routes_are_exactly_the_scan_and_status_pages(app) -> None:
    public = set()
    for controller in (ProblemReportsApi, ReportPages, ScanPages):
        for _method, path, is_public in _routes(app, controller):
            if is_public:
                public.add(path)
    assert public == PUBLIC


async def test_every_other_new_route_needs_sign_in(app, make_client) -> None:
    _site, asset_id, _code = await mb.scanned_asset()
    created = await mb.report(asset_id=asset_id)
    client = make_client()
    token = await builders.csrf(client, "/login")
    checked = 0
    for controller in (ProblemReportsApi, ReportPages):
        for method, path, is_public in _routes(app, controller):
            assert not is_public, path
            url = _concrete(path, created.report.id)
            if method == "GET":
                response = await client.get(url)
            elif url.startswith("/api/"):
                response = await client.request(method, url, json={})
            else:
                response = await client.request(method, url, data={"_csrf_token": token})
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url, response.status_code)
            else:
                assert response.status_code in (302, 303), (method, url, response.status_code)
                assert response.headers["location"].startswith("/login?next="), url
            checked += 1
    assert checked >= 15
    row = await ProblemReport.select(ProblemReport.status).first()
    assert row["status"] == "new"


async def test_public_form_without_csrf_token_is_refused(client) -> None:
    _site, _asset_id, code = await mb.scanned_asset()
    await client.get(f"/q/{code}")
    response = await client.post(
        f"/q/{code}/report", data={"description": "x"}, files={"photo": ("", b"")}
    )
    assert response.status_code == 403
    assert await ProblemReport.count() == 0
