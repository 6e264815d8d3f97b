"""Shared helpers of the asset actions."""

from __future__ import annotations

from typing import Any

import msgspec


def _plain(struct: msgspec.Struct) -> dict[str, Any]:
    return msgspec.to_builtins(struct)


def _is_serial_clash(error: Exception) -> bool:
    return "asset_serial_unique" in str(error) or "asset.serial_number" in str(error)
