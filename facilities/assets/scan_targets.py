"""Labels of things that upper domains keep (a meter): where a scan of such a label leads.

A label code lives in ``qr_code`` like an asset's (one namespace, the same printing, revoking
and scan log); a row with ``target_kind`` names a thing of an upper domain. The scan page
(``/q/{code}``, in maintenance) asks ``resolve(kind, id)`` for the page to open; the upper
domain provides the resolver through ``wiring.install()`` (assets never imports it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScanTarget:
    path: str  # the page a signed-in scan opens, e.g. /sustainability/meters/12
    site_id: int  # whose labels: a replaced label shows its successor to those who see it


Resolver = Callable[[int], Awaitable[ScanTarget | None]]

_resolvers: dict[str, Resolver] = {}


def register(kind: str, resolver: Resolver) -> None:
    """Idempotent: the last registration of a kind wins."""
    _resolvers[kind] = resolver


def registered() -> dict[str, Resolver]:
    return dict(_resolvers)


async def resolve(kind: str, target_id: int) -> ScanTarget | None:
    """Where the label leads, or None when the kind or the thing is unknown (gone)."""
    resolver = _resolvers.get(kind)
    return None if resolver is None else await resolver(target_id)


def clear() -> None:
    """Forget every resolver (tests of the wiring only)."""
    _resolvers.clear()
