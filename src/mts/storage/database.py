"""Engines and sessions for SQLite and PostgreSQL; nothing connects at import time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def build_engine(url: str, *, echo: bool = False, pool_size: int = 20) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys and a busy timeout, PostgreSQL a pool
    of ``pool_size`` connections (and as many again in a burst)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size
    )


def _configure_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` that keep values readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
