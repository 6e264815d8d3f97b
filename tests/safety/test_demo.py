"""``facilities demo`` loads safety data once: incidents, certificates in every status,
a training matrix with gaps; the safety report shows them."""

from __future__ import annotations

from facilities.accounts.enums import Role
from facilities.safety.compliance.tables import Certificate
from facilities.safety.incidents.tables import Incident
from facilities.safety.training.tables import TrainingCompletion
from tests import builders


async def test_demo_loads_safety_data_idempotently(make_client) -> None:
    from facilities.demo import load_demo

    await load_demo()
    counts = (
        await Incident.count(),
        await Certificate.count(),
        await TrainingCompletion.count(),
    )
    await load_demo()
    assert (
        (
            await Incident.count(),
            await Certificate.count(),
            await TrainingCompletion.count(),
        )
        == counts
        == (4, 4, 3)
    )
    admin = await builders.api(make_client, await builders.user(Role.admin))
    report = (await admin.get("/api/v1/safety/report")).json()
    assert report["incidents"]["incidents"] == 2 and report["incidents"]["near_misses"] == 2
    c = report["certificates"]
    assert (c["red"], c["amber"], c["green"]) == (1, 1, 2)
    assert report["training"]["coverage"] is not None
