"""The one composition root: settings -> engine -> session factory -> unit of work.

The API, the web UI and the CLI all start here; tests call it with their own
settings. Nothing connects until ``bootstrap`` is called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import Engine

from mts.services.unit_of_work import UnitOfWork, UnitOfWorkFactory
from mts.settings import Settings
from mts.storage import migrate
from mts.storage.database import build_engine, session_factory
from mts.storage.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True, slots=True)
class Application:
    """What every adapter needs: the settings, the engine and units of work."""

    settings: Settings
    engine: Engine
    unit_of_work: UnitOfWorkFactory
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    """The one source of "now" for the adapters; tests pass a fixed clock."""

    def upgrade_schema(self) -> None:
        """Bring the database schema to the newest migration."""
        migrate.upgrade(self.engine)

    def reset_schema(self) -> None:
        """Drop every mts table and build the schema anew (the demo's fresh start)."""
        migrate.downgrade(self.engine)
        migrate.upgrade(self.engine)

    def is_schema_current(self) -> bool:
        """Whether the database is at the newest migration."""
        return migrate.current_revision(self.engine) == migrate.head_revision()


def bootstrap(
    settings: Settings | None = None, *, clock: Callable[[], datetime] | None = None
) -> Application:
    """Wire an application from ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings()
    engine = build_engine(
        settings.database_url, echo=settings.sql_echo, pool_size=settings.database_pool_size
    )
    sessions = session_factory(engine)

    def unit_of_work() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    application = Application(settings=settings, engine=engine, unit_of_work=unit_of_work)
    return replace(application, clock=clock) if clock else application
