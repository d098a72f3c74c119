"""Requirements: who must reach how many 学时 (training hours) in which window, each naming its source.

A requirement applies to the holders of certain political statuses (政治面貌) or positions (职务/身份). People are
judged by what they were on the day they trained: a line counts toward a requirement only if on its training day
the person held one of those statuses or positions, and it falls in the window and is of a channel and category
the requirement counts.

Windows
- ``YearsWindow``: calendar years in Beijing time — one (every year), or five counted from an anchor year
  (2023–2027, 2028–2032, …), or, without an anchor, the five ending with the year assessed (rolling).
- ``TenureWindow``: as long as the person holds the status, e.g. from becoming a development target (发展对象)
  until admission ("before admission"); its deadline is known once the admission is.

Targets, pro rata and pace (month-based, so the figures can be checked by hand)
- A target may have alternatives in days or months (550 学时 or 3 months; 24 学时 or 3 days): the smallest
  counts, since any one of them fulfils the requirement. A day is 8 学时; a month is a twelfth of the 250-day
  working year (劳社部发〔2008〕3号) at 8 学时 a day: 166.67 学时, so 3 months = 500 学时.
- In a years window a person is under a requirement for the months on whose first day they held a qualifying
  status or position. Whoever held it for only part of the window owes that share of the target, rounded up to
  a half 学时: a branch secretary since 1 July owes 56 × 6/12 = 28 学时 that year (``pro_rata``).
- Pace: what the person owes, spread evenly over those months; by the end of each month they should have its
  share. Behind pace = credited less than the share of the months already over.
- "Still possible": 8 学时 (a full training day) for each day left before the deadline covers the shortfall.

An assessment is "as of" the end of a day (Beijing time): lines recorded by then, training up to then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any, Protocol

from services.hours.domain.crediting import CENT, HALF, HOURS_PER_TRAINING_DAY, ZERO, hours_text, round_up
from services.hours.domain.periods import Period, month_end, month_starts
from services.hours.domain.plain_data import Node, PlainDataError, read
from services.hours.domain.transcript import PostedEntry, known_by, total
from shared.events.contracts.attendance import Channel

WORKING_DAYS_PER_YEAR = 250  # 365 − 104 weekend days − 11 public holidays (劳社部发〔2008〕3号)
CODE = r"^[a-z][a-z0-9_]*$"
REQUIREMENT_NAME = r"^[a-z0-9]+(-[a-z0-9]+)*/v[1-9][0-9]*$"  # e.g. party-member-study/v1


class RequirementsError(PlainDataError):
    """Requirements that cannot be read as written."""


class CountedLine(Protocol):
    """What a requirement needs of a ledger line to tell whether it counts (a ``PostedEntry`` is one)."""

    @property
    def trained_on(self) -> date: ...

    @property
    def channel(self) -> Channel: ...

    @property
    def category(self) -> str | None: ...

    @property
    def signed_hours(self) -> Decimal: ...  # a reversal's are negative


@dataclass(frozen=True)
class Tenure:
    """A political status or position a person held, from ``since`` up to (not including) ``until``."""

    code: str  # e.g. full_member, branch_secretary, cadre_division_and_above
    since: date
    until: date | None = None

    @property
    def period(self) -> Period:
        return Period(self.since, self.until)


@dataclass(frozen=True)
class YearsWindow:
    years: int = 1
    anchor_year: int | None = None  # fixed windows counted from this year; None: rolling, ending with the year

    def around(self, day: date) -> Period:
        if self.anchor_year is None:
            first = day.year - self.years + 1
        else:
            first = self.anchor_year + (day.year - self.anchor_year) // self.years * self.years
        return Period(date(first, 1, 1), date(first + self.years, 1, 1))

    def __str__(self) -> str:
        if self.years == 1:
            return "each calendar year"
        if self.anchor_year is None:
            return f"the {self.years} calendar years ending with the year assessed"
        return f"every {self.years} calendar years from {self.anchor_year}"


@dataclass(frozen=True)
class TenureWindow:
    """As long as the person holds the status (before admission, for a development target)."""

    def __str__(self) -> str:
        return "while the status is held"


Window = YearsWindow | TenureWindow


@dataclass(frozen=True)
class Target:
    hours: Decimal
    or_days: Decimal | None = None  # 8 学时 a day
    or_months: Decimal | None = None  # 166.67 学时 a month

    @property
    def hours_needed(self) -> Decimal:
        """The smallest of the alternatives: any one of them fulfils the requirement."""
        alternatives = [self.hours]
        if self.or_days is not None:
            alternatives.append(self.or_days * HOURS_PER_TRAINING_DAY)
        if self.or_months is not None:
            # A month is a twelfth of the working year: 3 months = 3 × 250 × 8 / 12 = 500 学时 (multiplied first).
            alternatives.append(round_up(self.or_months * WORKING_DAYS_PER_YEAR * HOURS_PER_TRAINING_DAY / 12, CENT))
        return min(alternatives).quantize(CENT)

    def __str__(self) -> str:
        text = f"{hours_text(self.hours)} 学时"
        if self.or_days is not None:
            text += f" or {hours_text(self.or_days)} days"
        if self.or_months is not None:
            text += f" or {hours_text(self.or_months)} months"
        if self.hours_needed != self.hours:
            text += f", that is {hours_text(self.hours_needed)} 学时"
        return text


@dataclass(frozen=True)
class Requirement:
    name: str  # versioned, e.g. party-member-study/v1
    label: str  # what the school calls it, e.g. 党员集中学习培训
    source: str  # the document (and article) it rests on
    applies_to: frozenset[str]  # status or position codes; holding any one of them is enough
    window: Window
    target: Target
    in_force: Period
    channels: frozenset[Channel] | None = None  # None: any channel counts
    categories: frozenset[str] | None = None  # None: any training category (and study outside classes) counts
    pro_rata: bool = True  # years windows only: a partial holder owes that share of the target

    @cached_property
    def family(self) -> str:
        """The name without its version: the versions of one requirement share it."""
        return self.name.rsplit("/", 1)[0]

    def counts(self, entry: CountedLine) -> bool:
        return (self.channels is None or entry.channel in self.channels) and (
            self.categories is None or entry.category in self.categories
        )


class Standing(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"  # at or above pace
    BEHIND = "behind"  # behind pace, and still possible to meet
    OUT_OF_REACH = "out_of_reach"  # the window is open, but 8 学时 a day for every day left would not be enough
    MISSED = "missed"  # the deadline has passed without meeting it
    IN_PROGRESS = "in_progress"  # not met, and no pace to keep (no deadline yet, or a tenure window)


@dataclass(frozen=True)
class Assessment:
    """Where one person stands on one requirement in one window, as of the end of a day."""

    person_id: str
    requirement: Requirement
    window: Period  # the requirement's window: a calendar year, 2023–2027, a tenure
    as_of: date
    required: Decimal  # 学时 this person owes in this window (pro rata where they held it for part of it)
    credited: Decimal  # 学时 that count toward it
    shortfall: Decimal
    standing: Standing
    met_on: date | None  # the training day from which the credited 学时 reach the requirement
    pace: Decimal | None  # 学时 expected by now; None where there is no pace
    deadline: date | None  # the last day whose training still counts for this person; None: not known yet
    explanation: str

    @property
    def key(self) -> tuple[str, str, date]:
        """One person, one requirement (whatever its version), one window."""
        return self.person_id, self.requirement.family, self.window.start


def assess(
    person_id: str,
    tenures: Iterable[Tenure],
    entries: Iterable[PostedEntry],
    requirements: Iterable[Requirement],
    as_of: date,
    *,
    recorded_by: date | None = None,
) -> tuple[Assessment, ...]:
    """Where ``person_id`` stands on every requirement that applies to them in the windows open on ``as_of``.

    A years window is the one around ``as_of``; a tenure window is each tenure begun by then. The version of a
    requirement in force on ``as_of`` (or on the last day of a tenure that is over) governs the window.
    ``recorded_by``: judge with the lines recorded by this later day (a year closed on 31 December, with credits
    that arrived in January); by default, those recorded by ``as_of``.
    """
    if recorded_by is not None and recorded_by < as_of:
        raise RequirementsError(f"recorded by {recorded_by} cannot judge as of {as_of}, a later day")
    tenures = tuple(tenures)
    known = known_by(entries, recorded_by if recorded_by is not None else as_of)
    lines = [entry for entry in known if entry.trained_on <= as_of]
    assessments = []
    for requirement in requirements:
        held = held_spans(requirement, tenures, as_of)
        for window in windows_open(requirement, held, as_of):
            if governing_day(window, as_of) not in requirement.in_force:
                continue
            owed = obligation(requirement, window=window, held=held, as_of=as_of)
            if owed is None:
                continue
            counting = [line for line in lines if counts_toward(requirement, held, window, line)]
            assessments.append(
                judge(
                    person_id,
                    requirement,
                    window=window,
                    owed=owed,
                    credited=total(counting),
                    met_on=met_on_day(counting, owed.required),
                    as_of=as_of,
                )
            )
    return tuple(assessments)


def held_spans(requirement: Requirement, tenures: Iterable[Tenure], as_of: date) -> list[Period]:
    """The spans, begun by ``as_of``, in which the person held a status or position ``requirement`` applies to."""
    return _merged([t.period for t in tenures if t.since <= as_of and t.code in requirement.applies_to])


def _merged(periods: list[Period]) -> list[Period]:
    """Periods joined where they touch or overlap (full member right after probationary member is one span)."""
    merged: list[Period] = []
    for period in sorted(periods, key=lambda p: p.start):
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or period.start <= last.end):
            end = None if last.end is None or period.end is None else max(last.end, period.end)
            merged[-1] = Period(last.start, end)
        else:
            merged.append(period)
    return merged


def windows_open(requirement: Requirement, held: list[Period], as_of: date) -> list[Period]:
    """The windows of ``requirement`` to judge on ``as_of``: the years around it, or each tenure begun by then."""
    if isinstance(requirement.window, YearsWindow):
        return [requirement.window.around(as_of)]
    return held


def window_of(requirement: Requirement, held: list[Period], day: date) -> Period | None:
    """The window of ``requirement`` a line trained on ``day`` falls in, if the person was under it that day."""
    if not any(day in span for span in held):
        return None
    if isinstance(requirement.window, YearsWindow):
        return requirement.window.around(day)
    return next(span for span in held if day in span)


def window_starting(requirement: Requirement, held: list[Period], start: date) -> Period | None:
    """The window of ``requirement`` that begins on ``start``: a span of years, or the tenure begun that day."""
    if isinstance(requirement.window, YearsWindow):
        window = requirement.window.around(start)
        return window if window.start == start else None
    return next((span for span in held if span.start == start), None)


def governing_day(window: Period, as_of: date) -> date:
    """The day whose version of a requirement governs ``window`` judged on ``as_of``: that day, or the window's
    last day once it is over."""
    last = window.last_day
    return min(as_of, last) if last is not None else as_of


def governing(requirements: Iterable[Requirement], family: str, day: date) -> Requirement | None:
    """The version of the requirement ``family`` in force on ``day``, if any."""
    return next((r for r in requirements if r.family == family and day in r.in_force), None)


def counts_toward(requirement: Requirement, held: list[Period], window: Period, line: CountedLine) -> bool:
    """Whether ``line`` counts toward ``requirement`` in ``window``: trained in it, on a day the person held a
    status or position the requirement applies to, through a channel and in a category it counts."""
    day = line.trained_on
    return day in window and any(day in span for span in held) and requirement.counts(line)


@dataclass(frozen=True)
class Obligation:
    """What a person owes in one window of a requirement, and by when."""

    required: Decimal  # 学时, pro rata where they were under it for part of the window
    basis: str  # how ``required`` was arrived at, in words
    pace: Decimal | None  # 学时 expected by the day judged; None where there is no pace
    deadline: date | None  # the last day whose training still counts; None: not known yet


def obligation(requirement: Requirement, *, window: Period, held: list[Period], as_of: date) -> Obligation | None:
    """What ``requirement`` asks of the person in ``window`` as judged on ``as_of``; None if they were never under it
    there (in a years window: on the first day of none of its months)."""
    held_in_window = [span for period in held if (span := period.clipped_to(window)) is not None]
    if not held_in_window:
        return None
    target = requirement.target.hours_needed
    deadline = held_in_window[-1].last_day
    if not isinstance(requirement.window, YearsWindow):
        return Obligation(target, f"{requirement.target}", None, deadline)
    months = month_starts(window)
    counted = [first for first in months if any(first in span for span in held_in_window)]
    if not counted:
        return None
    required, basis = target, f"{requirement.target}"
    if requirement.pro_rata and len(counted) < len(months):
        required = round_up(target * len(counted) / len(months), HALF)
        basis = f"{hours_text(target)} 学时 × {len(counted)}/{len(months)} months held, rounded up to a half"
    over = [first for first in counted if month_end(first) <= as_of]
    pace = round_up(required * len(over) / len(counted), CENT)  # up: credited (in cents) < pace exactly
    return Obligation(required.quantize(CENT), basis, pace, deadline)


def judge(
    person_id: str,
    requirement: Requirement,
    *,
    window: Period,
    owed: Obligation,
    credited: Decimal,
    met_on: date | None,
    as_of: date,
) -> Assessment:
    """Where the person stands in ``window`` with ``credited`` 学时 counting toward what they owe there.

    ``met_on``: the training day from which the credited 学时 reach what is owed (kept only if they do).
    """
    credited = credited.quantize(CENT)
    standing, how = _standing(credited, owed.required, owed.pace, owed.deadline, as_of)
    return Assessment(
        person_id=person_id,
        requirement=requirement,
        window=window,
        as_of=as_of,
        required=owed.required,
        credited=credited,
        shortfall=max(owed.required - credited, ZERO).quantize(CENT),
        standing=standing,
        met_on=met_on if standing == Standing.MET else None,
        pace=owed.pace,
        deadline=owed.deadline,
        explanation=f"{hours_text(credited)} of {hours_text(owed.required)} 学时 ({owed.basis}): {how}",
    )


def _standing(
    credited: Decimal, required: Decimal, pace: Decimal | None, deadline: date | None, as_of: date
) -> tuple[Standing, str]:
    shortfall = hours_text(max(required - credited, ZERO))
    if credited >= required:
        return Standing.MET, "met"
    if deadline is not None and as_of >= deadline:
        return Standing.MISSED, f"missed, {shortfall} 学时 short when the window closed on {deadline}"
    days_left = (deadline - as_of).days if deadline is not None else None
    if days_left is not None and required - credited > days_left * HOURS_PER_TRAINING_DAY:
        return Standing.OUT_OF_REACH, (
            f"out of reach, {shortfall} 学时 to go in {days_left} days (at most "
            f"{days_left * HOURS_PER_TRAINING_DAY} 学时 at 8 a day)"
        )
    by_deadline = f"{shortfall} 学时 to go by {deadline}" if deadline is not None else f"{shortfall} 学时 to go"
    if pace is None or deadline is None:
        return Standing.IN_PROGRESS, by_deadline if deadline is not None else f"{by_deadline}, no deadline yet"
    if credited < pace:
        return Standing.BEHIND, f"behind pace ({hours_text(pace)} 学时 expected by {as_of}), {by_deadline}"
    return Standing.ON_TRACK, f"on pace ({hours_text(pace)} 学时 expected by {as_of}), {by_deadline}"


def met_on_day(counting: Sequence[CountedLine], required: Decimal) -> date | None:
    """The training day from which the running total, day by day, stays at or above what is required."""
    days = sorted({line.trained_on for line in counting})
    running = ZERO
    met_on: date | None = None
    for day in days:
        running += sum((line.signed_hours for line in counting if line.trained_on == day), ZERO)
        if running < required:
            met_on = None
        elif met_on is None:
            met_on = day
    return met_on


# ── What to announce between two assessments ────────────────────────────────────────────────────────────────────


class Change(StrEnum):
    """What is announced (``RequirementStandingChanged.standing``) when a person's standing changes."""

    MET = "met"  # the requirement is met in this window (again, if a correction had undone it)
    BEHIND = "behind"  # behind pace while it is still possible to meet
    OUT_OF_REACH = "out_of_reach"  # it can no longer be met: too few days left, or the window closed short
    NO_LONGER_MET = "no_longer_met"  # a correction took back 学时 it was met with


