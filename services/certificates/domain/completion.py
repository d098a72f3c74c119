"""When a learner completes a class (结业) by the criteria the class declares, and what that means for their
certificate (结业证书): issue it, revoke it, reinstate it, or leave it as it is.

Every criterion answers met or not together with its figures, in words the school reads
("22.5 of 24 学时", "absent 1 of 12 sessions …", "结业考核 良好", "survey answered"), so the same result explains
a learner's standing on the completion page and a revocation in the certificate's history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

# Which rule judged a completion, stored with what it decided; a change of rule is a new version.
COMPLETION_RULE = "class-criteria/v1"
# Attendance statuses that count as missing a session under class-criteria/v1: leave (请假) counts toward the
# absence limit as much as an unexcused absence does; late arrival and leaving early cost 学时, not attendance.
MISSED_STATUSES = frozenset({"absent", "excused"})


class CompletionError(ValueError):
    """Criteria or facts that cannot be judged; the message says what is wrong."""


class Enrollment(StrEnum):
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"  # 退学/退班: a withdrawn learner is not enrolled
    NOT_ENROLLED = "not_enrolled"


class OnRecovery(StrEnum):
    """What a class does when a learner whose certificate was revoked completes it again."""

    REINSTATE = "reinstate"  # the revoked certificate is valid again, under the same number
    REISSUE = "reissue"  # the revoked certificate stays revoked; a new one, with a new number, is issued


@dataclass(frozen=True)
class CompletionCriteria:
    """The completion criteria (结业条件) a class declares."""

    required_hours: Decimal  # 学时 (training hours) to be credited
    max_absence_share: Decimal | None = None  # most of the scheduled 学时 a learner may miss, e.g. 0.1; None: no limit
    assessment_required: bool = True  # 结业考核 passed
    survey_required: bool = False  # the after-class survey (训后问卷) answered
    on_recovery: OnRecovery = OnRecovery.REINSTATE

    def __post_init__(self) -> None:
        if self.required_hours < 0:
            raise CompletionError(f"required 学时 cannot be negative, got {self.required_hours}")
        if self.max_absence_share is not None and not Decimal(0) <= self.max_absence_share <= Decimal(1):
            raise CompletionError(
                f"maximum absence is a share of the scheduled 学时 between 0 and 1, got {self.max_absence_share}"
            )


@dataclass(frozen=True)
class ScheduledSession:
    """A session of the class and how the learner attended it."""

    session_id: str
    hours: Decimal  # 学时 scheduled
    attendance: str | None  # present, late, left_early, absent, excused; None while nothing is recorded

    def __post_init__(self) -> None:
        if self.hours < 0:
            raise CompletionError(f"session {self.session_id} cannot be scheduled for {self.hours} 学时")


@dataclass(frozen=True)
class Assessment:
    """The 结业考核 that stands, as evaluation recorded it."""

    passed: bool
    grade: str | None = None  # in the school's words: 优秀, 良好, 合格, 不合格, or a score


@dataclass(frozen=True)
class LearnerFacts:
    """Everything certificates knows about one learner in one class."""

    enrollment: Enrollment
    credited_hours: Decimal  # 学时 credited to this class, reversals deducted
    sessions: tuple[ScheduledSession, ...]  # every scheduled session of the class
    assessment: Assessment | None  # None while no 结业考核 is recorded
    survey_answered: bool


class Criterion(StrEnum):
    ENROLLED = "enrolled"
    HOURS = "hours"
    ABSENCE = "absence"
    ASSESSMENT = "assessment"
    SURVEY = "survey"


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    met: bool
    figures: str  # e.g. "22.5 of 24 学时"


@dataclass(frozen=True)
class Completion:
    """Each criterion the class declares, met or not, and the rule that judged them."""

    rule: str
    results: tuple[CriterionResult, ...]

    @property
    def completed(self) -> bool:
        return all(result.met for result in self.results)

    @property
    def reason(self) -> str:
        """Every criterion's figures: "22.5 of 24 学时; absent 1 of 12 sessions …; 结业考核 良好; survey answered"."""
        return "; ".join(result.figures for result in self.results)

    @property
    def shortfalls(self) -> str:
        """The figures of the criteria not met; empty when the learner completes."""
        return "; ".join(result.figures for result in self.results if not result.met)


