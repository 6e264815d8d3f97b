"""The emission-factor library: versions and the shipped defaults."""

from __future__ import annotations

from decimal import Decimal

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.sustainability import monthly, queries
from facilities.sustainability.defaults import DEFAULT_FACTORS
from facilities.sustainability.enums import (
    SCOPE_1,
    SCOPE_2,
    reporting_unit,
)
from facilities.sustainability.schemas import (
    FactorCreate,
    FactorRead,
)
from facilities.sustainability.tables import (
    EmissionFactor,
)

# ---- emission factors -----------------------------------------------------------------


async def create_factor(
    *, actor: Principal | None, data: FactorCreate, shipped: bool = False, refresh: bool = True
) -> FactorRead:
    """A new version of (carrier, region, year, method); earlier versions stay for the
    reports that used them."""
    if data.carrier not in SCOPE_1 and data.carrier not in SCOPE_2:
        raise RuleViolation(
            "carrier",
            _(
                "Emission factors are kept for grid electricity, district heating, natural "
                "gas and heating oil."
            ),
        )
    if data.value < 0:
        raise RuleViolation("value", _("An emission factor cannot be negative."))
    if not data.source.strip():
        raise RuleViolation(
            "source", _("Name the source of the factor (publisher, publication, year).")
        )
    async with transaction():
        key = (
            (EmissionFactor.carrier == data.carrier.value)
            & (EmissionFactor.region == data.region)
            & (EmissionFactor.year == data.year)
            & (EmissionFactor.method == data.method.value)
        )
        latest = (
            await EmissionFactor.select(EmissionFactor.version)
            .where(key)
            .order_by(EmissionFactor.version, ascending=False)
            .first()
        )
        row = EmissionFactor(
            carrier=data.carrier.value,
            region=data.region,
            year=data.year,
            method=data.method.value,
            value=Decimal(str(round(data.value, 6))),
            unit=reporting_unit(data.carrier),
            source=data.source.strip(),
            version=(latest["version"] + 1) if latest else 1,
            shipped=shipped,
            created_by=actor.user_id if actor else None,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="emission_factor.create",
            object_type="emission_factor",
            object_id=row.id,
            summary=f"{data.carrier.value} {data.region} {data.year} {data.method.value}: "
            f"{row.value} kg/{row.unit} v{row.version}",
        )
        if refresh:
            await monthly.refresh_carrier(data.carrier, data.region)
        return queries.factor_read(row.to_dict())


async def seed_default_factors(*, actor: Principal | None = None) -> int:
    """Load the shipped defaults (``defaults.py``) that are not there yet; idempotent.
    Returns how many were added."""
    added = 0
    async with transaction():
        for factor in DEFAULT_FACTORS:
            present = await EmissionFactor.exists().where(
                (EmissionFactor.carrier == factor.carrier.value)
                & (EmissionFactor.region == factor.region)
                & (EmissionFactor.year == factor.year)
                & (EmissionFactor.method == factor.method.value)
            )
            if present:
                continue
            await create_factor(
                actor=actor,
                data=FactorCreate(
                    carrier=factor.carrier,
                    region=factor.region,
                    year=factor.year,
                    method=factor.method,
                    value=float(factor.value),
                    source=factor.source,
                ),
                shipped=True,
                refresh=False,
            )
            added += 1
        if added:
            await monthly.refresh_all()
    return added
