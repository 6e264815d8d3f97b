"""What each audit action code means, in words (``work_order.complete`` → "Work order
completed"). The audit trail stores stable codes; people read these labels. A code missing
here (a new action) is shown as "object: verb" in plain words, never as the raw code."""

from __future__ import annotations

from facilities.kit.i18n import N_, _

AUDIT_ACTION_LABELS = {
    "api_token.create": N_("API token created"),
    "api_token.revoke": N_("API token revoked"),
    "asset.clear_lockout": N_("Asset released for use"),
    "asset.create": N_("Asset created"),
    "device_monitor.set": N_("Device monitoring set up"),
    "device_source.create": N_("Device event source created"),
    "device_source.rotate": N_("Device event source secret rotated"),
    "rollout.create": N_("Roll-out created"),
    "rollout.add_sites": N_("Sites added to a roll-out"),
    "rollout.install": N_("Installed device registered"),
    "ticket_endpoint.create": N_("Ticket endpoint created"),
    "ticket_endpoint.rotate": N_("Ticket endpoint secret rotated"),
    "asset.file_add": N_("Asset file added"),
    "asset.file_delete": N_("Asset file deleted"),
    "asset.file_primary": N_("Asset photo chosen"),
    "asset.import": N_("Assets imported"),
    "asset.lock_out": N_("Asset locked out as unsafe"),
    # the safety rule acting on the inspector's behalf (assets.actions.lock_out_by_rule)
    "asset.rule_lock_out": N_("Locked out by a critical fail in an inspection"),
    "asset.rule_clear_lockout": N_("Released for use: the re-check passed"),
    "asset.status": N_("Asset status changed"),
    "asset.update": N_("Asset changed"),
    "asset_category.create": N_("Asset category created"),
    "asset_category.delete": N_("Asset category deleted"),
    "asset_category.update": N_("Asset category changed"),
    "budget.set": N_("Budget set"),
    "calendar_feed.create": N_("Calendar feed created"),
    "calendar_feed.revoke": N_("Calendar feed revoked"),
    "certificate.create": N_("Certificate added"),
    "certificate.document": N_("Certificate document added"),
    "certificate.renewal": N_("Renewal work order raised for a certificate"),
    "certificate.update": N_("Certificate changed"),
    "certificate_type.create": N_("Certificate type created"),
    "checklist_template.create": N_("Checklist template created"),
    "checklist_template.update": N_("Checklist template changed"),
    "contract.create": N_("Contract created"),
    "contract.document_add": N_("Contract document added"),
    "contract.document_delete": N_("Contract document deleted"),
    "contract.renew": N_("Contract renewed"),
    "contract.update": N_("Contract changed"),
    "emission_factor.create": N_("Emission factor added"),
    "incident.corrective_action": N_("Corrective work order raised for an incident"),
    "incident.investigate": N_("Incident investigated"),
    "incident.photo": N_("Incident photo added"),
    "incident.report": N_("Incident reported"),
    "inspection.answer": N_("Inspection item answered"),
    "inspection.finding": N_("Inspection finding raised"),
    "inspection.finding_closed": N_("Inspection finding closed after a passed re-check"),
    "inspection.generate": N_("Inspections generated"),
    "inspection.recheck_created": N_("Re-check inspection created"),
    "inspection.recheck_failed": N_("Re-check failed: new corrective work"),
    "inspection.start": N_("Inspection started"),
    "inspection.submit": N_("Inspection submitted"),
    "inspection_programme.create": N_("Inspection programme created"),
    "inspection_programme.update": N_("Inspection programme changed"),
    "inspection_template.create": N_("Inspection template created"),
    "inspection_template.update": N_("Inspection template changed"),
    "expense.create": N_("Expense entered"),
    "meter.create": N_("Meter created"),
    "meter.delete": N_("Meter deleted"),
    "meter.label": N_("Meter QR label issued"),
    "meter.update": N_("Meter changed"),
    "meter_anomaly.acknowledge": N_("Anomaly acknowledged (known cause)"),
    "meter_anomaly.create": N_("Anomaly found"),
    "meter_interval.import": N_("Interval data imported"),
    "meter_period.create": N_("Bill period entered"),
    "meter_period.delete": N_("Bill period deleted"),
    "meter_reading.create": N_("Meter reading entered"),
    "notification_preferences.update": N_("Notification settings changed"),
    "occupancy.set": N_("Member visits entered"),
    "outbox.retry": N_("Message sent again"),
    "partner.create": N_("Partner created"),
    "partner.update": N_("Partner changed"),
    "problem_report.accept": N_("Problem report accepted"),
    "problem_report.add_photo": N_("Photo added to a problem report"),
    "problem_report.create": N_("Problem reported"),
    "problem_report.merge": N_("Problem report merged"),
    "problem_report.reject": N_("Problem report rejected"),
    "problem_report.same": N_("Same problem reported again"),
    "qr.batch_create": N_("QR label batch created"),
    "qr.claim": N_("QR label claimed"),
    "qr.reissue": N_("QR label reissued"),
    "qr.revoke": N_("QR label revoked"),
    "region.create": N_("Region created"),
    "region.update": N_("Region changed"),
    "safety_report_link.create": N_("Safety report shared"),
    "safety_report_link.revoke": N_("Safety report link revoked"),
    "schedule.create": N_("Maintenance schedule created"),
    "schedule.update": N_("Maintenance schedule changed"),
    "site.archive": N_("Site archived"),
    "site.closure_add": N_("Closure day added"),
    "site.closure_remove": N_("Closure day removed"),
    "site.create": N_("Site created"),
    "site.delete": N_("Site deleted"),
    "site.unarchive": N_("Site restored"),
    "site.update": N_("Site changed"),
    "sla_policy.create": N_("SLA policy created"),
    "sla_policy.delete": N_("SLA policy deleted"),
    "sla_policy.update": N_("SLA policy changed"),
    "space.create": N_("Space created"),
    "space.update": N_("Space changed"),
    "trainee.create": N_("Person for training added"),
    "training.complete": N_("Training completion recorded"),
    "training.import": N_("Training completions imported"),
    "training_requirement.create": N_("Required training set"),
    "training_type.create": N_("Training type created"),
    "sustainability_target.create": N_("Sustainability target set"),
    "sustainability_target.delete": N_("Sustainability target deleted"),
    "user.access": N_("User's sites and regions changed"),
    "user.create": N_("User created"),
    "user.password": N_("Password changed"),
    "user.password_reset": N_("Password reset"),
    "user.update": N_("User changed"),
    "visit.cancel": N_("Visit cancelled"),
    "visit.sign_off": N_("Visit signed off"),
    "visit_plan.create": N_("Visit plan created"),
    "visit_plan.update": N_("Visit plan changed"),
    "webhook.create": N_("Webhook created"),
    "webhook.delete": N_("Webhook deleted"),
    "webhook.update": N_("Webhook changed"),
    "work_order.accept": N_("Work order accepted"),
    "work_order.assign": N_("Work order assigned"),
    "work_order.cancel": N_("Work order cancelled"),
    "work_order.checklist": N_("Checklist attached"),
    "work_order.checklist_answer": N_("Checklist item answered"),
    "work_order.checklist_clear": N_("Checklist answer cleared"),
    "work_order.comment": N_("Comment added"),
    "work_order.complete": N_("Work order completed"),
    "work_order.cost": N_("Cost added"),
    "work_order.create": N_("Work order created"),
    "work_order.decline": N_("Work order declined"),
    "work_order.escalate": N_("Work order escalated"),
    "work_order.hold": N_("Work order put on hold"),
    "work_order.magic_link": N_("Work link sent"),
    "report_subscription.create": N_("Report subscribed"),
    "report_subscription.delete": N_("Report unsubscribed"),
    "work_order.magic_link_revoke": N_("Work link revoked"),
    "work_order.photo": N_("Photo added"),
    "work_order.reopen": N_("Work order reopened"),
    "work_order.resume": N_("Work order resumed"),
    "work_order.start": N_("Work started"),
    "work_order.time": N_("Time logged"),
    "work_order.unassign": N_("Work order unassigned"),
    "work_order.update": N_("Work order changed"),
    "work_order.verify": N_("Work order verified"),
}


