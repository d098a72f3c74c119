"""Others' facts as planning reads them, and how they stand once corrections and revocations are applied.

The register's persons, organisations, classes and enrollments; the ledger's credits and reversals; evaluation's
assessments; certificates' issues and revocations. The service fills these from its projections of the events;
the rules in the other modules read nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MEMBER_STATUSES = frozenset({"full_member", "probationary_member"})  # 正式党员, 预备党员
PROBATIONARY = "probationary_member"


class PlanningError(ValueError):
    """Facts or settings a planning rule cannot work with; the message says what is wrong."""


def hours_text(hours: Decimal) -> str:
    """``24`` rather than ``24.00``, ``2.5`` rather than ``2.50``: for reasons people read."""
    return f"{hours.normalize():f}"


def counted(number: int, noun: str) -> str:
    """``1 day``, ``3 days``: for reasons people read."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def percentage(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent to one decimal, rounded half up as the school reports; None of nothing."""
    if whole == 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def require_money(amount: Decimal, what: str) -> None:
    """Money is yuan to the cent, never negative: refuse anything else rather than round it."""
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise PlanningError(f"{what} must be an amount in yuan to the cent, not below zero; got {amount}")


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# ── the register ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Held:
    """A status or position held from ``since`` until (not including) ``until``; open-ended while None."""

    code: str
    since: date
    until: date | None = None

    def __post_init__(self) -> None:
        if self.until is not None and self.until <= self.since:
            raise PlanningError(f"{self.code} held from {self.since} must end after it, not on {self.until}")

    def holds_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


@dataclass(frozen=True)
class Person:
    """A person of the register and what planning rules need of them; statuses and positions effective-dated."""

    person_id: str
    name: str
    unit_id: str | None = None
    branch_id: str | None = None  # the 党支部 of a member or applicant
    statuses: tuple[Held, ...] = ()  # political status (政治面貌) over time
    positions: tuple[Held, ...] = ()
    active: bool = True  # false once the person has left the school

    def status_on(self, day: date) -> str | None:
        """Their political status on ``day``; of periods that overlap by mistake, the one begun last."""
        held = [period for period in self.statuses if period.holds_on(day)]
        return max(held, key=lambda period: period.since).code if held else None

    def positions_on(self, day: date) -> frozenset[str]:
        return frozenset(period.code for period in self.positions if period.holds_on(day))

    def is_member_on(self, day: date) -> bool:
        return self.active and self.status_on(day) in MEMBER_STATUSES

    def first_held(self, codes: Iterable[str], on_or_before: date) -> date | None:
        """The first day they held any of these statuses, looking no later than ``on_or_before``."""
        codes = frozenset(codes)
        starts = [p.since for p in self.statuses if p.code in codes and p.since <= on_or_before]
        return min(starts, default=None)


@dataclass(frozen=True)
class Organisation:
    """A unit (部门/学院) or Party organisation: party_committee (党委), general_branch (党总支), branch (党支部)."""

    org_id: str
    kind: str
    name: str
    parent_id: str | None = None


def ancestors(org_id: str, organisations: Mapping[str, Organisation]) -> tuple[str, ...]:
    """The organisations above ``org_id``, nearest first (a 党支部's 党总支, then its 党委)."""
    found: list[str] = []
    current = organisations.get(org_id)
    while current is not None and current.parent_id is not None:
        if current.parent_id in found or current.parent_id == org_id:
            raise PlanningError(f"the organisation tree loops back to {current.parent_id} above {org_id}")
        found.append(current.parent_id)
        current = organisations.get(current.parent_id)
    return tuple(found)


@dataclass(frozen=True)
class TrainingClass:
    """A class (培训班) of the register; ``category`` is its training group, ``level`` whose officers it trains."""

    class_id: str
    title: str
    category: str
    year: int
    starts_on: date | None = None
    ends_on: date | None = None
    level: str | None = None
    capacity: int | None = None
    status: str = "open"  # planned, open, closed or cancelled

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


ENROLLED = "approved"  # only an approved enrollment counts as enrolled


