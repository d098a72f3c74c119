"""Certificates' event handlers: keep the fact, then decide again for each learner and class it touches.

Facts arrive from several topics in any order (hours before the class is known, an assessment before the
enrollment, …). No handler waits for another: each keeps what it heard and decides again from everything known so
far, in the same unit of work; a decision is taken once the class and the holder are known.

A decision derives from its cause: a certificate's number from a keyed hash of the learner, the class and which of
their certificates for it this is; its place in the status list from a keyed hash of its number (the first free of
its probes); its dates from the time of the event that caused it. Replaying the topics in the order the broker
appended them decides the same certificates under the same numbers, in the same places.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlmodel import col, select

from services.certificates.credentials.status_list import allocate_status_index, status_index_probes
from services.certificates.domain.completion import (
    CertificateAction,
    HeldCertificate,
    decide_certificate,
    describe_criteria,
    supersedes,
)
from services.certificates.domain.numbers import certificate_number
from services.certificates.facts import (
    certificate_dates,
    criteria_of,
    held_certificates,
    judge_learner,
    learner_lock,
    on_recovery_of,
)
from services.certificates.issuing import Issuing
from services.certificates.models import (
    Certificate,
    CertificateClass,
    CertificateEnrollment,
    CertificatePerson,
    CertificateProgress,
    CertificateSession,
    HoursEntry,
    HoursStatement,
    RequirementStanding,
    SessionAttendance,
)
from shared.consumer import Delivery, EventHandlers, Outcome
from shared.events.contracts.certificates import (
    CertificateIssued,
    CertificateReinstated,
    CertificateRevoked,
    HoursStatementIssued,
)
from shared.events.contracts.evaluation import AssessmentRecorded, SurveyAnswered
from shared.events.contracts.hours import (
    HoursCredited,
    HoursReversed,
    RequirementStandingChanged,
    SessionAttendanceChanged,
)
from shared.events.contracts.register import ClassChanged, EnrollmentChanged, PersonChanged, SessionChanged
from shared.events.envelope import CloudEvent
from shared.projection import Projection, Projections
from shared.unit_of_work import UnitOfWork

HUNDREDTHS = Decimal("0.01")  # 学时 as the ledger posts them
AFTER_CLASS_SURVEY = "after_class"  # 训后调研: the survey a class's completion may require


def certificate_handlers(issuing: Issuing) -> EventHandlers:
    """The handlers of every event certificates consumes, deciding with ``issuing``'s secret."""
    decisions = Decisions(issuing)
    handlers = EventHandlers()
    Projections(
        Projection(
            ClassChanged,
            CertificateClass,
            computed={
                "required_hours": lambda c: c.completion.required_hours,
                "max_absence_share": lambda c: c.completion.max_absence_share,
                "assessment_required": lambda c: c.completion.assessment_required,
                "survey_required": lambda c: c.completion.survey_required,
                "reissue_after_revocation": lambda c: c.completion.reissue_after_revocation,
                "certificate": lambda c: c.completion.certificate,
            },
            on_change=decisions.on_classes,
        ),
        Projection(PersonChanged, CertificatePerson, on_change=decisions.on_persons),
        Projection(EnrollmentChanged, CertificateEnrollment, on_change=decisions.on_enrollments),
        Projection(SessionChanged, CertificateSession, on_change=decisions.on_sessions),
    ).install(handlers)
    handlers.on(HoursCredited)(decisions.on_hours_credited)
    handlers.on(HoursReversed)(decisions.on_hours_reversed)
    handlers.on(SessionAttendanceChanged)(decisions.on_session_attendance)
    handlers.on(AssessmentRecorded)(decisions.on_assessment_recorded)
    handlers.on(SurveyAnswered)(decisions.on_survey_answered)
    handlers.on(RequirementStandingChanged)(on_requirement_standing)
    handlers.on(HoursStatementIssued)(on_hours_statement_issued)
    return handlers


