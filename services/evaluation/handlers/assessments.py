"""The 结业考核 (final assessment): a class's evaluation scheme, the parties' scores, and the assessment they decide.

A weighted scheme computes each learner's result once every part is in (``domain.schemes.assess``), again whenever
a score changes it; an exam-only class, or one without a scheme, has each result entered directly. A later result
supersedes the earlier one: every one is kept and published as ``AssessmentRecorded``.

A score or a result about a learner evaluation does not know as enrolled yet (or in a class it has not learnt of)
is kept waiting for it (``commands``) and applied when it arrives, by the very function that applies it at once
otherwise. Everything it causes derives from the command: ids from its id, times from the moment it was posted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.evaluation.commands import AssessmentEntered, Command, ScoreSubmitted
from services.evaluation.domain.schemes import (
    CLASS_WIDE,
    PARTY_LABELS,
    ExamOnlyScheme,
    FinalAssessment,
    Party,
    PartyScore,
    Scheme,
    WeightedScheme,
    assess,
    check_score,
    enter_exam_result,
    standing_scores,
)
from services.evaluation.handlers.access import (
    ENDED,
    ENROLLED,
    ClassFacts,
    class_facts,
    enrollment_statuses,
    require_manager,
    require_scorer,
    require_teacher,
)
from services.evaluation.handlers.projections import class_reference, learner_reference
from services.evaluation.handlers.refusals import refusals
from services.evaluation.models import (
    Assessment,
    AssessmentCreate,
    AssessmentPublic,
    CommandStatus,
    EvaluationCommand,
    EvaluationEnrollment,
    EvaluationScheme,
    SchemeBody,
    ScoreCreate,
    ScorePublic,
    ScoreResult,
    ScoreSheet,
)
from shared.auth import Principal
from shared.consumer import Outcome
from shared.db import utcnow
from shared.errors import CommandRejected, Conflict, NotFound
from shared.events.contracts.evaluation import AssessmentRecorded
from shared.events.envelope import CloudEvent
from shared.ids import new_id
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class Wait:
    """A command cannot be judged yet: what it waits for, and what its poller is told."""

    waiting_for: frozenset[str]
    detail: str


# What a command's status keeps of what became of it (a long list of learners still waiting is cut short).
DETAIL_LIMIT = 1000
C = TypeVar("C", bound=Command)
R = TypeVar("R", ScoreResult, AssessmentPublic)
Settle = Callable[[UnitOfWork, CloudEvent, C], Awaitable[R | Wait]]


# ── the scheme ───────────────────────────────────────────────────────────────────────────────────────


async def set_scheme(uow: UnitOfWork, class_id: str, body: SchemeBody, principal: Principal) -> EvaluationScheme:
    """Set (or, until the first score or result is in, change) a class's evaluation scheme (考核方案)."""
    await uow.lock(class_reference(class_id))
    facts = await _known_class(uow.session, class_id)
    require_manager(principal, facts, "set its evaluation scheme")
    with refusals():
        body.to_domain()
    if await _has_results(uow.session, class_id):
        raise Conflict(
            f"class {class_id} has scores or results recorded under its scheme already: the scheme can no longer "
            "change, or results would be judged by two schemes"
        )
    scheme = await uow.session.get(EvaluationScheme, class_id) or EvaluationScheme(
        class_id=class_id, definition={}, set_by=principal.subject, set_at=utcnow()
    )
    scheme.definition = body.model_dump(mode="json")
    scheme.set_by, scheme.set_at = principal.subject, utcnow()
    uow.session.add(scheme)
    return scheme


async def _known_class(session: AsyncSession, class_id: str) -> ClassFacts:
    facts = await class_facts(session, class_id)
    if facts is None:
        raise NotFound(
            f"class {class_id} is not known to evaluation yet: it learns of classes from the register within "
            "seconds of their creation"
        )
    return facts


async def _has_results(session: AsyncSession, class_id: str) -> bool:
    for table in (ScoreSheet, Assessment):
        count = (await session.exec(select(func.count()).select_from(table).where(table.class_id == class_id))).one()
        if count:
            return True
    return False


async def stored_scheme(session: AsyncSession, class_id: str) -> Scheme | None:
    row = await session.get(EvaluationScheme, class_id)
    return row.to_domain() if row is not None else None


# ── commands: applied at once, or kept waiting ───────────────────────────────────────────────────────


