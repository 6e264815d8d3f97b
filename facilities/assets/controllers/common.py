"""Label selection and rendering shared by the assets API and pages."""

from __future__ import annotations

from facilities.accounts.principal import Principal
from facilities.assets import labels, queries
from facilities.assets.schemas import AssetRead, QrCodeRead
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.sites import scope


def asset_label(asset: AssetRead) -> labels.Label:
    assert asset.qr_code is not None and asset.qr_url is not None
    subtitle = f"{asset.site_code} · {asset.site_name}"
    if asset.space_path:
        subtitle += f" · {asset.space_path}"
    return labels.Label(url=asset.qr_url, code=asset.qr_code, title=asset.name, subtitle=subtitle)


def blank_label(code: QrCodeRead) -> labels.Label:
    return labels.Label(
        url=code.url, code=code.code, title=_("Facilities"), subtitle=code.batch or ""
    )


async def assets_for_labels(
    principal: Principal, *, asset_ids: list[int], site_id: int | None
) -> list[AssetRead]:
    if site_id is not None:
        await scope.require_site(principal, site_id)
        selected = await queries.all_visible_assets(principal, site_id=site_id)
    else:
        selected = await queries.assets_by_ids(principal, asset_ids)
    if not selected:
        raise RuleViolation("asset_ids", _("Choose at least one asset."))
    if len(selected) > 2400:
        raise RuleViolation("asset_ids", _("Print at most 2400 labels at once."))
    return [a for a in selected if a.qr_code]


async def label_pdf(items: list[labels.Label], layout: str, skip: int = 0) -> bytes:
    if not items:
        raise RuleViolation("asset_ids", _("None of these assets has an active label code."))
    return await labels.render(items, layout, skip)
