"""Errors and refusals: what a command handler raises, and the one shape every HTTP error of every service takes.

Every 4xx (and the 5xx that should never happen) is an RFC 9457 problem, ``application/problem+json``:
``type`` (``urn:dangxiao:problem:<code>``), ``title``, ``status``, ``detail`` (what is wrong, in words), ``code``
(the same code, for programs) and, for a request that does not validate, ``errors`` (each field at fault).
The codes of refused events are the same whichever door an event came by (docs/events.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from shared.events.envelope import ContractViolation
from shared.logging import get_logger

log = get_logger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:dangxiao:problem:"

# The code of a problem that has no more specific one, by HTTP status.
CODES_BY_STATUS: dict[int, str] = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    500: "internal-error",
    503: "unavailable",
}


class CommandRejected(Exception):
    """A command that cannot be carried out as asked; ``code`` names the reason for programs."""

    status_code = 422
    default_code = "rejected"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class NotFound(CommandRejected):
    status_code = 404
    default_code = "not-found"


class Forbidden(CommandRejected):
    """The principal may not do this to this thing (their role allows the route, their scope does not)."""

    status_code = 403
    default_code = "forbidden"


class Conflict(CommandRejected):
    status_code = 409
    default_code = "conflict"


class FieldProblem(BaseModel):
    """One field of a request that does not validate."""

    location: list[str | int] = Field(description='where, e.g. ["body", "sessions", 0, "hours"]')
    message: str
    type: str = Field(description="pydantic's error type, e.g. missing, greater_than_equal")


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong with a request."""

    type: str = Field(description="urn:dangxiao:problem:<code>")
    title: str = Field(description="the HTTP status in words")
    status: int
    detail: str = Field(description="what is wrong, in words")
    code: str = Field(description="the reason for programs (docs/events.md lists the refusals of events)")
    instance: str | None = Field(default=None, description="the request path")
    errors: list[FieldProblem] | None = Field(default=None, description="each field at fault, for 422")


def problem_response(
    request: Request | None,
    status: int,
    detail: str,
    code: str | None = None,
    *,
    errors: list[FieldProblem] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    code = code or CODES_BY_STATUS.get(status, "error")
    problem = Problem(
        type=f"{PROBLEM_TYPE_PREFIX}{code}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        instance=request.url.path if request is not None else None,
        errors=errors,
    )
    return JSONResponse(
        status_code=status,
        content=problem.model_dump(mode="json", exclude_none=True),
        media_type=PROBLEM_CONTENT_TYPE,
        headers=dict(headers or {}),
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        # Name each problem without echoing the input back: it may be large, or bytes that are not text.
        errors = [
            FieldProblem(location=list(item.get("loc", ())), message=item.get("msg", ""), type=item.get("type", ""))
            for item in error.errors()
        ]
        summary = "; ".join(f"{'.'.join(map(str, e.location))}: {e.message}" for e in errors[:5])
        return problem_response(request, 422, f"the request does not validate: {summary}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Every method the path has, not only those of the first route that matched it.
            headers["Allow"] = ", ".join(_methods_of(request))
        return problem_response(request, error.status_code, str(error.detail), headers=headers)

    @app.exception_handler(CommandRejected)
    async def command_rejected(request: Request, error: CommandRejected) -> JSONResponse:
        return problem_response(request, error.status_code, error.message, error.code)

    @app.exception_handler(ContractViolation)
    async def contract_violation(request: Request, error: ContractViolation) -> JSONResponse:
        return problem_response(request, 422, error.message, error.code)

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, error: IntegrityError) -> JSONResponse:
        # A concurrent request won the race for the same unique fact.
        log.warning("integrity error answered with 409", error=str(error.orig))
        return problem_response(request, 409, "this conflicts with data recorded meanwhile; retry")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error answering a request", path=request.url.path)
        return problem_response(request, 500, "an unexpected error; it has been logged")


def _methods_of(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


# ── OpenAPI: every operation documents every status it can answer ────────────────────────────────────


def documented_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with every error an operation can answer documented as a problem.

    Inferred from the operation: a secured one can answer 401 and 403; one with path parameters 404; one with
    parameters or a body 422; one that writes 409 (a concurrent write can win) and 413 (bodies are bounded).
    An operation declares any other status it answers (400, 415…) in its own ``responses``.
    """
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, tags=app.openapi_tags
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for model in (Problem, FieldProblem):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            statuses = {int(status) for status in responses if str(status).startswith(("4", "5"))}
            if operation.get("security"):
                statuses |= {401, 403}
            parameters = operation.get("parameters", [])
            if any(parameter.get("in") == "path" for parameter in parameters) or "{" in path:
                statuses.add(404)
            if parameters or "requestBody" in operation:
                statuses.add(422)
            if method in ("post", "put", "patch", "delete"):
                statuses.add(409)
            if "requestBody" in operation:
                statuses |= {400, 413}  # a body that is not JSON at all; a body over the limit
            for status in sorted(statuses):
                declared = responses.get(str(status), {})
                content = declared.get("content", {})
                fastapi_default = "HTTPValidationError" in str(content)
                if content and PROBLEM_CONTENT_TYPE not in content and not fastapi_default:
                    continue  # an answer of the operation's own (a verification's "unknown")
                description = "" if fastapi_default else declared.get("description")
                responses[str(status)] = {
                    "description": description or HTTPStatus(status).phrase,
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
    app.openapi_schema = document
    return document
