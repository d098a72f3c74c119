"""Who sees whose 学时: learners their own; class managers the learners of the classes that name them; the school's
office (admin) and the organisation department (组织部) everyone. Outside systems (ingest) send, and see nobody's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.hours.models import ProjectedClass, ProjectedEnrollment
from shared.auth import Principal, Role
from shared.db import execute, table_of
from shared.errors import Forbidden

READS_ALL = (Role.ADMIN, Role.ORGANISATION_DEPARTMENT)
ENROLLED = "approved"


@dataclass(frozen=True)
class Visibility:
    """Whose records a principal may read."""

    sees_everyone: bool
    persons: frozenset[str]
    managed_classes: frozenset[str]

    @classmethod
    async def of(cls, session: AsyncSession, viewer: Principal) -> Visibility:
        if viewer.has_any(*READS_ALL):
            return cls(True, frozenset(), frozenset())
        persons: set[str] = {viewer.subject} if viewer.has_any(Role.LEARNER) else set()
        managed = await managed_classes(session, viewer) if viewer.has_any(Role.CLASS_MANAGER) else frozenset()
        if managed:
            enrollment = table_of(ProjectedEnrollment)
            learners = await execute(
                session,
                select(enrollment.c.person_id).where(
                    enrollment.c.class_id.in_(sorted(managed)), enrollment.c.status == ENROLLED
                ),
            )
            persons.update(person_id for (person_id,) in learners)
        return cls(False, frozenset(persons), managed)

    def sees(self, person_id: str) -> bool:
        return self.sees_everyone or person_id in self.persons

    def check_sees(self, person_id: str) -> None:
        if not self.sees(person_id):
            raise Forbidden(
                "a learner sees their own 学时, a class manager those of their classes' learners; "
                f"{person_id}'s are not among them"
            )


async def managed_classes(session: AsyncSession, viewer: Principal) -> frozenset[str]:
    """The classes that name ``viewer`` among their managers."""
    table = table_of(ProjectedClass)
    rows = await execute(session, select(table.c.class_id, table.c.manager_ids))
    return frozenset(class_id for class_id, managers in rows if viewer.subject in (managers or []))


async def check_manages(session: AsyncSession, viewer: Principal, class_id: str) -> None:
    """An administrator, or a manager of the class (跟班管理人员), may act for it."""
    if viewer.has_any(Role.ADMIN):
        return
    if viewer.has_any(Role.CLASS_MANAGER) and class_id in await managed_classes(session, viewer):
        return
    raise Forbidden(f"only the class's managers (or an administrator) act for class {class_id}")
