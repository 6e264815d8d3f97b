"""Reads of training: types, the people of sites or of a partner, completions, the matrix.

Scope: the people of a site are the users assigned to it (community managers, viewers), the
ops managers of its region, and the named people working there. A caller sees the people of
the sites it sees (admins: everyone); a partner organisation's people need ``partners.view``.
Anything else answers 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from facilities import db
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.i18n import current_locale
from facilities.kit.rows import to_date, to_date_or_none, to_struct
from facilities.safety.training.enums import Cell, cell
from facilities.safety.training.schemas import (
    CompletionRead,
    MatrixCell,
    MatrixRead,
    MatrixRow,
    RequirementRead,
    TraineeRead,
    TrainingTypeRead,
)
from facilities.safety.training.tables import (
    Trainee,
    TrainingCompletion,
    TrainingRequirement,
    TrainingType,
)
from facilities.sites import scope


@dataclass(frozen=True, slots=True)
class Person:
    subject: str  # u<id> | t<id>
    name: str
    email: str
    role: str
    site_ids: frozenset[int]


def today() -> date:
    return clock.now().astimezone(UTC).date()


def type_read(row: dict[str, Any]) -> TrainingTypeRead:
    name = row["name_de"] if current_locale() == "de" else row["name_en"]
    return to_struct(TrainingTypeRead, row, name=name)


async def list_types(*, active_only: bool = False) -> list[TrainingTypeRead]:
    query = TrainingType.select()
    if active_only:
        query = query.where(TrainingType.active == True)  # noqa: E712
    return [type_read(dict(r)) for r in await query.order_by(TrainingType.id)]


async def type_row(type_id: int) -> dict[str, Any] | None:
    row = await TrainingType.select().where(TrainingType.id == type_id).first()
    return dict(row) if row else None


async def people_of_sites(site_ids: list[int]) -> list[Person]:
    """Users assigned to the sites, ops managers of their regions, named people there."""
    if not site_ids:
        return []
    marks = ", ".join("{}" for _ in site_ids)
    found: dict[str, dict[str, Any]] = {}
    rows = await db.raw(
        "SELECT u.id, u.name, u.email, u.role, sa.site FROM app_user u"  # noqa: S608 - placeholders only
        f' JOIN site_assignment sa ON sa."user" = u.id WHERE sa.site IN ({marks})'
        " AND u.active = {}"
        " UNION SELECT u.id, u.name, u.email, u.role, s.id AS site FROM app_user u"
        ' JOIN region_assignment ra ON ra."user" = u.id JOIN site s ON s.region = ra.region'
        f" WHERE s.id IN ({marks}) AND u.active = {{}}",
        *site_ids,
        True,
        *site_ids,
        True,
    )
    for r in rows:
        entry = found.setdefault(
            f"u{r['id']}",
            {"name": r["name"], "email": r["email"], "role": r["role"], "sites": set()},
        )
        entry["sites"].add(int(r["site"]))
    trainees = await Trainee.select().where(
        Trainee.site.is_in(site_ids) & (Trainee.active == True)  # noqa: E712
    )
    for t in trainees:
        found[f"t{t['id']}"] = {
            "name": t["name"],
            "email": t["email"],
            "role": "",
            "sites": {int(t["site"])},
        }
    return sorted(
        (
            Person(k, v["name"], v["email"], v["role"], frozenset(v["sites"]))
            for k, v in found.items()
        ),
        key=lambda p: (p.name.lower(), p.subject),
    )


async def people_of_partner(partner_id: int) -> list[Person]:
    rows = await db.raw(
        "SELECT id, name, email, role FROM app_user WHERE partner_organisation = {}"
        " AND active = {}",
        partner_id,
        True,
    )
    people = [Person(f"u{r['id']}", r["name"], r["email"], r["role"], frozenset()) for r in rows]
    trainees = await Trainee.select().where(
        (Trainee.partner_organisation == partner_id) & (Trainee.active == True)  # noqa: E712
    )
    people += [
        Person(
            f"t{t['id']}",
            t["name"],
            t["email"],
            "",
            frozenset({int(t["site"])} if t["site"] else set()),
        )
        for t in trainees
    ]
    return sorted(people, key=lambda p: (p.name.lower(), p.subject))


async def visible_people(principal: Principal) -> dict[str, Person]:
    """Every person the caller may see, by subject (admins: also people without a site)."""
    sites = await scope.visible_site_ids(principal)
    if sites is None:
        rows = await db.raw("SELECT id FROM site")
        sites = {int(r["id"]) for r in rows}
    people = {p.subject: p for p in await people_of_sites(sorted(sites))}
    if principal.is_admin or principal.can("partners.view"):
        rows = await db.raw("SELECT id, name, email, role FROM app_user WHERE active = {}", True)
        for r in rows:
            if principal.is_admin or r["role"] == "partner":
                people.setdefault(
                    f"u{r['id']}",
                    Person(f"u{r['id']}", r["name"], r["email"], r["role"], frozenset()),
                )
    if principal.is_admin:
        for t in await Trainee.select():
            people.setdefault(
                f"t{t['id']}",
                Person(f"t{t['id']}", t["name"], t["email"], "", frozenset()),
            )
    return people


async def require_subject(principal: Principal, subject: str) -> Person:
    person = (await visible_people(principal)).get(subject)
    if person is None:
        raise NotFound()
    return person


async def trainee_row(principal: Principal, trainee_id: int) -> dict[str, Any]:
    row = await Trainee.select().where(Trainee.id == trainee_id).first()
    if row is None:
        raise NotFound()
    if not principal.is_admin and (
        row["site"] is None or not await scope.can_see_site(principal, int(row["site"]))
    ):
        raise NotFound()
    return dict(row)


async def list_trainees(principal: Principal, *, site_id: int | None = None) -> list[TraineeRead]:
    query = Trainee.select().order_by(Trainee.name)
    sites = await scope.visible_site_ids(principal)
    if sites is not None:
        query = query.where(Trainee.site.is_in(sorted(sites) or [-1]))
    if site_id is not None:
        query = query.where(Trainee.site == site_id)
    keys = {"site_id": "site", "partner_organisation_id": "partner_organisation"}
    return [to_struct(TraineeRead, r, keys) for r in await query]


def _completion_columns() -> list[Any]:
    return [
        *TrainingCompletion.all_columns(),
        TrainingCompletion.training_type.name_en.as_alias("type_name_en"),
        TrainingCompletion.training_type.name_de.as_alias("type_name_de"),
        TrainingCompletion.user.name.as_alias("user_name"),
        TrainingCompletion.trainee.name.as_alias("trainee_name"),
    ]


def _completion(row: dict[str, Any]) -> CompletionRead:
    return to_struct(
        CompletionRead,
        row,
        {"training_type_id": "training_type", "user_id": "user", "trainee_id": "trainee"},
        type_name=row["type_name_de"] if current_locale() == "de" else row["type_name_en"],
        person_name=row["user_name"] or row["trainee_name"] or "",
        completed_on=to_date(row["completed_on"]),
        valid_until=to_date_or_none(row["valid_until"]),
    )


async def get_completion(principal: Principal, completion_id: int) -> CompletionRead:
    row = (
        await TrainingCompletion.select(*_completion_columns())
        .where(TrainingCompletion.id == completion_id)
        .first()
    )
    if row is None:
        raise NotFound()
    await require_subject(principal, row["subject"])
    return _completion(dict(row))


async def list_completions(
    principal: Principal, *, site_id: int | None = None, limit: int = 1000
) -> list[CompletionRead]:
    if site_id is not None:
        await scope.require_site(principal, site_id)
        subjects = [p.subject for p in await people_of_sites([site_id])]
    else:
        subjects = list(await visible_people(principal))
    if not subjects:
        return []
    rows = (
        await TrainingCompletion.select(*_completion_columns())
        .where(TrainingCompletion.subject.is_in(subjects))
        .order_by(TrainingCompletion.completed_on, ascending=False)
        .limit(limit)
    )
    return [_completion(dict(r)) for r in rows]


async def list_requirements() -> list[RequirementRead]:
    rows = await TrainingRequirement.select(
        *TrainingRequirement.all_columns(),
        TrainingRequirement.training_type.name_en.as_alias("type_name_en"),
        TrainingRequirement.training_type.name_de.as_alias("type_name_de"),
    ).order_by(TrainingRequirement.id)
    return [
        to_struct(
            RequirementRead,
            r,
            {"training_type_id": "training_type", "site_id": "site"},
            type_name=r["type_name_de"] if current_locale() == "de" else r["type_name_en"],
            role=r["role"] or None,
        )
        for r in rows
    ]


def _required(reqs: list[dict[str, Any]], person: Person) -> set[int]:
    return {
        int(r["training_type"])
        for r in reqs
        if (not r["role"] or r["role"] == person.role)
        and (r["site"] is None or int(r["site"]) in person.site_ids)
    }


async def matrix_for(people: list[Person], *, on: date | None = None) -> MatrixRead:
    """The matrix of ``people``: one cell per person and active training type (the latest
    completion; red when required and missing or expired)."""
    day = on or today()
    types = await list_types(active_only=True)
    reqs = [dict(r) for r in await TrainingRequirement.select()]
    latest: dict[tuple[str, int], tuple[date, date | None]] = {}
    subjects = [p.subject for p in people]
    for start in range(0, len(subjects), 500):
        chunk = subjects[start : start + 500]
        rows = await TrainingCompletion.select(
            TrainingCompletion.subject,
            TrainingCompletion.training_type,
            TrainingCompletion.completed_on,
            TrainingCompletion.valid_until,
        ).where(TrainingCompletion.subject.is_in(chunk))
        for r in rows:
            key = (r["subject"], int(r["training_type"]))
            done, until = to_date(r["completed_on"]), to_date_or_none(r["valid_until"])
            if key not in latest or done > latest[key][0]:
                latest[key] = (done, until)
    out_rows: list[MatrixRow] = []
    required = covered = 0
    for person in people:
        needed = _required(reqs, person)
        cells = []
        for t in types:
            found = latest.get((person.subject, t.id))
            state = cell(found[1] if found else None, found is not None, t.id in needed, day)
            if t.id in needed:
                required += 1
                covered += state in (Cell.green, Cell.amber)
            cells.append(
                MatrixCell(
                    training_type_id=t.id,
                    state=state,
                    required=t.id in needed,
                    valid_until=found[1] if found else None,
                    completed_on=found[0] if found else None,
                )
            )
        out_rows.append(
            MatrixRow(subject=person.subject, name=person.name, role=person.role, cells=cells)
        )
    return MatrixRead(
        types=types,
        rows=out_rows,
        required=required,
        covered=covered,
        coverage=round(covered * 100 / required, 1) if required else None,
    )


async def matrix(
    principal: Principal,
    *,
    site_id: int | None = None,
    partner_id: int | None = None,
    role: str | None = None,
) -> MatrixRead:
    """Per site (optionally one team = role), per partner, or every site the caller sees."""
    if partner_id is not None:
        if not (principal.is_admin or principal.can("partners.view")) or not (
            await PartnerOrganisation.exists().where(PartnerOrganisation.id == partner_id)
        ):
            raise NotFound()
        people = await people_of_partner(partner_id)
    elif site_id is not None:
        await scope.require_site(principal, site_id)
        people = await people_of_sites([site_id])
    else:
        sites = await scope.visible_site_ids(principal)
        if sites is None:
            sites = {int(r["id"]) for r in await db.raw("SELECT id FROM site")}
        people = await people_of_sites(sorted(sites))
    if role:
        people = [p for p in people if p.role == role]
    return await matrix_for(people)
