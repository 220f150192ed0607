"""The only reader of the environment: every setting mts has, typed."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration from ``MTS_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="MTS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///mts.db"
    """SQLAlchemy URL; ``postgresql+psycopg://user@host/db`` selects PostgreSQL."""

    database_pool_size: int = 20
    """PostgreSQL connections kept open per process; the server's worker threads share them
    (as many again may open briefly under a burst)."""

    sql_echo: bool = False
    """Log every SQL statement (for debugging only)."""

    cookie_secure: bool = False
    """Mark session cookies Secure; turn on whenever mts is served over TLS."""

    login_attempts_per_minute: int = 10
    """Failed logins allowed per email and per client address each minute."""

    max_upload_bytes: int = 20 * 1024 * 1024
    """The largest file the web UI or API accepts for import."""
