"""Certificates' event handlers: store the fact, then decide again for each learner and class it touches.

Facts arrive from several topics in any order (hours before the class is known, an assessment before the
enrollment, …). No handler waits for another: each stores what it heard and re-decides from everything known
so far, in the same unit of work; a decision is taken once the class and the holder are known.

A decision derives from its cause: the certificate number from a keyed hash of the learner, the class and how many
certificates they held before, the dates from the time of the event that caused it. Replaying the topics decides
the same certificates under the same numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select

from services.certificates.domain.completion import (
    CertificateAction,
    LearnerFacts,
    LedgerLine,
    certificate_action,
    credited_hours,
    decide_completion,
    supersedes,
)
from services.certificates.domain.numbers import new_certificate_number
from services.certificates.models import (
    Certificate,
    CertificateClass,
    CertificateEnrollment,
    CertificatePerson,
    CertificateProgress,
    HoursEntry,
)
from shared.consumer import Delivery, EventHandlers, Outcome
from shared.events.contracts.certificates import CertificateIssued, CertificateRevoked
from shared.events.contracts.evaluation import AssessmentRecorded
from shared.events.contracts.hours import HoursCredited, HoursReversed
from shared.events.contracts.register import ClassChanged, EnrollmentChanged, PersonChanged
from shared.events.envelope import CloudEvent
from shared.projection import Projection, Projections
from shared.unit_of_work import UnitOfWork


async def _decide_for_class(uow: UnitOfWork, deliveries: Sequence[Delivery[ClassChanged]]) -> None:
    for delivery in deliveries:
        await _decide_for_all(uow, col(CertificateProgress.class_id) == delivery.data.class_id, delivery.event)


async def _decide_for_person(uow: UnitOfWork, deliveries: Sequence[Delivery[PersonChanged]]) -> None:
    for delivery in deliveries:
        await _decide_for_all(uow, col(CertificateProgress.person_id) == delivery.data.person_id, delivery.event)


async def _decide_for_enrollment(uow: UnitOfWork, deliveries: Sequence[Delivery[EnrollmentChanged]]) -> None:
    for delivery in deliveries:
        progress = await _locked_progress(uow, delivery.data.person_id, delivery.data.class_id)
        await _decide(uow, progress, delivery.event)


PROJECTIONS = Projections(
    Projection(
        ClassChanged,
        CertificateClass,
        computed={"required_hours": lambda c: c.completion.required_hours},
        on_change=_decide_for_class,
    ),
    Projection(PersonChanged, CertificatePerson, on_change=_decide_for_person),
    Projection(EnrollmentChanged, CertificateEnrollment, on_change=_decide_for_enrollment),
)
handlers = EventHandlers()
PROJECTIONS.install(handlers)


@handlers.on(HoursCredited)
async def on_hours_credited(uow: UnitOfWork, event: CloudEvent, data: HoursCredited) -> Outcome | None:
    return await _post_hours(uow, event, data.entry_id, data.person_id, data.class_id, data.hours)


@handlers.on(HoursReversed)
async def on_hours_reversed(uow: UnitOfWork, event: CloudEvent, data: HoursReversed) -> Outcome | None:
    return await _post_hours(
        uow, event, data.entry_id, data.person_id, data.class_id, -data.hours, replaced_by=data.replaced_by_entry_id
    )


@handlers.on(AssessmentRecorded)
async def on_assessment_recorded(uow: UnitOfWork, event: CloudEvent, data: AssessmentRecorded) -> Outcome | None:
    progress = await _locked_progress(uow, data.person_id, data.class_id)
    standing = None
    if progress.assessed_at is not None and progress.assessment_id is not None:
        standing = (progress.assessed_at, progress.assessment_id)
    if not supersedes(data.assessed_at, data.assessment_id, standing):
        return Outcome.IGNORED  # an earlier assessment than the one that stands
    progress.assessment_id = data.assessment_id
    progress.assessment_passed = data.passed
    progress.assessed_at = data.assessed_at
    return await _decide(uow, progress, event)


async def _post_hours(  # noqa: PLR0917 - the fields of a ledger line
    uow: UnitOfWork,
    event: CloudEvent,
    entry_id: str,
    person_id: str,
    class_id: str | None,
    hours: Decimal,
    *,
    replaced_by: str | None = None,
) -> Outcome | None:
    """Store a ledger entry and decide again; ``replaced_by`` is the credit that follows a correcting reversal."""
    if class_id is None:
        return Outcome.IGNORED  # 学时 outside any class (e.g. online study) count toward no certificate
    if await uow.session.get(HoursEntry, entry_id) is not None:
        return Outcome.DUPLICATE  # the same ledger entry again, under another event id
    uow.session.add(
        HoursEntry(
            entry_id=entry_id, person_id=person_id, class_id=class_id, hours=hours, replaced_by_entry_id=replaced_by
        )
    )
    return await _decide(uow, await _locked_progress(uow, person_id, class_id), event)


async def _locked_progress(uow: UnitOfWork, person_id: str, class_id: str) -> CertificateProgress:
    """The learner's row in the class, locked until commit; created with the first fact about them.

    Should a concurrent event create it first, this unit of work fails on the key and the consumer retries it.
    """
    progress = await uow.session.get(CertificateProgress, (person_id, class_id), with_for_update=True)
    if progress is None:
        progress = CertificateProgress(person_id=person_id, class_id=class_id)
        uow.session.add(progress)
    return progress


async def _decide_for_all(uow: UnitOfWork, learners: ColumnElement[bool], cause: CloudEvent) -> None:
    """Decide again for the matching learners: those whose facts waited for the class or person just learned."""
    progress_rows = await uow.session.exec(select(CertificateProgress).where(learners).with_for_update())
    for progress in progress_rows.all():
        await _decide(uow, progress, cause)


async def _decide(uow: UnitOfWork, progress: CertificateProgress, cause: CloudEvent) -> Outcome | None:
    """Issue or revoke the learner's certificate for the class as everything known now says.

    ``progress`` is locked: whatever another event about this learner and class committed is seen here.
    """
    person_id, class_id = progress.person_id, progress.class_id
    training_class = await uow.session.get(CertificateClass, class_id)
    holder = await uow.session.get(CertificatePerson, person_id)
    if training_class is None or holder is None:
        return Outcome.PARKED  # a certificate names its class and holder: decided once both are known
    await uow.session.flush()  # hours entries added by this unit of work are summed too
    entries = await uow.session.exec(
        select(HoursEntry).where(HoursEntry.person_id == person_id, HoursEntry.class_id == class_id)
    )
    # Summed here, not by the database: SQLite would add them up as floats.
    credited = credited_hours(
        LedgerLine(entry.entry_id, entry.hours, entry.replaced_by_entry_id) for entry in entries.all()
    )
    enrollment = (
        await uow.session.exec(
            select(CertificateEnrollment).where(
                CertificateEnrollment.person_id == person_id, CertificateEnrollment.class_id == class_id
            )
        )
    ).first()
    completion = decide_completion(
        LearnerFacts(
            required_hours=training_class.required_hours,
            enrolled=enrollment is not None and enrollment.status == "approved",
            credited_hours=credited,
            assessment_passed=progress.assessment_passed,
        )
    )
    valid = (
        await uow.session.exec(
            select(Certificate).where(
                Certificate.person_id == person_id,
                Certificate.class_id == class_id,
                col(Certificate.revoked_at).is_(None),
            )
        )
    ).first()
    match certificate_action(completion, holds_valid_certificate=valid is not None):
        case CertificateAction.ISSUE:
            await _issue(uow, training_class, holder, credited, cause)
        case CertificateAction.REVOKE:
            assert valid is not None  # revoking is only ever the answer for a valid certificate
            _revoke(uow, valid, completion.reason, cause)
        case CertificateAction.NONE:
            pass
    return None


async def _issue(
    uow: UnitOfWork, training_class: CertificateClass, holder: CertificatePerson, hours: Decimal, cause: CloudEvent
) -> None:
    held_before = (
        await uow.session.exec(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.person_id == holder.person_id, Certificate.class_id == training_class.class_id)
        )
    ).one()
    certificate = Certificate(
        certificate_number=new_certificate_number(
            training_class.year, _randomness(holder.person_id, training_class.class_id, held_before)
        ),
        person_id=holder.person_id,
        class_id=training_class.class_id,
        holder_name=holder.name,
        class_title=training_class.title,
        category=training_class.category,
        hours=hours,
        issued_at=cause.time,
    )
    uow.session.add(certificate)
    uow.emit(CertificateIssued.model_validate(certificate, from_attributes=True), cause=cause)


def _revoke(uow: UnitOfWork, certificate: Certificate, reason: str, cause: CloudEvent) -> None:
    certificate.revoked_at = cause.time
    certificate.revocation_reason = reason
    certificate.revision += 1
    uow.session.add(certificate)
    uow.emit(
        CertificateRevoked(
            certificate_number=certificate.certificate_number,
            revision=certificate.revision,
            person_id=certificate.person_id,
            class_id=certificate.class_id,
            reason=reason,
            revoked_at=cause.time,
        ),
        cause=cause,
    )


# Certificate numbers must not be guessable, and a replay must derive the same ones: their random part is drawn
# from a generator seeded with a keyed hash (the key is the deployment's secret) of the learner, the class and how
# many certificates the learner held in it before.
_NUMBER_KEY = b"dangxiao-certificate-numbers"


def _randomness(person_id: str, class_id: str, held_before: int) -> random.Random:
    seed = hmac.new(_NUMBER_KEY, f"{person_id}\n{class_id}\n{held_before}".encode(), hashlib.sha256).digest()
    return random.Random(seed)
