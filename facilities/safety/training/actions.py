"""Writes of training: types (and the shipped defaults), named people, completions,
requirements. The CSV import is ``training/importer.py``."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import to_struct
from facilities.safety.training import queries
from facilities.safety.training.defaults import TRAINING_TYPES
from facilities.safety.training.schemas import (
    CompletionCreate,
    CompletionRead,
    RequirementCreate,
    RequirementRead,
    TraineeCreate,
    TraineeRead,
    TrainingTypeCreate,
    TrainingTypeRead,
)
from facilities.safety.training.tables import (
    Trainee,
    TrainingCompletion,
    TrainingRequirement,
    TrainingType,
)
from facilities.sites import scope


async def seed_training_types() -> int:
    """Insert the shipped types that are missing (by key); returns how many. Idempotent."""
    added = 0
    async with transaction():
        existing = {r["key"] for r in await TrainingType.select(TrainingType.key)}
        for key, name_en, name_de, months in TRAINING_TYPES:
            if key not in existing:
                await TrainingType(
                    key=key,
                    name_en=name_en,
                    name_de=name_de,
                    validity_months=months,
                    shipped=True,
                    active=True,
                ).save()
                added += 1
    return added


async def create_type(*, actor: Principal, data: TrainingTypeCreate) -> TrainingTypeRead:
    async with transaction():
        if await TrainingType.exists().where(TrainingType.key == data.key):
            raise Conflict(_("A type with this key exists already."), field="key")
        row = TrainingType(
            key=data.key,
            name_en=data.name_en.strip(),
            name_de=data.name_de.strip(),
            validity_months=data.validity_months,
            shipped=False,
            active=True,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="training_type.create",
            object_type="training_type",
            object_id=row.id,
            summary=data.key,
        )
        found = await queries.type_row(int(row.id))
        assert found is not None
        return queries.type_read(found)


async def create_trainee(*, actor: Principal, data: TraineeCreate) -> TraineeRead:
    async with transaction():
        if not await scope.can_see_site(actor, data.site_id):
            raise RuleViolation("site_id", _("Unknown site: %(id)s.") % {"id": data.site_id})
        if (
            data.partner_organisation_id is not None
            and not await PartnerOrganisation.exists().where(
                PartnerOrganisation.id == data.partner_organisation_id
            )
        ):
            raise RuleViolation("partner_organisation_id", _("Unknown partner."))
        row = Trainee(
            name=data.name.strip(),
            email=data.email.strip().lower(),
            site=data.site_id,
            partner_organisation=data.partner_organisation_id,
            active=True,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="trainee.create",
            object_type="trainee",
            object_id=row.id,
            summary=data.name,
            site_id=data.site_id,
        )
        created = await queries.trainee_row(actor, int(row.id))
        return to_struct(
            TraineeRead,
            created,
            {"site_id": "site", "partner_organisation_id": "partner_organisation"},
        )


def valid_until(completed_on: date, months: int | None, given: date | None) -> date | None:
    if given is not None:
        return given
    return completed_on + relativedelta(months=months) if months else None


async def record_completion(*, actor: Principal, data: CompletionCreate) -> CompletionRead:
    async with transaction():
        if (data.user_id is None) == (data.trainee_id is None):
            raise RuleViolation("user_id", _("Name either a user or a named person."))
        subject = f"u{data.user_id}" if data.user_id is not None else f"t{data.trainee_id}"
        try:
            await queries.require_subject(actor, subject)
        except NotFound:
            field = "user_id" if data.user_id is not None else "trainee_id"
            raise RuleViolation(field, _("Unknown person.")) from None
        kind = await queries.type_row(data.training_type_id)
        if kind is None:
            raise RuleViolation("training_type_id", _("Unknown training type."))
        if data.completed_on > clock.now().date():
            raise RuleViolation("completed_on", _("The date lies in the future."))
        until = valid_until(data.completed_on, kind["validity_months"], data.valid_until)
        if until is not None and until < data.completed_on:
            raise RuleViolation("valid_until", _("“Valid until” lies before the completion."))
        if await TrainingCompletion.exists().where(
            (TrainingCompletion.subject == subject)
            & (TrainingCompletion.training_type == data.training_type_id)
            & (TrainingCompletion.completed_on == data.completed_on)
        ):
            raise Conflict(_("This completion is recorded already."), field="completed_on")
        row = TrainingCompletion(
            subject=subject,
            user=data.user_id,
            trainee=data.trainee_id,
            training_type=data.training_type_id,
            completed_on=data.completed_on,
            valid_until=until,
            reference=data.reference.strip(),
            source="manual",
            created_by=actor.user_id,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="training.complete",
            object_type="training_completion",
            object_id=row.id,
            summary=f"{subject} {kind['key']} {data.completed_on}",
        )
        return await queries.get_completion(actor, int(row.id))


async def create_requirement(*, actor: Principal, data: RequirementCreate) -> RequirementRead:
    async with transaction():
        if await queries.type_row(data.training_type_id) is None:
            raise RuleViolation("training_type_id", _("Unknown training type."))
        if data.site_id is not None and not await scope.can_see_site(actor, data.site_id):
            raise RuleViolation("site_id", _("Unknown site: %(id)s.") % {"id": data.site_id})
        if data.site_id is None and not actor.is_admin and actor.role.value != "ops_manager":
            raise RuleViolation("site_id", _("Choose a site."))
        row = TrainingRequirement(
            training_type=data.training_type_id,
            role=data.role.value if data.role else "",
            site=data.site_id,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="training_requirement.create",
            object_type="training_requirement",
            object_id=row.id,
            summary=f"{data.training_type_id} {data.role or '*'} {data.site_id or '*'}",
            site_id=data.site_id,
        )
        found = {r.id: r for r in await queries.list_requirements()}
        return found[int(row.id)]
