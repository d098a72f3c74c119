"""HTTP routes of classes (培训班) and their sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from services.enrollment import views
from services.enrollment.api.dependencies import ClassStaff, Member
from services.enrollment.handlers import classes
from services.enrollment.models import (
    Cancellation,
    ClassCreate,
    ClassPublic,
    ClassSummary,
    ClassUpdate,
    SessionCreate,
    SessionPublic,
    SessionUpdate,
)
from shared.service import Runtime, execute

router = APIRouter()


@router.get("/classes", tags=["classes"])
async def list_classes(
    runtime: Runtime,
    principal: Member,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    mine: Annotated[bool, Query(description="only the classes naming me as a manager")] = False,
) -> list[ClassSummary]:
    """The school's training plan: its classes, of one year or all. Anyone the register serves may read it (a
    learner to apply, a nominator to nominate); acting on a class is for its managers."""
    async with runtime.database.sessions() as session:
        return await views.classes_view(session, year, principal.subject if mine else None)


@router.post("/classes", status_code=status.HTTP_201_CREATED, tags=["classes"])
async def create_class(command: ClassCreate, runtime: Runtime, principal: ClassStaff) -> ClassPublic:
    """A class and, optionally, its first sessions. A class manager who creates a class manages it."""
    created = await execute(runtime, classes.create_class, command, principal)
    async with runtime.database.sessions() as session:
        return await views.class_view(session, created.class_id)


@router.get("/classes/{class_id}", tags=["classes"])
async def get_class(class_id: str, runtime: Runtime, _: Member) -> ClassPublic:
    async with runtime.database.sessions() as session:
        return await views.class_view(session, class_id)


@router.patch("/classes/{class_id}", tags=["classes"])
async def update_class(class_id: str, update: ClassUpdate, runtime: Runtime, principal: ClassStaff) -> ClassPublic:
    """Whatever is sent changes. The capacity never falls below the approved; raising it seats the waitlisted."""
    await execute(runtime, classes.update_class, class_id, update, principal)
    async with runtime.database.sessions() as session:
        return await views.class_view(session, class_id)


@router.post("/classes/{class_id}/sessions", status_code=status.HTTP_201_CREATED, tags=["classes"])
async def schedule_session(
    class_id: str, command: SessionCreate, runtime: Runtime, principal: ClassStaff
) -> SessionPublic:
    """A session of the class; a teacher or room already booked at that time is a conflict (409)."""
    return views.session_public(await execute(runtime, classes.schedule_session, class_id, command, principal))


@router.patch("/sessions/{session_id}", tags=["classes"])
async def reschedule_session(
    session_id: str, update: SessionUpdate, runtime: Runtime, principal: ClassStaff
) -> SessionPublic:
    """Move or change a session (a new state of it); a teacher or room booked twice at once is a conflict (409)."""
    return views.session_public(await execute(runtime, classes.reschedule_session, session_id, update, principal))


@router.post("/sessions/{session_id}/cancel", tags=["classes"])
async def cancel_session(
    session_id: str, cancellation: Cancellation, runtime: Runtime, principal: ClassStaff
) -> SessionPublic:
    """Cancelled is a state of the session: it stays, with the reason, and no longer counts toward 学时."""
    cancelled = await execute(runtime, classes.cancel_session, session_id, cancellation.reason, principal)
    return views.session_public(cancelled)
