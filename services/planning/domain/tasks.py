"""Training tasks assigned from above (上级调训任务): who the school nominates, and how far each has got.

A task from 市委党校, 市教卫工作党委 or the 国家教育行政学院 online platform asks for a number of people (quota)
to study ``required_hours`` 学时 by a deadline. The school nominates people the register says are eligible; their
hours arrive from outside as ledger credits, and the task's counting rule says which of them count.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.planning.domain.facts import CENT, Credit, Person, PlanningError, counted, hours_text
from shared.vocabulary import CATEGORY_LABELS, POLITICAL_STATUS_LABELS, POSITION_LABELS, category_label, label

ELIGIBILITY_RULE = "task-eligibility/v1"
COUNTING_RULE = "task-counting/v1"
FULFILMENT_RULE = "task-fulfilment/v1"


class Issuer(StrEnum):
    MUNICIPAL_PARTY_SCHOOL = "municipal_party_school"  # 市委党校
    MUNICIPAL_EDUCATION_COMMITTEE = "municipal_education_committee"  # 市教卫工作党委
    NATIONAL_ACADEMY_ONLINE = "national_academy_online"  # 国家教育行政学院 online platform

    @property
    def label(self) -> str:
        return ISSUER_LABELS[self]


# Each issuer runs the classes of the register's category of the same name (external_…): one label for both.
ISSUER_LABELS = {issuer: CATEGORY_LABELS[f"external_{issuer.value}"] for issuer in Issuer}


@dataclass(frozen=True)
class Eligibility:
    """Who may be nominated, judged by the register on the day of nomination. An empty set asks nothing."""

    statuses: frozenset[str] = frozenset()  # any of these political statuses (政治面貌)
    positions: frozenset[str] = frozenset()  # any of these positions (职务)
    unit_ids: frozenset[str] = frozenset()  # in one of these units


@dataclass(frozen=True)
class ActivityRef:
    """An activity on an outside platform; its id is only unique on that platform."""

    platform: str
    activity_id: str


@dataclass(frozen=True)
class Counting:
    """Which credits count toward the task: those of the named classes, categories or activities, trained on or
    after the day the task was assigned."""

    class_ids: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    activities: frozenset[ActivityRef] = frozenset()


@dataclass(frozen=True)
class Task:
    task_id: str
    issuer: Issuer
    title: str  # what is asked, in the issuer's words
    quota: int  # places (名额)
    assigned_on: date
    deadline: date  # the last day
    required_hours: Decimal  # 学时
    counting: Counting
    eligibility: Eligibility = Eligibility()

    def __post_init__(self) -> None:
        if self.quota < 1:
            raise PlanningError(f"task {self.task_id} needs a quota of at least one place")
        if self.deadline < self.assigned_on:
            raise PlanningError(f"task {self.task_id} is due on {self.deadline}, before it was assigned")
        if self.required_hours <= 0:
            raise PlanningError(f"task {self.task_id} must require some 学时")
        if not (self.counting.class_ids or self.counting.categories or self.counting.activities):
            raise PlanningError(f"task {self.task_id} must name the classes, categories or activities that count")


# ── nomination ────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Nomination:
    person_id: str
    accepted: bool
    rule: str
    reason: str  # e.g. "eligible: 正式党员, 党支部书记 on 2025-03-01", "all 5 places are taken"


def eligibility_problems(eligibility: Eligibility, person: Person, on: date) -> tuple[str, ...]:
    """What keeps a person from a task's places on a day, in words; empty when they are eligible."""
    problems: list[str] = []
    if not person.active:
        problems.append("has left the school")
    status = person.status_on(on)
    if eligibility.statuses and status not in eligibility.statuses:
        asked = " or ".join(label(POLITICAL_STATUS_LABELS, code) for code in sorted(eligibility.statuses))
        held_status = label(POLITICAL_STATUS_LABELS, status) if status else "no political status"
        problems.append(f"{held_status} on {on}, the task asks {asked}")
    held = person.positions_on(on)
    if eligibility.positions and not held & eligibility.positions:
        asked = " or ".join(label(POSITION_LABELS, code) for code in sorted(eligibility.positions))
        problems.append(f"holds no position the task asks ({asked}) on {on}")
    if eligibility.unit_ids and person.unit_id not in eligibility.unit_ids:
        problems.append(f"unit {person.unit_id or 'none'} is not among those the task names")
    return tuple(problems)


def nominate(
    task: Task, candidates: Sequence[Person], on: date, already_nominated: Collection[str] = ()
) -> tuple[Nomination, ...]:
    """Decide the office's candidates in the order it put them: eligible ones take places until the quota is used."""
    ids = [person.person_id for person in candidates]
    for person_id in ids:
        if ids.count(person_id) > 1 or person_id in already_nominated:
            raise PlanningError(f"{person_id} is nominated for task {task.task_id} more than once")
    places_left = task.quota - len(already_nominated)
    decisions: list[Nomination] = []
    for person in candidates:
        problems = eligibility_problems(task.eligibility, person, on)
        if problems:
            decisions.append(
                Nomination(person.person_id, False, ELIGIBILITY_RULE, "not eligible: " + "; ".join(problems))
            )
        elif places_left <= 0:
            decisions.append(
                Nomination(person.person_id, False, ELIGIBILITY_RULE, f"all {task.quota} places are taken")
            )
        else:
            places_left -= 1
            decisions.append(Nomination(person.person_id, True, ELIGIBILITY_RULE, _eligible_reason(person, on)))
    return tuple(decisions)


