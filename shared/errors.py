"""Errors a command handler raises; the HTTP layer turns them into 4xx answers that say what is wrong."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from shared.logging import get_logger

log = get_logger(__name__)


class CommandRejected(Exception):
    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CommandRejected):
    status_code = 404


class Forbidden(CommandRejected):
    """The principal may not do this to this thing (their role allows the route, their scope does not)."""

    status_code = 403


class Conflict(CommandRejected):
    status_code = 409


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        # Name each problem without echoing the input back: it may be large, or bytes that are not text.
        problems = [
            {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type", "")}
            for item in error.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": problems})

    @app.exception_handler(CommandRejected)
    async def command_rejected(_: Request, error: CommandRejected) -> JSONResponse:
        return JSONResponse(status_code=error.status_code, content={"detail": error.message})

    @app.exception_handler(IntegrityError)
    async def integrity_error(_: Request, error: IntegrityError) -> JSONResponse:
        # A concurrent request won the race for the same unique fact.
        log.warning("integrity error answered with 409", error=str(error.orig))
        return JSONResponse(status_code=409, content={"detail": "this conflicts with data recorded meanwhile; retry"})
