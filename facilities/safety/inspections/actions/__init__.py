"""Writes of inspections: templates, programmes and generation, conducting, findings."""

from facilities.safety.inspections.actions._conduct import (
    StaleAnswer,
    answer_item,
    answer_photo,
    may_inspect,
    parse_client_key,
    start_inspection,
    submit_inspection,
)
from facilities.safety.inspections.actions._findings import on_work_order_change
from facilities.safety.inspections.actions._programmes import (
    create_programme,
    generate_due,
    update_programme,
)
from facilities.safety.inspections.actions._templates import (
    copy_starter,
    create_template,
    update_template,
)

__all__ = [
    "StaleAnswer",
    "answer_item",
    "answer_photo",
    "copy_starter",
    "create_programme",
    "create_template",
    "generate_due",
    "may_inspect",
    "on_work_order_change",
    "parse_client_key",
    "start_inspection",
    "submit_inspection",
    "update_programme",
    "update_template",
]
