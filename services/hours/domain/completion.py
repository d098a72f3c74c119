"""Completing a class (结业): the class's required 学时, and at most so much absence.

Absence is counted in 学时: of each session that has taken place, what the learner's ledger does not hold for it —
a whole session missed, or the part of it a late arrival or early departure cost. Absence excused (请假) and not
excused (缺勤, or no attendance recorded at all) are told apart, and both count toward the class's maximum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.hours.domain.crediting import CENT, ZERO, hours_text
from shared.events.contracts.attendance import AttendanceStatus


@dataclass(frozen=True)
class ClassTerms:
    """What a class asks of a learner to complete it (结业要求)."""

    class_id: str
    required_hours: Decimal
    max_absence_hours: Decimal | None = None  # None: absence is not limited


@dataclass(frozen=True)
class HeldSession:
    """A session of the class that has taken place, as one learner's record shows it."""

    session_id: str
    hours: Decimal  # 学时 for attending it in full
    credited: Decimal  # 学时 the learner's ledger holds for it
    status: AttendanceStatus | None  # the attendance that stands; None: none recorded


class ClassStanding(StrEnum):
    COMPLETE = "complete"
    IN_PROGRESS = "in_progress"
    OUT_OF_REACH = "out_of_reach"  # the sessions still to come cannot make up the 学时 required
    OVER_ABSENCE = "over_absence"  # absent for more than the class allows: cannot complete it


@dataclass(frozen=True)
class ClassProgress:
    class_id: str
    required: Decimal
    credited: Decimal
    shortfall: Decimal
    excused_absence: Decimal  # 请假
    unexcused_absence: Decimal  # 缺勤, late or left early, or no attendance recorded
    max_absence: Decimal | None
    standing: ClassStanding
    explanation: str

    @property
    def absence(self) -> Decimal:
        return self.excused_absence + self.unexcused_absence


def assess_class(terms: ClassTerms, held: Iterable[HeldSession], hours_to_come: Decimal = ZERO) -> ClassProgress:
    """Where a learner stands in a class; ``hours_to_come``: 学时 of the sessions not yet taken place."""
    excused = unexcused = credited = ZERO
    for session in held:
        credited += session.credited
        missed = max(session.hours - session.credited, ZERO)
        if session.status == AttendanceStatus.EXCUSED:
            excused += missed
        else:
            unexcused += missed
    absence = excused + unexcused
    shortfall = max(terms.required_hours - credited, ZERO)
    figures = (
        f"{hours_text(credited)} of {hours_text(terms.required_hours)} 学时 credited, "
        f"absent {hours_text(absence)} 学时 ({hours_text(excused)} excused)"
    )
    if terms.max_absence_hours is not None and absence > terms.max_absence_hours:
        standing = ClassStanding.OVER_ABSENCE
        how = f"more absence than the {hours_text(terms.max_absence_hours)} 学时 allowed"
    elif shortfall == 0:
        standing, how = ClassStanding.COMPLETE, "complete"
    elif shortfall > hours_to_come:
        standing = ClassStanding.OUT_OF_REACH
        how = f"{hours_text(shortfall)} 学时 short, with only {hours_text(hours_to_come)} 学时 of sessions to come"
    else:
        standing, how = ClassStanding.IN_PROGRESS, f"{hours_text(shortfall)} 学时 to go"
    return ClassProgress(
        class_id=terms.class_id,
        required=terms.required_hours.quantize(CENT),
        credited=credited.quantize(CENT),
        shortfall=shortfall.quantize(CENT),
        excused_absence=excused.quantize(CENT),
        unexcused_absence=unexcused.quantize(CENT),
        max_absence=terms.max_absence_hours,
        standing=standing,
        explanation=f"{figures}: {how}",
    )