async def submit_score(
    uow: UnitOfWork, class_id: str, body: ScoreCreate, principal: Principal
) -> ScoreResult | EvaluationCommand:
    """A party's scores: recorded, and the 结业考核 they complete or change computed; or kept waiting."""
    command = ScoreSubmitted(
        command_id=new_id("score"),
        class_id=class_id,
        person_id=body.person_id,
        submitted_by=principal.subject,
        roles=sorted(principal.roles),
        party=body.party,
        scores=body.scores,
        comment=body.comment,
    )
    return await _settle_now(uow, command, settle_score)


async def enter_assessment(
    uow: UnitOfWork, class_id: str, body: AssessmentCreate, principal: Principal
) -> AssessmentPublic | EvaluationCommand:
    """A 结业考核 entered directly: recorded, or kept waiting."""
    command = AssessmentEntered(
        command_id=new_id("assessment"),
        class_id=class_id,
        person_id=body.person_id,
        submitted_by=principal.subject,
        roles=sorted(principal.roles),
        passed=body.passed,
        score=body.score,
        comment=body.comment,
    )
    return await _settle_now(uow, command, settle_assessment)


async def score_released(uow: UnitOfWork, event: CloudEvent, command: ScoreSubmitted) -> Outcome:
    return await _settle_released(uow, event, command, settle_score)


async def assessment_released(uow: UnitOfWork, event: CloudEvent, command: AssessmentEntered) -> Outcome:
    return await _settle_released(uow, event, command, settle_assessment)


async def _settle_now(uow: UnitOfWork, command: C, settle: Settle[C, R]) -> R | EvaluationCommand:
    """Over HTTP: a refusal is the answer (nothing is kept); a command that must wait is parked."""
    event = command.as_event()
    settled = await settle(uow, event, command)
    if isinstance(settled, Wait):
        return await _park(uow, event, command, settled)
    return settled


async def _settle_released(uow: UnitOfWork, event: CloudEvent, command: C, settle: Settle[C, R]) -> Outcome:
    """A waiting command whose wait may be over: applied, refused, or parked again, and its status says which.

    A refusal now is no fault of the event that released it, so it is recorded for the poller, never raised.
    """
    try:
        settled = await settle(uow, event, command)
    except CommandRejected as refusal:
        await _conclude(uow, command, CommandStatus.REFUSED, refusal.message, None)
        log.info("waiting command refused", command_id=command.command_id, reason=refusal.message)
        return Outcome.APPLIED
    if isinstance(settled, Wait):
        await _park(uow, event, command, settled)
        return Outcome.PARKED
    if isinstance(settled, ScoreResult):
        await _conclude(uow, command, CommandStatus.APPLIED, settled.summary(), settled.score.sheet_id)
    else:
        await _conclude(uow, command, CommandStatus.APPLIED, settled.reason, settled.assessment_id)
    return Outcome.APPLIED


async def _park(uow: UnitOfWork, event: CloudEvent, command: Command, wait: Wait) -> EvaluationCommand:
    await uow.park(event, wait.waiting_for)
    status = await uow.session.get(EvaluationCommand, command.command_id) or EvaluationCommand(
        command_id=command.command_id,
        kind=command.kind,
        class_id=command.class_id,
        person_id=command.person_id,
        submitted_by=command.submitted_by,
        submitted_at=event.time,
        status=CommandStatus.PENDING,
        detail=wait.detail,
    )
    status.waiting_for, status.detail = sorted(wait.waiting_for), wait.detail
    uow.session.add(status)
    log.info("command waits", command_id=command.command_id, waiting_for=status.waiting_for)
    return status


async def _conclude(
    uow: UnitOfWork, command: Command, status: CommandStatus, detail: str, result_id: str | None
) -> None:
    row = await uow.session.get(EvaluationCommand, command.command_id)
    assert row is not None  # a command is released only after it was parked, which recorded its status
    row.status, row.detail, row.result_id, row.waiting_for = status, detail[:DETAIL_LIMIT], result_id, []
    uow.session.add(row)


def _class_unknown(command: Command) -> Wait:
    return Wait(
        frozenset({class_reference(command.class_id)}),
        f"waiting until evaluation learns of class {command.class_id} from the register; judged and applied then",
    )


