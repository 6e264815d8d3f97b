"""QR labels of meters, through the assets' label machinery: the code lives in ``qr_code``
(``target_kind`` "meter"), so it shares the codes' namespace, the scan log and the printed
layouts (``assets.labels``: an A4 sheet of 3×8 or single 62 mm labels). A scan of
``/q/{code}`` opens the meter's "enter a reading" page (``scan_target``, registered by
``wiring.install()``); entering a reading needs a sign-in, so the scan page sends a
signed-out phone to the sign-in first and back to the code."""

from __future__ import annotations

from facilities import db
from facilities.accounts.principal import Principal
from facilities.assets import labels
from facilities.assets.queries import qr_url
from facilities.assets.scan_targets import ScanTarget
from facilities.kit.errors import Conflict, NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.sustainability import queries
from facilities.sustainability.actions._labels import KIND
from facilities.sustainability.enums import CARRIER_LABELS
from facilities.sustainability.schemas import LabelRequest, MeterRead

__all__ = ["KIND", "label_pdf", "scan_target"]

MAX_LABELS = 2400


async def scan_target(meter_id: int) -> ScanTarget | None:
    """Where a meter's label leads (``assets.scan_targets``); None when it is gone."""
    rows = await db.raw("SELECT site FROM meter WHERE id = {}", meter_id)
    if not rows:
        return None
    return ScanTarget(path=f"/sustainability/meters/{meter_id}", site_id=int(rows[0]["site"]))


def _label(meter: MeterRead, code: str) -> labels.Label:
    # Two short lines fit under the name: the number printed on the meter (what tells two
    # meters of a kind apart on site) and the site; without a number, the carrier.
    first = f"{_('No.')} {meter.number}" if meter.number else _(CARRIER_LABELS[meter.carrier])
    return labels.Label(
        url=qr_url(code), code=code, title=meter.name, subtitle=f"{first} · {meter.site_name}"
    )


async def label_pdf(actor: Principal, data: LabelRequest) -> bytes:
    """The labels of ``meter_ids`` (in order) or of every active meter of ``site_id``, as a
    PDF. Only reads: every meter has its code from its creation (older meters from the
    migration that gave them one)."""
    if data.meter_ids:
        if len(data.meter_ids) > MAX_LABELS:
            raise RuleViolation("meter_ids", _("Print at most 2400 labels at once."))
        meters = []
        for meter_id in data.meter_ids:
            try:
                meters.append(await queries.get_meter(actor, meter_id))
            except NotFound:  # named in the body: answered like a bad value, leaking nothing
                raise RuleViolation(
                    "meter_ids", _("Unknown meter: %(id)s.") % {"id": meter_id}
                ) from None
    elif data.site_id is not None:
        try:
            meters = await queries.list_meters(actor, site_id=data.site_id, active=True)
        except NotFound:
            raise RuleViolation(
                "site_id", _("Unknown site: %(id)s.") % {"id": data.site_id}
            ) from None
        if not meters:
            raise RuleViolation("site_id", _("The site has no active meters."))
    else:
        raise RuleViolation("site_id", _("Choose a site or meters."))
    for m in meters:
        if not m.qr_code:
            raise Conflict(
                _("Meter %(name)s has no label code; nothing was printed.") % {"name": m.name},
                field="meter_ids",
            )
    return await labels.render([_label(m, m.qr_code or "") for m in meters], data.layout, data.skip)
