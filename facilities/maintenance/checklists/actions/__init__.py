"""Writes of checklists: templates (versioned), a work order's copy, answers, follow-ups.

Each action is one transaction and leaves an audit event. Serialising writers: an action
that must not race (a template's next version, lazy materialisation, a follow-up, answers
against a status change) first runs a no-op ``UPDATE`` of the row it depends on, which
takes that row's lock on PostgreSQL (SQLite transactions are ``BEGIN IMMEDIATE`` anyway).
"""

from facilities.maintenance.checklists.actions.answers import answer_item, answer_photo
from facilities.maintenance.checklists.actions.copies import (
    attach_checklist,
    ensure_checklist,
    instantiate_checklist,
    load_checklist,
)
from facilities.maintenance.checklists.actions.follow_ups import create_follow_up
from facilities.maintenance.checklists.actions.templates import create_template, update_template
from facilities.maintenance.checklists.engine import normalise_items, parse_number

__all__ = [
    "answer_item",
    "answer_photo",
    "attach_checklist",
    "create_follow_up",
    "create_template",
    "ensure_checklist",
    "instantiate_checklist",
    "load_checklist",
    "normalise_items",
    "parse_number",
    "update_template",
]