# Standings worth announcing; on track and in progress are not news. A window closing short (missed) is out of
# reach for good: announced as such, unless it was out of reach already.
_ANNOUNCED = {
    Standing.MET: Change.MET,
    Standing.BEHIND: Change.BEHIND,
    Standing.OUT_OF_REACH: Change.OUT_OF_REACH,
    Standing.MISSED: Change.OUT_OF_REACH,
}


def change_between(was: Standing | None, now: Standing) -> Change | None:
    """What to announce when a window's standing goes from ``was`` (None: not judged before) to ``now``."""
    if was == Standing.MET and now != Standing.MET:
        return Change.NO_LONGER_MET
    announced = _ANNOUNCED.get(now)
    if announced is not None and announced != (_ANNOUNCED.get(was) if was is not None else None):
        return announced
    return None


@dataclass(frozen=True)
class Transition:
    change: Change
    assessment: Assessment  # the later one


def transitions(before: Iterable[Assessment], after: Iterable[Assessment]) -> tuple[Transition, ...]:
    """What changed from ``before`` to ``after`` that is worth announcing, once.

    A window seen for the first time counts as changed from nothing: met, behind or out of reach at first sight is
    announced.
    """
    previously = {assessment.key: assessment.standing for assessment in before}
    return tuple(
        Transition(change, assessment)
        for assessment in after
        if (change := change_between(previously.get(assessment.key), assessment.standing)) is not None
    )


