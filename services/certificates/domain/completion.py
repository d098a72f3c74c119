"""When a learner completes a class (结业), and what that means for their certificate (结业证书)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True)
class LedgerLine:
    """A 学时 ledger entry toward a class: positive when credited, negative when reversed."""

    entry_id: str
    hours: Decimal
    replaced_by_entry_id: str | None = None  # a correcting reversal names the credit that replaces it


def credited_hours(lines: Iterable[LedgerLine]) -> Decimal:
    """The class's 学时 as the ledger stands, counting a correction only once it is whole.

    A correction arrives as a reversal and then its replacing credit. In between, counting the reversal alone
    would show a shortfall that never was, and revoke a certificate only to issue it again under a new number.
    """
    lines = list(lines)
    received = {line.entry_id for line in lines}
    return sum(
        (line.hours for line in lines if line.replaced_by_entry_id is None or line.replaced_by_entry_id in received),
        Decimal(0),
    )


@dataclass(frozen=True)
class LearnerFacts:
    """Everything certificates knows about one learner in one class whose requirement is known."""

    required_hours: Decimal  # 学时 the class requires
    enrolled: bool
    credited_hours: Decimal  # 学时 credited to this class, reversals deducted
    assessment_passed: bool | None  # the 结业考核 that stands; None while none was recorded


@dataclass(frozen=True)
class Completion:
    completed: bool
    reason: str  # e.g. "24.00 of 24.00 学时 and 结业考核 passed"


def decide_completion(facts: LearnerFacts) -> Completion:
    """A learner completes a class when enrolled, credited its required 学时 and passed its 结业考核."""
    hours = f"{facts.credited_hours:.2f} of {facts.required_hours:.2f} 学时"
    shortfalls = []
    if not facts.enrolled:
        shortfalls.append("not enrolled in the class")
    if facts.credited_hours < facts.required_hours:
        shortfalls.append(f"only {hours}")
    if facts.assessment_passed is None:
        shortfalls.append("结业考核 not yet recorded")
    elif not facts.assessment_passed:
        shortfalls.append("结业考核 failed")
    if shortfalls:
        return Completion(completed=False, reason="; ".join(shortfalls))
    return Completion(completed=True, reason=f"{hours} and 结业考核 passed")


class CertificateAction(StrEnum):
    ISSUE = "issue"
    REVOKE = "revoke"
    NONE = "none"


def certificate_action(completion: Completion, *, holds_valid_certificate: bool) -> CertificateAction:
    """At most one valid certificate per learner and class, held exactly while the learner completes it.

    A certificate revoked because the facts changed stays revoked: completing again earns a new one.
    """
    if completion.completed and not holds_valid_certificate:
        return CertificateAction.ISSUE
    if not completion.completed and holds_valid_certificate:
        return CertificateAction.REVOKE
    return CertificateAction.NONE


def supersedes(assessed_at: datetime, assessment_id: str, current: tuple[datetime, str] | None) -> bool:
    """Whether an assessment replaces the one that stands: the later one does, whatever order they arrive in.

    Two assessed at the same instant are ordered by id, so every replay settles on the same one.
    """
    return current is None or (assessed_at, assessment_id) > current
