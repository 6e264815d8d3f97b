"""Explicit wiring: ``install()`` registers every reaction between domains, in one place.

Lower domains offer hooks (``maintenance.hooks``: work-order and report listeners, the
contract router, panels of the work-order page; ``sites.scope``: a partner's sites;
``assets.activity``: what happened to an asset). Upper domains provide the functions. No
module registers itself when imported: which reactions a process has must not depend on
what it happens to import. Every entry point calls ``install()`` (idempotent) before it does
anything: ``create_app()``, ``build_scheduler()``, ``facilities.__main__.main`` (every CLI
command) and ``python -m facilities.notifications``.

This module sits at the top (like ``app.py``), so it may import every domain.
``EXPECTED`` names what each registry holds after ``install()``;
``tests/test_wiring.py`` proves each entry point ends with exactly that.
"""

from __future__ import annotations

from typing import Any

from facilities.assets import activity, meters, scan_targets
from facilities.assets.kpis import KPIS as ASSET_KPIS
from facilities.assets.monitoring import hooks as device_hooks
from facilities.kit import kpi
from facilities.maintenance import device_work, hooks
from facilities.maintenance.activity import report_activity, work_order_activity
from facilities.maintenance.pm import agenda, compliance_summary
from facilities.maintenance.pm.kpis import KPIS as PM_KPIS
from facilities.maintenance.rollouts.actions import on_work_order_change as rollout_install
from facilities.maintenance.workorders import repair_summary
from facilities.maintenance.workorders.queries import partner_site_ids
from facilities.notifications.listeners import (
    on_report_change,
    on_work_order_change,
    on_work_orders_created,
)
from facilities.reporting.kpis import KPIS as REPORTING_KPIS
from facilities.safety.inspections.actions import on_work_order_change as inspection_loop
from facilities.safety.inspections.queries import agenda_items as inspection_agenda
from facilities.safety.inspections.queries import agenda_version as inspection_agenda_version
from facilities.services.device_uptime import KPIS as DEVICE_KPIS
from facilities.services.isp import monitoring_partner
from facilities.services.kpis import KPIS as SERVICE_KPIS
from facilities.services.routing import route
from facilities.services.sla.outcomes import record_outcomes
from facilities.services.sla.panel import sla_list_marks, sla_panel
from facilities.sites import scope
from facilities.sustainability import asset_meters, refrigerants
from facilities.sustainability import labels as meter_labels


def _name(function: Any) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def install() -> None:
    """Register every listener, hook, router, panel and provider (idempotent)."""
    # maintenance → notifications, SLA: heard inside each change's transaction
    hooks.on_work_order_change(on_work_order_change, batch=on_work_orders_created)
    hooks.on_work_order_change(record_outcomes)
    # maintenance → safety: a completed corrective order of a finding asks for a re-check
    hooks.on_work_order_change(inspection_loop)
    # maintenance's roll-outs → assets: a completed installation registers its device
    # (an asset with its QR label, monitored) through the assets' actions
    hooks.on_work_order_change(rollout_install)
    # maintenance's PM compliance totals follow every created order and lifecycle step
    hooks.on_work_order_change(
        compliance_summary.on_work_order_change,
        batch=compliance_summary.on_work_orders_created,
    )
    # maintenance's repair totals (MTTR, first-time fix) follow every completion and reopen
    hooks.on_work_order_change(repair_summary.on_work_order_change)
    hooks.on_report_change(on_report_change)
    # maintenance ← services: who gets new unassigned work
    hooks.set_router(route)
    # the work-order page's cards from above
    hooks.register_order_panel("sla", sla_panel)
    # the work-order list's markers from above
    hooks.register_list_marks("sla", sla_list_marks)
    # maintenance ← sustainability: a refrigerant top-up names a gas of the library
    hooks.set_refrigerant_check(refrigerants.canonical)
    # sites ← maintenance: partners see the sites of their work
    scope.register_partner_sites(partner_site_ids)
    # assets ← maintenance: an asset's page lists its reports and work orders
    activity.register_activity("problem_reports", report_activity)
    activity.register_activity("work_orders", work_order_activity)
    # assets ← sustainability: a meter's QR label opens "enter a reading"
    scan_targets.register(meter_labels.KIND, meter_labels.scan_target)
    # assets ← sustainability: an asset's operating-hours or counter meter (the one meter
    # model) is what meter-based maintenance counts on
    meters.set_usage_source(asset_meters.usage_registers)
    # assets ← maintenance: monitored devices open and close their own work orders;
    # maintenance ← services: the ISP gets uplink outages, the maintenance partner devices
    device_hooks.on_device_change(device_work.on_device_change)
    device_work.set_partner_finder(monitoring_partner)
    # maintenance's agenda (calendar page, iCal feeds) ← safety: inspections due
    agenda.register_provider("inspections", inspection_agenda, version=inspection_agenda_version)
    # the KPIs reporting reads (one interface, ``kit.kpi``)
    for definition in (*ASSET_KPIS, *PM_KPIS, *SERVICE_KPIS, *DEVICE_KPIS, *REPORTING_KPIS):
        kpi.register(definition)