@dataclass(frozen=True)
class Enrollment:
    enrollment_id: str
    class_id: str
    person_id: str
    status: str  # nominated, applied, approved, waitlisted, rejected, withdrawn, transferred

    @property
    def enrolled(self) -> bool:
        return self.status == ENROLLED


# ── the 学时 ledger ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Credit:
    """A credit of the 学时 ledger (``HoursCredited``).

    ``day`` is the day of the training (``trained_on``), or the day the ledger posted the credit when it did not
    say; ``platform`` names the outside platform of an activity, whose ``activity_id`` is only unique there.
    """

    entry_id: str
    person_id: str
    year: int  # the ledger year it counts toward
    hours: Decimal
    day: date
    class_id: str | None = None
    category: str | None = None
    channel: str | None = None  # offline (集中) or online (网络)
    activity_id: str | None = None
    platform: str | None = None


@dataclass(frozen=True)
class Reversal:
    """A reversal of the ledger (``HoursReversed``): takes back one credit in full; a correction names the credit
    that replaces it."""

    entry_id: str
    reverses_entry_id: str
    replaced_by_entry_id: str | None = None


def standing_credits(credits: Iterable[Credit], reversals: Iterable[Reversal]) -> tuple[Credit, ...]:
    """The credits no reversal has taken back, in a stable order (day, entry id).

    A correction is a reversal and then its replacing credit; until the replacement has arrived, the reversed
    credit still stands, so nobody is shown a shortfall that never was.
    """
    credits = list(credits)
    received = {credit.entry_id for credit in credits}
    taken_back = {
        reversal.reverses_entry_id
        for reversal in reversals
        if reversal.replaced_by_entry_id is None or reversal.replaced_by_entry_id in received
    }
    return tuple(
        sorted(
            (credit for credit in credits if credit.entry_id not in taken_back),
            key=lambda credit: (credit.day, credit.entry_id),
        )
    )


def total_hours(credits: Iterable[Credit]) -> Decimal:
    return sum((credit.hours for credit in credits), Decimal(0)).quantize(CENT)


# ── evaluation and certificates ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Assessment:
    """A final assessment (结业考核) of a learner in a class (``AssessmentRecorded``)."""

    assessment_id: str
    class_id: str
    person_id: str
    passed: bool
    assessed_at: datetime
    grade: str | None = None  # excellent (优秀), good (良好), pass (合格) or fail (不合格)


def standing_assessments(assessments: Iterable[Assessment]) -> dict[tuple[str, str], Assessment]:
    """The assessment that stands per (person, class): the latest ``assessed_at``, ties to the greater id."""
    standing: dict[tuple[str, str], Assessment] = {}
    for assessment in assessments:
        key = (assessment.person_id, assessment.class_id)
        current = standing.get(key)
        if current is None or (assessment.assessed_at, assessment.assessment_id) > (
            current.assessed_at,
            current.assessment_id,
        ):
            standing[key] = assessment
    return standing


@dataclass(frozen=True)
class CertificateChange:
    """An issue (``valid``) or revocation of a certificate (结业证书); ``revision`` counts its changes."""

    certificate_number: str
    revision: int
    person_id: str
    class_id: str
    valid: bool
    on: date  # the day it was issued or revoked, in Beijing time
    hours: Decimal | None = None  # 学时 the certificate states, when issued


def certificates_as_they_stand(changes: Iterable[CertificateChange]) -> dict[str, CertificateChange]:
    """Each certificate's newest revision, by number: whatever order the changes arrived in."""
    newest: dict[str, CertificateChange] = {}
    for change in changes:
        current = newest.get(change.certificate_number)
        if current is None or change.revision > current.revision:
            newest[change.certificate_number] = change
    return newest


def valid_certificates(changes: Iterable[CertificateChange]) -> tuple[CertificateChange, ...]:
    """The certificates that stand valid, ordered by number."""
    standing = certificates_as_they_stand(changes)
    return tuple(standing[number] for number in sorted(standing) if standing[number].valid)
