"""The HTTP API: ``create_app(application)`` builds a FastAPI app over the service layer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

import mts
from mts.api.dependencies import reject_nul_characters
from mts.api.errors import document_problems, install_error_handlers
from mts.api.routes import (
    analytics,
    audits,
    auth,
    catalogue,
    merit,
    people,
    plans,
    projects,
    rankings,
    rounds,
    users,
)
from mts.api.throttle import LoginThrottle
from mts.api.worker import RoundWorker
from mts.bootstrap import Application
from mts.services.rounds import fail_interrupted_rounds

_ROUTERS = (
    auth.router,
    users.router,
    people.router,
    projects.router,
    rankings.router,
    catalogue.router,
    merit.router,
    rounds.router,
    plans.router,
    audits.router,
    analytics.router,
)


class _Api(FastAPI):
    """FastAPI whose OpenAPI also describes the problem+json errors and how to log in."""

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document, built once."""
        if self.openapi_schema is None:
            self.openapi_schema = document_problems(super().openapi())
        return self.openapi_schema


def create_app(application: Application) -> FastAPI:
    """A FastAPI app serving ``application``; OpenAPI at ``/openapi.json``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A round left "solving" by a server that died is failed now, so it can run again.
        fail_interrupted_rounds(application.unit_of_work)
        app.state.worker = RoundWorker(application)
        yield
        app.state.worker.shutdown()

    app = _Api(
        lifespan=lifespan,
        dependencies=[Depends(reject_nul_characters)],
        title="mts",
        version=mts.__version__,
        summary="Staff projects by execution, not by rank.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.application = application
    app.state.login_throttle = LoginThrottle(application.settings.login_attempts_per_minute)
    install_error_handlers(app)
    for router in _ROUTERS:
        app.include_router(router, prefix="/api")
    return app
