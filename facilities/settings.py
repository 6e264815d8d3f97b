"""One typed settings object, read once from the environment (``FACILITIES_*``).

A wrong value stops startup with a message naming the variable; see ``load_settings``.
"""

from __future__ import annotations

import re
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ConfigurationError(RuntimeError):
    """Raised when the environment holds an invalid setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FACILITIES_", extra="ignore")

    env: Environment = Environment.development
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    base_url: str = "http://localhost:8000"
    secret_key: str = ""
    upload_dir: Path | None = None
    scheduler: bool = True
    migrate_on_start: bool = True
    # SQLite tuning
    sqlite_busy_timeout_ms: int = Field(default=15000, ge=100)
    sqlite_readers: int = Field(default=4, ge=1, le=32)
    # PostgreSQL pool
    pg_pool_min: int = Field(default=2, ge=1)
    pg_pool_max: int = Field(default=10, ge=1)
    # Mail
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    mail_from: str = "Facilities <facilities@localhost>"
    # Sessions and security
    session_days: int = Field(default=14, ge=1, le=365)
    magic_link_days: int = Field(default=14, ge=1, le=90)  # partner work-order links
    login_attempts: int = Field(default=5, ge=1)  # per account and client address
    login_address_attempts: int = Field(default=100, ge=1)  # per client address (spraying)
    login_window_minutes: int = Field(default=15, ge=1)
    principal_cache_seconds: float = Field(default=5.0, ge=0)
    trusted_proxies: bool = False
    default_locale: Literal["en", "de"] = "en"
    # The zone people read times in; a site's time in another zone is labelled with its zone.
    time_zone: str = "Europe/Berlin"
    # The installation's currency (ISO 4217): every amount of money pages show is in it;
    # budgets and expense lines refuse another one (a contract carries its own currency).
    currency: str = "EUR"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Mounts the reference endpoints used by `make bench` (never in production).
    bench_mode: bool = False
    # Fault tests only (``kit.testhold``): "<point>@<file>" makes the code at that point
    # write the file and wait until the process is killed. Refused outside FACILITIES_ENV=test.
    test_hold: str = ""

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise ValueError(
                "must be an absolute http(s) URL such as https://facilities.example.com"
            )
        return value.rstrip("/")

    @field_validator("time_zone")
    @classmethod
    def _check_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Europe/Berlin") from None
        return value

    @field_validator("currency")
    @classmethod
    def _check_currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("must be a three-letter ISO 4217 currency code such as EUR")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value and urlparse(value).scheme not in {"sqlite", "postgres", "postgresql"}:
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @model_validator(mode="after")
    def _production_rules(self) -> Settings:
        if self.env is Environment.production:
            if len(self.secret_key) < 32:
                raise ValueError(
                    "FACILITIES_SECRET_KEY is required in production (at least 32 characters)"
                )
            if self.bench_mode:
                raise ValueError("FACILITIES_BENCH_MODE must be off in production")
        if self.test_hold and self.env is not Environment.test:
            raise ValueError("FACILITIES_TEST_HOLD is only allowed with FACILITIES_ENV=test")
        if self.pg_pool_min > self.pg_pool_max:
            raise ValueError("FACILITIES_PG_POOL_MIN must not exceed FACILITIES_PG_POOL_MAX")
        return self

    # ---- derived values -------------------------------------------------------------

    @property
    def is_postgres(self) -> bool:
        return urlparse(self.resolved_database_url).scheme in {"postgres", "postgresql"}

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'facilities.sqlite3'}"

    @property
    def sqlite_path(self) -> Path:
        url = self.resolved_database_url
        return Path(url.removeprefix("sqlite:///").removeprefix("sqlite://"))

    @property
    def resolved_upload_dir(self) -> Path:
        return self.upload_dir or self.var_dir / "uploads"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The secret key; in development one is generated once into ``var/secret_key``."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        loc = [str(part) for part in item.get("loc", ())]
        name = "FACILITIES_" + loc[0].upper() if loc else "configuration"
        message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        lines.append(f"{name}: {message}" if loc else message)
    return "invalid configuration: " + "; ".join(lines)


_S = TypeVar("_S", bound=BaseSettings)


def read_settings(cls: type[_S]) -> _S:
    """Read a settings class from the environment; a bad value raises ConfigurationError
    naming the variable (domains with settings of their own read them through this)."""
    try:
        return cls()
    except ValidationError as error:
        raise ConfigurationError(_describe(error)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read once. Raises ConfigurationError naming the bad variable."""
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigurationError(_describe(error)) from None
