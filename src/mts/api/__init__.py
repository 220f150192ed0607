"""The HTTP API: ``create_app(application)`` builds a FastAPI app over the service layer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import mts
from mts.api.errors import install_error_handlers
from mts.api.routes import auth, merit, people, projects, rounds
from mts.api.throttle import LoginThrottle
from mts.api.worker import RoundWorker
from mts.bootstrap import Application
from mts.services.rounds import fail_interrupted_rounds


def create_app(application: Application) -> FastAPI:
    """A FastAPI app serving ``application``; OpenAPI at ``/openapi.json``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A round left "solving" by a server that died is failed now, so it can run again.
        fail_interrupted_rounds(application.unit_of_work)
        app.state.worker = RoundWorker(application)
        yield
        app.state.worker.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="mts",
        version=mts.__version__,
        summary="Staff projects by execution, not by rank.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.application = application
    app.state.login_throttle = LoginThrottle(application.settings.login_attempts_per_minute)
    install_error_handlers(app)
    for router in (auth.router, people.router, projects.router, rounds.router, merit.router):
        app.include_router(router, prefix="/api")
    return app
