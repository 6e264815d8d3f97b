"""Checklists: versioned templates that ops manage per asset category, each work order's
copy of one version with typed answers, and follow-up work orders for failed items.

For the other maintenance packages: ``instantiate_checklist`` (copy a version into an order,
inside the caller's transaction), ``ensure_checklist`` (materialise lazily),
``default_version_for_category`` and ``unanswered_required`` (the "complete" rule).
"""

from facilities.maintenance.checklists.actions import ensure_checklist, instantiate_checklist
from facilities.maintenance.checklists.queries import (
    default_version_for_category,
    latest_version_id,
    unanswered_required,
)

__all__ = [
    "default_version_for_category",
    "ensure_checklist",
    "instantiate_checklist",
    "latest_version_id",
    "unanswered_required",
]
