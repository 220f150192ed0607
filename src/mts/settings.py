"""The only reader of the environment: every setting mts has, typed."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration from ``MTS_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="MTS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///mts.db"
    """SQLAlchemy URL; ``postgresql+psycopg://user@host/db`` selects PostgreSQL."""

    sql_echo: bool = False
    """Log every SQL statement (for debugging only)."""
