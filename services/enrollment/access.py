"""Who may act on what in the register, beyond the role a route asks for.

A route lets through the roles that may use it at all (``shared.auth.require``); what a principal may touch is
decided here, on the rows the command is about, inside its unit of work:

- an admin (党校办公室) everything;
- a class manager (跟班管理人员) the classes naming them in ``manager_ids``: their sessions, enrollments, rosters
  and sign-in sheets (and a class they create names them);
- a nominator (选派联系人) the people of the units in their token's ``units`` claim;
- a branch (党支部) the study classes (支部组织学习) organised by a branch in their token's ``units`` claim, as
  a class manager runs theirs, and the enrollments of that branch's members;
- a learner their own records: their person, their applications and enrollments.

Everyone else is refused by the routes' roles already.
"""

from __future__ import annotations

from collections.abc import Set

from services.enrollment.domain.vocabulary import TrainingCategory
from services.enrollment.models import Person, TrainingClass
from shared.auth import Principal, Role
from shared.errors import Forbidden


def is_admin(principal: Principal) -> bool:
    return principal.has_any(Role.ADMIN)


def manages(principal: Principal, training_class: TrainingClass) -> bool:
    """Runs the class: an admin, a manager it names, or the 党支部 organising it as its own study."""
    return (
        is_admin(principal)
        or (principal.has_any(Role.CLASS_MANAGER) and principal.subject in training_class.manager_ids)
        or organises(principal, training_class)
    )


def organises(principal: Principal, training_class: TrainingClass) -> bool:
    """A branch runs the 支部组织学习 classes organised by a branch it acts for."""
    return training_class.category == TrainingCategory.BRANCH_STUDY.value and acts_for_branch(
        principal, training_class.organiser_id
    )


def acts_for_branch(principal: Principal, branch_id: str | None) -> bool:
    """A branch acts for the 党支部 their token names (and sees those branches' members' enrollments)."""
    return principal.has_any(Role.BRANCH) and branch_id is not None and branch_id in principal.units


def speaks_for(principal: Principal, unit_id: str | None) -> bool:
    """A nominator speaks for the units their token names."""
    return principal.has_any(Role.NOMINATOR) and unit_id is not None and unit_id in principal.units


def is_self(principal: Principal, person_id: str) -> bool:
    return principal.has_any(Role.LEARNER) and principal.subject == person_id


def branch_scope(principal: Principal) -> tuple[str, ...] | None:
    """The 党支部 a principal who reads the register only as a branch is held to; None for whoever reads the whole
    training plan (admins, class managers, nominators, learners)."""
    if principal.has_any(Role.ADMIN, Role.CLASS_MANAGER, Role.NOMINATOR, Role.LEARNER):
        return None
    return principal.units


def check_manages(principal: Principal, training_class: TrainingClass, doing: str) -> None:
    if not manages(principal, training_class):
        if training_class.category == TrainingCategory.BRANCH_STUDY.value:
            raise Forbidden(
                f"only an admin, a manager of class {training_class.class_id} or the 党支部 organising it "
                f"({training_class.organiser_id}) may {doing}"
            )
        raise Forbidden(f"only an admin or a manager of class {training_class.class_id} may {doing}")


def check_affairs_reader(principal: Principal, training_class: TrainingClass, admitted: Set[str]) -> None:
    """Class affairs (班务) are read by those who run the class and by its admitted learners (已录取)."""
    if not (manages(principal, training_class) or (principal.has_any(Role.LEARNER) and principal.subject in admitted)):
        raise Forbidden(
            f"only an admin, a manager of class {training_class.class_id} or its admitted learners (已录取) may see "
            "its class affairs (班务)"
        )


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