async def on_requirement_standing(
    uow: UnitOfWork, event: CloudEvent, data: RequirementStandingChanged
) -> Outcome | None:
    await uow.lock(f"standing:{data.person_id}/{data.requirement}/{data.window_start}")
    stored = await uow.session.get(RequirementStanding, (data.person_id, data.requirement, data.window_start))
    if stored is not None and stored.revision >= data.revision:
        return Outcome.IGNORED  # the ledger has announced this standing, or a later one, already
    if stored is not None:
        await uow.session.delete(stored)
        await uow.session.flush()
    uow.session.add(RequirementStanding.model_validate(data, from_attributes=True))
    return None


async def on_hours_statement_issued(uow: UnitOfWork, event: CloudEvent, data: HoursStatementIssued) -> Outcome | None:
    # Our own event, read back: the statement is kept already, unless the service is being rebuilt.
    if await uow.session.get(HoursStatement, data.statement_number) is None:
        uow.session.add(statement_row(data))
    return None


def statement_row(data: HoursStatementIssued) -> HoursStatement:
    return HoursStatement.model_validate(data.model_dump(mode="json"))


class Decisions:
    """Issue, revoke or reinstate a learner's certificate for a class as everything known now says."""

    def __init__(self, issuing: Issuing) -> None:
        self._secret = issuing.secret

    # ── the register's changes: decide again for whom they concern ──

    async def on_classes(self, uow: UnitOfWork, deliveries: Sequence[Delivery[ClassChanged]]) -> None:
        for delivery in deliveries:
            await self.decide_class(uow, delivery.data.class_id, delivery.event)

    async def on_sessions(self, uow: UnitOfWork, deliveries: Sequence[Delivery[SessionChanged]]) -> None:
        for delivery in deliveries:
            await self.decide_class(uow, delivery.data.class_id, delivery.event)

    async def on_persons(self, uow: UnitOfWork, deliveries: Sequence[Delivery[PersonChanged]]) -> None:
        for delivery in deliveries:
            classes = await uow.session.exec(
                select(CertificateProgress.class_id)
                .where(CertificateProgress.person_id == delivery.data.person_id)
                .order_by(col(CertificateProgress.class_id))
            )
            for class_id in classes.all():
                await self.decide(uow, delivery.data.person_id, class_id, delivery.event)

    async def on_enrollments(self, uow: UnitOfWork, deliveries: Sequence[Delivery[EnrollmentChanged]]) -> None:
        for delivery in deliveries:
            await self.decide(uow, delivery.data.person_id, delivery.data.class_id, delivery.event)

    # ── facts from the ledger and from evaluation ──

    async def on_hours_credited(self, uow: UnitOfWork, event: CloudEvent, data: HoursCredited) -> Outcome | None:
        return await self.post_hours(
            uow,
            event,
            HoursEntry(
                entry_id=data.entry_id,
                person_id=data.person_id,
                class_id=data.class_id,
                year=data.year,
                hours=data.hours,
                channel=data.channel,
                category=data.category,
                trained_on=data.trained_on,
            ),
        )

    async def on_hours_reversed(self, uow: UnitOfWork, event: CloudEvent, data: HoursReversed) -> Outcome | None:
        return await self.post_hours(
            uow,
            event,
            HoursEntry(
                entry_id=data.entry_id,
                person_id=data.person_id,
                class_id=data.class_id,
                year=data.year,
                hours=-data.hours,
                replaced_by_entry_id=data.replaced_by_entry_id,
                channel=data.channel,
                category=data.category,
                trained_on=data.trained_on,
            ),
        )

    async def on_session_attendance(
        self, uow: UnitOfWork, event: CloudEvent, data: SessionAttendanceChanged
    ) -> Outcome | None:
        await uow.lock(learner_lock(data.person_id, data.class_id))
        stored = await uow.session.get(SessionAttendance, (data.person_id, data.session_id))
        if stored is not None and stored.revision >= data.revision:
            return Outcome.IGNORED  # an older judgement of this attendance than the one kept
        if stored is None:
            stored = SessionAttendance.model_validate(data, from_attributes=True)
        else:
            stored.class_id, stored.status, stored.revision = data.class_id, data.status, data.revision
        uow.session.add(stored)
        return await self.decide(uow, data.person_id, data.class_id, event)

    async def on_assessment_recorded(
        self, uow: UnitOfWork, event: CloudEvent, data: AssessmentRecorded
    ) -> Outcome | None:
        await uow.lock(learner_lock(data.person_id, data.class_id))
        progress = await self.progress(uow, data.person_id, data.class_id)
        standing = None
        if progress.assessed_at is not None and progress.assessment_id is not None:
            standing = (progress.assessed_at, progress.assessment_id)
        if not supersedes(data.assessed_at, data.assessment_id, standing):
            return Outcome.IGNORED  # an earlier assessment than the one that stands
        progress.assessment_id = data.assessment_id
        progress.assessment_passed = data.passed
        progress.assessment_grade = data.grade
        progress.assessed_at = data.assessed_at
        return await self.decide(uow, data.person_id, data.class_id, event)

    async def on_survey_answered(self, uow: UnitOfWork, event: CloudEvent, data: SurveyAnswered) -> Outcome | None:
        if data.purpose != AFTER_CLASS_SURVEY:
            return Outcome.IGNORED  # only the after-class survey is a completion criterion
        await uow.lock(learner_lock(data.person_id, data.class_id))
        progress = await self.progress(uow, data.person_id, data.class_id)
        if progress.survey_answered:
            return Outcome.IGNORED  # answered already (another after-class form, or the same again)
        progress.survey_answered = True
        return await self.decide(uow, data.person_id, data.class_id, event)

    async def progress(self, uow: UnitOfWork, person_id: str, class_id: str) -> CertificateProgress:
        """The learner's row in the class, created with the first fact about them."""
        progress = await uow.session.get(CertificateProgress, (person_id, class_id))
        if progress is None:
            progress = CertificateProgress(person_id=person_id, class_id=class_id)
            uow.session.add(progress)
        return progress

    async def post_hours(self, uow: UnitOfWork, event: CloudEvent, entry: HoursEntry) -> Outcome | None:
        """Keep a ledger entry and, for one toward a class, decide again."""
        if entry.class_id is not None:
            await uow.lock(learner_lock(entry.person_id, entry.class_id))
        if await uow.session.get(HoursEntry, entry.entry_id) is not None:
            return Outcome.DUPLICATE  # the same ledger entry again, under another event id
        uow.session.add(entry)
        if entry.class_id is None:
            return None  # 学时 outside any class (online study) count toward the year, not toward a certificate
        await self.progress(uow, entry.person_id, entry.class_id)
        return await self.decide(uow, entry.person_id, entry.class_id, event)

    async def decide_class(self, uow: UnitOfWork, class_id: str, cause: CloudEvent) -> None:
        """Decide again for every learner of the class, in the order of their ids."""
        learners = await uow.session.exec(
            select(CertificateProgress.person_id)
            .where(CertificateProgress.class_id == class_id)
            .order_by(col(CertificateProgress.person_id))
        )
        person_ids = list(learners.all())
        await uow.lock(*(learner_lock(person_id, class_id) for person_id in person_ids))
        for person_id in person_ids:
            await self.decide(uow, person_id, class_id, cause)

    async def decide(self, uow: UnitOfWork, person_id: str, class_id: str, cause: CloudEvent) -> Outcome | None:
        await uow.lock(learner_lock(person_id, class_id))
        await self.progress(uow, person_id, class_id)
        training_class = await uow.session.get(CertificateClass, class_id)
        holder = await uow.session.get(CertificatePerson, person_id)
        if training_class is None or holder is None:
            # The fact is kept; the decision is taken when both are known (their projections decide again). The
            # event is applied either way, so its inbox outcome does not depend on which topic was read first.
            return None
        await uow.session.flush()  # what this unit of work added is judged too
        judged = await judge_learner(uow.session, training_class, person_id)
        held = await held_certificates(uow.session, person_id, class_id)
        decision = decide_certificate(
            judged.completion,
            [HeldCertificate(c.certificate_number, c.revoked_at is None) for c in held],
            on_recovery_of(training_class),
            certifies=training_class.certificate,
        )
        by_number = {certificate.certificate_number: certificate for certificate in held}
        match decision.action:
            case CertificateAction.ISSUE:
                assert decision.ordinal is not None  # an issue says which of the learner's certificates it is
                await self._issue(uow, training_class, holder, judged.facts.credited_hours, decision.ordinal, cause)
            case CertificateAction.REVOKE:
                assert decision.number is not None
                self._revoke(uow, by_number[decision.number], decision.reason, cause)
            case CertificateAction.REINSTATE:
                assert decision.number is not None
                self._reinstate(uow, by_number[decision.number], decision.reason, cause)
            case CertificateAction.NONE:
                pass
        return None

    async def _issue(  # noqa: PLR0917 - what a certificate is made of
        self,
        uow: UnitOfWork,
        training_class: CertificateClass,
        holder: CertificatePerson,
        hours: Decimal,
        ordinal: int,
        cause: CloudEvent,
    ) -> None:
        number = certificate_number(
            self._secret,
            person_id=holder.person_id,
            class_id=training_class.class_id,
            year=training_class.year,
            ordinal=ordinal,
        )
        # No lock on the list: only two certificates whose probes meet could want the same index at once, and then
        # its unique constraint fails one of them, whose retry sees the index taken.
        status_list = str(training_class.year)
        probes = status_index_probes(self._secret, number)
        taken = await uow.session.exec(
            select(Certificate.status_index).where(
                Certificate.status_list == status_list, col(Certificate.status_index).in_(probes)
            )
        )
        taken_probes = set(taken.all())
        if len(taken_probes) == len(set(probes)):  # every probe taken: the whole list is needed to find a place
            everything = await uow.session.exec(
                select(Certificate.status_index).where(Certificate.status_list == status_list)
            )
            taken_probes = set(everything.all())
        starts_on, ends_on = await certificate_dates(uow.session, training_class, cause.time)
        certificate = Certificate(
            certificate_number=number,
            person_id=holder.person_id,
            class_id=training_class.class_id,
            ordinal=ordinal,
            holder_name=holder.name,
            class_title=training_class.title,
            category=training_class.category,
            hours=hours.quantize(HUNDREDTHS),
            required_hours=training_class.required_hours,
            criteria=describe_criteria(criteria_of(training_class)),
            starts_on=starts_on,
            ends_on=ends_on,
            issued_at=cause.time,
            status_list=status_list,
            status_index=allocate_status_index(self._secret, number, taken_probes),
            changed_at=cause.time,
        )
        uow.session.add(certificate)
        uow.emit(CertificateIssued.model_validate(certificate, from_attributes=True), cause=cause)

    def _revoke(self, uow: UnitOfWork, certificate: Certificate, reason: str, cause: CloudEvent) -> None:
        certificate.revoked_at = certificate.changed_at = cause.time
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

    def _reinstate(self, uow: UnitOfWork, certificate: Certificate, reason: str, cause: CloudEvent) -> None:
        certificate.revoked_at = certificate.revocation_reason = None
        certificate.reinstated_at = certificate.changed_at = cause.time
        certificate.revision += 1
        uow.session.add(certificate)
        uow.emit(
            CertificateReinstated(
                certificate_number=certificate.certificate_number,
                revision=certificate.revision,
                person_id=certificate.person_id,
                class_id=certificate.class_id,
                reason=reason,
                reinstated_at=cause.time,
            ),
            cause=cause,
        )