async def _enrollment_wait(session: AsyncSession, class_id: str, person_id: str) -> Wait | None:
    """None when the person is enrolled; a wait while their enrollment is unknown or undecided; refused once it
    ended without them taking part."""
    statuses = await enrollment_statuses(session, class_id, person_id)
    if ENROLLED in statuses:
        return None
    if statuses and all(status in ENDED for status in statuses):
        raise Conflict(f"{person_id} is not enrolled in class {class_id}: their enrollment is {', '.join(statuses)}")
    so_far = f" (their enrollment is {', '.join(statuses)} so far)" if statuses else ""
    return Wait(
        frozenset({learner_reference(class_id, person_id)}),
        f"waiting until evaluation learns that {person_id} is enrolled in class {class_id}{so_far}; applied then",
    )


# ── scores and the computed 结业考核 ─────────────────────────────────────────────────────────────────────


async def settle_score(uow: UnitOfWork, event: CloudEvent, command: ScoreSubmitted) -> ScoreResult | Wait:
    await uow.lock(class_reference(command.class_id))
    facts = await class_facts(uow.session, command.class_id)
    if facts is None:
        return _class_unknown(command)
    principal, party, label = command.principal, command.party, PARTY_LABELS[command.party]
    scorer_enrolled = party == Party.LEARNERS and ENROLLED in await enrollment_statuses(
        uow.session, command.class_id, principal.subject
    )
    require_scorer(principal, party, facts, scorer_enrolled=scorer_enrolled)
    scheme = await _weighted_scheme(uow.session, command.class_id)
    with refusals():
        check_score(scheme, PartyScore(party, principal.subject, command.scores, command.comment))
    if party in CLASS_WIDE:
        if command.person_id is not None:
            raise CommandRejected(f"{label} scores class {command.class_id} as a whole: leave person_id out")
        learners = await _enrolled_learners(uow.session, command.class_id)
    else:
        if command.person_id is None:
            raise CommandRejected(f"{label} scores one learner at a time: name them in person_id")
        wait = await _enrollment_wait(uow.session, command.class_id, command.person_id)
        if wait is not None:
            return wait
        learners = [command.person_id]
    sheet = ScoreSheet(
        sheet_id=command.command_id,
        class_id=command.class_id,
        person_id=command.person_id,
        party=party.value,
        scorer_id=principal.subject,
        scores={item_id: str(score) for item_id, score in command.scores.items()},
        comment=command.comment,
        scored_at=event.time,
    )
    uow.session.add(sheet)
    decided, waiting = await _reassess(uow, scheme, command.class_id, learners, cause=event, by=principal.subject)
    log.info("score recorded", class_id=command.class_id, party=party.value, assessments_decided=len(decided))
    return ScoreResult(
        score=ScorePublic.of(sheet),
        assessments=[AssessmentPublic.of(assessment) for assessment in decided],
        waiting_for=waiting,
    )


async def _weighted_scheme(session: AsyncSession, class_id: str) -> WeightedScheme:
    scheme = await stored_scheme(session, class_id)
    if scheme is None:
        raise Conflict(
            f"class {class_id} has no evaluation scheme yet: set one (PUT /classes/{class_id}/scheme) before scoring"
        )
    if isinstance(scheme, ExamOnlyScheme):
        raise Conflict(
            f"class {class_id} is assessed by an exam only: enter each learner's result "
            f"(POST /classes/{class_id}/assessments) instead of scores"
        )
    return scheme


async def _enrolled_learners(session: AsyncSession, class_id: str) -> list[str]:
    rows = await session.exec(
        select(EvaluationEnrollment.person_id)
        .where(EvaluationEnrollment.class_id == class_id, EvaluationEnrollment.status == ENROLLED)
        .distinct()
        .order_by(col(EvaluationEnrollment.person_id))
    )
    return list(rows.all())


async def class_scores(session: AsyncSession, class_id: str) -> list[ScoreSheet]:
    """Every score sheet of the class, oldest first (the order in which later ones replace earlier ones)."""
    rows = await session.exec(
        select(ScoreSheet)
        .where(ScoreSheet.class_id == class_id)
        .order_by(col(ScoreSheet.scored_at), col(ScoreSheet.sheet_id))
    )
    return list(rows.all())


def learner_scores(sheets: Sequence[ScoreSheet], person_id: str) -> tuple[PartyScore, ...]:
    """The scores that stand about a learner: theirs and the class-wide ones."""
    return standing_scores(
        [
            PartyScore(
                Party(sheet.party),
                sheet.scorer_id,
                {item_id: Decimal(score) for item_id, score in sheet.scores.items()},
                sheet.comment,
            )
            for sheet in sheets
            if sheet.person_id in (person_id, None)
        ]
    )


