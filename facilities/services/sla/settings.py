"""Settings of SLA clocks and escalation (``FACILITIES_SLA_*``), read once."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from facilities.settings import read_settings


class SlaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FACILITIES_", extra="ignore")

    sla_at_risk_percent: int = Field(default=80, ge=1, le=99)  # "at risk" from this share used
    sla_batch: int = Field(default=1000, ge=10, le=20000)  # orders per escalation batch
    sla_interval_seconds: int = Field(default=60, ge=5)


@lru_cache(maxsize=1)
def get_sla_settings() -> SlaSettings:
    return read_settings(SlaSettings)
