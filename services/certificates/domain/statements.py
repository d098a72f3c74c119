"""The annual 学时 statement (年度学时证明): a person's 学时 of one year by channel and by category, as the ledger
figures them, and the annual requirements (年度学时要求) they meet or not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.certificates.domain.completion import hours_text

CHANNEL_LABELS = {"offline": "集中学习", "online": "网络学习"}
OUTSIDE_CLASSES = "班级外自主学习"  # 学时 credited outside any class (online courses, 支部 study) carry no category


class StatementError(ValueError):
    """Figures that cannot make a statement; the message says what is wrong."""


@dataclass(frozen=True)
class HoursLine:
    label: str  # e.g. 集中学习, 发展对象培训
    hours: Decimal  # 学时


@dataclass(frozen=True)
class RequirementStanding:
    """An annual requirement as the ledger judged it, e.g. 党员每年集中学习培训不少于32学时."""

    label: str
    required_hours: Decimal
    met: bool
    reason: str  # the ledger's words, e.g. "40 of 32 学时"


@dataclass(frozen=True)
class AnnualHoursStatement:
    number: str  # XS2026-…
    person_id: str
    holder_name: str
    year: int
    total_hours: Decimal
    by_channel: tuple[HoursLine, ...]
    by_category: tuple[HoursLine, ...]
    requirements: tuple[RequirementStanding, ...]  # none for a person no annual requirement applies to
    issued_at: datetime

    @property
    def conclusion(self) -> str:
        """What the statement certifies, in the school's words."""
        verdicts = [
            f"{'已达到' if requirement.met else '未达到'}“{requirement.label}”"
            f"（{hours_text(requirement.required_hours)}学时）的要求"
            for requirement in self.requirements
        ]
        return f"{self.year}年度累计{hours_text(self.total_hours)}学时" + "".join(f"，{v}" for v in verdicts) + "。"


def annual_statement(
    *,
    number: str,
    person_id: str,
    holder_name: str,
    year: int,
    by_channel: Mapping[str, Decimal],
    by_category: Mapping[str, Decimal],
    requirements: Sequence[RequirementStanding],
    issued_at: datetime,
) -> AnnualHoursStatement:
    """A statement of the year's 学时 from the ledger's figures: by channel (offline, online), and by category
    label for 学时 earned in classes; what no class earned is shown as 班级外自主学习."""
    unknown = set(by_channel) - set(CHANNEL_LABELS)
    if unknown:
        raise StatementError(f"unknown channels {sorted(unknown)}; a channel is offline or online")
    if any(hours < 0 for hours in (*by_channel.values(), *by_category.values())):
        raise StatementError("a year's 学时 by channel or category cannot be negative")
    total = sum(by_channel.values(), Decimal(0))
    in_classes = sum(by_category.values(), Decimal(0))
    if in_classes > total:
        raise StatementError(
            f"the categories add up to {hours_text(in_classes)} 学时, more than the {hours_text(total)} of the channels"
        )
    categories = [HoursLine(label, hours) for label, hours in sorted(by_category.items()) if hours > 0]
    if total > in_classes:
        categories.append(HoursLine(OUTSIDE_CLASSES, total - in_classes))
    return AnnualHoursStatement(
        number=number,
        person_id=person_id,
        holder_name=holder_name,
        year=year,
        total_hours=total,
        by_channel=tuple(
            HoursLine(CHANNEL_LABELS[channel], by_channel.get(channel, Decimal(0))) for channel in CHANNEL_LABELS
        ),
        by_category=tuple(categories),
        requirements=tuple(requirements),
        issued_at=issued_at,
    )