# ── Reading requirements from plain data ───────────────────────────────────────────────────────────────────────


def parse_requirements(data: object) -> tuple[Requirement, ...]:
    """Read ``{"requirements": [{name, label, source, applies_to, window, target, counts, pro_rata, from, until}]}``."""
    top = read(data, "requirements", RequirementsError).fields(required={"requirements"})
    requirements = tuple(_parse_requirement(node) for node in top["requirements"].items())
    for index, requirement in enumerate(requirements):
        for other in requirements[index + 1 :]:
            if requirement.name == other.name:
                raise RequirementsError(f"requirements[{index}]: {requirement.name} is defined twice")
            if requirement.family == other.family and requirement.in_force.overlaps(other.in_force):
                raise RequirementsError(
                    f"{requirement.name} ({requirement.in_force}) and {other.name} ({other.in_force}) "
                    "are versions of one requirement in force at the same time"
                )
    return requirements


def _parse_requirement(spec: Node) -> Requirement:
    fields = spec.fields(
        required={"name", "label", "source", "applies_to", "window", "target", "from"},
        optional={"counts", "pro_rata", "until"},
    )
    name = fields["name"].text()
    if not re.fullmatch(REQUIREMENT_NAME, name):
        fields["name"].fail("a requirement is named like 'party-member-study/v1': lowercase words, a slash, a version")
    applies_to = fields["applies_to"].texts()
    for code in sorted(applies_to):
        if not re.fullmatch(CODE, code):
            fields["applies_to"].fail(f"{code!r} is not a status or position code (such as 'branch_secretary')")
    window = _parse_window(fields["window"])
    pro_rata = fields.get("pro_rata")
    if pro_rata is not None and isinstance(window, TenureWindow):
        pro_rata.fail("a tenure window is never pro rata: the whole target is owed before it ends")
    start = fields["from"].day()
    until = fields.get("until")
    end = until.day() if until is not None else None
    if end is not None and end <= start:
        spec.fail(f"until ({end}) must come after from ({start})")
    channels, categories = _parse_counts(fields.get("counts"))
    return Requirement(
        name=name,
        label=fields["label"].text(),
        source=fields["source"].text(),
        applies_to=applies_to,
        window=window,
        target=_parse_target(fields["target"]),
        in_force=Period(start, end),
        channels=channels,
        categories=categories,
        pro_rata=pro_rata.flag() if pro_rata is not None else True,
    )


