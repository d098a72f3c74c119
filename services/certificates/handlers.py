"""Certificates' event handlers: store the fact, then decide again for each learner and class it touches.

Facts arrive from three topics in any order (hours before the class is known, an assessment before the
enrollment, …). No handler waits for another: each stores what it heard and re-decides from everything known
so far, in the same unit of work; a decision is taken once the class and the holder are known.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from sqlalchemy import ColumnElement
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
    CertificatePerson,
    CertificateProgress,
    HoursEntry,
)
from shared.consumer import EventHandlers, Outcome
from shared.db import utcnow
from shared.events.contracts import (
    AssessmentRecorded,
    CertificateIssued,
    CertificateRevoked,
    ClassCreated,
    HoursCredited,
    HoursReversed,
    PersonEnrolled,
    PersonRegistered,
)
from shared.events.envelope import CloudEvent
from shared.unit_of_work import UnitOfWork

handlers = EventHandlers()

# Certificate numbers must not be guessable. A collision of two numbers fails the unit of work on the primary
# key; the consumer's retry draws a new one.
_number_randomness = secrets.SystemRandom()


@handlers.on(ClassCreated)
async def on_class_created(uow: UnitOfWork, event: CloudEvent, data: ClassCreated) -> Outcome | None:
    if await uow.session.get(CertificateClass, data.class_id) is not None:
        return Outcome.DUPLICATE
    uow.session.add(
        CertificateClass(
            class_id=data.class_id,
            title=data.title,
            category=data.category,
            year=data.year,
            required_hours=data.required_hours,
        )
    )
    await _decide_for_all(uow, col(CertificateProgress.class_id) == data.class_id)
    return None


@handlers.on(PersonRegistered)
async def on_person_registered(uow: UnitOfWork, event: CloudEvent, data: PersonRegistered) -> Outcome | None:
    if await uow.session.get(CertificatePerson, data.person_id) is not None:
        return Outcome.DUPLICATE
    uow.session.add(CertificatePerson(person_id=data.person_id, name=data.name))
    await _decide_for_all(uow, col(CertificateProgress.person_id) == data.person_id)
    return None


@handlers.on(PersonEnrolled)
async def on_person_enrolled(uow: UnitOfWork, event: CloudEvent, data: PersonEnrolled) -> Outcome | None:
    progress = await _locked_progress(uow, data.person_id, data.class_id)
    if progress.enrolled:
        return Outcome.DUPLICATE
    progress.enrolled = True
    return await _decide(uow, progress)


@handlers.on(HoursCredited)
async def on_hours_credited(uow: UnitOfWork, event: CloudEvent, data: HoursCredited) -> Outcome | None:
    return await _post_hours(uow, data.entry_id, data.person_id, data.class_id, data.hours)


@handlers.on(HoursReversed)
async def on_hours_reversed(uow: UnitOfWork, event: CloudEvent, data: HoursReversed) -> Outcome | None:
    return await _post_hours(
        uow, data.entry_id, data.person_id, data.class_id, -data.hours, replaced_by=data.replaced_by_entry_id
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
    return await _decide(uow, progress)


async def _post_hours(
    uow: UnitOfWork,
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
    return await _decide(uow, await _locked_progress(uow, person_id, class_id))


async def _locked_progress(uow: UnitOfWork, person_id: str, class_id: str) -> CertificateProgress:
    """The learner's row in the class, locked until commit; created with the first fact about them.

    Should a concurrent event create it first, this unit of work fails on the key and the consumer retries it.
    """
    progress = await uow.session.get(CertificateProgress, (person_id, class_id), with_for_update=True)
    if progress is None:
        progress = CertificateProgress(person_id=person_id, class_id=class_id)
        uow.session.add(progress)
    return progress


async def _decide_for_all(uow: UnitOfWork, learners: ColumnElement[bool]) -> None:
    """Decide again for the matching learners: those whose facts waited for the class or person just learned."""
    progress_rows = await uow.session.exec(select(CertificateProgress).where(learners).with_for_update())
    for progress in progress_rows.all():
        await _decide(uow, progress)


async def _decide(uow: UnitOfWork, progress: CertificateProgress) -> Outcome | None:
    """Issue or revoke the learner's certificate for the class as everything known now says.

    ``progress`` is locked: whatever another event about this learner and class committed is seen here.
    """
    person_id, class_id = progress.person_id, progress.class_id
    training_class = await uow.session.get(CertificateClass, class_id)
    holder = await uow.session.get(CertificatePerson, person_id)
    if training_class is None or holder is None:
        return Outcome.PARKED  # a certificate names its class and holder: decided once both are known
    entries = await uow.session.exec(
        select(HoursEntry).where(HoursEntry.person_id == person_id, HoursEntry.class_id == class_id)
    )
    # Summed here, not by the database: SQLite would add them up as floats.
    credited = credited_hours(
        LedgerLine(entry.entry_id, entry.hours, entry.replaced_by_entry_id) for entry in entries.all()
    )
    completion = decide_completion(
        LearnerFacts(
            required_hours=training_class.required_hours,
            enrolled=progress.enrolled,
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
            _issue(uow, training_class, holder, credited)
        case CertificateAction.REVOKE:
            assert valid is not None  # revoking is only ever the answer for a valid certificate
            _revoke(uow, valid, completion.reason)
        case CertificateAction.NONE:
            pass
    return None


def _issue(uow: UnitOfWork, training_class: CertificateClass, holder: CertificatePerson, hours: Decimal) -> None:
    certificate = Certificate(
        certificate_number=new_certificate_number(training_class.year, _number_randomness),
        person_id=holder.person_id,
        class_id=training_class.class_id,
        holder_name=holder.name,
        class_title=training_class.title,
        category=training_class.category,
        hours=hours,
        issued_at=utcnow(),
    )
    uow.session.add(certificate)
    uow.emit(CertificateIssued.model_validate(certificate, from_attributes=True))


def _revoke(uow: UnitOfWork, certificate: Certificate, reason: str) -> None:
    revoked_at = utcnow()
    certificate.revoked_at = revoked_at
    certificate.revocation_reason = reason
    uow.session.add(certificate)
    uow.emit(
        CertificateRevoked(
            certificate_number=certificate.certificate_number,
            person_id=certificate.person_id,
            class_id=certificate.class_id,
            reason=reason,
            revoked_at=revoked_at,
        )
    )
