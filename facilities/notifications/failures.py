"""Delivery failures said in words: "The mail server refused the connection; will retry at
14:05." instead of ``SMTPConnectError: Error connecting to 127.0.0.1 on port 25``. The raw
detail stays stored (and shown to admins behind a "Details" toggle)."""

from __future__ import annotations

import re
from datetime import datetime

from facilities.kit import clock
from facilities.kit.i18n import N_, _
from facilities.kit.timefmt import format_datetime, format_time

_HTTP = re.compile(r"^HTTP (\d{3})")
# (pattern on the stored "ClassName: detail" text, what it means)
_KINDS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"SMTPAuthenticationError|\b535\b"),
        N_("The mail server did not accept our login"),
    ),
    (
        re.compile(r"SMTPRecipientsRefused|SMTPRecipientRefused|\b55[0-4]\b"),
        N_("The mail server refused the recipient address"),
    ),
    (re.compile(r"SMTPSenderRefused"), N_("The mail server refused the sender address")),
    (
        re.compile(r"Timeout|timed out", re.I),
        N_("The server did not answer in time"),
    ),
    (
        re.compile(
            r"SMTPConnectError|SMTPServerDisconnected|ConnectionRefused|Errno 111|"
            r"Connection refused|ConnectError|Errno -?\d+",
            re.I,
        ),
        N_("The mail server refused the connection"),
    ),
    (re.compile(r"SSL|TLS|certificate", re.I), N_("The secure connection to the server failed")),
    (re.compile(r"^SMTP"), N_("The mail server refused the message")),
]


def explain(error: str | None, *, status: str, next_attempt_at: datetime | None) -> str:
    """The failure in plain words, with what happens next."""
    if not error:
        return ""
    match = _HTTP.match(error)
    if match:
        code = int(match.group(1))
        what = (
            _("The receiving server had an error (HTTP %(code)s)")
            if code >= 500
            else _("The receiving server refused the message (HTTP %(code)s)")
        ) % {"code": code}
    else:
        known = next((_(text) for pattern, text in _KINDS if pattern.search(error)), None)
        if known is not None:
            what = known
        elif "http" in error.lower():
            what = _("Could not reach the receiving server")
        else:
            what = _("Sending failed")
    if status == "pending" and next_attempt_at is not None:
        when = (
            format_time(next_attempt_at)
            if next_attempt_at.date() == clock.now().date()
            else format_datetime(next_attempt_at, width="short")
        )
        return _("%(what)s; will retry at %(when)s.") % {"what": what, "when": when}
    if status == "failed":
        return _("%(what)s; no more attempts.") % {"what": what}
    return what + "."
