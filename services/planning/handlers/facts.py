"""Facts from the 学时 ledger, evaluation and certificates: each kept once by its own id, then what it touches is
worked out again (a nominee's progress in their tasks, a member's rotation, the person's training record).

A fact about a person or class not known yet is kept all the same; what follows from it is worked out when the
register's state arrives (its projection works the person's things out again).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from services.planning import facts
from services.planning.handlers.announcements import (
    ROTATION_HOURS_CATEGORIES,
    announce_fulfilment,
    announce_record,
    announce_rotation,
    lock_people,
    tasks_of,
)
from services.planning.models import (
    PlanningAssessment,
    PlanningCertificate,
    PlanningCredit,
    PlanningReversal,
    PlanningStanding,
    PlanningSurveyAnswer,
)
from shared.consumer import EventHandlers, Outcome
from shared.events.contracts.certificates import (
    CertificateEvent,
    CertificateIssued,
    CertificateReinstated,
    CertificateRevoked,
)
from shared.events.contracts.evaluation import AssessmentRecorded, SurveyAnswered
from shared.events.contracts.hours import HoursCredited, HoursReversed, RequirementStandingChanged
from shared.events.envelope import CloudEvent
from shared.unit_of_work import UnitOfWork


async def on_credited(uow: UnitOfWork, event: CloudEvent, data: HoursCredited) -> Outcome | None:
    await lock_people(uow, [data.person_id])
    if await uow.session.get(PlanningCredit, data.entry_id) is not None:
        return Outcome.DUPLICATE  # the same ledger entry again, under another event id
    uow.session.add(
        PlanningCredit(
            entry_id=data.entry_id,
            person_id=data.person_id,
            year=data.year,
            hours=data.hours,
            day=data.trained_on or facts.beijing_day(event.time),
            class_id=data.class_id,
            category=data.category,
            channel=data.channel,
            activity_id=data.activity_id,
            platform=data.platform,
        )
    )
    await _hours_changed(uow, data.person_id, data.category, event)
    return None


async def on_reversed(uow: UnitOfWork, event: CloudEvent, data: HoursReversed) -> Outcome | None:
    await lock_people(uow, [data.person_id])
    if await uow.session.get(PlanningReversal, data.entry_id) is not None:
        return Outcome.DUPLICATE
    uow.session.add(
        PlanningReversal(
            entry_id=data.entry_id,
            person_id=data.person_id,
            reverses_entry_id=data.reverses_entry_id,
            replaced_by_entry_id=data.replaced_by_entry_id,
        )
    )
    await _hours_changed(uow, data.person_id, data.category, event)
    return None


async def _hours_changed(uow: UnitOfWork, person_id: str, category: str | None, cause: CloudEvent) -> None:
    await uow.session.flush()  # what this unit of work added counts too
    for task_id in await tasks_of(uow, person_id):
        await announce_fulfilment(uow, task_id, [person_id], cause)
    if category in ROTATION_HOURS_CATEGORIES:
        await announce_rotation(uow, person_id, cause)
    await announce_record(uow, person_id, cause)


async def on_assessment(uow: UnitOfWork, event: CloudEvent, data: AssessmentRecorded) -> Outcome | None:
    await lock_people(uow, [data.person_id])
    if await uow.session.get(PlanningAssessment, data.assessment_id) is not None:
        return Outcome.DUPLICATE
    uow.session.add(
        PlanningAssessment(
            assessment_id=data.assessment_id,
            class_id=data.class_id,
            person_id=data.person_id,
            passed=data.passed,
            grade=data.grade,
            assessed_at=data.assessed_at,
        )
    )
    await uow.session.flush()
    await announce_record(uow, data.person_id, event)
    return None


async def on_certificate_issued(uow: UnitOfWork, event: CloudEvent, data: CertificateIssued) -> Outcome | None:
    return await _certificate(uow, event, data, valid=True, changed_at=data.issued_at, hours=data.hours)


async def on_certificate_revoked(uow: UnitOfWork, event: CloudEvent, data: CertificateRevoked) -> Outcome | None:
    return await _certificate(uow, event, data, valid=False, changed_at=data.revoked_at)


async def on_certificate_reinstated(uow: UnitOfWork, event: CloudEvent, data: CertificateReinstated) -> Outcome | None:
    return await _certificate(uow, event, data, valid=True, changed_at=data.reinstated_at)


async def _certificate(
    uow: UnitOfWork,
    event: CloudEvent,
    data: CertificateEvent,
    *,
    valid: bool,
    changed_at: datetime,
    hours: Decimal | None = None,
) -> Outcome | None:
    """Keep the certificate's newest revision (an older one arriving late changes nothing)."""
    await lock_people(uow, [data.person_id])
    stored = await uow.session.get(PlanningCertificate, data.certificate_number)
    if stored is not None and stored.revision >= data.revision:
        return Outcome.IGNORED
    await uow.session.merge(
        PlanningCertificate(
            certificate_number=data.certificate_number,
            revision=data.revision,
            person_id=data.person_id,
            class_id=data.class_id,
            valid=valid,
            changed_on=facts.beijing_day(changed_at),
            hours=hours if hours is not None else (stored.hours if stored is not None else None),
        )
    )
    await uow.session.flush()
    await announce_rotation(uow, data.person_id, event)
    await announce_record(uow, data.person_id, event)
    return None


async def on_survey_answered(uow: UnitOfWork, event: CloudEvent, data: SurveyAnswered) -> Outcome | None:
    if await uow.session.get(PlanningSurveyAnswer, (data.form_id, data.person_id)) is not None:
        return Outcome.DUPLICATE
    uow.session.add(
        PlanningSurveyAnswer(
            form_id=data.form_id,
            person_id=data.person_id,
            class_id=data.class_id,
            purpose=data.purpose,
            answered_at=data.answered_at,
        )
    )
    return None


async def on_standing(uow: UnitOfWork, event: CloudEvent, data: RequirementStandingChanged) -> Outcome | None:
    """The ledger's newest standing of a person in one requirement window (a later ``as_of`` wins)."""
    await lock_people(uow, [data.person_id])
    stored = await uow.session.get(PlanningStanding, (data.person_id, data.requirement, data.window_start))
    if stored is not None and stored.as_of > data.as_of:
        return Outcome.IGNORED
    await uow.session.merge(PlanningStanding.model_validate(data, from_attributes=True))
    await uow.session.flush()
    await announce_record(uow, data.person_id, event)
    return None


def install(handlers: EventHandlers) -> None:
    handlers.on(HoursCredited)(on_credited)
    handlers.on(HoursReversed)(on_reversed)
    handlers.on(AssessmentRecorded)(on_assessment)
    handlers.on(SurveyAnswered)(on_survey_answered)
    handlers.on(CertificateIssued)(on_certificate_issued)
    handlers.on(CertificateRevoked)(on_certificate_revoked)
    handlers.on(CertificateReinstated)(on_certificate_reinstated)
    handlers.on(RequirementStandingChanged)(on_standing)
