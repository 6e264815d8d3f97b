"""The matrix's world: built once per module through the real API and actions.

Two regions, each with one site ("own" = A, in the callers' scope; "foreign" = B, outside
it), and one object of every kind at each site. The callers: an admin, an ops manager of
region A, a community manager and a viewer of site A, a user of partner organisation A
(which holds the work at site A), and anonymous. Organisation B holds the work at site B.

Objects a case destroys or consumes (a deleted file, a revoked link, a claimed label) are
made fresh for that case by ``World.fresh`` so no result depends on the order of cases.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from PIL import Image

from facilities.accounts.enums import Role
from facilities.accounts.permissions import has_permission
from facilities.accounts.schemas import UserRead
from tests import builders
from tests import maintenance_builders as mb

# The "own" and "foreign" sides of every scoped object.
OWN, FOREIGN, MISSING = "own", "foreign", "missing"
ROLES = ("admin", "ops_manager", "community_manager", "partner", "viewer", "anonymous")
# An id no row has (below 2^31 so it is a valid integer on both engines).
NO_SUCH_ID = 2_000_000_000
_seq = itertools.count(1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def seq() -> int:
    return next(_seq)


def check(response: httpx.Response, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201)), (
        f"world: {response.request.method} {response.request.url} → "
        f"{response.status_code} {response.text[:300]}"
    )
    return response.json() if "json" in response.headers.get("content-type", "") else None


@dataclass
class Caller:
    role: str
    user: UserRead | None
    api: httpx.AsyncClient  # bearer token (no CSRF needed)
    page: httpx.AsyncClient  # session cookie + CSRF header
    token_id: int = 0
    feed_id: int = 0


@dataclass
class World:
    app: Any
    callers: dict[str, Caller] = field(default_factory=dict)
    ids: dict[tuple[str, str], Any] = field(default_factory=dict)  # (kind, side) → id/value
    clients: list[httpx.AsyncClient] = field(default_factory=list)
    admin: httpx.AsyncClient | None = None

    def id(self, kind: str, side: str) -> Any:
        return self.ids[(kind, side)]

    def client(self, **headers: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=("10.9.8.7", 4000)),
            base_url="http://testserver",
            headers=headers,
            follow_redirects=False,
        )
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()

    @property
    def adm(self) -> httpx.AsyncClient:
        assert self.admin is not None
        return self.admin

    # ---- fresh objects (per case) -------------------------------------------------------

    async def fresh(self, kind: str, side: str, caller: Caller) -> Any:
        """A new object of ``kind`` on ``side`` (for cases that destroy or consume one)."""
        maker: Callable[[str, Caller], Awaitable[Any]] = getattr(self, f"_fresh_{kind}")
        return await maker(side, caller)

    async def _fresh_closure(self, side: str, caller: Caller) -> int:
        day = (datetime(2027, 1, 1) + timedelta(days=seq())).date().isoformat()
        site = self.id("site", side)
        created = await self.adm.post(f"/api/v1/sites/{site}/closures", json={"day": day})
        return int(check(created)["id"])

    async def _fresh_space(self, side: str, caller: Caller) -> int:
        site = self.id("site", side)
        body = {"name": f"Room {seq()}", "kind": "room"}
        return int(check(await self.adm.post(f"/api/v1/sites/{site}/spaces", json=body))["id"])

    async def _fresh_asset_file(self, side: str, caller: Caller) -> int:
        asset = self.id("asset", side)
        files = {"file": ("photo.png", png(), "image/png")}
        return int(check(await self.adm.post(f"/api/v1/assets/{asset}/files", files=files))["id"])

    async def _fresh_report_link(self, side: str, caller: Caller) -> int:
        """A safety report link of the caller (foreign: another user's)."""
        owner = self.callers["foreign_user"] if side == FOREIGN else caller
        if owner.user is None or not has_permission(owner.user.role, "safety_reports.view"):
            owner = self.callers["admin"]
        body = {"period_from": "2026-01-01", "period_to": "2026-06-30"}
        return int(check(await owner.api.post("/api/v1/safety/report/links", json=body))["id"])

    async def _fresh_meter(self, side: str, caller: Caller) -> int:
        body = {
            "site_id": self.id("site", side),
            "name": f"Meter {seq()}",
            "carrier": "electricity_grid",
            "unit": "kWh",
        }
        created = await self.adm.post("/api/v1/sustainability/meters", json=body)
        return int(check(created)["id"])

    async def _fresh_meter_period(self, side: str, caller: Caller) -> int:
        meter = self.id("meter", side)
        day = (datetime(1900, 1, 1) + timedelta(days=seq() * 3)).date()
        body = {"starts_on": day.isoformat(), "ends_on": day.isoformat(), "quantity": 1}
        url = f"/api/v1/sustainability/meters/{meter}/periods"
        return int(check(await self.adm.post(url, json=body))["id"])

    async def _fresh_anomaly(self, side: str, caller: Caller) -> int:
        from facilities.sustainability.anomalies import Finding, _record

        meter = self.id("meter", side)
        site = self.id("site", side)
        day = (datetime(2000, 1, 1) + timedelta(days=seq())).date()
        found = Finding(meter, site, "night_flow", day, 0.06, 0.0, "Water at night")
        return int(await _record(found) or 0)

    async def _fresh_target(self, side: str, caller: Caller) -> int:
        body = {
            "site_id": self.id("site", side),
            "metric": "co2e",
            "baseline_year": 2020,
            "target_year": 2030,
            "reduction_pct": 40,
        }
        created = await self.adm.post("/api/v1/sustainability/targets", json=body)
        return int(check(created)["id"])

    async def _fresh_asset(self, side: str, caller: Caller) -> int:
        body = {"site_id": self.id("site", side), "name": f"Boiler {seq()}"}
        return int(check(await self.adm.post("/api/v1/assets", json=body))["id"])

    async def _fresh_code(self, side: str, caller: Caller) -> str:
        asset = await self._fresh_asset(side, caller)
        codes = check(await self.adm.get(f"/api/v1/assets/{asset}/qr-codes"))
        return str(codes[0]["code"])

    async def _fresh_blank_code(self, side: str, caller: Caller) -> str:
        """Own: a blank label to claim; foreign: the label of another region's asset."""
        if side == FOREIGN:
            return str(self.id("code", FOREIGN))
        name = f"Blank {seq()}"
        check(await self.adm.post("/api/v1/qr-batches", json={"name": name, "count": 1}))
        return str(check(await self.adm.get(f"/api/v1/qr-batches/{name}"))[0]["code"])

    async def _fresh_category(self, side: str, caller: Caller) -> int:
        body = {"name": f"Category {seq()}"}
        return int(check(await self.adm.post("/api/v1/asset-categories", json=body))["id"])

    async def _fresh_report(self, side: str, caller: Caller) -> int:
        return int((await self._report(side)).report.id)

    async def _report(self, side: str) -> mb.actions.NewReport:
        return await mb.report(asset_id=self.id("asset", side), reporter_email="r@example.com")

    async def _fresh_magic_link(self, side: str, caller: Caller) -> int:
        order = self.id("work_order", side)
        url = f"/api/v1/work-orders/{order}/magic-links"
        return int(
            check(await self.adm.post(url, json={"email": f"m{seq()}@example.com"}))["link"]["id"]
        )

    async def _fresh_magic_token(self, side: str, caller: Caller) -> str:
        order = self.id("work_order", side)
        url = f"/api/v1/work-orders/{order}/magic-links"
        created = check(await self.adm.post(url, json={"email": f"m{seq()}@example.com"}))
        return str(created["url"]).rsplit("/", 1)[-1]

    async def _fresh_feed(self, side: str, caller: Caller) -> int:
        """Own: a feed the caller made; foreign: one another user made."""
        client = self.adm if side == FOREIGN or caller.user is None else caller.api
        if side == FOREIGN:
            client = self.callers["foreign_user"].api
        return int(check(await client.post("/api/v1/calendar-feeds", json={"kind": "user"}))["id"])

    async def _fresh_subscription(self, side: str, caller: Caller) -> int:
        """Own: a report subscription of the caller; foreign: another user's."""
        from facilities.reporting import subscriptions
        from facilities.reporting.enums import Frequency, ReportKind
        from facilities.reporting.schemas import SubscriptionCreate

        owner = self.callers["foreign_user"] if side == FOREIGN else caller
        user = owner.user or self.callers["admin"].user
        assert user is not None
        created = await subscriptions.subscribe(
            actor=builders.principal(user),
            data=SubscriptionCreate(report=ReportKind.operations, frequency=Frequency.monthly),
        )
        return created.id

    async def _fresh_api_token(self, side: str, caller: Caller) -> int:
        owner = self.callers["foreign_user"] if side == FOREIGN else caller
        client = owner.api if owner.user is not None else self.adm
        created = check(await client.post("/api/v1/tokens", json={"name": "t"}))
        return int(created["token"]["id"])

    async def _fresh_reset_token(self, side: str, caller: Caller) -> str:
        from facilities.accounts import actions

        if side == FOREIGN:
            return str(self.id("reset_token", FOREIGN))

        user = self.callers["foreign_user"].user
        assert user is not None
        started = await actions.start_password_reset(email=user.email, client=f"10.0.0.{seq()}")
        assert started is not None
        return started[0]

    async def _fresh_contract_document(self, side: str, caller: Caller) -> int:
        contract = self.id("contract", side)
        files = {"file": ("c.pdf", PDF, "application/pdf")}
        url = f"/api/v1/contracts/{contract}/documents"
        return int(check(await self.adm.post(url, files=files))["id"])

    async def _fresh_sla_policy(self, side: str, caller: Caller) -> int:
        """On a contract of its own (one policy per contract, priority and trade)."""
        body = {
            "provider_id": self.id("partner", side),
            "name": f"Windows {seq()}",
            "contract_type": "cleaning",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "site_ids": [self.id("site", side)],
            "confirm_overlap": True,
        }
        contract = check(await self.adm.post("/api/v1/contracts", json=body))["id"]
        body = {"priority": "p4", "contract_id": contract, "trade": None, "response_minutes": 60}
        created = await self.adm.post("/api/v1/facility-services/sla-policies", json=body)
        return int(check(created)["id"])

    async def _fresh_webhook(self, side: str, caller: Caller) -> int:
        body = {
            "name": f"Hook {seq()}",
            "url": "https://example.com/h",
            "events": ["work_assigned"],
        }
        return int(check(await self.adm.post("/api/v1/webhooks", json=body))["id"])

    async def session(self, user: UserRead) -> httpx.AsyncClient:
        """A new signed-in page client (for cases that end their session)."""
        return await _session(self, user)


async def _session(world: World, user: UserRead) -> httpx.AsyncClient:
    client = world.client()
    token = await builders.csrf(client)
    response = await client.post(
        "/login",
        data={"email": user.email, "password": builders.PASSWORD, "_csrf_token": token},
    )
    assert response.status_code == 303, response.text
    client.headers["x-csrftoken"] = token
    return client


async def _anonymous(world: World) -> httpx.AsyncClient:
    client = world.client()
    client.headers["x-csrftoken"] = await builders.csrf(client)
    return client


async def build(app: Any) -> World:
    w = World(app=app)
    ids = w.ids
    system_admin = await builders.user(Role.admin)
    w.admin = await builders.api(w.client, system_admin)
    adm = w.adm

    # ---- places ---------------------------------------------------------------------
    for side, name in ((OWN, "A"), (FOREIGN, "B")):
        region = check(await adm.post("/api/v1/regions", json={"name": f"Region {name}"}))
        ids["region", side] = region["id"]
        body = {
            "region_id": region["id"],
            "name": f"Site {name}",
            "code": f"SITE-{name}",
            "kind": "coworking",
            "allow_anonymous_reports": True,
        }
        site = check(await adm.post("/api/v1/sites", json=body))
        ids["site", side] = site["id"]
        space = {"name": "Kitchen", "kind": "room"}
        ids["space", side] = check(
            await adm.post(f"/api/v1/sites/{site['id']}/spaces", json=space)
        )["id"]
        ids["closure", side] = check(
            await adm.post(f"/api/v1/sites/{site['id']}/closures", json={"day": "2027-12-28"})
        )["id"]
        partner = check(await adm.post("/api/v1/partner-organisations", json={"name": name}))
        ids["partner", side] = partner["id"]
    category = check(await adm.post("/api/v1/asset-categories", json={"name": "Kitchen"}))
    ids["category", OWN] = category["id"]

    # ---- callers ----------------------------------------------------------------------
    people: dict[str, UserRead] = {
        "admin": await builders.user(Role.admin),
        "ops_manager": await builders.user(Role.ops_manager),
        "community_manager": await builders.user(Role.community_manager),
        "partner": await builders.user(Role.partner, partner_id=ids["partner", OWN]),
        "viewer": await builders.user(Role.viewer),
        # Not a caller: the owner of "foreign" feeds, tokens and reset links.
        "foreign_user": await builders.user(Role.community_manager),
        "foreign_partner": await builders.user(Role.partner, partner_id=ids["partner", FOREIGN]),
    }
    await builders.assign(people["ops_manager"], regions=[ids["region", OWN]])
    await builders.assign(people["community_manager"], sites=[ids["site", OWN]])
    await builders.assign(people["viewer"], sites=[ids["site", OWN]])
    await builders.assign(people["foreign_user"], sites=[ids["site", FOREIGN]])
    ids["user", OWN] = people["foreign_user"].id
    for role, user in people.items():
        api = await builders.api(w.client, user)
        tokens = check(await api.get("/api/v1/tokens"))
        w.callers[role] = Caller(
            role, user, api, await _session(w, user), token_id=int(tokens[0]["id"])
        )
    anonymous = await _anonymous(w)
    w.callers["anonymous"] = Caller("anonymous", None, anonymous, anonymous)

    # ---- assets and labels --------------------------------------------------------------
    for side in (OWN, FOREIGN):
        site = ids["site", side]
        body = {"site_id": site, "name": "Coffee machine", "category_id": category["id"]}
        asset = check(await adm.post("/api/v1/assets", json=body))
        ids["asset", side] = asset["id"]
        files = {"file": ("photo.png", png(), "image/png")}
        ids["asset_file", side] = check(
            await adm.post(f"/api/v1/assets/{asset['id']}/files", files=files)
        )["id"]
        primary = f"/api/v1/assets/{asset['id']}/files/{ids['asset_file', side]}/primary"
        check(await adm.post(primary))  # the scan page shows it
        code = check(await adm.get(f"/api/v1/assets/{asset['id']}/qr-codes"))[0]["code"]
        ids["code", side] = code
        ids["public_code", side] = code
        ids["qr_file", side] = f"{code}.png"
    ids["public_code", FOREIGN] = "TNOSUCHCODE0"
    # Claiming a label gives the asset a new code: claims go to an asset of their own.
    body = {"site_id": ids["site", OWN], "name": "Claim target"}
    ids["claim_asset", OWN] = check(await adm.post("/api/v1/assets", json=body))["id"]
    check(await adm.post("/api/v1/qr-batches", json={"name": "Batch A", "count": 2}))
    ids["batch", OWN] = "Batch A"

    # ---- problem reports ----------------------------------------------------------------
    for side in (OWN, FOREIGN):
        created = await w._report(side)
        ids["report", side] = created.report.id
        ids["report_token", side] = created.token
        photo = {"photo": ("a.png", png(), "image/png")}
        report = check(
            await adm.post(f"/api/v1/problem-reports/{created.report.id}/photos", files=photo)
        )
        ids["report_photo", side] = report["photo_ids"][0]
        from facilities.kit.security import sign
        from facilities.settings import get_settings

        ids["report_signed", side] = sign(
            get_settings().resolved_secret_key(), f"report-{created.report.id}"
        )
    # Foreign secrets: a well-formed token nobody issued.
    ids["report_token", FOREIGN] = "x" * 32
    ids["report_signed", FOREIGN] = "report-1.AAAAAAAAAAAAAAAAAAAAAAAA"

    # ---- checklists, work orders, magic links ---------------------------------------------
    items = [
        {"key": "seal", "label": "Seal intact", "kind": "pass_flag_fail"},
        {"key": "note", "label": "Notes", "kind": "text", "required": False},
        {"key": "photo", "label": "Photo", "kind": "photo", "required": False},
    ]
    template = check(
        await adm.post("/api/v1/checklist-templates", json={"name": "Walk", "items": items})
    )
    ids["template", OWN] = template["id"]
    for side in (OWN, FOREIGN):
        body = {
            "title": "Descale the machine",
            "site_id": ids["site", side],
            "asset_id": ids["asset", side],
            "partner_organisation_id": ids["partner", side],
            "checklist_template_id": template["id"],
        }
        order = check(await adm.post("/api/v1/work-orders", json=body))
        ids["work_order", side] = order["id"]
        url = f"/api/v1/work-orders/{order['id']}"
        checklist = check(await adm.get(f"{url}/checklist"))
        keyed = {item["key"]: item["id"] for item in checklist["items"]}
        ids["item", side], ids["photo_item", side] = keyed["seal"], keyed["photo"]
        # Answers need accepted work: the organisation's partner accepts it.
        worker = w.callers["partner"] if side == OWN else w.callers["foreign_partner"]
        version = check(await adm.get(url))["version"]
        accept = {"action": "accept", "version": version}
        check(await worker.api.post(f"{url}/transitions", json=accept))
        answer = f"{url}/checklist/items/{keyed['photo']}/photo"
        check(await adm.post(answer, files={"photo": ("a.png", png(), "image/png")}))
        photo = {"photo": ("a.png", png(), "image/png")}
        ids["wo_photo", side] = check(await adm.post(f"{url}/photos", files=photo))["id"]
        ids["magic_link", side] = await w._fresh_magic_link(side, w.callers["admin"])
        created = check(await adm.post(f"{url}/magic-links", json={"email": "sam@example.com"}))
        ids["magic_token", side] = str(created["url"]).rsplit("/", 1)[-1]
        uploaded = await (await _anonymous(w)).post(
            f"/m/{ids['magic_token', side]}/photos",
            files={"photo": ("a.png", png(), "image/png")},
        )
        assert uploaded.status_code in (200, 303), uploaded.text
    from facilities import db

    for side in (OWN, FOREIGN):
        rows = await db.raw(
            "SELECT max(id) AS id FROM work_order_photo WHERE work_order = {}",
            ids["work_order", side],
        )
        ids["magic_photo", side] = rows[0]["id"]
    # Foreign magic link: one that was revoked.
    url = f"/api/v1/work-orders/{ids['work_order', OWN]}/magic-links"
    revoked = check(await adm.post(url, json={"email": "gone@example.com"}))
    check(await adm.post(f"{url}/{revoked['link']['id']}/revoke"))
    ids["magic_token", FOREIGN] = str(revoked["url"]).rsplit("/", 1)[-1]

    # ---- preventive maintenance -------------------------------------------------------
    for side in (OWN, FOREIGN):
        body = {
            "name": "Descale monthly",
            "asset_id": ids["asset", side],
            "rrule": "FREQ=MONTHLY",
            "dtstart_local": "2027-01-04T08:00:00",
        }
        ids["schedule", side] = check(await adm.post("/api/v1/pm/schedules", json=body))["id"]
    for role, caller in w.callers.items():
        if caller.user is not None:
            created = await caller.api.post("/api/v1/calendar-feeds", json={"kind": "user"})
            caller.feed_id = int(check(created)["id"])
            if role == "admin":
                ids["feed_token", OWN] = str(check(created)["url"]).rsplit("/", 1)[-1]
    # Foreign feed: one its creator revoked.
    other = w.callers["foreign_user"].api
    revoked = check(await other.post("/api/v1/calendar-feeds", json={"kind": "user"}))
    check(await other.post(f"/api/v1/calendar-feeds/{revoked['id']}/revoke"))
    ids["feed_token", FOREIGN] = str(revoked["url"]).rsplit("/", 1)[-1]

    # ---- facility services ------------------------------------------------------------
    for side in (OWN, FOREIGN):
        body = {
            "provider_id": ids["partner", side],
            "name": "Cleaning",
            "contract_type": "cleaning",
            "start_date": "2026-01-01",
            "end_date": "2030-12-31",
            "site_ids": [ids["site", side]],
            "status": "active",
            "confirm_overlap": True,
        }
        contract = check(await adm.post("/api/v1/contracts", json=body))
        ids["contract", side] = contract["id"]
        ids["contract_document", side] = await w._fresh_contract_document(side, w.callers["admin"])
        plan = {
            "name": "Weekly round",
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "dtstart_local": "2026-01-05T08:00:00",
            "lead_days": 14,
        }
        url = f"/api/v1/contracts/{contract['id']}/visit-plans"
        ids["plan", side] = check(await adm.post(url, json=plan))["id"]
    from facilities.services import visits

    await visits.generate_visits(datetime.now(UTC))
    for side in (OWN, FOREIGN):
        rows = await db.raw(
            "SELECT id FROM service_visit WHERE site = {} ORDER BY id", ids["site", side]
        )
        ids["visit", side] = rows[0]["id"]
    body = {"priority": "p1", "trade": None, "response_minutes": 60}
    ids["sla_policy", OWN] = check(
        await adm.post("/api/v1/facility-services/sla-policies", json=body)
    )["id"]

    # ---- notifications ----------------------------------------------------------------
    ids["webhook", OWN] = await w._fresh_webhook(OWN, w.callers["admin"])
    rows = check(await adm.get("/api/v1/outbox"))
    items_ = rows["items"] if isinstance(rows, dict) else rows
    for side in (OWN, FOREIGN):
        at_site = [m["id"] for m in items_ if m["site_id"] == ids["site", side]]
        assert at_site, "world: no outbox message (a partner assignment should make one)"
        ids["message", side] = at_site[0]
    ids["reset_token", OWN] = await w._fresh_reset_token(OWN, w.callers["admin"])
    ids["reset_token", FOREIGN] = "r" * 43

    # ---- sustainability ---------------------------------------------------------------
    for side in (OWN, FOREIGN):
        ids["meter", side] = await w._fresh_meter(side, w.callers["admin"])
        url = f"/api/v1/sustainability/meters/{ids['meter', side]}"
        check(
            await adm.post(
                f"{url}/readings", json={"value": 1000, "read_at": "2026-01-01T00:00:00Z"}
            )
        )
        bill = {"starts_on": "2025-01-01", "ends_on": "2025-01-31", "quantity": 310}
        ids["meter_period", side] = check(await adm.post(f"{url}/periods", json=bill))["id"]
        ids["month", side] = "2026-03"

    # ---- safety: incidents, certificates, training, report links --------------------------
    from facilities.safety.compliance.actions import seed_certificate_types
    from facilities.safety.training.actions import seed_training_types

    await seed_certificate_types()
    await seed_training_types()
    kinds = {t["key"]: t["id"] for t in check(await adm.get("/api/v1/safety/certificate-types"))}
    ids["certificate_type", OWN] = kinds["fire_safety"]
    trainings = {t["key"]: t["id"] for t in check(await adm.get("/api/v1/safety/training-types"))}
    ids["training_type", OWN] = trainings["first_aid"]
    for side in (OWN, FOREIGN):
        # The own incident is the partner's report (partners see only their own).
        reporter = w.callers["partner"] if side == OWN else w.callers["admin"]
        body = {
            "kind": "near_miss",
            "site_id": ids["site", side],
            "occurred_at": "2026-03-01T10:00:00Z",
            "title": "Loose floor tile",
            "severity": "low",
        }
        incident = check(await reporter.api.post("/api/v1/safety/incidents", json=body))
        ids["incident", side] = incident["id"]
        photo = {"photo": ("a.png", png(), "image/png")}
        url = f"/api/v1/safety/incidents/{incident['id']}/photos"
        ids["incident_photo", side] = check(await adm.post(url, files=photo))["photo_ids"][0]
        cert = {
            "certificate_type_id": kinds["fire_safety"],
            "site_id": ids["site", side],
            "issued_on": "2026-01-01",
            "responsible_partner_id": ids["partner", side],
        }
        created = check(await adm.post("/api/v1/safety/certificates", json=cert))
        ids["certificate", side] = created["id"]
        files = {"file": ("c.pdf", PDF, "application/pdf")}
        url = f"/api/v1/safety/certificates/{created['id']}/documents"
        ids["certificate_document", side] = check(await adm.post(url, files=files))["documents"][0][
            "id"
        ]
        person = {
            "name": f"Trainee {side}",
            "email": f"trainee-{side}@example.com",
            "site_id": ids["site", side],
        }
        trainee = check(await adm.post("/api/v1/safety/trainings/people", json=person))
        ids["trainee", side] = trainee["id"]
        done = {
            "training_type_id": trainings["first_aid"],
            "trainee_id": trainee["id"],
            "completed_on": "2026-01-15",
        }
        completion = check(await adm.post("/api/v1/safety/trainings/completions", json=done))
        ids["training_completion", side] = completion["id"]
    created = check(
        await adm.post(
            "/api/v1/safety/report/links",
            json={"period_from": "2026-01-01", "period_to": "2026-06-30"},
        )
    )
    ids["safety_link_token", OWN] = str(created["url"]).rsplit("/", 1)[-1]
    revoked = check(
        await adm.post(
            "/api/v1/safety/report/links",
            json={"period_from": "2026-01-01", "period_to": "2026-06-30"},
        )
    )
    check(await adm.post(f"/api/v1/safety/report/links/{revoked['id']}/revoke"))
    ids["safety_link_token", FOREIGN] = str(revoked["url"]).rsplit("/", 1)[-1]
    # ---- device monitoring ---------------------------------------------------------------
    for side in (OWN, FOREIGN):
        made = check(
            await adm.post(
                "/api/v1/device-sources",
                json={"name": f"AP controller {side}", "site_id": ids["site", side]},
            )
        )
        ids["device_source", side] = made["source"]["id"]
        check(
            await adm.put(
                f"/api/v1/assets/{ids['asset', side]}/monitoring",
                json={"external_id": f"ap-{side}", "source_id": made["source"]["id"]},
            )
        )
        endpoint = check(
            await adm.post(
                "/api/v1/ticket-endpoints",
                json={"name": f"Help desk {side}", "site_ids": [ids["site", side]]},
            )
        )
        ids["ticket_endpoint", side] = endpoint["endpoint"]["id"]
    # ---- roll-outs: one per side, installed by that side's partner ------------------------
    for side in (OWN, FOREIGN):
        body = {
            "name": f"Roll-out {side}",
            "category_id": ids["category", OWN],
            "sites": [{"site_id": ids["site", side]}],
            "partner_organisation_id": ids["partner", side],
        }
        ids["rollout", side] = check(await adm.post("/api/v1/rollouts", json=body))["id"]
    # ---- safety inspections --------------------------------------------------------------
    copy = {"key": "first_aid_kit", "language": "en"}
    template = check(await adm.post("/api/v1/safety/starter-templates/copy", json=copy))
    ids["inspection_template", OWN] = template["id"]
    ids["inspection_item", OWN] = "complete"
    for side in (OWN, FOREIGN):
        programme = {
            "name": f"First aid {side}",
            "template_id": template["id"],
            "scope": "site",
            "site_id": ids["site", side],
            "rrule": "FREQ=DAILY",
            "dtstart_local": "2020-01-01T09:00:00",
            "lead_days": 7,
            "assignee_partner_id": ids["partner", side],
        }
        ids["programme", side] = check(await adm.post("/api/v1/safety/programmes", json=programme))[
            "id"
        ]
    check(await adm.post("/api/v1/safety/programmes/generate"))
    listed = check(await adm.get("/api/v1/safety/inspections"))
    for side in (OWN, FOREIGN):
        at_site = [i["id"] for i in listed if i["site_id"] == ids["site", side]]
        assert len(at_site) >= 2, "world: the daily programme should make inspections"
        ids["inspection", side], done = at_site[0], at_site[1]
        photo = {"photo": ("photo.png", png(), "image/png")}
        url = f"/api/v1/safety/inspections/{ids['inspection', side]}/items/complete/photo"
        check(await adm.post(url, files=photo))
        for key, value in (("complete", "fail"), ("expiry", "pass"), ("sign", "pass")):
            url = f"/api/v1/safety/inspections/{done}/items/{key}"
            check(await adm.put(url, json={"value": value}))
        submitted = check(await adm.post(f"/api/v1/safety/inspections/{done}/submit", json={}))
        ids["finding", side] = submitted["findings"][0]["id"]
        ids["anomaly", side] = await w._fresh_anomaly(side, w.callers["admin"])
    # ---- reporting: an expense line with its invoice per side ---------------------------
    from facilities.reporting.budgets import actions as budget_actions
    from facilities.reporting.enums import CostCategory
    from facilities.reporting.schemas import ExpenseCreate

    admin = w.callers["admin"].user
    assert admin is not None
    for side in (OWN, FOREIGN):
        expense = await budget_actions.add_expense(
            actor=builders.principal(admin),
            data=ExpenseCreate(
                site_id=ids["site", side],
                category=CostCategory.other,
                spent_on=date(2026, 3, 1),
                amount=Decimal("12.50"),
                currency="EUR",
            ),
            attachment=PDF,
            filename="invoice.pdf",
        )
        ids["expense", side] = expense.id
    return w
