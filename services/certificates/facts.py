"""What certificates knows about a learner in a class, read from its tables into the domain's terms, and judged:
the same judgement decides a certificate and answers the completion page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.certificates.domain.completion import (
    Assessment,
    Completion,
    CompletionCriteria,
    Enrollment,
    LearnerFacts,
    LedgerLine,
    OnRecovery,
    ScheduledSession,
    credited_hours,
    judge_completion,
)
from services.certificates.models import (
    Certificate,
    CertificateClass,
    CertificateEnrollment,
    CertificateProgress,
    CertificateSession,
    HoursEntry,
    SessionAttendance,
)

BEIJING = ZoneInfo("Asia/Shanghai")  # the school keeps its books in Beijing time
CANCELLED = "cancelled"  # a cancelled session schedules no 学时
APPROVED, WITHDRAWN = "approved", "withdrawn"
# Grades of the 结业考核 as evaluation sends them (codes), in the school's words; a newer code prints as itself.
GRADE_LABELS = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}


def learner_lock(person_id: str, class_id: str) -> str:
    """Decisions about one learner in one class take turns."""
    return f"learner:{person_id}/{class_id}"


def criteria_of(training_class: CertificateClass) -> CompletionCriteria:
    return CompletionCriteria(
        required_hours=training_class.required_hours,
        max_absence_share=training_class.max_absence_share,
        assessment_required=training_class.assessment_required,
        survey_required=training_class.survey_required,
        on_recovery=on_recovery_of(training_class),
    )


def on_recovery_of(training_class: CertificateClass) -> OnRecovery:
    return OnRecovery.REISSUE if training_class.reissue_after_revocation else OnRecovery.REINSTATE


@dataclass(frozen=True)
class Judged:
    facts: LearnerFacts
    completion: Completion


async def judge_learner(session: AsyncSession, training_class: CertificateClass, person_id: str) -> Judged:
    """The learner judged against the class's criteria by everything known now."""
    class_id = training_class.class_id
    enrollments = await session.exec(
        select(CertificateEnrollment.status).where(
            CertificateEnrollment.person_id == person_id, CertificateEnrollment.class_id == class_id
        )
    )
    entries = await session.exec(
        select(HoursEntry).where(HoursEntry.person_id == person_id, HoursEntry.class_id == class_id)
    )
    progress = await session.get(CertificateProgress, (person_id, class_id))
    facts = LearnerFacts(
        enrollment=_enrollment(set(enrollments.all())),
        # Summed here, not by the database: SQLite would add them up as floats.
        credited_hours=credited_hours(
            LedgerLine(entry.entry_id, entry.hours, entry.replaced_by_entry_id) for entry in entries.all()
        ),
        sessions=await _sessions(session, class_id, person_id),
        assessment=_assessment(progress),
        survey_answered=progress is not None and progress.survey_answered,
    )
    return Judged(facts, judge_completion(criteria_of(training_class), facts))


def _enrollment(statuses: set[str]) -> Enrollment:
    if APPROVED in statuses:
        return Enrollment.ENROLLED
    return Enrollment.WITHDRAWN if WITHDRAWN in statuses else Enrollment.NOT_ENROLLED


def _assessment(progress: CertificateProgress | None) -> Assessment | None:
    if progress is None or progress.assessment_passed is None:
        return None
    grade = progress.assessment_grade
    return Assessment(progress.assessment_passed, GRADE_LABELS.get(grade, grade) if grade else None)


async def _sessions(session: AsyncSession, class_id: str, person_id: str) -> tuple[ScheduledSession, ...]:
    scheduled = await session.exec(
        select(CertificateSession)
        .where(CertificateSession.class_id == class_id, CertificateSession.status != CANCELLED)
        .order_by(col(CertificateSession.starts_at), col(CertificateSession.session_id))
    )
    attended = await session.exec(
        select(SessionAttendance).where(
            SessionAttendance.person_id == person_id, SessionAttendance.class_id == class_id
        )
    )
    status_of = {row.session_id: row.status for row in attended.all()}
    return tuple(
        ScheduledSession(row.session_id, row.hours, _recorded(status_of.get(row.session_id))) for row in scheduled.all()
    )


def _recorded(status: str | None) -> str | None:
    return None if status in (None, "none") else status  # "none": every report of it was voided


async def held_certificates(session: AsyncSession, person_id: str, class_id: str) -> list[Certificate]:
    """The learner's certificates for the class, oldest first."""
    rows = await session.exec(
        select(Certificate)
        .where(Certificate.person_id == person_id, Certificate.class_id == class_id)
        .order_by(col(Certificate.ordinal))
    )
    return list(rows.all())


async def certificate_dates(
    session: AsyncSession, training_class: CertificateClass, issued_at: datetime
) -> tuple[date, date]:
    """The days a certificate says the class ran: as the class declares them, else its first and last sessions'
    days, else the day of issue (Beijing dates)."""
    days = await session.exec(
        select(CertificateSession.starts_at)
        .where(CertificateSession.class_id == training_class.class_id, CertificateSession.status != CANCELLED)
        .order_by(col(CertificateSession.starts_at))
    )
    session_days = [moment.astimezone(BEIJING).date() for moment in days.all()]
    issued_on = issued_at.astimezone(BEIJING).date()
    starts_on = training_class.starts_on or (session_days[0] if session_days else issued_on)
    ends_on = training_class.ends_on or (session_days[-1] if session_days else issued_on)
    return starts_on, max(starts_on, ends_on)
