"""The HTTP API: ``create_app(application)`` builds a FastAPI app over the service layer."""

from __future__ import annotations

from fastapi import FastAPI

import mts
from mts.api.errors import install_error_handlers
from mts.api.routes import auth, people, projects
from mts.api.throttle import LoginThrottle
from mts.bootstrap import Application


def create_app(application: Application) -> FastAPI:
    """A FastAPI app serving ``application``; OpenAPI at ``/openapi.json``."""
    app = FastAPI(
        title="mts",
        version=mts.__version__,
        summary="Staff projects by execution, not by rank.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.application = application
    app.state.login_throttle = LoginThrottle(application.settings.login_attempts_per_minute)
    install_error_handlers(app)
    for router in (auth.router, people.router, projects.router):
        app.include_router(router, prefix="/api")
    return app
