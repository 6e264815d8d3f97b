"""Whose work an agenda may show: one scope for the calendar page, the iCal feeds and any
API over ``agenda.items``, derived from a principal the same way as the work-order reads
(``workorders.queries.scope_conditions``): a partner sees its organisation's work, everyone
else the work at the sites ``facilities.sites.scope`` grants them.

A feed is a secret link: it shows at most what its creator may see *now* (re-evaluated at
every fetch, so a scope change or a deactivation applies at once), narrowed by its kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.sites import scope as site_scope

NOTHING: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class AgendaScope:
    """Work at ``site_ids`` (None = every site) and, with ``partner_id``, only that
    partner organisation's work."""

    site_ids: frozenset[int] | None
    partner_id: int | None = None

    @property
    def empty(self) -> bool:
        return self.site_ids is not None and not self.site_ids

    def narrowed(self, *, site_id: int | None = None, partner_id: int | None = None) -> AgendaScope:
        """The intersection with one site and/or one partner's work (never wider)."""
        sites = self.site_ids
        if site_id is not None:
            sites = frozenset({site_id}) if sites is None else sites & {site_id}
        partner = self.partner_id
        if partner_id is not None:
            if partner is not None and partner != partner_id:
                return AgendaScope(NOTHING)
            partner = partner_id
        return AgendaScope(sites, partner)

    def allows(self, *, site_id: int, partner_id: int | None) -> bool:
        """Whether one row (a work order or an occurrence) is inside the scope."""
        if self.site_ids is not None and site_id not in self.site_ids:
            return False
        return self.partner_id is None or partner_id == self.partner_id


async def of(principal: Principal) -> AgendaScope:
    """Everything ``principal`` may see on a calendar."""
    if principal.role is Role.partner or principal.partner_organisation_id is not None:
        return AgendaScope(None, principal.partner_organisation_id or -1)
    visible = await site_scope.visible_site_ids(principal)
    return AgendaScope(None if visible is None else frozenset(visible))


async def for_feed(
    creator: Principal, *, kind: str, site_id: int | None, partner_id: int | None
) -> AgendaScope:
    """A feed's scope: its creator's current scope narrowed by the feed's kind.

    A site feed shows that site (if the creator still sees it); a partner feed that
    partner's work (a staff creator must still be allowed to view partners); a user feed
    everything the creator sees.
    """
    if not creator.can("calendar.use"):
        return AgendaScope(NOTHING)
    scope = await of(creator)
    if kind == "site":
        return scope.narrowed(site_id=site_id if site_id is not None else -1)
    if kind == "partner":
        if creator.partner_organisation_id is None and not creator.can("partners.view"):
            return AgendaScope(NOTHING)
        return scope.narrowed(partner_id=partner_id if partner_id is not None else -1)
    return scope