# The kinds of record the audit trail names (``audit_event.object_type``).
OBJECT_TYPE_LABELS = {
    "api_token": N_("API token"),
    "asset": N_("Asset"),
    "asset_category": N_("Asset category"),
    "budget": N_("Budget"),
    "calendar_feed": N_("Calendar feed"),
    "certificate": N_("Certificate"),
    "certificate_type": N_("Certificate type"),
    "checklist_template": N_("Checklist template"),
    "device_source": N_("Device event source"),
    "emission_factor": N_("Emission factor"),
    "expense": N_("Expense"),
    "incident": N_("Incident"),
    "inspection": N_("Inspection"),
    "inspection_finding": N_("Inspection finding"),
    "inspection_programme": N_("Inspection programme"),
    "inspection_template": N_("Inspection template"),
    "interval_import": N_("Interval data import"),
    "meter": N_("Meter"),
    "meter_period": N_("Bill period"),
    "meter_reading": N_("Meter reading"),
    "occupancy": N_("Member visits"),
    "outbox_message": N_("Message"),
    "partner_organisation": N_("Partner"),
    "pm_schedule": N_("Maintenance schedule"),
    "problem_report": N_("Problem report"),
    "qr_batch": N_("Label batch"),
    "qr_code": N_("QR label"),
    "region": N_("Region"),
    "report_subscription": N_("Report subscription"),
    "rollout": N_("Roll-out"),
    "safety_report_link": N_("Safety report link"),
    "service_contract": N_("Contract"),
    "service_visit": N_("Service visit"),
    "service_visit_plan": N_("Visit plan"),
    "site": N_("Site"),
    "sla_policy": N_("SLA policy"),
    "space": N_("Space"),
    "sustainability_target": N_("Sustainability target"),
    "ticket_endpoint": N_("Ticket endpoint"),
    "trainee": N_("Person to train"),
    "training_completion": N_("Training completion"),
    "training_requirement": N_("Training requirement"),
    "training_type": N_("Training type"),
    "user": N_("User"),
    "webhook_endpoint": N_("Webhook"),
    "work_order": N_("Work order"),
}


def object_type_label(code: str) -> str:
    """The kind of record in words; an unknown code in plain words."""
    label = OBJECT_TYPE_LABELS.get(code)
    return _(label) if label is not None else code.replace("_", " ")


def _by_words(labels: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(((k, _(v)) for k, v in labels.items()), key=lambda o: o[1].casefold())


def object_type_options() -> list[tuple[str, str]]:
    """``(code, words)`` of every kind of record, by words (a select's options)."""
    return _by_words(OBJECT_TYPE_LABELS)


def action_options() -> list[tuple[str, str]]:
    """``(code, words)`` of every audit action, by words (a select's options)."""
    return sorted(
        ((k, _(v)) for k, v in AUDIT_ACTION_LABELS.items()), key=lambda o: o[1].casefold()
    )


def action_label(code: str) -> str:
    """The action in words; an unknown code in plain words ("work order: archive")."""
    label = AUDIT_ACTION_LABELS.get(code)
    if label is not None:
        return _(label)
    subject, _sep, verb = code.partition(".")
    words = subject.replace("_", " ")
    return f"{words}: {verb.replace('_', ' ')}" if verb else words
