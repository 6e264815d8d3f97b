"""The German catalogue is complete and consistent with the sources, and it is used.

Extraction runs in-process with the same configuration as ``make messages`` (babel.cfg and
Babel's default keywords: ``_``, ``gettext``, ``ngettext``, ``N_`` ...), so whoever adds a
user-facing string sees this test fail until the string is translated.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections import Counter
from collections.abc import AsyncIterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from functools import cache
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from facilities.accounts.enums import Role
from facilities.kit import i18n
from facilities.settings import get_settings
from tests import builders

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "facilities" / "locale" / "de" / "LC_MESSAGES" / "messages.po"

# printf-style conversions (what ``%`` formatting and Jinja's newstyle gettext apply) and
# str.format fields; a translation must carry exactly the placeholders of its source.
PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACES = re.compile(r"\{[^{}]*\}")


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


@cache
def _extracted() -> dict[str, tuple[str | tuple[str, ...], list[str]]]:
    """Every message the sources mark for translation: key -> (msgid, [file:line, ...])."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, tuple[str | tuple[str, ...], list[str]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        if not _key(message):
            continue
        entry = found.setdefault(_key(message), (message, []))
        entry[1].append(f"{filename}:{lineno}")
    return found


@cache
def _catalogue() -> Catalog:
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="de")


def _forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.slow
def test_extraction_finds_python_template_and_plural_messages() -> None:
    """A guard for the guard: a broken babel.cfg would make the next test pass vacuously."""
    extracted = _extracted()
    where = {place.split(":")[0] for _msgid, places in extracted.values() for place in places}
    assert "Sign in" in extracted  # a template string
    assert any(place.endswith(".html") for place in where)
    assert any(place.endswith(".txt") for place in where)  # e-mail bodies
    assert any(place.endswith(".py") for place in where)
    assert "Administrator" in extracted  # N_() in facilities/accounts/enums.py
    plural = extracted["%(num)d site"][0]
    assert plural == ("%(num)d site", "%(num)d sites")  # ngettext() in a template


def test_every_source_string_has_a_german_translation() -> None:
    catalogue = _catalogue()
    missing = []
    for key, (msgid, places) in sorted(_extracted().items()):
        entry = catalogue.get(msgid if isinstance(msgid, str) else msgid[0])
        forms = _forms(entry.string) if entry is not None else []
        expected_forms = 2 if isinstance(msgid, tuple) else 1
        complete = (
            entry is not None
            and not entry.fuzzy
            and len(forms) == expected_forms
            and all(form.strip() for form in forms)
        )
        if not complete:
            missing.append(f"{key!r} ({places[0]})")
    assert not missing, (
        f"{len(missing)} message(s) without a German translation; run `make messages` "
        "and translate them in facilities/locale/de/LC_MESSAGES/messages.po:\n  "
        + "\n  ".join(missing)
    )