def hours_text(hours: Decimal) -> str:
    """``24`` rather than ``24.00``, ``22.5`` rather than ``22.50``: for reasons people read."""
    return f"{hours.normalize():f}"


def describe_criteria(criteria: CompletionCriteria) -> str:
    """The criteria in the school's words, as a certificate's criteria narrative states them."""
    parts = [f"修满{hours_text(criteria.required_hours)}学时"]
    if criteria.max_absence_share is not None:
        parts.append(f"缺勤（含请假）不超过计划学时的{hours_text(criteria.max_absence_share * 100)}%")
    if criteria.assessment_required:
        parts.append("结业考核合格")
    if criteria.survey_required:
        parts.append("完成训后问卷")
    return "结业条件：" + "；".join(parts) + "。"


def judge_completion(criteria: CompletionCriteria, facts: LearnerFacts) -> Completion:
    """Judge a learner against the class's criteria (class-criteria/v1): every criterion, met or not."""
    results = [
        _enrollment(facts.enrollment),
        CriterionResult(
            Criterion.HOURS,
            facts.credited_hours >= criteria.required_hours,
            f"{hours_text(facts.credited_hours)} of {hours_text(criteria.required_hours)} 学时",
        ),
    ]
    if criteria.max_absence_share is not None:
        results.append(_absence(facts.sessions, criteria.max_absence_share))
    if criteria.assessment_required:
        results.append(_assessment(facts.assessment))
    if criteria.survey_required:
        answered = facts.survey_answered
        results.append(CriterionResult(Criterion.SURVEY, answered, f"survey {'' if answered else 'not '}answered"))
    return Completion(COMPLETION_RULE, tuple(results))


def _enrollment(enrollment: Enrollment) -> CriterionResult:
    match enrollment:
        case Enrollment.ENROLLED:
            return CriterionResult(Criterion.ENROLLED, True, "enrolled")
        case Enrollment.WITHDRAWN:
            return CriterionResult(Criterion.ENROLLED, False, "withdrawn from the class")
        case Enrollment.NOT_ENROLLED:
            return CriterionResult(Criterion.ENROLLED, False, "not enrolled in the class")


def _absence(sessions: Sequence[ScheduledSession], max_share: Decimal) -> CriterionResult:
    missed = [session for session in sessions if session.attendance in MISSED_STATUSES]
    scheduled_hours = sum((session.hours for session in sessions), Decimal(0))
    missed_hours = sum((session.hours for session in missed), Decimal(0))
    # Compared as a product, not a quotient, so that exactly on the limit is exactly on it.
    within = missed_hours <= max_share * scheduled_hours
    limit = f"{hours_text(max_share * 100)}%"
    return CriterionResult(
        Criterion.ABSENCE,
        within,
        f"absent {len(missed)} of {len(sessions)} sessions "
        f"({hours_text(missed_hours)} of {hours_text(scheduled_hours)} scheduled 学时, "
        f"{'within' if within else 'more than'} the {limit} allowed)",
    )


def _assessment(assessment: Assessment | None) -> CriterionResult:
    if assessment is None:
        return CriterionResult(Criterion.ASSESSMENT, False, "结业考核 not yet recorded")
    outcome = "passed" if assessment.passed else "not passed"
    figures = f"结业考核 {assessment.grade}" if assessment.grade else f"结业考核 {outcome}"
    if assessment.grade and not assessment.passed:
        figures += f" ({outcome})"  # a grade alone does not say that it fails
    return CriterionResult(Criterion.ASSESSMENT, assessment.passed, figures)