def installed() -> dict[str, set[str]]:
    """What every registry holds now, as dotted names (KPIs by their name)."""
    state = {key: {_name(f) for f in found} for key, found in hooks.installed().items()}
    resolver = scope.partner_sites_resolver()
    state["partner_sites"] = {_name(resolver)} if resolver is not None else set()
    state["asset_activity"] = {_name(p) for p in activity.providers().values()}
    state["device_listeners"] = {_name(f) for f in device_hooks.listeners()}
    finder = device_work.partner_finder()
    state["monitoring_partner"] = {_name(finder)} if finder is not None else set()
    state["kpis"] = set(kpi.names())
    state["agenda_providers"] = {_name(p) for p in agenda.providers().values()}
    state["scan_targets"] = {_name(r) for r in scan_targets.registered().values()}
    source = meters.usage_source()
    state["meter_usage"] = {_name(source)} if source is not None else set()
    return state


EXPECTED: dict[str, set[str]] = {
    "work_order_listeners": {
        "facilities.notifications.listeners.on_work_order_change",
        "facilities.services.sla.outcomes.record_outcomes",
        "facilities.safety.inspections.actions._findings.on_work_order_change",
        "facilities.maintenance.rollouts.actions.on_work_order_change",
        "facilities.maintenance.pm.compliance_summary.on_work_order_change",
        "facilities.maintenance.workorders.repair_summary.on_work_order_change",
    },
    "work_order_batch_listeners": {
        "facilities.notifications.listeners.on_work_orders_created",
        "facilities.maintenance.pm.compliance_summary.on_work_orders_created",
    },
    "report_listeners": {"facilities.notifications.listeners.on_report_change"},
    "router": {"facilities.services.routing.route"},
    "order_panels": {"facilities.services.sla.panel.sla_panel"},
    "list_marks": {"facilities.services.sla.panel.sla_list_marks"},
    "refrigerant_check": {"facilities.sustainability.refrigerants.canonical"},
    "partner_sites": {"facilities.maintenance.workorders.queries.partner_site_ids"},
    "asset_activity": {
        "facilities.maintenance.activity.report_activity",
        "facilities.maintenance.activity.work_order_activity",
    },
    "device_listeners": {"facilities.maintenance.device_work.on_device_change"},
    "monitoring_partner": {"facilities.services.isp.monitoring_partner"},
    "agenda_providers": {"facilities.safety.inspections.queries.agenda_items"},
    "scan_targets": {"facilities.sustainability.labels.scan_target"},
    "meter_usage": {"facilities.sustainability.asset_meters.usage_registers"},
    "kpis": {
        "pm_compliance",
        "asset_uptime",
        "partner_sla_attainment",
        "partner_first_time_fix",
        "partner_on_time_visits",
        "hardware_uptime",
        # reporting's operational KPIs (grouped SQL, ``facilities/reporting/kpis``)
        "mttr",
        "mtbf",
        "backlog",
        "backlog_age",
        "overdue",
        "first_time_fix",
        "critical_uptime",
        "sla_response",
        "sla_attendance",
        "sla_resolution",
        # safety's and sustainability's figures (``reporting/kpis/_site.py``)
        "inspection_completion",
        "inspection_score",
        "open_findings",
        "incidents",
        "near_misses",
        "energy_per_m2",
        "energy_per_desk",
        "co2e_per_m2",
        "co2e_per_desk",
        "co2e_per_visit",
        # budgets (``reporting/budgets/kpi.py``, the budget report's actuals)
        "cost_vs_budget",
    },
}


def uninstall() -> None:
    """Forget every registration (tests of the wiring only)."""
    hooks.clear()
    scope.register_partner_sites(None)
    activity.clear()
    device_hooks.clear()
    device_work.set_partner_finder(None)
    kpi.clear()
    agenda.clear_providers()
    scan_targets.clear()
    meters.set_usage_source(None)
