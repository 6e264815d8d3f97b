"""Sending e-mail over SMTP with aiosmtplib. Credentials never reach the logs."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from facilities.settings import Settings

log = logging.getLogger(__name__)


def build_message(
    settings: Settings, *, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="facilities")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


async def send(settings: Settings, message: EmailMessage) -> None:
    """Deliver one message; raises ``aiosmtplib.SMTPException`` or ``OSError`` on failure."""
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        use_tls=settings.smtp_tls == "tls",
        start_tls=settings.smtp_tls == "starttls",
        timeout=30,
    )
    log.info("mail sent to %s: %s", message["To"], message["Subject"])
