"""Permissions as data: each route declares one, each role holds a set.

Scoping (which sites, which partner's work) is separate: see ``facilities.sites.scope``.
"""

from __future__ import annotations

from facilities.accounts.enums import Role

# Every permission the product knows; a route naming anything else fails at startup.
PERMISSIONS = frozenset(
    {
        "profile.use",  # own profile, password, API tokens
        "regions.view",
        "regions.change",
        "sites.view",
        "sites.change",  # create, edit, archive sites (ops within their regions)
        "sites.operate",  # opening hours, closure days, access notes, spaces (CM on own sites)
        "users.view",
        "users.manage",
        "partners.view",
        "partners.manage",
        "audit.view",
        # assets and QR labels
        "assets.view",
        "assets.change",  # edit, status, lock-out, files (CM on own sites)
        "assets.import",  # CSV import
        "categories.manage",
        "qr.manage",  # blank label batches, re-issue, revoke, print sheets
        "qr.claim",  # claim a blank label for an asset
        # problem reports
        "reports.view",
        "reports.create",
        "reports.triage",  # accept, merge, reject
        # work orders and preventive maintenance
        "workorders.view",
        "workorders.create",
        "workorders.manage",  # assign, verify, reopen, cancel (staff)
        "workorders.work",  # accept, start, hold, complete, log time/parts, checklist (partner)
        "workorders.links",  # magic links for one-off contractors (staff who manage, partners)
        "checklists.manage",
        "schedules.view",
        "schedules.manage",
        "meters.enter",
        "calendar.use",
        # facility services: contracts, visits, SLAs, escalation, notifications
        "contracts.view",  # ops all, CM their sites, partner its own contracts
        "contracts.manage",  # contracts, documents, visit plans, routing (ops)
        "visits.signoff",  # sign off a service visit with a rating (CM, ops)
        "sla.view",  # SLA clocks and escalations on work the caller sees
        "sla.manage",  # SLA policies (ops)
        "scorecards.view",  # ops all partners, a partner its own
        "outbox.view",  # notification outbox and webhook delivery log (ops)
        "outbox.retry",  # retry failed messages (admin)
        "webhooks.manage",  # outgoing webhook endpoints (ops)
        # device monitoring: status boards, event logs; settings and event sources (secrets)
        "monitoring.view",
        "monitoring.manage",
        "integrations.manage",  # inbound ticket endpoints of coworking platforms (ops)
        # roll-outs: the board of installations (a partner: its own sites), new roll-outs (ops)
        "rollouts.view",
        "rollouts.manage",
        # sustainability: meters, readings, bills, occupancy, emission factors, results
        "sustainability.view",  # meters, readings, factors, results of the caller's sites
        "sustainability.enter",  # readings, bills and occupancy (CM on their sites)
        "sustainability.manage",  # meters and emission factors (ops)
        # safety: incidents, compliance register, training, the safety report
        "incidents.report",  # report one; see own reports and the sites' open ones
        "incidents.investigate",  # root cause, corrective work, status, confidential ones
        "compliance.view",  # certificates of the caller's sites (partner: its own)
        "compliance.manage",  # certificates, documents, types, renewal work
        "training.view",  # training types, completions and the matrix of the caller's sites
        "training.manage",  # types, people, completions, requirements, CSV import
        "safety_reports.view",  # the safety report (web, PDF) and its share links
        # safety inspections: templates, programmes, inspections, findings
        "safety.view",  # staff: their sites' inspections and findings; a partner: its own
        "safety.inspect",  # conduct inspections (CM, partner, ops)
        "safety.manage",  # inspection templates and programmes (ops)
        # reporting: dashboards, KPIs, the records behind them, exports, report subscriptions
        "reporting.view",  # ops and viewers their regions, CM their sites (never a foreign one)
        "budgets.manage",  # budgets and expense lines (ops)
    }
)

_VIEW = {
    "profile.use",
    "reporting.view",
    "regions.view",
    "sites.view",
    "assets.view",
    "reports.view",
    "workorders.view",
    "schedules.view",
    "calendar.use",
    "contracts.view",
    "sla.view",
    "sustainability.view",
    "incidents.report",
    "compliance.view",
    "training.view",
    "safety_reports.view",
    "monitoring.view",
    "safety.view",
    "rollouts.view",
}
_ASSET_WORK = {
    "assets.change",
    "qr.claim",
    "reports.create",
    "reports.triage",
    "workorders.create",
    "workorders.manage",
    "workorders.links",
    "schedules.manage",
    "meters.enter",
    "sustainability.enter",
    "safety.inspect",
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.admin: PERMISSIONS,
    Role.ops_manager: frozenset(
        _VIEW
        | {"sites.change", "sites.operate", "users.view", "partners.view", "partners.manage"}
        | {"audit.view", "assets.import", "categories.manage", "qr.manage", "checklists.manage"}
        | {"contracts.manage", "visits.signoff", "sla.manage", "scorecards.view"}
        | {"incidents.investigate", "compliance.manage", "training.manage"}
        | {"outbox.view", "webhooks.manage", "sustainability.manage", "monitoring.manage"}
        | {"safety.manage"}
        | {"integrations.manage", "rollouts.manage"}
        | {"budgets.manage"}
        | _ASSET_WORK
    ),
    Role.community_manager: frozenset(
        _VIEW | {"sites.operate", "partners.view", "visits.signoff"} | _ASSET_WORK
    ),
    # Partners see site, asset and history only through their own work orders.
    Role.partner: frozenset(
        {"profile.use", "workorders.view", "workorders.work", "workorders.links", "calendar.use"}
        | {"contracts.view", "sla.view", "scorecards.view"}
        # incidents they report; certificates they are responsible for
        | {"incidents.report", "compliance.view"}
        | {"safety.view", "safety.inspect"}
        # the installations of roll-outs they were given
        | {"rollouts.view"}
    ),
    Role.viewer: frozenset(_VIEW),
}


def has_permission(role: Role, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS[role]
