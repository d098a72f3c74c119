"""Enrollment HTTP API: classes (培训班), their sessions, persons, enrollments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from services.enrollment import handlers, views
from services.enrollment.models import (
    ClassCreate,
    ClassPublic,
    EnrollmentCreate,
    EnrollmentPublic,
    PersonCreate,
    PersonPublic,
    SessionCreate,
    SessionPublic,
)
from shared.auth import Principal, Role, Staff, require
from shared.service import Runtime, execute

router = APIRouter()
Manager = Annotated[Principal, Depends(require(Role.ADMIN, Role.CLASS_MANAGER))]


@router.post("/classes", status_code=status.HTTP_201_CREATED, response_model=ClassPublic, tags=["classes"])
async def create_class(command: ClassCreate, runtime: Runtime, _: Manager) -> ClassPublic:
    created = await execute(runtime, handlers.create_class, command)
    async with runtime.database.sessions() as session:
        return await views.class_view(session, created.class_id)


@router.get("/classes/{class_id}", response_model=ClassPublic, tags=["classes"])
async def get_class(class_id: str, runtime: Runtime, _: Staff) -> ClassPublic:
    async with runtime.database.sessions() as session:
        return await views.class_view(session, class_id)


@router.post(
    "/classes/{class_id}/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionPublic,
    tags=["classes"],
)
async def schedule_session(class_id: str, command: SessionCreate, runtime: Runtime, _: Manager) -> SessionPublic:
    session = await execute(runtime, handlers.schedule_session, class_id, command)
    return SessionPublic.model_validate(session, from_attributes=True)


@router.post("/persons", status_code=status.HTTP_201_CREATED, response_model=PersonPublic, tags=["persons"])
async def register_person(command: PersonCreate, runtime: Runtime, _: Manager) -> PersonPublic:
    person = await execute(runtime, handlers.register_person, command)
    return PersonPublic.model_validate(person, from_attributes=True)


@router.post(
    "/classes/{class_id}/enrollments",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrollmentPublic,
    tags=["enrollments"],
)
async def enroll_person(class_id: str, command: EnrollmentCreate, runtime: Runtime, _: Manager) -> EnrollmentPublic:
    enrollment = await execute(runtime, handlers.enroll_person, class_id, command)
    return EnrollmentPublic.model_validate(enrollment, from_attributes=True)


@router.get("/classes/{class_id}/enrollments", response_model=list[EnrollmentPublic], tags=["enrollments"])
async def list_enrollments(class_id: str, runtime: Runtime, _: Staff) -> list[EnrollmentPublic]:
    async with runtime.database.sessions() as session:
        return await views.enrollments_view(session, class_id)
