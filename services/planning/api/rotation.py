"""The five-year rotation of every member (党员集中轮训): a member's last rotation and next due day, the due list of
a year with 预备党员 first, and coverage by branch, unit and Party organisation over the rolling five years."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.planning import views
from services.planning.api.access import (
    AsOf,
    PersonReader,
    UnitReader,
    Year,
    as_of_or_today,
    require_person_in_view,
    units_in_view,
)
from services.planning.domain.rotation import due_list
from services.planning.handlers.announcements import ROTATION_RULE
from services.planning.schemas import CoveragePublic, DueListPublic, RotationStatusPublic
from shared.errors import CommandRejected, NotFound
from shared.service import Runtime

router = APIRouter(tags=["rotation"])
Filter = Annotated[str | None, Query(max_length=64)]


@router.get("/persons/{person_id}/rotation", response_model=RotationStatusPublic)
async def member_rotation(
    person_id: str, runtime: Runtime, principal: PersonReader, as_of: AsOf = None
) -> RotationStatusPublic:
    """When a member was last rotated, by what, and when they are due again."""
    day = as_of_or_today(as_of)
    async with runtime.database.sessions() as session:
        await require_person_in_view(session, principal, person_id)
        seen = await views.members(session, day, person_ids=[person_id])
    if person_id not in seen.persons:
        raise NotFound(f"no person {person_id} is known to planning")
    status = next((s for s in seen.statuses if s.person_id == person_id), None)
    if status is None:
        raise CommandRejected(f"{person_id} is not a Party member of the school on {day}", code="not-a-member")
    return views.rotation_public(status, seen.persons)


@router.get("/rotation/due", response_model=DueListPublic)
async def due_for_rotation(
    runtime: Runtime,
    principal: UnitReader,
    *,
    year: Year,
    as_of: AsOf = None,
    branch_id: Filter = None,
    unit_id: Filter = None,
) -> DueListPublic:
    """The members due in ``year`` (or earlier, still not rotated): 预备党员 first, then the longest overdue."""
    day = as_of_or_today(as_of)
    async with runtime.database.sessions() as session:
        seen = await views.members(session, day, units=units_in_view(principal))
    due = [
        s
        for s in due_list(seen.statuses, year)
        if (branch_id is None or s.branch_id == branch_id) and (unit_id is None or s.unit_id == unit_id)
    ]
    return DueListPublic(
        year=year, as_of=day, rule=ROTATION_RULE.name, members=[views.rotation_public(s, seen.persons) for s in due]
    )


@router.get("/rotation/coverage", response_model=CoveragePublic)
async def rotation_coverage(runtime: Runtime, principal: UnitReader, as_of: AsOf = None) -> CoveragePublic:
    """Coverage over the rolling five years by branch, unit and up the Party tree; who was never rotated, who is
    overdue. A nominator sees its units' members only."""
    async with runtime.database.sessions() as session:
        seen = await views.members(session, as_of_or_today(as_of), units=units_in_view(principal))
        return await views.coverage_view(session, seen)
