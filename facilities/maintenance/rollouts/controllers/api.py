"""``/api/v1/rollouts``: roll-out projects and their boards."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.kit.web import Req
from facilities.maintenance.rollouts import actions, queries
from facilities.maintenance.rollouts.schemas import RolloutCreate, RolloutRead, RolloutSitesAdd


class RolloutsApi(Controller):
    path = "/api/v1/rollouts"
    tags = ["rollouts"]

    @get("/", opt={"permission": "rollouts.view"})
    async def list_rollouts(self, request: Req) -> list[RolloutRead]:
        """Roll-outs with a site the caller sees, each with its sites' count per stage."""
        return await queries.list_rollouts(actor(request))

    @post("/", opt={"permission": "rollouts.manage"})
    async def create_rollout(
        self, request: Req, data: JSONBody[RolloutCreate]
    ) -> Response[RolloutRead]:
        """One installation work order per site (with the installation checklist)."""
        made = await actions.create_rollout(actor=actor(request), data=data)
        return Response(made, status_code=201)

    @get("/{rollout_id:int}", opt={"permission": "rollouts.view"})
    async def get_rollout(self, request: Req, rollout_id: FromPath[int]) -> RolloutRead:
        """The board: every site the caller sees with its stage (a partner: its own)."""
        return await queries.get_rollout(actor(request), rollout_id)

    @post("/{rollout_id:int}/sites", opt={"permission": "rollouts.manage"}, status_code=200)
    async def add_sites(
        self, request: Req, rollout_id: FromPath[int], data: JSONBody[RolloutSitesAdd]
    ) -> RolloutRead:
        """More sites: one installation order each (409 a site already in the roll-out)."""
        return await actions.add_sites(actor=actor(request), rollout_id=rollout_id, data=data)