class CertificateAction(StrEnum):
    ISSUE = "issue"
    REVOKE = "revoke"
    REINSTATE = "reinstate"
    NONE = "none"


@dataclass(frozen=True)
class HeldCertificate:
    """A certificate the learner was issued for the class, valid or revoked."""

    number: str
    valid: bool


@dataclass(frozen=True)
class CertificateDecision:
    action: CertificateAction
    reason: str
    number: str | None = None  # the certificate revoked or reinstated
    ordinal: int | None = None  # an issued certificate's place among the learner's certificates for the class

    @property
    def changes_anything(self) -> bool:
        return self.action is not CertificateAction.NONE


def decide_certificate(
    completion: Completion, held: Sequence[HeldCertificate], on_recovery: OnRecovery, *, certifies: bool = True
) -> CertificateDecision:
    """At most one valid certificate per learner and class, valid exactly while the learner completes the class.

    ``held`` are the learner's certificates for the class, oldest first. When the facts flip back after a
    revocation the last certificate is reinstated under its number, unless the class re-issues. A class that
    issues no 结业证书 (``certifies`` false: a 党支部's own study) issues none, and revokes one it stopped issuing.
    """
    valid = [certificate for certificate in held if certificate.valid]
    if len(valid) > 1 or (valid and valid[0] is not held[-1]):
        raise CompletionError(
            f"a learner holds at most one valid certificate per class, the latest; got {[c.number for c in held]}"
        )
    latest = held[-1] if held else None
    if not (certifies and completion.completed):
        if latest is not None and latest.valid:
            why = f"no longer completes: {completion.shortfalls}" if certifies else "the class issues no 结业证书 now"
            return CertificateDecision(CertificateAction.REVOKE, why, latest.number)
        why = f"does not complete: {completion.shortfalls}" if certifies else "the class issues no 结业证书"
        return CertificateDecision(CertificateAction.NONE, why)
    if latest is None:
        return CertificateDecision(CertificateAction.ISSUE, f"completes: {completion.reason}", ordinal=0)
    if latest.valid:
        return CertificateDecision(CertificateAction.NONE, f"holds valid certificate {latest.number}")
    if on_recovery is OnRecovery.REINSTATE:
        return CertificateDecision(CertificateAction.REINSTATE, f"completes again: {completion.reason}", latest.number)
    return CertificateDecision(
        CertificateAction.ISSUE,
        f"completes again: {completion.reason}; the class re-issues rather than reinstating {latest.number}",
        ordinal=len(held),
    )


@dataclass(frozen=True)
class LedgerLine:
    """A 学时 ledger entry toward a class: positive when credited, negative when reversed."""

    entry_id: str
    hours: Decimal
    replaced_by_entry_id: str | None = None  # a correcting reversal names the credit that replaces it


def counted_lines(lines: Iterable[LedgerLine]) -> list[LedgerLine]:
    """The ledger lines that count as the ledger stands: a correction only once it is whole.

    A correction arrives as a reversal and then its replacing credit. In between, counting the reversal alone
    would show a shortfall that never was, and revoke a certificate only to reinstate it.
    """
    lines = list(lines)
    received = {line.entry_id for line in lines}
    return [line for line in lines if line.replaced_by_entry_id is None or line.replaced_by_entry_id in received]


def credited_hours(lines: Iterable[LedgerLine]) -> Decimal:
    """The 学时 of ``lines`` as the ledger stands (``counted_lines``)."""
    return sum((line.hours for line in counted_lines(lines)), Decimal(0))


def supersedes(assessed_at: datetime, assessment_id: str, current: tuple[datetime, str] | None) -> bool:
    """Whether an assessment replaces the one that stands: the later one does, whatever order they arrive in.

    Two assessed at the same instant are ordered by id, so every replay settles on the same one.
    """
    return current is None or (assessed_at, assessment_id) > current
