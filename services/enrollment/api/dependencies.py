"""What the register's routes share: who may call them at all, the eligibility policy, and uploaded workbooks.

A route names the roles that may use it; anyone else gets 403 (and 401 without a token). What a principal may
touch within a route (their classes, their units' people, their own records) is ``services.enrollment.access``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import Response

from services.enrollment.domain.eligibility import EligibilityPolicy
from services.enrollment.settings import Settings
from shared.auth import Principal, Role, require
from shared.service import Runtime

Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
# Those who run classes.
ClassStaff = Annotated[Principal, Depends(require(Role.ADMIN, Role.CLASS_MANAGER))]
# Those who keep people's records: an admin, a nominator for their units.
Registrar = Annotated[Principal, Depends(require(Role.ADMIN, Role.NOMINATOR))]
# Those who may register a person: a class manager meets learners the register does not know yet.
Registering = Annotated[Principal, Depends(require(Role.ADMIN, Role.CLASS_MANAGER, Role.NOMINATOR))]
# Those who read the organisation, and a class's enrollments (a nominator: their units' people).
Organisers = Annotated[Principal, Depends(require(Role.ADMIN, Role.CLASS_MANAGER, Role.NOMINATOR))]
# Everyone the register serves: the school's training plan, one's own records, a way into a class.
Member = Annotated[Principal, Depends(require(Role.ADMIN, Role.CLASS_MANAGER, Role.NOMINATOR, Role.LEARNER))]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The body is the file itself (no multipart form): OpenAPI is told so here.
WORKBOOK_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the .xlsx workbook or .csv file itself, as the request body (curl --data-binary @file)",
        "content": {
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def eligibility_policy(runtime: Runtime) -> EligibilityPolicy:
    settings = runtime.settings
    assert isinstance(settings, Settings)  # the enrollment service runs with its own settings
    return settings.eligibility_policy


Policy = Annotated[EligibilityPolicy, Depends(eligibility_policy)]


async def workbook(request: Request) -> bytes:
    """The uploaded file: the request body as it is (bounded, as every body, by DANGXIAO_MAX_REQUEST_BYTES)."""
    body = await request.body()
    if not body:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "the request body is empty: send the .xlsx or .csv file itself as the body (curl --data-binary @file)",
        )
    return body


Workbook = Annotated[bytes, Depends(workbook)]


def xlsx(content: bytes, filename: str) -> Response:
    return Response(content, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{filename}"'})
