"""Settings of reporting (environment variables, like ``facilities.settings``).

* ``FACILITIES_LABOUR_RATE`` (0): the cost of one hour of work-order labour, in the
  installation's currency, for the actuals (time logged × rate); 0 leaves labour out of the cost.

The installation's currency (``FACILITIES_CURRENCY``) is a core setting
(``facilities.settings``): budgets and expense lines are in it, an expense in another currency
is refused.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from facilities.settings import read_settings


class ReportingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FACILITIES_", extra="ignore")

    labour_rate: Decimal = Field(default=Decimal("0"), ge=0, le=10_000)


@cache
def reporting_settings() -> ReportingSettings:
    return read_settings(ReportingSettings)
