"""Class budgets against spending standards (规范经费使用).

Each class has budget lines (teachers' fees, venue, materials, board and lodging, transport…) planned and spent, in
yuan to the cent. The versioned standards give, per class type (training category), what a line may cost per
person-day; a line spent beyond its standard, or a class spent beyond its budget, is flagged, and a class is
accepted only once an approver has written a note for every flag, covering at least what was spent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.planning.domain.facts import CENT, PlanningError, require_money
from shared.vocabulary import category_label


class LineKind(StrEnum):
    TEACHERS_FEES = "teachers_fees"  # 师资费
    VENUE = "venue"  # 场地费
    MATERIALS = "materials"  # 资料费
    BOARD_AND_LODGING = "board_and_lodging"  # 食宿费
    TRANSPORT = "transport"  # 交通费
    OTHER = "other"  # 其他

    @property
    def label(self) -> str:
        return LINE_LABELS[self]


LINE_LABELS = {
    LineKind.TEACHERS_FEES: "师资费",
    LineKind.VENUE: "场地费",
    LineKind.MATERIALS: "资料费",
    LineKind.BOARD_AND_LODGING: "食宿费",
    LineKind.TRANSPORT: "交通费",
    LineKind.OTHER: "其他",
}


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


@dataclass(frozen=True)
class BudgetLine:
    kind: LineKind
    planned: Decimal
    spent: Decimal

    def __post_init__(self) -> None:
        require_money(self.planned, f"the planned {self.kind.value}")
        require_money(self.spent, f"the spent {self.kind.value}")


@dataclass(frozen=True)
class ClassBudget:
    """A class's budget; its person-days (learners × days) are what standards are measured against."""

    class_id: str
    category: str  # the class type (培训类别) whose standards apply
    year: int
    learners: int
    days: int
    lines: tuple[BudgetLine, ...]

    def __post_init__(self) -> None:
        if self.learners < 1 or self.days < 1:
            raise PlanningError(f"the budget of class {self.class_id} needs at least one learner and one day")
        kinds = [line.kind for line in self.lines]
        for kind in kinds:
            if kinds.count(kind) > 1:
                raise PlanningError(f"the budget of class {self.class_id} has two {kind.value} lines")

    @property
    def person_days(self) -> int:
        return self.learners * self.days

    @property
    def planned(self) -> Decimal:
        return sum((line.planned for line in self.lines), Decimal(0)).quantize(CENT)

    @property
    def spent(self) -> Decimal:
        return sum((line.spent for line in self.lines), Decimal(0)).quantize(CENT)


@dataclass(frozen=True)
class SpendingStandards:
    """What a line may cost per person-day, by class type; a line without a standard is not measured."""

    name: str  # e.g. "spending-standards/v1", stored with every review
    per_person_day: tuple[tuple[str, LineKind, Decimal], ...]  # (category, line, yuan per person-day)

    def __post_init__(self) -> None:
        seen: set[tuple[str, LineKind]] = set()
        for category, kind, rate in self.per_person_day:
            require_money(rate, f"the {kind.value} standard of {category} in {self.name}")
            if (category, kind) in seen:
                raise PlanningError(f"{self.name} gives two {kind.value} standards for {category}")
            seen.add((category, kind))

    def standard_for(self, category: str, kind: LineKind) -> Decimal | None:
        return next((rate for c, k, rate in self.per_person_day if (c, k) == (category, kind)), None)


class FlagKind(StrEnum):
    OVER_STANDARD = "over_standard"
    OVER_BUDGET = "over_budget"


@dataclass(frozen=True)
class Flag:
    key: str  # what an approver's note names: "over_standard:venue", "over_budget"
    kind: FlagKind
    limit: Decimal
    spent: Decimal
    reason: str


@dataclass(frozen=True)
class ApproverNote:
    """An approver accepts a flag, up to the amount spent when they looked."""

    flag_key: str
    approver_id: str
    note: str
    approved_spent: Decimal
    on: date

    def __post_init__(self) -> None:
        if not self.approver_id.strip() or not self.note.strip():
            raise PlanningError(f"a note accepting {self.flag_key} needs its approver and what they say")
        require_money(self.approved_spent, f"the amount approved for {self.flag_key}")


@dataclass(frozen=True)
class BudgetReview:
    class_id: str
    flags: tuple[Flag, ...]
    awaiting_note: tuple[Flag, ...]  # flags no note covers
    accepted: bool
    rule: str  # the standards' name and version
    reason: str