async def _reassess(
    uow: UnitOfWork,
    scheme: WeightedScheme,
    class_id: str,
    learners: Sequence[str],
    *,
    cause: CloudEvent,
    by: str,
) -> tuple[list[Assessment], dict[str, list[str]]]:
    """Compute the learners' 结业考核 again: a result that differs from the one standing is recorded; a learner
    still missing parts is listed with them."""
    await uow.session.flush()
    sheets = await class_scores(uow.session, class_id)
    standing = await standing_assessments(uow.session, class_id)
    decided: list[Assessment] = []
    waiting: dict[str, list[str]] = {}
    for person_id in learners:
        result = assess(scheme, learner_scores(sheets, person_id))
        if not isinstance(result, FinalAssessment):
            waiting[person_id] = list(result.missing)
            continue
        before = standing.get(person_id)
        if before is not None and (before.score, before.grade, before.rule) == (
            result.score,
            result.grade.value,
            result.rule,
        ):
            continue  # the same result again: nothing to supersede
        decided.append(_record(uow, class_id, person_id, result, cause=cause, by=by, before=before))
    return decided, waiting


async def standing_assessments(session: AsyncSession, class_id: str) -> dict[str, Assessment]:
    """The assessment that stands for each learner of the class: their latest (ties go to the larger id)."""
    rows = await session.exec(
        select(Assessment)
        .where(Assessment.class_id == class_id)
        .order_by(col(Assessment.person_id), col(Assessment.assessed_at), col(Assessment.assessment_id))
    )
    # Oldest first per learner: the last one kept for each learner is the one that stands.
    return {row.person_id: row for row in rows.all()}


def _record(
    uow: UnitOfWork,
    class_id: str,
    person_id: str,
    result: FinalAssessment,
    *,
    cause: CloudEvent,
    by: str,
    before: Assessment | None,
    comment: str | None = None,
) -> Assessment:
    """Record and publish a 结业考核; it supersedes ``before``, the one standing."""
    assessed_at = cause.time
    if before is not None and assessed_at <= before.assessed_at:
        # A command that waited for the enrollment keeps the moment it was posted, which may be earlier than the
        # result standing; decided later, it must still stand (the latest stands, here and in certificates).
        assessed_at = before.assessed_at + timedelta(microseconds=1)
    assessment = Assessment(
        assessment_id=_assessment_id(cause.id, person_id),
        class_id=class_id,
        person_id=person_id,
        passed=result.passed,
        score=result.score,
        grade=result.grade.value,
        rule=result.rule,
        reason=result.reason,
        comment=comment,
        assessed_by=by,
        assessed_at=assessed_at,
    )
    uow.session.add(assessment)
    uow.emit(AssessmentRecorded.model_validate(assessment, from_attributes=True), cause=cause)
    return assessment


def _assessment_id(command_id: str, person_id: str) -> str:
    """Derived from the command and the learner: one command (党校's score of a class) may decide many."""
    digest = hashlib.sha256(f"{command_id}\n{person_id}".encode()).hexdigest()
    return f"assessment-{digest[:20]}"


# ── results entered directly ─────────────────────────────────────────────────────────────────────────


async def settle_assessment(uow: UnitOfWork, event: CloudEvent, command: AssessmentEntered) -> AssessmentPublic | Wait:
    await uow.lock(class_reference(command.class_id))
    facts = await class_facts(uow.session, command.class_id)
    if facts is None:
        return _class_unknown(command)
    require_teacher(command.principal, facts, "enter its learners' 结业考核")
    with refusals():
        result = enter_exam_result(
            await stored_scheme(uow.session, command.class_id), score=command.score, passed=command.passed
        )
    assert command.person_id is not None  # a directly entered result is always about one learner
    wait = await _enrollment_wait(uow.session, command.class_id, command.person_id)
    if wait is not None:
        return wait
    standing = await standing_assessments(uow.session, command.class_id)
    assessment = _record(
        uow,
        command.class_id,
        command.person_id,
        result,
        cause=event,
        by=command.submitted_by,
        before=standing.get(command.person_id),
        comment=command.comment,
    )
    log.info("assessment entered", class_id=command.class_id, rule=result.rule)
    return AssessmentPublic.of(assessment)
