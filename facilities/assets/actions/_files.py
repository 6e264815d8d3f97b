"""Photos and documents attached to an asset."""

from __future__ import annotations

import anyio.to_thread

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import queries
from facilities.assets.enums import FileKind
from facilities.assets.schemas import (
    AssetFileRead,
)
from facilities.assets.tables import AssetFile
from facilities.db import transaction
from facilities.kit import clock, uploads
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _

# ---- files ----------------------------------------------------------------------------


def clean_filename(name: str | None, fallback: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '"<>|*?:;')
    return base.strip()[:200] or fallback


async def add_file(
    *,
    actor: Principal,
    asset_id: int,
    kind: FileKind,
    filename: str | None,
    content: bytes,
    primary: bool = False,
) -> AssetFileRead:
    """Store a photo (re-encoded, EXIF gone) or a document and attach it to the asset."""
    site_id = await queries.require_asset(actor, asset_id)
    if kind is FileKind.photo:
        stored = await anyio.to_thread.run_sync(lambda: uploads.store_image(content, field="file"))
        suffix = ".png" if stored.content_type == "image/png" else ".jpg"
        name = clean_filename(filename, "photo").rsplit(".", 1)[0] + suffix
    else:
        stored = uploads.store_document(content, field="file")
        name = clean_filename(filename, "document")
    try:
        async with transaction():
            has_primary = await queries.primary_photo_id(asset_id) is not None
            make_primary = kind is FileKind.photo and (primary or not has_primary)
            if make_primary:
                await AssetFile.update({AssetFile.is_primary: False}).where(
                    AssetFile.asset == asset_id
                )
            row = AssetFile(
                asset=asset_id,
                kind=kind.value,
                filename=name,
                content_type=stored.content_type,
                size=stored.size,
                storage_key=stored.key,
                is_primary=make_primary,
                uploaded_by=actor.user_id,
                created_at=clock.now(),
            )
            await row.save()
            await audit.record(
                actor=actor,
                action="asset.file_add",
                object_type="asset",
                object_id=asset_id,
                site_id=site_id,
                summary=f"{kind.value}: {name}",
                after={"file_id": row.id, "kind": kind.value, "filename": name},
            )
    except BaseException:
        uploads.delete(stored.key)
        raise
    meta, _key = await queries.get_file(actor, asset_id, row.id)
    return meta


async def set_primary_photo(*, actor: Principal, asset_id: int, file_id: int) -> AssetFileRead:
    async with transaction():
        site_id = await queries.require_asset(actor, asset_id)
        meta, _key = await queries.get_file(actor, asset_id, file_id)
        if meta.kind is not FileKind.photo:
            raise RuleViolation("file_id", _("Only a photo can be the main photo."))
        await AssetFile.update({AssetFile.is_primary: False}).where(AssetFile.asset == asset_id)
        await AssetFile.update({AssetFile.is_primary: True}).where(AssetFile.id == file_id)
        await audit.record(
            actor=actor,
            action="asset.file_primary",
            object_type="asset",
            object_id=asset_id,
            site_id=site_id,
            summary=meta.filename,
            after={"file_id": file_id},
        )
    return (await queries.get_file(actor, asset_id, file_id))[0]


async def delete_file(*, actor: Principal, asset_id: int, file_id: int) -> None:
    async with transaction():
        site_id = await queries.require_asset(actor, asset_id)
        meta, key = await queries.get_file(actor, asset_id, file_id)
        await AssetFile.delete().where(AssetFile.id == file_id)
        if meta.is_primary:
            other = (
                await AssetFile.select(AssetFile.id)
                .where((AssetFile.asset == asset_id) & (AssetFile.kind == FileKind.photo.value))
                .order_by(AssetFile.id)
                .first()
            )
            if other is not None:
                await AssetFile.update({AssetFile.is_primary: True}).where(
                    AssetFile.id == other["id"]
                )
        await audit.record(
            actor=actor,
            action="asset.file_delete",
            object_type="asset",
            object_id=asset_id,
            site_id=site_id,
            summary=meta.filename,
            before={"file_id": file_id, "filename": meta.filename},
        )
    uploads.delete(key)
