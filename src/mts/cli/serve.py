"""``mts serve``: the web UI and the API in one process (uvicorn)."""

from __future__ import annotations

import typer
import uvicorn

from mts.cli.console import console
from mts.cli.data import open_application
from mts.web.app import create_web_app


def serve(
    host: str = typer.Option("127.0.0.1", help="The address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="The port to listen on."),
) -> None:
    """Serve the web UI at / and the API at /api (OpenAPI at /openapi.json)."""
    application = open_application()
    console.print(f"mts is serving on http://{host}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(create_web_app(application), host=host, port=port, log_level="warning")
