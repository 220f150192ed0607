"""Errors as RFC 9457 problem details (``application/problem+json``).

The only place where an ``MtsError`` becomes an HTTP status. Unexpected
errors answer 500 with a generic detail: no stack trace or SQL ever leaks.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from mts.api.schemas import ProblemOut
from mts.domain import errors

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger("mts.api")
_PUBLIC_OPERATIONS = frozenset({("post", "/api/auth/login")})
_WRITES = frozenset({"post", "put", "patch", "delete"})
_PROBLEM_TEXT = {
    "400": "The body could not be read as JSON",
    "401": "Not logged in, or the session has ended",
    "403": "Not allowed (or a missing CSRF token on a cookie session)",
    "404": "Something named in the request does not exist",
    "409": "The request clashes with what is stored",
    "422": "The request is not valid",
    "429": "Too many failed logins; wait a minute",
}

_STATUSES: tuple[tuple[type[errors.MtsError], int, str], ...] = (
    (errors.Unauthenticated, 401, "not-authenticated"),
    (errors.TooManyAttempts, 429, "too-many-attempts"),
    (errors.PermissionDenied, 403, "forbidden"),
    (errors.NotFound, 404, "not-found"),
    (errors.Conflict, 409, "conflict"),
    (errors.InvalidTransition, 409, "invalid-transition"),
    (errors.Infeasible, 409, "infeasible"),
    (errors.InvalidInput, 422, "invalid-input"),
)


def problem(status: int, kind: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": f"/problems/{kind}", "title": title, "status": status, "detail": detail}
    headers = {401: {"WWW-Authenticate": "Bearer"}, 429: {"Retry-After": "60"}}.get(status)
    return JSONResponse(
        {**body, **extra}, status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def status_of(error: errors.MtsError) -> tuple[int, str]:
    """The HTTP status and problem type for ``error``."""
    return next(((s, k) for cls, s, k in _STATUSES if isinstance(error, cls)), (400, "bad-request"))


def _extra(error: errors.MtsError) -> dict[str, Any]:
    if isinstance(error, errors.ImportRejected):
        return {
            "problems": [
                {
                    "file": p.file,
                    "row": p.row,
                    "column": p.column,
                    "expected": p.expected,
                    "found": p.found,
                }
                for p in error.problems
            ]
        }
    if isinstance(error, errors.Infeasible):
        return {"conflicts": list(error.conflicts)}
    return {"entity": error.entity} if error.entity else {}


async def _on_mts_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.MtsError)
    status, kind = status_of(error)
    title = kind.replace("-", " ").capitalize()
    return problem(status, kind, title, error.message, **_extra(error))


async def _on_validation(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    invalid = [
        {"location": [str(part) for part in e.get("loc", ())], "message": str(e.get("msg", ""))}
        for e in error.errors()
    ]
    return problem(422, "validation", "Invalid request", "the request is not valid", errors=invalid)


async def _on_http(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    kind = "not-found" if error.status_code == 404 else "http"
    return problem(error.status_code, kind, str(error.detail), str(error.detail))


async def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
    _log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(500, "internal", "Internal error", "something went wrong; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as problem+json."""
    app.add_exception_handler(errors.MtsError, _on_mts_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(HTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Describe in ``schema`` the problem+json answers and the two ways to log in."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    problem_schema = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["ProblemOut"] = problem_schema
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer"},
        "session": {"type": "apiKey", "in": "cookie", "name": "mts_session"},
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            _document_operation(path, method, operation)
    return schema


def _document_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    public = (method, path) in _PUBLIC_OPERATIONS
    statuses = ["403", "404", "422"] + ([] if public else ["401"])
    statuses += ["409"] if method in _WRITES else []
    statuses += ["400"] if "requestBody" in operation else []
    statuses += ["429"] if path == "/api/auth/login" else []
    responses = operation.setdefault("responses", {})
    reference = {"$ref": "#/components/schemas/ProblemOut"}
    for status in sorted(statuses):
        responses[status] = {
            "description": _PROBLEM_TEXT[status],
            "content": {PROBLEM_JSON: {"schema": reference}},
        }
    if not public:
        operation["security"] = [{"bearer": []}, {"session": []}]
