"""Builders for the assets domain, through the real actions (rules, codes and audit included)."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
from PIL import Image

from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from facilities.assets import actions
from facilities.assets.schemas import AssetCreate, AssetRead, CategoryCreate, CategoryRead
from facilities.sites import actions as site_actions
from facilities.sites.enums import SpaceKind
from facilities.sites.schemas import SiteRead, SpaceCreate, SpaceRead
from tests import builders

_seq = itertools.count(1)


async def category(name: str | None = None, icon: str = "box") -> CategoryRead:
    return await actions.create_category(
        actor=await builders.system(),
        data=CategoryCreate(name=name or f"Category {next(_seq)}", icon=icon),
    )


async def space(site_id: int, name: str | None = None, parent_id: int | None = None) -> SpaceRead:
    return await site_actions.create_space(
        actor=await builders.system(),
        site_id=site_id,
        data=SpaceCreate(
            name=name or f"Room {next(_seq)}", kind=SpaceKind.room, parent_id=parent_id
        ),
    )


async def asset(site_id: int, name: str | None = None, **values: Any) -> AssetRead:
    data = msgspec.convert(
        {"site_id": site_id, "name": name or f"Asset {next(_seq)}", **values}, AssetCreate
    )
    return await actions.create_asset(actor=await builders.system(), data=data)


def image(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF carries a GPS position (and a camera model)."""
    picture = Image.new("RGB", (80, 60), "orange")
    exif = Image.Exif()
    exif[0x0110] = "Spy camera"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (49.0, 29.0, 20.0)
    gps[3] = "E"
    gps[4] = (8.0, 28.0, 0.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


@dataclass
class World:
    """Two sites in two regions; a community manager and an ops manager on the first only."""

    site: SiteRead
    other_site: SiteRead
    admin: UserRead
    ops: UserRead
    cm: UserRead
    viewer: UserRead
    cm_other: UserRead


async def world() -> World:
    region = await builders.region()
    other_region = await builders.region()
    site = await builders.site(region.id)
    other_site = await builders.site(other_region.id)
    admin = await builders.user(Role.admin)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[site.id])
    cm_other = await builders.user(Role.community_manager)
    await builders.assign(cm_other, sites=[other_site.id])
    return World(site, other_site, admin, ops, cm, viewer, cm_other)


async def api(make_client: Any, user: UserRead) -> httpx.AsyncClient:
    return await builders.api(make_client, user)
