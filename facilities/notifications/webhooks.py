"""Webhook URL rules and signatures.

* A URL must be absolute http(s). In production it must not point at loopback, private,
  link-local, multicast or reserved addresses (no requests into the operator's own
  network); the check runs when the endpoint is saved and again before every delivery, so
  a DNS answer that changes later (rebinding) is caught too.
* Each delivery carries ``X-Facilities-Timestamp`` and ``X-Facilities-Signature:
  sha256=<hex HMAC-SHA256 of "{timestamp}.{body}" with the endpoint's secret>``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
from urllib.parse import urlparse

import anyio

from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.settings import Environment, get_settings


def sign(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: str, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def check_url_form(url: str) -> str:
    """The URL, trimmed; RuleViolation on ``url`` unless it is absolute http(s)."""
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise RuleViolation("url", _("Enter an absolute http:// or https:// URL."))
    if parsed.username or parsed.password:
        raise RuleViolation("url", _("Do not put credentials in the URL."))
    return url


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


async def check_url_target(url: str) -> None:
    """In production: RuleViolation on ``url`` when the host resolves to a non-public
    address (or does not resolve). Other modes allow local receivers (tests, development)."""
    if get_settings().env is not Environment.production:
        return
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addresses = await anyio.to_thread.run_sync(_resolve, host, port)
    except (OSError, UnicodeError):
        raise RuleViolation("url", _("This host name does not resolve.")) from None
    if not addresses or any(_forbidden(a) for a in addresses):
        raise RuleViolation("url", _("This URL points at a loopback, private or reserved address."))


async def check_url(url: str) -> str:
    url = check_url_form(url)
    await check_url_target(url)
    return url
