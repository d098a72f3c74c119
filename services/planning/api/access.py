"""Who may see and change what in planning.

The office (admin) writes everything and reads everything; the organisation department reads the school's records
(plans, rotation, tasks, training records); a unit's nominator reads what concerns the people of the units its
token names (their rotation, cultivation, nominations); a learner reads their own rotation, cultivation and record.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning import facts
from shared.api import WrittenDay
from shared.auth import Principal, Role, require
from shared.errors import Forbidden, NotFound

SCHOOL_WIDE = (Role.ADMIN, Role.ORGANISATION_DEPARTMENT)
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"

Office = Annotated[Principal, Depends(require(Role.ADMIN))]
SchoolReader = Annotated[Principal, Depends(require(*SCHOOL_WIDE))]
UnitReader = Annotated[Principal, Depends(require(*SCHOOL_WIDE, Role.NOMINATOR))]
PersonReader = Annotated[Principal, Depends(require(*SCHOOL_WIDE, Role.NOMINATOR, Role.LEARNER))]
# An id the office names a record by (it travels in the record's event).
RecordId = Annotated[str, Path(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)]


AsOf = Annotated[
    WrittenDay | None,
    Query(description="the day to look from (YYYY-MM-DD); default: today in Beijing time"),
]
Year = Annotated[int, Query(ge=2000, le=2100)]


def units_in_view(principal: Principal) -> tuple[str, ...] | None:
    """The units whose people a principal sees; None: the whole school."""
    return None if principal.has_any(*SCHOOL_WIDE) else principal.units


async def require_person_in_view(session: AsyncSession, principal: Principal, person_id: str) -> None:
    """The office and the organisation department see anyone; a learner themself; a nominator their units' people."""
    if principal.has_any(*SCHOOL_WIDE) or (principal.has_any(Role.LEARNER) and principal.subject == person_id):
        return
    if principal.has_any(Role.NOMINATOR):
        person = await facts.person(session, person_id)
        if person is None:
            raise NotFound(f"no person {person_id} is known to planning")
        if person.unit_id in principal.units:
            return
        raise Forbidden("a nominator sees only the people of its own units")
    raise Forbidden("a learner sees only their own records")


def as_of_or_today(as_of: date | None) -> date:
    return as_of or facts.today()