def budget_flags(budget: ClassBudget, standards: SpendingStandards) -> tuple[Flag, ...]:
    """Lines spent beyond their standard (one cent beyond is beyond; exactly at it is not), then the class beyond
    its budget."""
    flags: list[Flag] = []
    for line in sorted(budget.lines, key=lambda line: list(LineKind).index(line.kind)):
        rate = standards.standard_for(budget.category, line.kind)
        if rate is None:
            continue
        limit = (rate * budget.person_days).quantize(CENT)
        if line.spent > limit:
            flags.append(
                Flag(
                    key=f"{FlagKind.OVER_STANDARD.value}:{line.kind.value}",
                    kind=FlagKind.OVER_STANDARD,
                    limit=limit,
                    spent=line.spent,
                    reason=f"{line.kind.label} spent {yuan(line.spent)}, over the standard of {yuan(rate)} per "
                    f"person-day × {budget.person_days} person-days = {yuan(limit)}",
                )
            )
    if budget.spent > budget.planned:
        flags.append(
            Flag(
                key=FlagKind.OVER_BUDGET.value,
                kind=FlagKind.OVER_BUDGET,
                limit=budget.planned,
                spent=budget.spent,
                reason=f"spent {yuan(budget.spent)}, over the budget of {yuan(budget.planned)}",
            )
        )
    return tuple(flags)


def review_budget(
    budget: ClassBudget, standards: SpendingStandards, notes: Iterable[ApproverNote] = ()
) -> BudgetReview:
    """Flags, and whether an approver's note covers each; notes of flags no longer raised are not needed."""
    flags = budget_flags(budget, standards)
    notes = list(notes)

    def covered(flag: Flag) -> bool:
        return any(note.flag_key == flag.key and note.approved_spent >= flag.spent for note in notes)

    awaiting = tuple(flag for flag in flags if not covered(flag))
    if not flags:
        reason = f"spent {yuan(budget.spent)} of {yuan(budget.planned)}, every line within its standard"
    elif awaiting:
        reason = "awaiting an approver's note: " + "; ".join(flag.reason for flag in awaiting)
    else:
        reason = "every flag accepted by an approver's note: " + "; ".join(flag.reason for flag in flags)
    return BudgetReview(budget.class_id, flags, awaiting, not awaiting, standards.name, reason)


@dataclass(frozen=True)
class GroupSpending:
    category: str
    label: str
    classes: int
    planned: Decimal
    spent: Decimal
    lines_over_standard: int
    classes_over_budget: int
    classes_awaiting_note: int


def spending_report(
    year: int,
    budgets: Iterable[ClassBudget],
    standards: Mapping[str, SpendingStandards],
    notes: Mapping[str, Sequence[ApproverNote]],
) -> tuple[GroupSpending, ...]:
    """A year's spending by training group, then the total (category ``overall``). ``standards`` and ``notes`` by
    class id: each class is measured by the standards its budget names, so a new version of the standards does not
    flag again what was accepted under the old one."""
    rows: dict[str, list[tuple[ClassBudget, BudgetReview]]] = {}
    for budget in budgets:
        if budget.year == year:
            measured_by = standards.get(budget.class_id)
            if measured_by is None:
                raise PlanningError(f"no spending standards are named for the budget of class {budget.class_id}")
            review = review_budget(budget, measured_by, notes.get(budget.class_id, ()))
            rows.setdefault(budget.category, []).append((budget, review))
    groups = [_group(category, category_label(category), rows[category]) for category in sorted(rows)]
    everything = [pair for category in sorted(rows) for pair in rows[category]]
    return (*groups, _group("overall", "合计", everything))


def _group(category: str, label: str, pairs: Sequence[tuple[ClassBudget, BudgetReview]]) -> GroupSpending:
    return GroupSpending(
        category=category,
        label=label,
        classes=len(pairs),
        planned=sum((budget.planned for budget, _ in pairs), Decimal(0)).quantize(CENT),
        spent=sum((budget.spent for budget, _ in pairs), Decimal(0)).quantize(CENT),
        lines_over_standard=sum(
            1 for _, review in pairs for flag in review.flags if flag.kind is FlagKind.OVER_STANDARD
        ),
        classes_over_budget=sum(
            1 for _, review in pairs if any(flag.kind is FlagKind.OVER_BUDGET for flag in review.flags)
        ),
        classes_awaiting_note=sum(1 for _, review in pairs if not review.accepted),
    )