def _parse_window(spec: Node) -> Window:
    kind = spec.fields(required={"kind"}, optional={"years", "anchor_year"})["kind"].text()
    if kind == "tenure":
        spec.fields(required={"kind"})
        return TenureWindow()
    if kind == "years":
        fields = spec.fields(required={"kind"}, optional={"years", "anchor_year"})
        years = fields.get("years")
        anchor = fields.get("anchor_year")
        return YearsWindow(
            years=years.integer(minimum=1) if years is not None else 1,
            anchor_year=anchor.integer(minimum=1900) if anchor is not None else None,
        )
    spec.fail(f"window kind must be 'years' or 'tenure', got {kind!r}")


def _parse_target(spec: Node) -> Target:
    fields = spec.fields(required={"hours"}, optional={"or_days", "or_months"})
    hours = fields["hours"].decimal()
    if hours <= 0:
        fields["hours"].fail("a target must be more than 0 学时")
    days = fields.get("or_days")
    months = fields.get("or_months")
    return Target(
        hours=hours,
        or_days=days.decimal() if days is not None else None,
        or_months=months.decimal() if months is not None else None,
    )


def _parse_counts(spec: Node | None) -> tuple[frozenset[Channel] | None, frozenset[str] | None]:
    if spec is None:
        return None, None
    fields = spec.fields(optional={"channels", "categories"})
    channels = fields.get("channels")
    categories = fields.get("categories")
    if channels is not None:
        unknown = sorted(channels.texts() - set(Channel))
        if unknown:
            channels.fail(f"unknown channel {', '.join(unknown)}; expected {', '.join(Channel)}")
    return (
        frozenset(Channel(channel) for channel in channels.texts()) if channels is not None else None,
        categories.texts() if categories is not None else None,
    )


