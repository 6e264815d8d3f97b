"""Uploads: size- and type-checked; images re-encoded with Pillow (EXIF and metadata gone).

Files are stored under the upload directory by a random key; the database keeps the key,
the type and the size. Nothing a client sends (name, type) decides how a file is served.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from facilities.kit.errors import FacilitiesError, RuleViolation
from facilities.kit.i18n import _
from facilities.settings import get_settings

MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_IMAGE_SIDE = 2048
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding

# Documents we accept, recognised by their first bytes (never by the client's claim).
DOCUMENT_TYPES: dict[bytes, tuple[str, str]] = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"PK\x03\x04": ("application/zip", ".zip"),  # also .docx/.xlsx
}


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    content_type: str
    size: int


def _path(key: str) -> Path:
    if not key.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ValueError("bad storage key")
    return get_settings().resolved_upload_dir / key[:2] / key


def _write(data: bytes, suffix: str) -> str:
    key = secrets.token_urlsafe(24) + suffix
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return key


def reencode_image(data: bytes, *, field: str = "photo") -> tuple[bytes, str]:
    """Decode, orient, shrink and re-encode an image; raises a 4xx naming ``field``."""
    if len(data) > MAX_IMAGE_BYTES:
        raise FacilitiesError(
            _("The photo is too large (at most %(mb)d MB).") % {"mb": MAX_IMAGE_BYTES // 1_048_576},
            413,
            "too_large",
        )
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as original:
            if original.format not in {"JPEG", "PNG", "WEBP", "GIF", "HEIF", "MPO"}:
                raise RuleViolation(field, _("Upload a JPEG, PNG or WebP photo."))
            image: Image.Image = ImageOps.exif_transpose(original)
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
            out = io.BytesIO()
            if has_alpha:
                image.convert("RGBA").save(out, "PNG", optimize=True)
                return out.getvalue(), "image/png"
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            return out.getvalue(), "image/jpeg"
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise RuleViolation(field, _("This file is not an image we can read.")) from None


def store_image(data: bytes, *, field: str = "photo") -> StoredFile:
    encoded, content_type = reencode_image(data, field=field)
    suffix = ".png" if content_type == "image/png" else ".jpg"
    return StoredFile(key=_write(encoded, suffix), content_type=content_type, size=len(encoded))


def store_document(data: bytes, *, field: str = "file") -> StoredFile:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise FacilitiesError(
            _("The file is too large (at most %(mb)d MB).")
            % {"mb": MAX_DOCUMENT_BYTES // 1_048_576},
            413,
            "too_large",
        )
    for magic, (content_type, suffix) in DOCUMENT_TYPES.items():
        if data.startswith(magic):
            return StoredFile(key=_write(data, suffix), content_type=content_type, size=len(data))
    raise RuleViolation(field, _("Upload a PDF (or an office document) or a photo."))


def read(key: str) -> bytes:
    return _path(key).read_bytes()


def delete(key: str) -> None:
    _path(key).unlink(missing_ok=True)
