"""QR label codes and images (``qrcode``, error correction M, border 4).

Codes use an alphabet without look-alike characters (no 0/O, 1/I/l, no U): 30 symbols,
13 characters = 63.8 bits of randomness from ``secrets``. Images are CPU work: the async
helpers run them in a worker thread.
"""

from __future__ import annotations

import io
import secrets

import anyio.to_thread
import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathImage

# Crockford base32 without 0, 1 (and, as in Crockford, without I, L, O, U).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 13  # 30**13 ≈ 2**63.8


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def is_well_formed(code: str) -> bool:
    return 8 <= len(code) <= 24 and all(c in ALPHABET for c in code)


def _make(data: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(
        version=None,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
    )
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def png_bytes(data: str, box_size: int = 10) -> bytes:
    qr = _make(data)
    qr.box_size = box_size
    image = qr.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def svg_bytes(data: str) -> bytes:
    qr = _make(data)
    image = qr.make_image(image_factory=SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


async def png(data: str, box_size: int = 10) -> bytes:
    return await anyio.to_thread.run_sync(png_bytes, data, box_size)


async def svg(data: str) -> bytes:
    return await anyio.to_thread.run_sync(svg_bytes, data)
