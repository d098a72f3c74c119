"""Who may evaluate what: a teacher the classes and sessions they teach (their token's subject is their teacher id,
named in a session's ``teacher_ids``), a class manager the classes naming them (``manager_ids``), the 党校 office
(admin) everything, a learner the classes they are enrolled in. Refusals name the rule, never just "forbidden"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.evaluation.domain.schemes import PARTY_LABELS, Party
from services.evaluation.models import EvaluationClass, EvaluationEnrollment, EvaluationSession
from shared.auth import Principal, Role
from shared.errors import Forbidden

ENROLLED = "approved"
# Enrollments that ended without the person taking part: a command about them is refused, not kept waiting.
ENDED = frozenset({"rejected", "withdrawn", "transferred", "cancelled"})


@dataclass(frozen=True)
class ClassFacts:
    """A class as far as evaluation knows it, with its sessions: enough to say who may evaluate it."""

    training_class: EvaluationClass
    sessions: tuple[EvaluationSession, ...]

    @property
    def class_id(self) -> str:
        return self.training_class.class_id

    def teaches(self, teacher_id: str) -> bool:
        return any(teacher_id in session.teacher_ids for session in self.sessions if session.status != "cancelled")

    def manages(self, manager_id: str) -> bool:
        return manager_id in self.training_class.manager_ids

    def session(self, session_id: str) -> EvaluationSession | None:
        return next((session for session in self.sessions if session.session_id == session_id), None)


async def class_facts(session: AsyncSession, class_id: str) -> ClassFacts | None:
    training_class = await session.get(EvaluationClass, class_id)
    if training_class is None:
        return None
    sessions = await session.exec(
        select(EvaluationSession)
        .where(EvaluationSession.class_id == class_id)
        .order_by(col(EvaluationSession.session_id))
    )
    return ClassFacts(training_class, tuple(sessions.all()))


async def enrollment_statuses(session: AsyncSession, class_id: str, person_id: str) -> list[str]:
    """The statuses of the person's enrollments in the class (usually one; none when evaluation knows of none)."""
    rows = await session.exec(
        select(EvaluationEnrollment.status).where(
            EvaluationEnrollment.class_id == class_id, EvaluationEnrollment.person_id == person_id
        )
    )
    return sorted(rows.all())


async def require_enrolled(session: AsyncSession, class_id: str, principal: Principal, action: str) -> None:
    """A learner of the class: one whose enrollment in it is approved."""
    if ENROLLED not in await enrollment_statuses(session, class_id, principal.subject):
        raise Forbidden(
            f"only the learners of class {class_id} may {action}, and evaluation knows of no approved enrollment "
            f"of {principal.subject} in it (one approved a moment ago arrives within seconds)"
        )


def _is_manager(principal: Principal, facts: ClassFacts) -> bool:
    return principal.has_any(Role.CLASS_MANAGER) and facts.manages(principal.subject)


def _is_teacher(principal: Principal, facts: ClassFacts) -> bool:
    return principal.has_any(Role.TEACHER) and facts.teaches(principal.subject)


def require_manager(principal: Principal, facts: ClassFacts, action: str) -> None:
    """The 党校 office, or a manager of the class."""
    if not (principal.has_any(Role.ADMIN) or _is_manager(principal, facts)):
        raise Forbidden(
            f"only the 党校 office or a manager of class {facts.class_id} may {action}; "
            f"class {facts.class_id} does not name {principal.subject} among its managers"
        )


def require_teacher(principal: Principal, facts: ClassFacts, action: str) -> None:
    """The 党校 office, or a teacher of one of the class's sessions."""
    if not (principal.has_any(Role.ADMIN) or _is_teacher(principal, facts)):
        raise Forbidden(
            f"only the 党校 office or a teacher of class {facts.class_id} may {action}; "
            f"{principal.subject} teaches none of its sessions"
        )


def require_reader(principal: Principal, facts: ClassFacts, what: str) -> None:
    """The 党校 office, the 组织部 (read-only), the class's managers and its teachers."""
    if principal.has_any(Role.ADMIN, Role.ORGANISATION_DEPARTMENT):
        return
    if not (_is_manager(principal, facts) or _is_teacher(principal, facts)):
        raise Forbidden(
            f"only the 党校 office, 组织部, and the managers and teachers of class {facts.class_id} see {what}"
        )


def require_scorer(principal: Principal, party: Party, facts: ClassFacts, *, scorer_enrolled: bool) -> None:
    """Each party scores as itself: 教师或专家 the classes they teach, 跟班管理人员 the classes they manage, learners
    (自评、互评) the class they are enrolled in, 党校 through its office; the office may enter any party's score."""
    if principal.has_any(Role.ADMIN):
        return
    allowed = {
        Party.TEACHERS: _is_teacher(principal, facts),
        Party.CLASS_MANAGERS: _is_manager(principal, facts),
        Party.LEARNERS: principal.has_any(Role.LEARNER) and scorer_enrolled,
        Party.SCHOOL: False,
    }[party]
    if not allowed:
        who = {
            Party.TEACHERS: f"a teacher of one of its sessions, which {principal.subject} is not",
            Party.CLASS_MANAGERS: f"a manager it names, which {principal.subject} is not",
            Party.LEARNERS: f"a learner enrolled in it, which {principal.subject} is not",
            Party.SCHOOL: "the 党校 office",
        }[party]
        raise Forbidden(f"{PARTY_LABELS[party]}'s scores of class {facts.class_id} are given by {who}")
