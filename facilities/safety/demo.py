"""Demo data for safety (``facilities demo``): the shipped certificate and training types,
at the first coworking sites a few incidents and near misses, certificates in every status,
a training requirement and completions. Idempotent: sites that already have incidents are
left alone. Everything goes through the real actions."""

from __future__ import annotations

from datetime import date, timedelta

from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.safety.compliance import actions as compliance
from facilities.safety.compliance.schemas import CertificateCreate
from facilities.safety.compliance.tables import CertificateType
from facilities.safety.incidents import actions as incidents
from facilities.safety.incidents import queries as incident_queries
from facilities.safety.incidents.enums import IncidentKind, InjuryKind, Severity
from facilities.safety.incidents.schemas import IncidentCreate
from facilities.safety.training import actions as training
from facilities.safety.training.schemas import (
    CompletionCreate,
    RequirementCreate,
    TraineeCreate,
)
from facilities.safety.training.tables import TrainingType
from facilities.settings import get_settings

GERMAN = {
    "Slipped on the wet kitchen floor": "Auf dem nassen Küchenboden ausgerutscht",
    "Dishwasher leaked; no warning sign.": "Spülmaschine undicht; kein Warnschild.",
    "Extension cable across the walkway": "Verlängerungskabel quer über dem Gang",
    "Fire door wedged open": "Brandschutztür mit Keil offen gehalten",
    "Cut finger on the paper guillotine": "Am Papierschneider in den Finger geschnitten",
}


def say(text: str) -> str:
    return GERMAN.get(text, text) if get_settings().default_locale == "de" else text


async def _type_id(table: type[CertificateType] | type[TrainingType], key: str) -> int:
    row = await table.select(table.id).where(table.key == key).first()
    assert row is not None
    return int(row["id"])


async def load_safety(system: Principal, site_ids: list[int]) -> None:
    await compliance.seed_certificate_types()
    await training.seed_training_types()
    if (
        not site_ids
        or (await incident_queries.list_incidents(system, site_id=site_ids[0], limit=1)).items
    ):
        return
    now = clock.now()
    today = now.date()
    site = site_ids[0]
    for days, kind, title, severity, injury, days_off in (
        (40, IncidentKind.incident, "Slipped on the wet kitchen floor", Severity.medium, True, 5),
        (
            25,
            IncidentKind.near_miss,
            "Extension cable across the walkway",
            Severity.low,
            False,
            None,
        ),
        (12, IncidentKind.near_miss, "Fire door wedged open", Severity.high, False, None),
        (3, IncidentKind.incident, "Cut finger on the paper guillotine", Severity.low, True, 0),
    ):
        await incidents.report_incident(
            actor=system,
            data=IncidentCreate(
                kind=kind,
                site_id=site,
                occurred_at=now - timedelta(days=days),
                title=say(title),
                description=say("Dishwasher leaked; no warning sign.") if days == 40 else "",
                severity=severity,
                injury=injury,
                injury_kind=(InjuryKind.sprain if days == 40 else InjuryKind.cut)
                if injury
                else None,
                days_off=days_off,
            ),
        )
    for key, issued, expires in (
        ("fire_extinguishers", today - timedelta(days=700), today - timedelta(days=5)),
        ("fire_safety", today - timedelta(days=330), today + timedelta(days=35)),
        ("fixed_electrical", today - timedelta(days=200), None),
        ("legionella", today - timedelta(days=100), None),
    ):
        await compliance.create_certificate(
            actor=system,
            data=CertificateCreate(
                certificate_type_id=await _type_id(CertificateType, key),
                site_id=site,
                issued_on=issued,
                expires_on=expires,
            ),
        )
    briefing = await _type_id(TrainingType, "safety_briefing")
    first_aid = await _type_id(TrainingType, "first_aid")
    await training.create_requirement(
        actor=system, data=RequirementCreate(training_type_id=briefing, site_id=site)
    )
    for name, done in (
        ("Fritz Freelancer", today - timedelta(days=100)),
        ("Hanna Hausmeisterin", today - timedelta(days=350)),
        ("Jo Aushilfe", None),
    ):
        person = await training.create_trainee(
            actor=system, data=TraineeCreate(name=name, site_id=site)
        )
        if done is not None:
            await training.record_completion(
                actor=system,
                data=CompletionCreate(
                    training_type_id=briefing, trainee_id=person.id, completed_on=done
                ),
            )
    await training.record_completion(
        actor=system,
        data=CompletionCreate(
            training_type_id=first_aid, trainee_id=person.id, completed_on=date(2025, 3, 1)
        ),
    )
