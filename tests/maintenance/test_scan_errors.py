"""The public scan form answers bad input in the reader's words and language, keeps what was
typed, refuses too-long text (never cuts it) and survives a huge phone photo."""

from __future__ import annotations

import re

import httpx

from facilities.maintenance.tables import ProblemReport
from tests import builders
from tests import maintenance_builders as mb

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
FORBIDDEN = re.compile(r"Expected|`|\b(?:int|str|float|bool|null)\b")


def _errors(html: str) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)


async def _post(client: httpx.AsyncClient, code: str, files=None, **fields: str) -> httpx.Response:
    token = await builders.csrf(client, f"/q/{code}")
    data = {"category": "leak", "urgency": "high", "description": "", **fields}
    data["_csrf_token"] = token
    return await client.post(f"/q/{code}/report", data=data, files=files or {"photo": ("", b"")})


async def test_empty_description_in_german_plain_words(make_client) -> None:
    _site, _asset, code = await mb.scanned_asset()
    client = make_client(**GERMAN)
    response = await _post(client, code, description="")
    assert response.status_code == 422
    errors = _errors(response.text)
    assert errors == ["Darf nicht leer sein."], errors
    assert not FORBIDDEN.search(" ".join(errors))


async def test_too_long_description_is_refused_and_kept_never_cut(make_client) -> None:
    _site, _asset, code = await mb.scanned_asset()
    client = make_client(**GERMAN)
    text = "Wasser " * 7000  # 49,000 characters
    response = await _post(client, code, description=text)
    assert response.status_code == 422
    assert _errors(response.text) == ["Höchstens 2000 Zeichen."]
    assert text.strip() in response.text  # what was typed comes back to be shortened
    assert await ProblemReport.count() == 0
    # The field states its limit, and its maxlength is the server's (kit/formlimits.py);
    # the refused text comes back whole (a maxlength never cuts a value the page sets).
    assert "Höchstens 2.000 Zeichen." in response.text, re.findall(
        r'id="h-description">[^<]*', response.text
    )
    textarea = re.search(r"<textarea[^>]*name=\"description\"[^>]*>", response.text)
    assert textarea and 'maxlength="2000"' in textarea.group(0)


async def test_oversized_photo_keeps_the_text_in_german(make_client) -> None:
    _site, _asset, code = await mb.scanned_asset()
    client = make_client(**GERMAN)
    huge = b"\xff\xd8\xff\xe0" + b"0" * (35 * 1024 * 1024)  # a 35 MB "photo"
    response = await _post(
        client,
        code,
        description="Kaffeemaschine tropft",
        files={"photo": ("IMG_0001.jpg", huge, "image/jpeg")},
    )
    assert response.status_code == 413
    assert '<html lang="de">' in response.text
    assert "Kaffeemaschine tropft" in response.text  # the typed text is kept
    assert f'action="/q/{code}/report"' in response.text  # the same form, not an error page
    assert "Das Foto ist zu groß" in response.text
    assert await ProblemReport.count() == 0


async def test_beyond_any_limit_the_page_leads_back_to_the_scan_page(make_client) -> None:
    _site, _asset, code = await mb.scanned_asset()
    client = make_client(**GERMAN)
    token = await builders.csrf(client, f"/q/{code}")
    body = b"0" * (80 * 1024 * 1024)
    response = await client.post(
        f"/q/{code}/report",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=x", "X-CSRFToken": token},
    )
    assert response.status_code == 413
    assert '<html lang="de">' in response.text
    assert f'href="/q/{code}"' in response.text
    assert "/login" not in response.text
