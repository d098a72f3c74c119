"""HTTP routes of a learner's way through a class: nomination or application, approval or rejection, the
waitlist, withdrawal and transfer."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.enrollment import views
from services.enrollment.access import is_self, manages, speaks_for
from services.enrollment.api.dependencies import ClassStaff, Member, Organisers, Policy
from services.enrollment.handlers import enrollments
from services.enrollment.models import (
    EnrollmentCreate,
    EnrollmentPublic,
    EnrollmentSteps,
    Rejection,
    TransferCreate,
    Withdrawal,
)
from shared.auth import Role
from shared.errors import Forbidden
from shared.service import Runtime, execute

router = APIRouter()


@router.post("/classes/{class_id}/enrollments", status_code=status.HTTP_201_CREATED, tags=["enrollments"])
async def enroll(
    class_id: str, command: EnrollmentCreate, runtime: Runtime, principal: Member, policy: Policy
) -> EnrollmentPublic:
    """A way into the class: a learner applies (报名) for themselves; a nominator nominates (选派) their own
    units' people; an admin or the class's manager enters either (by default a nomination by the person's unit).
    The person must be eligible for the class as of its first day; the answer says why not."""
    enrollment = await execute(runtime, enrollments.enroll, class_id, command, principal, policy)
    return views.enrollment_public(enrollment)


@router.get("/classes/{class_id}/enrollments", tags=["enrollments"])
async def list_enrollments(class_id: str, runtime: Runtime, principal: Organisers) -> list[EnrollmentPublic]:
    """Everyone's (an admin, the class's manager), or those of a nominator's units' people."""
    async with runtime.database.sessions() as session:
        training_class = await views.class_row(session, class_id)
        if manages(principal, training_class):
            return await views.enrollments_view(session, class_id)
        if principal.has_any(Role.NOMINATOR):
            return await views.enrollments_view(session, class_id, principal.units)
    raise Forbidden(f"only an admin, a manager of class {class_id} or a nominator may see its enrollments")


@router.get("/enrollments/{enrollment_id}", tags=["enrollments"])
async def get_enrollment(enrollment_id: str, runtime: Runtime, principal: Member) -> EnrollmentPublic:
    async with runtime.database.sessions() as session:
        enrollment = await views.enrollment_row(session, enrollment_id)
        training_class = await views.class_row(session, enrollment.class_id)
        person = await views.person_row(session, enrollment.person_id)
    if not (
        manages(principal, training_class)
        or is_self(principal, person.person_id)
        or speaks_for(principal, person.unit_id)
    ):
        raise Forbidden(f"enrollment {enrollment_id} is not among the records you may see")
    return views.enrollment_public(enrollment)


@router.post("/enrollments/{enrollment_id}/approve", tags=["enrollments"])
async def approve(enrollment_id: str, runtime: Runtime, principal: ClassStaff, policy: Policy) -> EnrollmentPublic:
    """A seat (已录取) if one is free, else a place on the waitlist (候补); the person must still be eligible as
    of the class's first day, as the register knows them now."""
    return views.enrollment_public(await execute(runtime, enrollments.approve, enrollment_id, principal, policy))


@router.post("/enrollments/{enrollment_id}/reject", tags=["enrollments"])
async def reject(enrollment_id: str, rejection: Rejection, runtime: Runtime, principal: ClassStaff) -> EnrollmentPublic:
    rejected = await execute(runtime, enrollments.reject, enrollment_id, rejection.reason, principal)
    return views.enrollment_public(rejected)


@router.post("/enrollments/{enrollment_id}/withdraw", tags=["enrollments"])
async def withdraw(enrollment_id: str, withdrawal: Withdrawal, runtime: Runtime, principal: Member) -> EnrollmentSteps:
    """The learner leaves (themselves, their unit's nominator, or the class's manager decides); a seat they free
    goes to whoever has waited longest."""
    steps = await execute(runtime, enrollments.withdraw, enrollment_id, withdrawal.reason, principal)
    return _steps(steps)


@router.post("/enrollments/{enrollment_id}/transfer", tags=["enrollments"])
async def transfer(
    enrollment_id: str, move: TransferCreate, runtime: Runtime, principal: ClassStaff, policy: Policy
) -> EnrollmentSteps:
    """To another class (managed by the same hands); the answer holds the enrollment in the new class."""
    steps = await execute(runtime, enrollments.transfer, enrollment_id, move.class_id, principal, policy)
    return _steps(steps)


def _steps(steps: enrollments.Steps) -> EnrollmentSteps:
    return EnrollmentSteps(
        enrollment=views.enrollment_public(steps.enrollment),
        promoted=[views.enrollment_public(promoted) for promoted in steps.promoted],
        joined=views.enrollment_public(steps.joined) if steps.joined else None,
    )
