"""Who may act on what in the register, beyond the role a route asks for.

A route lets through the roles that may use it at all (``shared.auth.require``); what a principal may touch is
decided here, on the rows the command is about, inside its unit of work:

- an admin (党校办公室) everything;
- a class manager (跟班管理人员) the classes naming them in ``manager_ids``: their sessions, enrollments, rosters
  and sign-in sheets (and a class they create names them);
- a nominator (选派联系人) the people of the units in their token's ``units`` claim;
- a learner their own records: their person, their applications and enrollments.

Everyone else is refused by the routes' roles already.
"""

from __future__ import annotations

from services.enrollment.models import Person, TrainingClass
from shared.auth import Principal, Role
from shared.errors import Forbidden


def is_admin(principal: Principal) -> bool:
    return principal.has_any(Role.ADMIN)


def manages(principal: Principal, training_class: TrainingClass) -> bool:
    return is_admin(principal) or (
        principal.has_any(Role.CLASS_MANAGER) and principal.subject in training_class.manager_ids
    )


def speaks_for(principal: Principal, unit_id: str | None) -> bool:
    """A nominator speaks for the units their token names."""
    return principal.has_any(Role.NOMINATOR) and unit_id is not None and unit_id in principal.units


def is_self(principal: Principal, person_id: str) -> bool:
    return principal.has_any(Role.LEARNER) and principal.subject == person_id


def check_manages(principal: Principal, training_class: TrainingClass, doing: str) -> None:
    if not manages(principal, training_class):
        raise Forbidden(f"only an admin or a manager of class {training_class.class_id} may {doing}")


def check_person(principal: Principal, person: Person, doing: str) -> None:
    """An admin, a nominator of the person's unit, or the person themselves."""
    if not (is_admin(principal) or speaks_for(principal, person.unit_id) or is_self(principal, person.person_id)):
        raise Forbidden(
            f"only an admin, a nominator of the person's unit, or the person themselves may {doing} "
            f"person {person.person_id}"
        )


def check_unit(principal: Principal, unit_id: str | None, doing: str) -> None:
    """An admin, or a nominator of ``unit_id``."""
    if not (is_admin(principal) or speaks_for(principal, unit_id)):
        units = ", ".join(principal.units) or "none"
        raise Forbidden(f"a nominator may {doing} only in the units they speak for ({units}), not in {unit_id}")