def test_catalogue_has_no_fuzzy_or_stale_entries() -> None:
    catalogue = _catalogue()
    fuzzy = [_key(m.id) for m in catalogue if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries (check and clear the flag): {fuzzy}"
    extracted = _extracted()
    stale = [_key(m.id) for m in catalogue if m.id and _key(m.id) not in extracted]
    assert not stale, f"entries no source uses any more (run `make messages`): {stale}"


# One German word per product term (a glossary): an inspection is a "Begehung" (compounds
# such as "Prüfvorlage", "Prüfpunkt", "Nachprüfung" stay), never "Inspektion", "Prüfung" or
# "Prüfungs…" ("Prüfungspunktzahl" slipped through).
GLOSSARY = {
    re.compile(r"\binspections?\b", re.I): re.compile(r"Inspektion|\bPrüfung(?:en|s\w*)?\b"),
}


def test_german_uses_one_word_per_product_term() -> None:
    drift = []
    for message in _catalogue():
        if not message.id or not message.string:
            continue
        for source, translation in zip(_forms(message.id), _forms(message.string), strict=False):
            for term, wrong in GLOSSARY.items():
                if term.search(source) and wrong.search(translation):
                    drift.append(f"{source!r} -> {translation!r}")
    assert not drift, "use the glossary's word:\n  " + "\n  ".join(drift)


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for message in _catalogue():
        if not message.id or not message.string:
            continue
        sources = _forms(message.id)
        for index, translation in enumerate(_forms(message.string)):
            source = sources[min(index, len(sources) - 1)]
            for pattern in (PRINTF, BRACES):
                if Counter(pattern.findall(source)) != Counter(pattern.findall(translation)):
                    wrong.append(f"{source!r} -> {translation!r}")
    assert not wrong, "placeholders differ:\n  " + "\n  ".join(wrong)


def test_german_lookup_and_fallback() -> None:
    with i18n.using_locale("de"):
        assert i18n._("Sign in") == "Anmelden"
        assert i18n._("Sign out") == "Abmelden"
        assert i18n.ngettext("%(num)d site", "%(num)d sites", 1) == "%(num)d Standort"
        # Unknown messages fall back to the English source rather than failing.
        assert i18n._("No such message in the catalogue") == "No such message in the catalogue"
    with i18n.using_locale("en"):
        assert i18n._("Sign in") == "Sign in"
    with i18n.using_locale("fr"):  # unsupported: English
        assert i18n._("Sign in") == "Sign in"


def test_german_plural_form_is_used() -> None:
    with i18n.using_locale("de"):
        assert i18n.ngettext("%(num)d site", "%(num)d sites", 3) == "%(num)d Standorte"
        assert i18n.ngettext("%(num)d site", "%(num)d sites", 1) == "%(num)d Standort"
        assert i18n.ngettext("%(num)d site", "%(num)d sites", 0) == "%(num)d Standorte"
    assert i18n.ngettext("%(num)d site", "%(num)d sites", 1) == "%(num)d site"
    assert i18n.ngettext("%(num)d site", "%(num)d sites", 2) == "%(num)d sites"


async def test_login_page_follows_the_browser_language(client) -> None:
    german = await client.get("/login", headers={"accept-language": "de-CH,de;q=0.9,en;q=0.5"})
    assert german.status_code == 200
    assert '<html lang="de">' in german.text
    assert "Anmelden" in german.text and "Passwort vergessen?" in german.text
    assert "Sign in" not in german.text
    english = await client.get("/login", headers={"accept-language": "en-GB,en;q=0.9"})
    assert "Sign in" in english.text and "Anmelden" not in english.text


async def test_error_messages_are_german_for_a_german_browser(client) -> None:
    token = await builders.csrf(client)
    response = await client.post(
        "/login",
        data={"email": "nobody@example.com", "password": "wrong password", "_csrf_token": token},
        headers={"accept-language": "de"},
    )
    assert response.status_code in (400, 401, 422)
    assert "E-Mail-Adresse oder Passwort ist nicht korrekt." in response.text
    missing = await client.get("/no/such/page", headers={"accept-language": "de"})
    assert missing.status_code == 404 and "Seite nicht gefunden" in missing.text


async def test_german_user_sees_german_pages_whatever_the_browser_says(make_client) -> None:
    region = await builders.region()
    await builders.site(region.id, name="Quadrate")
    user = await builders.user(Role.admin, locale="de")
    client = await builders.browser_session(make_client, user)
    pages = {
        "/": ["Abmelden", "Standorte", "Änderungsprotokoll"],
        "/sites": ["Standorte filtern", "Neuer Standort"],
        "/account": ["Ihr Konto", "Passwort ändern"],
        "/audit": ["Änderungsprotokoll"],
    }
    for path, expected in pages.items():
        response = await client.get(path, headers={"accept-language": "en"})
        assert response.status_code == 200, path
        for text in expected:
            assert text in response.text, (path, text)
        assert "Sign out" not in response.text, path


# ---- e-mail -------------------------------------------------------------------------------


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
async def inbox(monkeypatch) -> AsyncIterator[_Inbox]:  # type: ignore[no-untyped-def]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    received = _Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", port)
    try:
        yield received
    finally:
        await asyncio.to_thread(controller.stop)


async def test_password_reset_mail_is_in_the_users_language(client, inbox: _Inbox) -> None:
    user = await builders.user(Role.viewer, locale="de")
    token = await builders.csrf(client, "/password-reset")
    response = await client.post(
        "/password-reset",
        data={"email": user.email, "_csrf_token": token},
        headers={"accept-language": "en"},  # the page follows the browser ...
    )
    assert response.status_code == 200 and "If an account exists" in response.text
    assert len(inbox.messages) == 1
    message = inbox.messages[0]  # ... the e-mail follows the user's own language
    assert str(make_header(decode_header(message["Subject"]))) == "Facilities-Passwort zurücksetzen"
    body = message.get_payload(decode=True).decode()
    assert f"Hallo {user.name}," in body
    assert "Jemand (hoffentlich Sie)" in body and "Someone" not in body
