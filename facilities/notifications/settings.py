"""Settings of the outbox (``FACILITIES_OUTBOX_*``, ``FACILITIES_WEBHOOK_*``), read once.

SMTP itself uses the main settings (``FACILITIES_SMTP_*``, ``FACILITIES_MAIL_FROM``).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from facilities.settings import read_settings


class OutboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FACILITIES_", extra="ignore")

    outbox_max_attempts: int = Field(default=8, ge=1, le=50)
    outbox_backoff_minutes: float = Field(default=1.0, gt=0)  # 1, 2, 4 … minutes
    outbox_batch: int = Field(default=200, ge=1, le=5000)
    outbox_lease_seconds: int = Field(default=300, ge=10)
    outbox_senders: int = Field(default=4, ge=1, le=32)  # parallel SMTP connections per pass
    outbox_interval_seconds: int = Field(default=20, ge=1)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)


@lru_cache(maxsize=1)
def get_outbox_settings() -> OutboxSettings:
    return read_settings(OutboxSettings)