# ── The built-in requirements ──────────────────────────────────────────────────────────────────────────────────

# "from": the first day of the year its source was issued, so that the source governs that year's window.
# Concentrated study (集中学习培训) is counted as the offline channel; online study has a requirement of its own.
CONCENTRATED = {"channels": [Channel.OFFLINE.value]}
BUILT_IN_REQUIREMENTS_DATA: dict[str, Any] = {
    "requirements": [
        {
            "name": "party-member-study/v1",
            "label": "党员集中学习培训",
            "source": "《中国共产党党员教育管理工作条例》(2019) 第二十条：党员每年集中学习培训时间一般不少于32学时",
            "applies_to": ["full_member", "probationary_member"],
            "window": {"kind": "years"},
            "target": {"hours": 32},
            "counts": CONCENTRATED,
            "from": "2019-01-01",
        },
        {
            "name": "branch-leader-study/v1",
            "label": "基层党组织书记和班子成员集中学习培训",
            "source": "全国党员教育培训工作规划（as commonly cited）：基层党组织书记和班子成员每年集中学习培训时间"
            "不少于56学时",
            "applies_to": [
                "branch_secretary",
                "branch_committee_member",
                "general_branch_secretary",
                "general_branch_committee_member",
            ],
            "window": {"kind": "years"},
            "target": {"hours": 56},
            "counts": CONCENTRATED,
            "from": "2019-01-01",
        },
        {
            "name": "cadre-division-training/v1",
            "label": "县处级以上领导干部脱产培训",
            "source": "《干部教育培训工作条例》(2023)：县处级以上领导干部每5年累计3个月或者550学时以上",
            "applies_to": ["cadre_division_and_above"],
            "window": {"kind": "years", "years": 5, "anchor_year": 2023},
            "target": {"hours": 550, "or_months": 3},
            "counts": CONCENTRATED,
            "from": "2023-01-01",
        },
        {
            "name": "cadre-section-training/v1",
            "label": "乡科级及以下干部集中培训",
            "source": "《干部教育培训工作条例》(2023)（as cited）：乡科级及以下干部每年累计不少于90学时",
            "applies_to": ["cadre_section_and_below"],
            "window": {"kind": "years"},
            "target": {"hours": 90},
            "counts": CONCENTRATED,
            "from": "2023-01-01",
        },
        {
            "name": "cadre-online-study/v1",
            "label": "干部网络培训",
            "source": "《全国干部教育培训规划（2023—2027年）》（as cited）：干部每年网络培训不少于50学时",
            "applies_to": ["cadre_division_and_above", "cadre_section_and_below"],
            "window": {"kind": "years"},
            "target": {"hours": 50},
            "counts": {"channels": [Channel.ONLINE.value]},
            "from": "2023-01-01",
        },
        {
            "name": "development-target-training/v1",
            "label": "发展对象培训",
            "source": "《中国共产党发展党员工作细则》(2014)：对发展对象进行短期集中培训，培训时间一般不少于3天"
            "（或不少于24个学时）",
            "applies_to": ["development_target"],
            "window": {"kind": "tenure"},
            "target": {"hours": 24, "or_days": 3},
            "counts": {"channels": [Channel.OFFLINE.value], "categories": ["development_targets"]},
            "from": "2014-01-01",
        },
    ]
}
BUILT_IN_REQUIREMENTS = parse_requirements(BUILT_IN_REQUIREMENTS_DATA)
