"""E-mails in the recipient's language: an anonymous reporter hears back in the language of
the page they reported from (issue 11: "the German reporter's confirmation e-mail is in
English")."""

from __future__ import annotations

from typing import Any

import pytest

from facilities.maintenance.tables import ProblemReport
from facilities.notifications.delivery import deliver_due
from tests import builders
from tests import maintenance_builders as mb
from tests.smtp import Smtp


@pytest.mark.parametrize(
    ("accept", "locale", "greeting"),
    [
        ("de-DE,de;q=0.9", "de", "Vielen Dank"),
        ("en-GB,en;q=0.9", "en", "Thank you"),
    ],
)
async def test_anonymous_reporter_hears_back_in_the_page_language(
    make_client: Any, smtp: Smtp, accept: str, locale: str, greeting: str
) -> None:
    _site, _asset, code = await mb.scanned_asset()
    client = make_client(**{"Accept-Language": accept})
    token = await builders.csrf(client, f"/q/{code}")
    response = await client.post(
        f"/q/{code}/report",
        data={
            "category": "leak",
            "urgency": "normal",
            "description": "Die Spülmaschine leckt",
            "reporter_email": "mia@example.com",
            "_csrf_token": token,
        },
        files={"photo": ("", b"")},
    )
    assert response.status_code == 303, response.text
    row = await ProblemReport.select(ProblemReport.reporter_locale).first()
    assert row["reporter_locale"] == locale
    await deliver_due()
    (mail,) = smtp.to("mia@example.com")
    assert greeting in mail.get_body(("plain",)).get_content()
