"""The page shell's navigation as data: links grouped by job, each behind the permission its
page declares (``accounts/permissions.py``), and the three or four links a role uses most
(the phone's bottom bar). Templates only render what ``menu()`` returns: no role names and
no permission checks in ``base.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit.i18n import N_, gettext


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    href: str
    label: str  # msgid
    permission: str
    icon: str  # a short glyph shown beside the label (never the only cue)


@dataclass(frozen=True, slots=True)
class Link:
    key: str
    href: str
    label: str
    icon: str
    current: bool
    short: str = ""  # the phone's bottom bar (empty: the label)


@dataclass(frozen=True, slots=True)
class Group:
    label: str
    links: list[Link]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


@dataclass(frozen=True, slots=True)
class Menu:
    home: Link
    groups: list[Group]
    primary: list[Link]  # the phone's bottom bar (after it: "More")
    account: Link


HOME = Entry("home", "/", N_("Home"), "profile.use", "⌂")
ACCOUNT = Entry("account", "/account", N_("Account"), "profile.use", "☺")

GROUPS: list[tuple[str, list[Entry]]] = [
    (
        N_("Work"),
        [
            # A partner's list is its own work: same page, other words.
            Entry("work_orders", "/work-orders", N_("Work orders"), "workorders.view", "✓"),
            Entry("triage", "/triage", N_("Triage"), "reports.triage", "!"),
            Entry("report", "/report", N_("Report a problem"), "reports.create", "+"),
            Entry("incidents", "/safety/incidents", N_("Incidents"), "incidents.report", "⚠"),
            Entry("visits_today", "/visits/today", N_("Today's visits"), "visits.signoff", "◷"),
            Entry("escalations", "/escalations", N_("Escalations"), "sla.manage", "▲"),
            # safety inspections (no group of their own: the desk's menu bar is full)
            Entry("inspections", "/safety", N_("Inspections"), "safety.view", "⛨"),
            Entry("findings", "/safety/findings", N_("Findings"), "safety.view", "⚑"),
        ],
    ),
    (
        N_("Assets & sites"),
        [
            Entry("sites", "/sites", N_("Sites"), "sites.view", "▦"),
            Entry("assets", "/assets", N_("Assets"), "assets.view", "▣"),
            Entry("categories", "/assets/categories", N_("Categories"), "categories.manage", "≡"),
            Entry("labels", "/assets/batches", N_("QR labels"), "qr.manage", "▩"),
            Entry("regions", "/regions", N_("Regions"), "regions.view", "◎"),
        ],
    ),
    (
        N_("Planning"),
        [
            Entry("dashboard", "/reporting", N_("Dashboard"), "reporting.view", "◫"),
            Entry("benchmark", "/reporting/benchmark", N_("Compare sites"), "reporting.view", "≚"),
            Entry("budget", "/reporting/budget", N_("Budget report"), "reporting.view", "€"),
            Entry(
                "subscriptions",
                "/reporting/subscriptions",
                N_("Reports by e-mail"),
                "reporting.view",
                "✉",
            ),
            Entry("calendar", "/calendar", N_("Calendar"), "calendar.use", "▤"),
            Entry("schedules", "/schedules", N_("Maintenance schedules"), "schedules.view", "↻"),
            Entry("compliance", "/pm/compliance", N_("PM compliance"), "schedules.view", "%"),
            Entry("checklists", "/checklist-templates", N_("Checklists"), "checklists.manage", "☑"),
            # Safety: statutory checks, training and the report (incidents are under Work).
            Entry(
                "certificates",
                "/safety/certificates",
                N_("Compliance register"),
                "compliance.view",
                "✔",
            ),
            Entry("training", "/safety/training", N_("Training matrix"), "training.view", "☷"),
            Entry(
                "safety_report", "/safety/report", N_("Safety report"), "safety_reports.view", "▥"
            ),
            Entry("monitoring", "/monitoring", N_("Device status"), "monitoring.view", "◉"),
            Entry("rollouts", "/rollouts", N_("Roll-outs"), "rollouts.view", "⇶"),
            Entry(
                "inspection_templates",
                "/safety/templates",
                N_("Inspection templates"),
                "safety.manage",
                "☷",
            ),
            Entry(
                "inspection_programmes",
                "/safety/programmes",
                N_("Inspection programmes"),
                "safety.manage",
                "↻",
            ),
        ],
    ),
    (
        N_("Sustainability"),
        [
            Entry(
                "sustainability",
                "/sustainability",
                N_("Energy and CO2e"),
                "sustainability.view",
                "♻",
            ),
            Entry("meters", "/sustainability/meters", N_("Meters"), "sustainability.view", "◔"),
            Entry(
                "sustainability_report",
                "/sustainability/report",
                N_("Sustainability report"),
                "sustainability.view",
                "▦",
            ),
            Entry(
                "anomalies",
                "/sustainability/anomalies",
                N_("Anomalies"),
                "sustainability.view",
                "⚠",
            ),
            Entry(
                "occupancy",
                "/sustainability/occupancy",
                N_("Occupancy"),
                "sustainability.view",
                "☺",
            ),
            Entry("targets", "/sustainability/targets", N_("Targets"), "sustainability.view", "◎"),
            Entry(
                "emission_factors",
                "/sustainability/factors",
                N_("Emission factors"),
                "sustainability.view",
                "ƒ",
            ),
            Entry(
                "sustainability_imports",
                "/sustainability/imports",
                N_("CSV uploads"),
                "sustainability.enter",
                "⇪",
            ),
        ],
    ),
    (
        N_("Partners & contracts"),
        [
            Entry("contracts", "/contracts", N_("Contracts"), "contracts.view", "§"),
            Entry("visits", "/visits", N_("Service visits"), "contracts.view", "◷"),
            Entry("scorecards", "/scorecards", N_("Scorecards"), "scorecards.view", "★"),
            Entry("partners", "/admin/partners", N_("Partners"), "partners.manage", "⚒"),
            Entry("sla", "/sla-policies", N_("SLA policies"), "sla.manage", "◴"),
        ],
    ),
    (
        N_("Administration"),
        [
            Entry("users", "/admin/users", N_("Users"), "users.view", "☺"),
            Entry("outbox", "/admin/outbox", N_("Outbox"), "outbox.view", "✉"),
            Entry("webhooks", "/admin/webhooks", N_("Webhooks"), "webhooks.manage", "⇄"),
            Entry(
                "integrations",
                "/integrations",
                N_("Integration endpoints"),
                "integrations.manage",
                "⇆",
            ),
            Entry("audit", "/audit", N_("Audit trail"), "audit.view", "≣"),
        ],
    ),
]

# What each role does most, in order (each still needs its permission): the phone's bottom
# bar. Everything else is one tap away under "More".
PRIMARY: dict[Role, tuple[str, ...]] = {
    Role.community_manager: ("home", "triage", "report", "calendar"),
    Role.partner: ("home", "work_orders", "calendar", "scorecards"),
    Role.ops_manager: ("home", "work_orders", "triage", "calendar"),
    Role.admin: ("home", "work_orders", "calendar", "users"),
    Role.viewer: ("home", "work_orders", "calendar", "sites"),
}


# Labels too long for a bottom-bar tab (about 75 px on a phone: "Arbeitsaufträge" broke
# mid-word as "Arbeitsauf / träge", "Bewertungen" as "Bewertun / gen").
SHORT: dict[str, str] = {"work_orders": N_("Orders"), "scorecards": N_("Scores")}


def _is_current(href: str, path: str) -> bool:
    if href == "/":
        return path == "/"
    return path == href or path.startswith(href + "/")


def _label(principal: Principal, entry: Entry) -> str:
    own_work = principal.can("workorders.work") and not principal.can("workorders.manage")
    if entry.key == "work_orders" and own_work:
        return gettext("My work")
    return gettext(entry.label)


def _link(principal: Principal, entry: Entry, path: str) -> Link:
    label = _label(principal, entry)
    own = entry.key in SHORT and label == gettext(entry.label)  # not "My work"
    return Link(
        entry.key,
        entry.href,
        label,
        entry.icon,
        _is_current(entry.href, path),
        gettext(SHORT[entry.key]) if own else label,
    )


def menu(principal: Principal, path: str) -> Menu:
    """The menu ``principal`` may use, with the entry of ``path`` marked current."""
    groups = []
    by_key: dict[str, Link] = {"home": _link(principal, HOME, path)}
    # The most specific entry wins the "current" mark (/assets/categories, not /assets).
    best = max(
        (e.href for _label, entries in GROUPS for e in entries if _is_current(e.href, path)),
        key=len,
        default=None,
    )
    for label, entries in GROUPS:
        links = []
        for entry in entries:
            if not principal.can(entry.permission):
                continue
            link = _link(principal, entry, path)
            if link.current and link.href != best:
                link = replace(link, current=False)
            links.append(link)
            by_key[entry.key] = link
        if links:
            groups.append(Group(gettext(label), links))
    primary = [by_key[k] for k in PRIMARY.get(principal.role, ("home",)) if k in by_key]
    return Menu(
        home=by_key["home"], groups=groups, primary=primary, account=_link(principal, ACCOUNT, path)
    )
