"""Cultivation records (培养考察) of activists and development targets: talks and practice recorded by the office,
the record and its readiness as of a day, and the file a branch keeps (a workbook)."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response

from services.planning import exports, views
from services.planning.api.access import AsOf, Office, PersonReader, RecordId, as_of_or_today, require_person_in_view
from services.planning.handlers.cultivation import add_activity, add_talk
from services.planning.schemas import CultivationPublic
from shared.api import XLSX, XLSX_ANSWER, file_response
from shared.events.contracts.planning import PracticeActivity, Talk
from shared.service import Runtime, execute

router = APIRouter(tags=["cultivation"])


@router.post(
    "/persons/{person_id}/cultivation/talks", status_code=status.HTTP_201_CREATED, response_model=CultivationPublic
)
async def record_talk(person_id: RecordId, talk: Talk, runtime: Runtime, _: Office) -> CultivationPublic:
    """A talk (谈心谈话): the day, what was said, and the 培养联系人 who held it and vouches for it."""
    await execute(runtime, add_talk, runtime.source, person_id, talk)
    return await _view(runtime, person_id, None)


@router.post(
    "/persons/{person_id}/cultivation/activities",
    status_code=status.HTTP_201_CREATED,
    response_model=CultivationPublic,
)
async def record_activity(
    person_id: RecordId, activity: PracticeActivity, runtime: Runtime, _: Office
) -> CultivationPublic:
    """Social practice (社会实践) or volunteer service (志愿服务)."""
    await execute(runtime, add_activity, runtime.source, person_id, activity)
    return await _view(runtime, person_id, None)


@router.get("/persons/{person_id}/cultivation", response_model=CultivationPublic)
async def cultivation(
    person_id: str, runtime: Runtime, principal: PersonReader, as_of: AsOf = None
) -> CultivationPublic:
    """The record as of a day, and readiness by the rule's conditions for the stage the person is at then."""
    async with runtime.database.sessions() as session:
        await require_person_in_view(session, principal, person_id)
    return await _view(runtime, person_id, as_of)


@router.get("/persons/{person_id}/cultivation.xlsx", response_class=Response, responses=XLSX_ANSWER)
async def cultivation_file(person_id: str, runtime: Runtime, principal: PersonReader, as_of: AsOf = None) -> Response:
    """The record as the file a branch keeps (培养考察登记表)."""
    async with runtime.database.sessions() as session:
        await require_person_in_view(session, principal, person_id)
        kept = await views.cultivation_of(session, person_id, as_of_or_today(as_of))
    return file_response(exports.cultivation_workbook(kept), XLSX, f"培养考察登记表-{person_id}.xlsx")


async def _view(runtime: Runtime, person_id: str, as_of: AsOf) -> CultivationPublic:
    async with runtime.database.sessions() as session:
        return views.cultivation_public(await views.cultivation_of(session, person_id, as_of_or_today(as_of)))
