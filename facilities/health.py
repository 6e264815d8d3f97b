"""Health checks (no login): liveness, and readiness = database reachable + migrations current."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, get

from facilities import db


class Health(msgspec.Struct, omit_defaults=True):
    status: str
    database: str | None = None
    pending_migrations: int | None = None


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live", opt={"public": True}, exclude_from_csrf=True)
    async def live(self) -> Health:
        return Health(status="ok")

    @get("/ready", opt={"public": True})
    async def ready(self) -> Response[Any]:
        try:
            await db.ping()
            pending = len(await db.pending_migrations())
        except Exception as error:
            body = Health(status="unavailable", database=error.__class__.__name__)
            return Response(body, status_code=503)
        status = "ok" if pending == 0 else "migrations_pending"
        return Response(
            Health(status=status, database="ok", pending_migrations=pending),
            status_code=200 if pending == 0 else 503,
        )
