"""Training: completions per person (users and named people), required trainings per role
and site, the matrix with red / amber / green and coverage, scoping, reminders, and the CSV
import of a training platform's export (all or nothing, every row error listed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.safety.training.actions import seed_training_types
from facilities.safety.training.reminders import remind_trainings
from facilities.safety.training.tables import TrainingCompletion
from tests import builders
from tests.safety.helpers import field_of, person, place

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
API = "/api/v1/safety"


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _setup(make_client: Any) -> dict[str, Any]:
    await seed_training_types()
    here = await place()
    ops_user, ops = await person(make_client, Role.ops_manager, here, email="olga@example.com")
    cm_user, cm = await person(make_client, Role.community_manager, here, email="carl@example.com")
    types = {t["key"]: t for t in (await ops.get(f"{API}/training-types")).json()}
    trainee = await ops.post(
        f"{API}/trainings/people",
        json={"name": "Fritz Freelancer", "email": "fritz@example.com", "site_id": here.site.id},
    )
    assert trainee.status_code == 201, trainee.text
    return {
        "here": here,
        "ops": ops,
        "cm": cm,
        "ops_user": ops_user,
        "cm_user": cm_user,
        "types": types,
        "trainee": trainee.json(),
    }


def _csv(*rows: str, header: str = "email;training;completed_on;valid_until;certificate") -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode()


async def _import(api: Any, content: bytes) -> Any:
    return await api.post(
        f"{API}/trainings/import", files={"file": ("export.csv", content, "text/csv")}
    )


async def test_matrix_red_amber_green_with_requirements_per_role_and_site(make_client) -> None:
    s = await _setup(make_client)
    ops, types, here = s["ops"], s["types"], s["here"]
    first_aid, briefing = types["first_aid"]["id"], types["safety_briefing"]["id"]
    # Everyone at the site needs the safety briefing; community managers also first aid.
    for body in (
        {"training_type_id": briefing, "site_id": here.site.id},
        {"training_type_id": first_aid, "role": "community_manager"},
    ):
        assert (await ops.post(f"{API}/trainings/requirements", json=body)).status_code == 201
    done = {
        "training_type_id": briefing,
        "user_id": s["cm_user"].id,
        "completed_on": "2025-07-01",  # valid until 2026-07-01: amber (16 days left)
    }
    created = await ops.post(f"{API}/trainings/completions", json=done)
    assert created.status_code == 201, created.text
    assert created.json()["valid_until"] == "2026-07-01"
    assert (await ops.post(f"{API}/trainings/completions", json=done)).status_code == 409
    fritz = {
        "training_type_id": briefing,
        "trainee_id": s["trainee"]["id"],
        "completed_on": "2026-03-01",
    }
    assert (await ops.post(f"{API}/trainings/completions", json=fritz)).status_code == 201
    matrix = (await ops.get(f"{API}/trainings/matrix", params={"site_id": here.site.id})).json()
    rows = {r["name"]: {c["training_type_id"]: c for c in r["cells"]} for r in matrix["rows"]}
    cm_name, ops_name = s["cm_user"].name, s["ops_user"].name
    assert rows[cm_name][briefing]["state"] == "amber"
    assert rows[cm_name][first_aid]["state"] == "red"  # required of CMs, never done
    assert rows["Fritz Freelancer"][briefing]["state"] == "green"
    assert rows["Fritz Freelancer"][first_aid]["state"] == "none"  # not required of him
    assert rows[ops_name][briefing]["state"] == "red"
    # Required: CM 2, Fritz 1, ops 1 = 4; valid: CM briefing, Fritz briefing = 2.
    assert (matrix["required"], matrix["covered"], matrix["coverage"]) == (4, 2, 50.0)
    team = (
        await ops.get(
            f"{API}/trainings/matrix",
            params={"site_id": here.site.id, "role": "community_manager"},
        )
    ).json()
    assert [r["name"] for r in team["rows"]] == [cm_name]


async def test_scoping_foreign_site_and_person_answer_404(make_client) -> None:
    s = await _setup(make_client)
    elsewhere = await place()
    _far, far = await person(make_client, Role.community_manager, elsewhere)
    assert (
        await far.get(f"{API}/trainings/matrix", params={"site_id": s["here"].site.id})
    ).status_code == 404
    done = {
        "training_type_id": s["types"]["first_aid"]["id"],
        "trainee_id": s["trainee"]["id"],
        "completed_on": "2026-01-01",
    }
    created = (await s["ops"].post(f"{API}/trainings/completions", json=done)).json()
    assert (await far.get(f"{API}/trainings/completions/{created['id']}")).status_code == 404
    assert (await s["cm"].get(f"{API}/trainings/completions/{created['id']}")).status_code == 200
    far_ops_user = await builders.user(Role.ops_manager)
    await builders.assign(far_ops_user, regions=[elsewhere.region.id])
    far_ops = await builders.api(make_client, far_ops_user)
    refused = await far_ops.post(f"{API}/trainings/completions", json=done)
    assert refused.status_code == 422 and field_of(refused) == "trainee_id"
    # Community managers read the matrix; recording is for ops managers.
    assert (await s["cm"].post(f"{API}/trainings/completions", json=done)).status_code == 403


async def test_csv_import_all_good_then_repeated_adds_nothing(make_client) -> None:
    s = await _setup(make_client)
    content = _csv(
        "carl@example.com;safety_briefing;2026-02-01;;CERT-1",
        "FRITZ@example.com;Erste Hilfe (Ersthelfer);03.03.2026;;",
        "olga@example.com;Fire warden;2026-01-15;2029-01-15;",
    )
    first = await _import(s["ops"], content)
    assert first.status_code == 201, first.text
    assert first.json() == {"created": 3, "skipped": 0}
    again = await _import(s["ops"], content)
    assert again.json() == {"created": 0, "skipped": 3}
    rows = await TrainingCompletion.select().order_by(TrainingCompletion.id)
    assert [r["source"] for r in rows] == ["import"] * 3
    assert str(rows[1]["valid_until"]) == "2028-03-03"  # first aid: 24 months
    assert rows[0]["reference"] == "CERT-1"


async def test_csv_every_row_error_listed_and_nothing_written(make_client) -> None:
    s = await _setup(make_client)
    content = _csv(
        "carl@example.com;safety_briefing;2026-02-01;;",  # good
        "nobody@example.com;safety_briefing;2026-02-01;;",  # unknown person
        "carl@example.com;juggling;2026-02-01;;",  # unknown training type
        "carl@example.com;first_aid;31.02.2026;;",  # bad date
        "carl@example.com;first_aid;2026-02-01;2025-01-01;",  # valid before done
        "carl@example.com;first_aid;2027-02-01;;",  # in the future
    )
    refused = await _import(s["ops"], content)
    assert refused.status_code == 422, refused.text
    fields = {f["field"]: f["message"] for f in refused.json()["fields"]}
    assert sorted(fields) == ["row 3", "row 4", "row 5", "row 6", "row 7"]
    assert "nobody@example.com" in fields["row 3"]
    assert "juggling" in fields["row 4"]
    assert "31.02.2026" in fields["row 5"]
    assert "valid_until" in fields["row 6"]
    assert "future" in fields["row 7"]
    assert "nothing was imported" in refused.json()["message"]
    assert await TrainingCompletion.count() == 0


async def test_csv_wrong_header_names_the_missing_columns(make_client) -> None:
    s = await _setup(make_client)
    content = _csv("carl@example.com,first_aid,2026-01-01", header="mail,course,date")
    refused = await _import(s["ops"], content)
    assert refused.status_code == 422 and field_of(refused) == "file"
    message = refused.json()["fields"][0]["message"]
    assert "email, training, completed_on" in message
    empty = await _import(s["ops"], b"")
    assert empty.status_code == 422 and field_of(empty) == "file"
    assert await TrainingCompletion.count() == 0


async def test_csv_import_page_lists_row_errors_in_german(make_client) -> None:
    s = await _setup(make_client)
    admin = await builders.user(Role.admin, locale="de")
    session = await builders.browser_session(make_client, admin)
    token = await builders.csrf(session, "/safety/training/import")
    content = _csv("nobody@example.com;first_aid;2026-01-01;;")
    sent = await session.post(
        "/safety/training/import",
        data={"_csrf_token": token},
        files={"file": ("export.csv", content, "text/csv")},
    )
    assert sent.status_code == 422
    assert "Zeile 2" in sent.text and "nobody@example.com" in sent.text
    good = await session.post(
        "/safety/training/import",
        data={"_csrf_token": token},
        files={"file": ("export.csv", _csv("carl@example.com;first_aid;2026-01-01;;"), "text/csv")},
    )
    assert good.status_code == 303
    assert s["here"].site.id


async def test_reminder_before_a_training_expires_once(make_client) -> None:
    s = await _setup(make_client)
    done = {
        "training_type_id": s["types"]["safety_briefing"]["id"],
        "trainee_id": s["trainee"]["id"],
        "completed_on": "2025-07-01",
    }
    assert (await s["ops"].post(f"{API}/trainings/completions", json=done)).status_code == 201
    assert await remind_trainings() == 1
    assert await remind_trainings() == 0
    sent = await db.raw("SELECT recipient FROM outbox_message WHERE event = 'training_expiring'")
    assert [m["recipient"] for m in sent] == ["fritz@example.com"]


async def test_pages_record_people_completions_and_requirements(make_client) -> None:
    s = await _setup(make_client)
    session = await builders.browser_session(make_client, s["ops_user"])
    site = s["here"].site.id
    token = await builders.csrf(session, f"/safety/training?site_id={site}")
    added = await session.post(
        "/safety/training/people",
        data={
            "_csrf_token": token,
            "name": "Ida Intern",
            "site_id": str(site),
            "back_site_id": str(site),
        },
    )
    assert added.status_code == 303, added.text
    page = await session.get(f"/safety/training?site_id={site}")
    assert "Ida Intern" in page.text and "Record a completion" in page.text
    required = await session.post(
        "/safety/training/requirements",
        data={
            "_csrf_token": token,
            "training_type_id": str(s["types"]["fire_warden"]["id"]),
            "site_id": str(site),
        },
    )
    assert required.status_code == 303
    done = await session.post(
        "/safety/training/completions",
        data={
            "_csrf_token": token,
            "person": f"u{s['cm_user'].id}",
            "training_type_id": str(s["types"]["fire_warden"]["id"]),
            "completed_on": "2026-05-01",
        },
    )
    assert done.status_code == 303, done.text
    future = await session.post(
        "/safety/training/completions",
        data={
            "_csrf_token": token,
            "person": f"u{s['cm_user'].id}",
            "training_type_id": str(s["types"]["fire_warden"]["id"]),
            "completed_on": "2027-05-01",
            "back_site_id": str(site),
        },
    )
    assert future.status_code == 422 and "future" in future.text
    matrix = (await s["ops"].get(f"{API}/trainings/matrix", params={"site_id": site})).json()
    cm_row = next(r for r in matrix["rows"] if r["name"] == s["cm_user"].name)
    warden = next(
        c for c in cm_row["cells"] if c["training_type_id"] == s["types"]["fire_warden"]["id"]
    )
    assert warden["state"] == "green" and warden["required"]
