"""xAPI 1.0.3 statements: ``POST``/``PUT``/``GET /xapi/statements`` and ``GET /xapi/about``.

Every request names the xAPI version it speaks (``X-Experience-API-Version``) and every answer this one (1.0.3).
Statements that record attendance are forwarded to the attendance topic; what ``GET`` returns is the statement
as stored (``handlers.xapi``). ``X-Experience-API-Consistent-Through``: statements stored up to then are
returned (the door keeps them as it accepts them).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.hours.api.common import Viewer
from services.hours.domain.xapi import (
    XapiStatementError,
    XapiVersionError,
    check_version_header,
    statement_for_put,
)
from services.hours.handlers.xapi import StatementQuery, statement_by_id, statements_matching, store_statements
from shared.auth import Principal, Role, require
from shared.db import utcnow
from shared.service import Runtime, execute

VERSION = "1.0.3"
router = APIRouter(
    prefix="/xapi",
    tags=["xapi"],
    # xAPI answers its refusals 400, as the specification says, naming the header, property or parameter.
    responses={400: {"description": "no or another X-Experience-API-Version, or a statement or query refused"}},
)
Sender = Annotated[Principal, Depends(require(Role.INGEST, Role.ADMIN))]
T = TypeVar("T")


def _xapi_version(
    version: Annotated[str | None, Header(alias="X-Experience-API-Version")] = None,
) -> None:
    try:
        check_version_header(version)
    except XapiVersionError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error), headers=_HEADERS) from error


Speaks = Annotated[None, Depends(_xapi_version)]
_HEADERS = {"X-Experience-API-Version": VERSION}


async def _answered(work: Callable[[], Awaitable[T]]) -> T:
    """xAPI's refusals of a statement are 400 Bad Request, naming the property."""
    try:
        return await work()
    except XapiStatementError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error), headers=_HEADERS) from error


async def _json_body(request: Request) -> Any:
    body = await request.body()  # bounded for every route (settings)
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"the body is not valid JSON: {error}", headers=_HEADERS
        ) from error


_STATEMENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}
            }
        },
    }
}


@router.post("/statements", response_model=list[str], openapi_extra=_STATEMENTS_BODY)
async def post_statements(request: Request, runtime: Runtime, sender: Sender, _: Speaks) -> JSONResponse:
    """One statement or an array; the answer lists their ids in order. A known id with the same statement changes
    nothing; with another statement the whole request is refused (409)."""
    document = await _json_body(request)
    statements = document if isinstance(document, list) else [document]
    ids = await _answered(
        lambda: execute(runtime, store_statements, statements, sender, runtime.settings.attendance_topic, utcnow())
    )
    return JSONResponse(ids, headers=_HEADERS)


@router.put("/statements", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=_STATEMENTS_BODY)
async def put_statement(
    request: Request,
    runtime: Runtime,
    sender: Sender,
    _: Speaks,
    statement_id: Annotated[str, Query(alias="statementId")],
) -> Response:
    """One statement under the id the query names."""
    document = await _json_body(request)

    async def store() -> list[str]:
        statement = statement_for_put(document, statement_id)
        return await execute(
            runtime, store_statements, [statement], sender, runtime.settings.attendance_topic, utcnow()
        )

    await _answered(store)
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=_HEADERS)


class StatementParameters(BaseModel):
    """The query of ``GET /xapi/statements`` (parameters xAPI defines and this LRS does not use are ignored)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    statement_id: str | None = Field(default=None, alias="statementId")
    voided_statement_id: str | None = Field(default=None, alias="voidedStatementId")
    agent: str | None = Field(default=None, description="an Agent as JSON; its account name is the person id")
    verb: str | None = None
    activity: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(default=100, ge=0)
    ascending: bool = False
    after: str | None = Field(default=None, description="where a page of results continues (from 'more')")


@router.get("/statements")
async def get_statements(
    request: Request,
    runtime: Runtime,
    viewer: Viewer,
    _: Speaks,
    parameters: Annotated[StatementParameters, Query()],
) -> Response:
    """A statement by its id (voided or not), or a page of statements not voided; a learner sees their own, a
    class manager their classes' learners', a sending system those it sent, the school's office and the
    organisation department all."""
    headers = {**_HEADERS, "X-Experience-API-Consistent-Through": utcnow().isoformat()}
    by_id = parameters.statement_id, parameters.voided_statement_id
    async with runtime.database.sessions() as session:
        if any(by_id):
            if all(by_id):
                raise HTTPException(status.HTTP_400_BAD_REQUEST, "statementId or voidedStatementId, not both")
            wanted = parameters.statement_id or parameters.voided_statement_id or ""
            text = await statement_by_id(session, wanted, viewer, voided=parameters.voided_statement_id is not None)
            return Response(text, media_type="application/json", headers=headers)
        query = StatementQuery(
            agent=_person_of(parameters.agent),
            verb=parameters.verb,
            activity=parameters.activity,
            since=parameters.since,
            until=parameters.until,
            limit=parameters.limit,
            ascending=parameters.ascending,
            after=_cursor(parameters.after),
        )
        page, more = await statements_matching(session, query, viewer)
    body = '{"statements": [' + ", ".join(page) + '], "more": ' + json.dumps(_more(request, more)) + "}"
    return Response(body, media_type="application/json", headers=headers)


@router.get("/about")
async def about() -> JSONResponse:
    """The xAPI versions this LRS speaks (no token needed)."""
    return JSONResponse({"version": [VERSION]}, headers=_HEADERS)


def _person_of(agent: str | None) -> str | None:
    if agent is None:
        return None
    try:
        document = json.loads(agent)
        name = document["account"]["name"]
    except (ValueError, KeyError, TypeError) as error:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "agent: an Agent identified by an account (its name is the person id)"
        ) from error
    return str(name)


def _cursor(after: str | None) -> tuple[datetime, str] | None:
    if after is None:
        return None
    stored, _, statement_id = after.partition("|")
    try:
        return datetime.fromisoformat(stored), statement_id
    except ValueError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "after: the 'more' link of a page, as given") from error


def _more(request: Request, more: tuple[datetime, str] | None) -> str:
    """The link to the next page (relative to the server's root, as xAPI has it), or empty on the last one."""
    if more is None:
        return ""
    params = {key: value for key, value in request.query_params.items() if key != "after"}
    params["after"] = f"{more[0].isoformat()}|{more[1]}"
    return f"{request.url.path}?{urlencode(params)}"
