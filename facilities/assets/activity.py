"""What happened to an asset beyond its status: problem reports, work orders, inspections.

Those live in domains above assets, so ``facilities.wiring.install`` registers their
providers here (a hook, not an upward import); the asset page shows the merged,
newest-first list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from facilities.accounts.principal import Principal


@dataclass(frozen=True, slots=True)
class ActivityItem:
    kind: str  # translated label, e.g. "Problem report"
    title: str
    status: str  # translated status label
    at: datetime
    url: str
    open: bool


ActivityProvider = Callable[[Principal, int], Awaitable[list[ActivityItem]]]
_providers: dict[str, ActivityProvider] = {}


def register_activity(name: str, provider: ActivityProvider) -> None:
    _providers[name] = provider


def providers() -> dict[str, ActivityProvider]:
    return dict(_providers)


def clear() -> None:
    """Forget every provider (tests of the wiring only)."""
    _providers.clear()


async def activity(principal: Principal, asset_id: int, limit: int = 30) -> list[ActivityItem]:
    items: list[ActivityItem] = []
    for provider in _providers.values():
        items.extend(await provider(principal, asset_id))
    return sorted(items, key=lambda item: item.at, reverse=True)[:limit]
