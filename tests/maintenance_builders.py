"""Builders for the scan page and problem reports (assets and labels inserted directly)."""

from __future__ import annotations

import io
import itertools
import secrets
from typing import Any

from PIL import Image

from facilities.accounts.principal import Principal
from facilities.assets.tables import Asset, AssetFile, QrCode
from facilities.kit import clock, uploads
from facilities.maintenance.enums import ProblemCategory, ReportSource, Urgency
from facilities.maintenance.reports import actions
from facilities.maintenance.reports.schemas import ProblemReportCreate
from facilities.sites.schemas import SiteRead
from tests import builders

_seq = itertools.count(1)


def png(width: int = 40, height: int = 30, color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


async def asset(site_id: int, name: str | None = None, **values: Any) -> int:
    now = clock.now()
    row = Asset(
        site=site_id,
        name=name or f"Coffee machine {next(_seq)}",
        created_at=now,
        updated_at=now,
        status_changed_at=now,
        **values,
    )
    await row.save()
    return int(row.id)


async def label(asset_id: int | None, *, status: str = "active", **values: Any) -> str:
    code = "T" + secrets.token_hex(6).upper()
    await QrCode.insert(QrCode(code=code, asset=asset_id, status=status, **values)).run()
    return code


async def primary_photo(asset_id: int, data: bytes | None = None) -> str:
    stored = uploads.store_image(data or png(color="blue"))
    await AssetFile.insert(
        AssetFile(
            asset=asset_id,
            kind="photo",
            filename="photo.png",
            content_type=stored.content_type,
            size=stored.size,
            storage_key=stored.key,
            is_primary=True,
        )
    ).run()
    return stored.key


async def scanned_asset(
    *, anonymous: bool = True, name: str | None = None, **values: Any
) -> tuple[SiteRead, int, str]:
    """(site, asset id, code) of a labelled asset at a new site."""
    region = await builders.region()
    site = await builders.site(region.id, allow_anonymous_reports=anonymous)
    asset_id = await asset(site.id, name, **values)
    return site, asset_id, await label(asset_id)


async def report(
    *,
    asset_id: int | None = None,
    site_id: int | None = None,
    description: str = "It is leaking water on the floor",
    actor: Principal | None = None,
    **values: Any,
) -> actions.NewReport:
    data = ProblemReportCreate(
        description=description,
        asset_id=asset_id,
        site_id=site_id,
        category=values.pop("category", ProblemCategory.leak),
        urgency=values.pop("urgency", Urgency.normal),
        **values,
    )
    return await actions.create_report(
        actor=actor or await builders.system(), data=data, source=ReportSource.web
    )
