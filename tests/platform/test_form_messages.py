"""Every form and every API write answers bad input in plain words (issue 11, item 6).

Walks the app's route table: each page route with a POST handler gets an empty form, every
field 50,000 characters long, and every field a wrong value ("abc", "-5"); each JSON API
POST gets an empty object and a list. No message shown may contain a type name, "Expected"
or a backtick, and nothing may answer 500. Runs on the demo data, as an admin.

**One locale per half of** ``make test`` (``one_engine``): English in the SQLite half,
German in the PostgreSQL half. Each engine still walks every route with every variant once,
and what depends on the engine — a 500 from a value the database refuses (the 50,000
characters in a bounded column, a number out of a column's range) — does not depend on the
caller's language; what depends on the language — the wording of the messages, from
``kit/errors.py`` and ``kit/validation.py`` through gettext — does not depend on the engine.
Walking both locales on both engines took ~300 s of each half on a loaded machine (the
slowest test of the suite) and proved nothing more.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from facilities import db
from facilities.accounts.enums import Role
from facilities.demo import load_demo
from facilities.kit.i18n import using_locale
from tests import builders

FORBIDDEN = re.compile(
    r"Expected|`|\$\.|\b(?:int|str|float|bool|NoneType|dict|Struct|msgspec|Traceback)\b"
)
# Routes that end the session or need secrets a walker cannot know.
SKIP = {"/logout", "/login", "/password-reset", "/password-reset/{token:str}"}
SKIP_PREFIXES = ("/m/{token", "/api/v1/auth", "/bench")
TABLES = {
    "site_id": "site",
    "space_id": "space",
    "asset_id": "asset",
    "closure_id": "site_closure_day",
    "file_id": "asset_file",
    "report_id": "problem_report",
    "work_order_id": "work_order",
    "item_id": "work_order_checklist_item",
    "template_id": "checklist_template",
    "schedule_id": "pm_schedule",
    "feed_id": "calendar_feed",
    "contract_id": "service_contract",
    "document_id": "service_contract_document",
    "visit_id": "service_visit",
    "plan_id": "service_visit_plan",
    "policy_id": "sla_policy",
    "webhook_id": "webhook_endpoint",
    "message_id": "outbox_message",
    "user_id": "app_user",
    "partner_id": "partner_organisation",
    "partner_organisation_id": "partner_organisation",
    "category_id": "asset_category",
    "token_id": "api_token",
    "link_id": "work_order_magic_link",
    "region_id": "region",
}
_PARAM = re.compile(r"\{(\w+):(\w+)\}")
_MESSAGES = re.compile(
    r'<(?:p|li|div)[^>]*class="(?:error|flash[^"]*)"[^>]*>(.*?)</(?:p|li|div)>|'
    r'<section class="card error-page">(.*?)</section>',
    re.S,
)
_NAMES = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([\w-]+)"')


async def _ids() -> dict[str, int]:
    found = {}
    for param, table in TABLES.items():
        rows = await db.raw(f'SELECT min(id) AS id FROM "{table}"')
        found[param] = int(rows[0]["id"]) if rows and rows[0]["id"] is not None else 1
    return found


async def _qr_code() -> str:
    rows = await db.raw("SELECT code FROM qr_code WHERE asset IS NOT NULL ORDER BY id LIMIT 1")
    return str(rows[0]["code"]) if rows else "NOPE"


def _fill(path: str, ids: dict[str, int], code: str) -> str:
    def value(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2)
        if kind == "int":
            return str(ids.get(name, 1))
        return code

    return _PARAM.sub(value, path)


def _shown(text: str) -> list[str]:
    messages = []
    for match in _MESSAGES.finditer(text):
        inner = match.group(1) or match.group(2) or ""
        messages.append(html.unescape(re.sub(r"<[^>]+>", " ", inner)))
    return messages


def _post_routes(app: Any) -> list[tuple[str, bool]]:
    routes = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "POST" not in handler.http_methods:
                continue
            path = route.path
            if path in SKIP or path.startswith(SKIP_PREFIXES):
                continue
            routes.append((path, path.startswith("/api/")))
    return sorted(set(routes))


@pytest.mark.parametrize(
    "locale",
    [
        pytest.param("en", marks=pytest.mark.one_engine("sqlite")),
        pytest.param("de", marks=pytest.mark.one_engine("postgres")),
    ],
)
async def test_every_form_and_api_write_answers_in_plain_words(
    app: Any, make_client: Any, locale: str
) -> None:
    with using_locale("en"):
        await load_demo()
    admin = await builders.user(Role.admin, locale=locale)
    browser = await builders.browser_session(make_client, admin)
    api = await builders.api(make_client, admin)
    token = await builders.csrf(browser, "/account")
    ids, code = await _ids(), await _qr_code()
    problems: list[str] = []
    walked = 0
    for path, is_api in _post_routes(app):
        url = _fill(path, ids, code)
        if is_api:
            for body in ({}, []):
                response = await api.post(url, json=body)
                walked += 1
                if response.status_code >= 500:
                    problems.append(f"{url} {body!r}: {response.status_code}")
                    continue
                if response.headers.get("content-type", "").startswith("application/json"):
                    payload = response.json()
                    texts = (
                        [payload.get("message", "")]
                        + [f.get("message", "") for f in payload.get("fields", [])]
                        if isinstance(payload, dict)
                        else []
                    )
                    for text in texts:
                        if FORBIDDEN.search(str(text)):
                            problems.append(f"{url} {body!r}: {text}")
            continue
        page = await browser.get(url)
        names = (
            set(_NAMES.findall(page.text)) - {"_csrf_token"} if page.status_code == 200 else set()
        )
        if not names:  # the form usually lives on the parent page
            parent = await browser.get(url.rsplit("/", 1)[0] or "/")
            names = set(_NAMES.findall(parent.text)) - {"_csrf_token"}
        variants = {
            "empty": {},
            "too long": {n: "x" * 50_000 for n in names},
            "wrong": {n: ("abc" if i % 2 else "-5") for i, n in enumerate(sorted(names))},
        }
        for label, data in variants.items():
            response = await browser.post(url, data={**data, "_csrf_token": token})
            walked += 1
            if response.status_code >= 500:
                problems.append(f"{url} [{label}]: {response.status_code}")
                continue
            shown = _shown(response.text)
            if response.status_code in (302, 303):
                follow = await browser.get(response.headers["location"])
                shown = _shown(follow.text)
            for message in shown:
                if FORBIDDEN.search(message):
                    problems.append(f"{url} [{label}]: {' '.join(message.split())[:200]}")
    assert walked > 150
    assert not problems, "\n".join(problems)
