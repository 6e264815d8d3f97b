"""Settings of the services domain (environment variables, like ``facilities.settings``).

* ``FACILITIES_CONTRACT_RENEWAL_DAYS`` (30): remind ops this many days before a contract's
  notice deadline (end date - notice period).
* ``FACILITIES_VISIT_MISSED_HOURS`` (24): a visit not signed off this long after its window
  ends is marked missed.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from facilities.settings import read_settings


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FACILITIES_", extra="ignore")

    contract_renewal_days: int = Field(default=30, ge=0, le=365)
    visit_missed_hours: int = Field(default=24, ge=0, le=24 * 60)


@cache
def service_settings() -> ServiceSettings:
    return read_settings(ServiceSettings)