def _eligible_reason(person: Person, on: date) -> str:
    status = person.status_on(on)
    held = [label(POSITION_LABELS, code) for code in sorted(person.positions_on(on))]
    described = ", ".join([label(POLITICAL_STATUS_LABELS, status) if status else "no political status", *held])
    return f"eligible: {described} on {on}"


# ── fulfilment ────────────────────────────────────────────────────────────────────────────────────────


def counts_toward(task: Task, credit: Credit) -> bool:
    """The counting rule (task-counting/v1): a credit trained since the task was assigned, of a named class,
    category or activity (an activity matched by platform and id together)."""
    if credit.day < task.assigned_on:
        return False
    counting = task.counting
    if credit.class_id is not None and credit.class_id in counting.class_ids:
        return True
    if credit.category is not None and credit.category in counting.categories:
        return True
    return (
        credit.activity_id is not None
        and credit.platform is not None
        and ActivityRef(credit.platform, credit.activity_id) in counting.activities
    )


class FulfilmentState(StrEnum):
    DONE = "done"  # the 学时 were met by the deadline
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    LATE = "late"  # the deadline passed before they were met (whether they were met afterwards or not)


@dataclass(frozen=True)
class NomineeFulfilment:
    person_id: str
    hours: Decimal  # 学时 counted so far
    met_on: date | None
    state: FulfilmentState
    rule: str
    reason: str


def nominee_fulfilment(task: Task, person_id: str, credits: Iterable[Credit], as_of: date) -> NomineeFulfilment:
    """How far one nominee has got on ``as_of``; ``credits`` are the ledger's standing credits (any person's)."""
    toward_task = sorted(
        (c for c in credits if c.person_id == person_id and c.day <= as_of and counts_toward(task, c)),
        key=lambda c: (c.day, c.entry_id),
    )
    hours = Decimal(0)
    met_on: date | None = None
    for credit in toward_task:
        hours += credit.hours
        if met_on is None and hours >= task.required_hours:
            met_on = credit.day
    hours = hours.quantize(CENT)
    so_far = f"{hours_text(hours)} of {hours_text(task.required_hours)} 学时"
    deadline = f"the deadline {task.deadline}"
    if met_on is not None and met_on <= task.deadline:
        state, reason = FulfilmentState.DONE, f"{so_far}, met on {met_on}, by {deadline}"
    elif met_on is not None:
        late_by = counted((met_on - task.deadline).days, "day")
        state, reason = FulfilmentState.LATE, f"{so_far}, met on {met_on}, {late_by} after {deadline}"
    elif as_of > task.deadline:
        state, reason = FulfilmentState.LATE, f"{so_far}; {deadline} has passed"
    elif hours == 0:
        state, reason = FulfilmentState.NOT_STARTED, f"no 学时 yet; {deadline}"
    else:
        state, reason = FulfilmentState.IN_PROGRESS, f"{so_far}; {deadline}"
    return NomineeFulfilment(person_id, hours, met_on, state, FULFILMENT_RULE, reason)


@dataclass(frozen=True)
class FulfilmentReport:
    """A task's fulfilment, to send back up."""

    task_id: str
    issuer: Issuer
    title: str
    as_of: date
    quota: int
    nominated: int
    done: int
    in_progress: int
    not_started: int
    late: int
    nominees: tuple[NomineeFulfilment, ...]  # by person id

    @property
    def quota_used(self) -> str:
        return f"{self.nominated} of {self.quota} places used"


def fulfilment_report(
    task: Task, nominee_ids: Collection[str], credits: Iterable[Credit], as_of: date
) -> FulfilmentReport:
    credits = list(credits)
    nominees = tuple(nominee_fulfilment(task, person_id, credits, as_of) for person_id in sorted(nominee_ids))
    states = [nominee.state for nominee in nominees]
    return FulfilmentReport(
        task_id=task.task_id,
        issuer=task.issuer,
        title=task.title,
        as_of=as_of,
        quota=task.quota,
        nominated=len(nominees),
        done=states.count(FulfilmentState.DONE),
        in_progress=states.count(FulfilmentState.IN_PROGRESS),
        not_started=states.count(FulfilmentState.NOT_STARTED),
        late=states.count(FulfilmentState.LATE),
        nominees=nominees,
    )


def counting_description(counting: Counting) -> str:
    """The counting rule in words, for the task's page and its report."""
    named = [
        *(f"class {class_id}" for class_id in sorted(counting.class_ids)),
        *(category_label(category) for category in sorted(counting.categories)),
        *(
            f"{a.platform} activity {a.activity_id}"
            for a in sorted(counting.activities, key=lambda a: (a.platform, a.activity_id))
        ),
    ]
    return f"{COUNTING_RULE}: 学时 of " + ", ".join(named) + ", trained since the task was assigned"
