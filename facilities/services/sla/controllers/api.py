"""SLA ``/api/v1``: ``/facility-services/sla-policies``, ``/work-orders/{id}/sla``,
``/facility-services/escalations``."""

from __future__ import annotations

from datetime import date

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from facilities.accounts.principal import actor
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Req
from facilities.services.sla import actions, contract_sla, queries
from facilities.services.sla.schemas import (
    ContractSla,
    EscalationRead,
    PolicyCreate,
    PolicyRead,
    PolicyUpdate,
    WorkOrderSla,
)


class SlaApi(Controller):
    path = "/api/v1"
    tags = ["facility_services"]

    @get("/facility-services/sla-policies", opt={"permission": "sla.manage"})
    async def list_policies(
        self, contract_id: FromQuery[int | None] = None, defaults: FromQuery[bool] = False
    ) -> list[PolicyRead]:
        return await queries.list_policies(contract_id, defaults=defaults)

    @post("/facility-services/sla-policies", opt={"permission": "sla.manage"})
    async def create_policy(self, request: Req, data: JSONBody[PolicyCreate]) -> PolicyRead:
        return await actions.create_policy(actor=actor(request), data=data)

    @get("/contracts/{contract_id:int}/sla", opt={"permission": "sla.view"})
    async def contract_attainment(
        self,
        request: Req,
        contract_id: FromPath[int],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> ContractSla:
        """SLA attainment of the contract's work and its sites' internet outages (ISP)."""
        return await contract_sla.contract_sla(actor(request), contract_id, start, end)

    @get("/facility-services/sla-policies/{policy_id:int}", opt={"permission": "sla.manage"})
    async def get_policy(self, policy_id: FromPath[int]) -> PolicyRead:
        return await queries.get_policy(policy_id)

    @patch("/facility-services/sla-policies/{policy_id:int}", opt={"permission": "sla.manage"})
    async def update_policy(
        self, request: Req, policy_id: FromPath[int], data: JSONBody[PolicyUpdate]
    ) -> PolicyRead:
        return await actions.update_policy(actor=actor(request), policy_id=policy_id, data=data)

    @delete(
        "/facility-services/sla-policies/{policy_id:int}",
        opt={"permission": "sla.manage"},
        status_code=204,
    )
    async def delete_policy(self, request: Req, policy_id: FromPath[int]) -> None:
        await actions.delete_policy(actor=actor(request), policy_id=policy_id)

    @get("/work-orders/{work_order_id:int}/sla", opt={"permission": "sla.view"})
    async def work_order_sla(self, request: Req, work_order_id: FromPath[int]) -> WorkOrderSla:
        return await queries.work_order_sla(actor(request), work_order_id)

    @get("/facility-services/escalations", opt={"permission": "sla.view"})
    async def escalations(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        level: FromQuery[int | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[EscalationRead]:
        return await queries.list_escalations(
            actor(request), site_id=site_id, level=level, limit=limit, offset=offset
        )
