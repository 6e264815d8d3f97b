"""The template editor's language, asset category and failing answers: language and
category can be changed on an existing template (page and API; the template's own fields,
no new version by themselves; an unknown one is 422 naming the field, in German for a
German reader, nothing saved); failing answers are ticked among labelled choices ("Ja" /
"Nein" for a yes/no item, the options of a multiple-choice item) and survive a round trip
of the page as a browser submits it, while the API keeps taking the codes."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote_plus

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.safety.inspections import queries
from tests import assets_builders as ab
from tests import builders
from tests.safety.helpers import starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
TEMPLATES = "/api/v1/safety/templates"


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


class _Form(HTMLParser):
    """What a browser submits for ``#tpl-form``: text and hidden inputs, ticked checkboxes
    only, each select's selected option, textareas (the blank-row ``<template>`` skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = self._in_blank = False
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "tpl-form":
            self._in_form = True
        if tag == "template":
            self._in_blank = True
        if not self._in_form or self._in_blank:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._first_option, self._selected = a["name"], None, False
        elif tag == "option" and self._select is not None:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._selected = True
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._in_blank = False
        elif tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            if not self._selected:
                self.fields.append((self._select, self._first_option or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data


def submitted(page: str) -> list[tuple[str, str]]:
    parser = _Form()
    parser.feed(page)
    return parser.fields


async def _post(client: Any, path: str, fields: list[tuple[str, str]]) -> Any:
    token = await builders.csrf(client, "/safety/templates")
    body = [(k, v) for k, v in fields if k != "_csrf_token"] + [("_csrf_token", token)]
    return await client.post(
        path,
        content="&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in body),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


def _set(fields: list[tuple[str, str]], name: str, *values: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in fields if k != name] + [(name, v) for v in values]


def _error_near(text: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="e-{re.escape(field)}"[^>]*>(.*?)</p>', text, re.S)
    assert match, f"no error shown at {field}"
    return html.unescape(match.group(1))


NEW_TEMPLATE = [
    ("name", "Raumcheck"),
    ("language", "de"),
    ("category_id", ""),
    ("rows", "3"),
    ("items-0-label", "Notausgang frei"),
    ("items-0-kind", "yes_no"),
    ("items-0-weight", "1"),
    ("items-0-required", "on"),
    ("items-0-fail_yes_no", "no"),
    ("items-1-label", "Beschilderung"),
    ("items-1-kind", "choice"),
    ("items-1-weight", "1"),
    ("items-1-options", "Gut\nAbgenutzt\nFehlt"),
    ("items-1-fail_choice", "Abgenutzt"),
    ("items-1-fail_choice", "Fehlt"),
    ("items-2-label", "Fenster geschlossen"),
    ("items-2-kind", "pass_fail_na"),
    ("items-2-weight", "1"),
]


async def test_failing_answers_are_labelled_choices_and_survive_the_round_trip(
    make_client: Any,
) -> None:
    w = await world()
    ops_de = await builders.user(Role.ops_manager, locale="de")
    await builders.assign(ops_de, regions=[w.region_id])
    page = await builders.browser_session(make_client, ops_de)
    blank = await page.get("/safety/templates/new")
    assert blank.status_code == 200
    assert "Antworten, bei denen der Prüfpunkt nicht bestanden ist" in blank.text
    assert 'name="items-0-fail_answers"' not in blank.text  # no field for typed codes
    created = await _post(page, "/safety/templates/new", NEW_TEMPLATE)
    assert created.status_code == 303, created.text
    template_id = int(created.headers["location"].rsplit("/", 1)[-1])
    template = await queries.get_template(builders.principal(ops_de), template_id)
    assert template.language == "de"
    assert [i.fail_answers for i in template.items] == [["no"], ["Abgenutzt", "Fehlt"], []]

    shown = await page.get(f"/safety/templates/{template_id}")
    assert shown.status_code == 200
    text = shown.text
    # the yes/no item: "Ja" and "Nein" to tick, "Nein" ticked; the codes only as values
    yes_no = re.findall(
        r'<input type="checkbox" name="items-0-fail_yes_no" value="(\w+)"( checked)?> (\w+)', text
    )
    assert yes_no == [("yes", "", "Ja"), ("no", " checked", "Nein")]
    choice = re.findall(
        r'<input type="checkbox" name="items-1-fail_choice" value="(\w+)"( checked)?>', text
    )
    assert choice == [("Gut", ""), ("Abgenutzt", " checked"), ("Fehlt", " checked")]

    # the page sent back as it is: a new version with the same failing answers
    fields = submitted(text)
    assert ("items-0-fail_yes_no", "no") in fields and ("items-1-fail_choice", "Fehlt") in fields
    same = await _post(page, f"/safety/templates/{template_id}", fields)
    assert same.status_code == 303, same.text
    again = await queries.get_template(builders.principal(ops_de), template_id)
    assert again.version == 2
    assert [i.fail_answers for i in again.items] == [["no"], ["Abgenutzt", "Fehlt"], []]

    # ticked otherwise: "Ja" fails the yes/no item, only "Gut" fails the choice
    fields = submitted((await page.get(f"/safety/templates/{template_id}")).text)
    fields = _set(fields, "items-0-fail_yes_no", "yes")
    fields = _set(fields, "items-1-fail_choice", "Gut")
    changed = await _post(page, f"/safety/templates/{template_id}", fields)
    assert changed.status_code == 303, changed.text
    final = await queries.get_template(builders.principal(ops_de), template_id)
    assert [i.fail_answers for i in final.items] == [["yes"], ["Gut"], []]

    # nothing ticked on the yes/no item: it fails on "no", as before
    fields = _set(submitted((await page.get(f"/safety/templates/{template_id}")).text),
                  "items-0-fail_yes_no")  # fmt: skip
    assert (await _post(page, f"/safety/templates/{template_id}", fields)).status_code == 303
    latest = await queries.get_template(builders.principal(ops_de), template_id)
    assert latest.items[0].fail_answers == ["no"]

    # an answer the item does not offer, as a hand-made post: refused at the item, in German
    fields = submitted((await page.get(f"/safety/templates/{template_id}")).text)
    bad = _set(fields, "items-1-fail_choice", "Kaputt")
    refused = await _post(page, f"/safety/templates/{template_id}", bad)
    assert refused.status_code == 422
    assert "Antworten" in _error_near(refused.text, "items[1].fail_answers")

    # the API still takes the codes
    api = await builders.api(make_client, ops_de)
    items = [
        {"key": i.key, "label": i.label, "kind": i.kind.value, "options": i.options,
         "fail_answers": ["yes"] if i.kind.value == "yes_no" else i.fail_answers}
        for i in latest.items
    ]  # fmt: skip
    patched = await api.patch(f"{TEMPLATES}/{template_id}", json={"items": items})
    assert patched.status_code == 200, patched.text
    assert patched.json()["items"][0]["fail_answers"] == ["yes"]


async def test_language_and_category_are_edited_on_the_page(make_client: Any) -> None:
    w = await world()
    template = await starter("first_aid_kit")
    ops = await builders.browser_session(make_client, w.ops)
    url = f"/safety/templates/{template.id}"
    page = await ops.get(url)
    assert page.status_code == 200
    assert '<select id="f-language" name="language"' in page.text
    assert '<select id="f-category_id" name="category_id"' in page.text
    fields = submitted(page.text)
    assert ("language", "en") in fields and ("category_id", "") in fields
    fields = _set(_set(fields, "language", "de"), "category_id", str(w.category_id))
    saved = await _post(ops, url, fields)
    assert saved.status_code == 303, saved.text
    after = await queries.get_template(builders.principal(w.ops), template.id)
    assert (after.language, after.category_id) == ("de", w.category_id)
    shown = await ops.get(url)
    assert '<option value="de" selected>' in shown.text
    assert f'<option value="{w.category_id}" selected>' in shown.text
    # back to "any category"
    cleared = await _post(ops, url, _set(submitted(shown.text), "category_id", ""))
    assert cleared.status_code == 303
    assert (await queries.get_template(builders.principal(w.ops), template.id)).category_id is None

    # unknown values: 422 at the field, in the reader's language, nothing saved
    ops_de = await builders.user(Role.ops_manager, locale="de")
    await builders.assign(ops_de, regions=[w.region_id])
    german = await builders.browser_session(make_client, ops_de)
    fields = submitted((await german.get(url)).text)
    before = await queries.get_template(builders.principal(w.ops), template.id)
    unknown = await _post(german, url, _set(_set(fields, "name", "Umbenannt"), "language", "fr"))
    assert unknown.status_code == 422
    assert _error_near(unknown.text, "language") == "Die Sprache muss Englisch oder Deutsch sein."
    assert 'value="Umbenannt"' in unknown.text  # kept as typed
    gone = await _post(german, url, _set(fields, "category_id", "999999"))
    assert gone.status_code == 422
    assert _error_near(gone.text, "category_id") == "Diese Anlagenkategorie gibt es nicht."
    assert await queries.get_template(builders.principal(w.ops), template.id) == before


async def test_language_and_category_through_the_api(make_client: Any) -> None:
    w = await world()
    template = await starter("first_aid_kit")
    other = await ab.category("Emergency lights")
    api = await builders.api(make_client, w.ops)
    url = f"{TEMPLATES}/{template.id}"
    changed = await api.patch(url, json={"language": "de", "category_id": other.id})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["language"], body["category_id"]) == ("de", other.id)
    assert body["version"] == 1  # the template's own fields: no new version
    kept = await api.patch(url, json={"name": "First aid"})
    assert kept.json()["category_id"] == other.id and kept.json()["language"] == "de"
    cleared = await api.patch(url, json={"category_id": None})
    assert cleared.status_code == 200 and cleared.json()["category_id"] is None
    stale = await api.patch(url, json={"language": "en", "version": 0})
    assert stale.status_code in (409, 422)

    ops_de = await builders.user(Role.ops_manager, locale="de")
    await builders.assign(ops_de, regions=[w.region_id])
    german = await builders.api(make_client, ops_de)
    for payload, field, message in (
        ({"language": "fr"}, "language", "Die Sprache muss Englisch oder Deutsch sein."),
        ({"category_id": 999999}, "category_id", "Diese Anlagenkategorie gibt es nicht."),
        ({"name": "X", "language": "xx"}, "language", "Die Sprache muss Englisch oder Deutsch sein."),
    ):  # fmt: skip
        refused = await german.patch(url, json=payload)
        assert refused.status_code == 422, refused.text
        assert refused.json()["fields"][0]["field"] == field
        assert refused.json()["fields"][0]["message"] == message
    assert (await api.get(url)).json()["name"] == "First aid"  # nothing partial
    assert (await german.patch(url, json={"category_id": "x"})).status_code == 422
