"""Training classes (培训班) and their sessions: what makes them valid, and how they may change.

A class runs on calendar days in Beijing time, from ``first_day`` to ``last_day`` inclusive, as the school
writes them (3月2日至3月6日); a class trained in segments (分段式) has phases inside those days. A class being
planned may not have its days yet; it takes sessions, and people, once it has them. Sessions are timed to the
minute; rescheduling and cancelling are state changes, and every change raises the version by one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.enrollment.domain.errors import ClassError, DoubleBooking, SessionError
from services.enrollment.domain.sessions import session_hours_problem
from services.enrollment.domain.vocabulary import (
    ClassDelivery,
    ClassStatus,
    PartyAffairsLevel,
    SessionStatus,
    TeachingMode,
    TrainingCategory,
)

SCHOOL_TIMEZONE = ZoneInfo("Asia/Shanghai")
HALF = Decimal("0.5")
# A rule is named by what it is and its version, as the service that applies it stores it: "session-tolerance/v2".
RULE_NAME = re.compile(r"[a-z][a-z0-9-]*/v[1-9][0-9]*")


@dataclass(frozen=True)
class Phase:
    """One segment of a class trained in segments (分段式), on days inside the class."""

    title: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class CompletionCriteria:
    """What a learner needs to complete the class (结业), as certificates will apply it."""

    required_hours: Decimal  # 学时 credited
    max_absence_share: Decimal | None  # share of the scheduled 学时 a learner may miss, e.g. 0.2; None: no limit
    final_assessment_required: bool  # 结业考核
    survey_required: bool  # the after-class survey (课后评估)
    reissue_after_revocation: bool = False  # a new certificate number when completing again after a revocation
    certificate: bool = True  # a 结业证书 on completion


def certificate_by_default(category: TrainingCategory) -> bool:
    """Whether completing a class of ``category`` earns a 结业证书 unless the class says otherwise: a 党支部's own
    study (支部组织学习) is a branch's regular study, not a training class one graduates from."""
    return category is not TrainingCategory.BRANCH_STUDY


@dataclass(frozen=True)
class TrainingClass:
    class_id: str
    title: str
    category: TrainingCategory
    year: int  # 培训年度
    criteria: CompletionCriteria
    first_day: date | None = None  # None while the class is being planned
    last_day: date | None = None
    delivery: ClassDelivery = ClassDelivery.ON_SITE
    capacity: int | None = None  # seats; None: as many as apply
    organiser: str | None = None  # the unit or Party organisation that runs it (主办单位), by code
    level: PartyAffairsLevel | None = None  # only for 党务干部培训
    place: str | None = None
    managers: tuple[str, ...] = ()  # 跟班管理人员: the subjects of their tokens (工号)
    phases: tuple[Phase, ...] = ()
    unit_quotas: Mapping[str, int] = field(default_factory=dict)  # 选派名额 per unit code; empty: no quotas
    crediting_rule: str | None = None  # overrides the default 学时 rule, e.g. "session-tolerance/v2"
    status: ClassStatus = ClassStatus.OPEN
    version: int = 1

    def days_text(self) -> str:
        if self.first_day is None or self.last_day is None:
            return "days not yet fixed"
        return f"{self.first_day} – {self.last_day}"


@dataclass(frozen=True)
class ClassSession:
    session_id: str
    class_id: str
    title: str
    mode: TeachingMode
    starts_at: datetime  # timezone-aware
    ends_at: datetime
    hours: Decimal  # 学时 for full attendance
    teachers: tuple[str, ...] = ()  # teacher ids (师资库)
    course_id: str | None = None  # the course it teaches (课程库)
    place: str | None = None  # room or site; none for 网络学习
    phase: str | None = None  # the phase's title, in a class trained in segments
    status: SessionStatus = SessionStatus.SCHEDULED
    cancel_reason: str | None = None
    version: int = 1

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def described(self) -> str:
        start = self.starts_at.astimezone(SCHOOL_TIMEZONE)
        end = self.ends_at.astimezone(SCHOOL_TIMEZONE)
        until = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M")
        return f"{self.title!r} (class {self.class_id}, session {self.session_id}, {start:%Y-%m-%d %H:%M}–{until})"


# ── classes ─────────────────────────────────────────────────────────────────────────────────────────────


def class_problems(training_class: TrainingClass) -> list[str]:
    """Everything that keeps the class from being valid on its own."""
    c = training_class
    problems = []
    if not c.class_id.strip():
        problems.append("a class needs an id")
    if not c.title.strip():
        problems.append("a class needs a title")
    if (c.first_day is None) != (c.last_day is None):
        problems.append("give both the first and the last day of the class, or neither while it is planned")
    elif c.first_day is not None and c.last_day is not None:
        if c.last_day < c.first_day:
            problems.append(f"the class ends ({c.last_day}) before it begins ({c.first_day})")
        if c.year not in (c.first_day.year, c.last_day.year):
            problems.append(f"year {c.year} is neither the year the class begins nor the year it ends")
    if c.level is not None and c.category is not TrainingCategory.PARTY_AFFAIRS:
        problems.append(f"only a {TrainingCategory.PARTY_AFFAIRS.label} class has a level, not {c.category.label}")
    if c.capacity is not None and c.capacity < 1:
        problems.append(f"capacity must be at least 1, not {c.capacity}")
    if c.organiser is not None and not c.organiser.strip():
        problems.append("the organiser (主办单位) must not be blank")
    if c.crediting_rule is not None and not RULE_NAME.fullmatch(c.crediting_rule):
        problems.append(
            f"crediting rule {c.crediting_rule!r} is not a rule name: write it as its name and version, "
            "e.g. session-tolerance/v2"
        )
    if len(set(c.managers)) != len(c.managers) or not all(m.strip() for m in c.managers):
        problems.append("class managers (跟班管理人员) must be distinct and non-blank")
    problems += [
        f"quota for unit {u} must be at least 1, not {quota}" for u, quota in c.unit_quotas.items() if quota < 1
    ]
    problems += _criteria_problems(c.criteria)
    problems += _phase_problems(c)
    return problems


def reference_problems(training_class: TrainingClass, known_organisations: Set[str]) -> list[str]:
    """Whether the organiser and the units given quotas are known to the register.

    Class managers are named by the subjects of their tokens, which the campus sign-on hands out: the register
    does not know them beforehand.
    """
    organiser = [training_class.organiser] if training_class.organiser is not None else []
    problems = [f"unknown organiser (主办单位) {code}" for code in organiser if code not in known_organisations]
    problems += [f"unknown unit {code}" for code in training_class.unit_quotas if code not in known_organisations]
    return problems


def open_class(training_class: TrainingClass, known_organisations: Set[str]) -> TrainingClass:
    """A new class, version 1, if valid and referring only to known units and Party organisations."""
    problems = class_problems(training_class) + reference_problems(training_class, known_organisations)
    if problems:
        raise ClassError(f"class {training_class.title!r}: {'; '.join(problems)}")
    return replace(training_class, version=1)


def revise_class(
    current: TrainingClass,
    revised: TrainingClass,
    *,
    known_organisations: Set[str],
    sessions: Iterable[ClassSession],
    active_enrollments: int,
    confirmed_enrollments: int,
) -> TrainingClass:
    """The class as revised, one version on, if it stays valid with its sessions and enrollments.

    ``active_enrollments`` counts everyone nominated, applied, approved or waitlisted; ``confirmed_enrollments``
    only the approved, who hold a seat.
    """
    if revised.class_id != current.class_id:
        raise ClassError(f"a revision of class {current.class_id} cannot become class {revised.class_id}")
    if current.status is ClassStatus.CANCELLED:
        raise ClassError(f"class {current.title!r} was cancelled: it changes no more")
    problems = class_problems(revised) + reference_problems(revised, known_organisations)
    if revised.capacity is not None and revised.capacity < confirmed_enrollments:
        problems.append(f"capacity {revised.capacity} is below the {confirmed_enrollments} confirmed enrollments")
    if active_enrollments and (revised.category, revised.level) != (current.category, current.level):
        problems.append(
            f"the category cannot change while {active_enrollments} people are enrolled: "
            "they were judged eligible for the category they joined"
        )
    if active_enrollments and revised.first_day is None:
        problems.append(f"the days cannot be dropped while {active_enrollments} people are enrolled")
    if not problems:  # sessions are measured against a class that is valid in itself
        problems += [
            f"session {session.described()}: {problem}"
            for session in sessions
            if session.class_id == current.class_id and session.status is SessionStatus.SCHEDULED
            for problem in _placement_problems(session, revised)
        ]
    if problems:
        raise ClassError(f"class {current.title!r}: {'; '.join(problems)}")
    return replace(revised, version=current.version + 1)


def _criteria_problems(criteria: CompletionCriteria) -> list[str]:
    problems = []
    if criteria.required_hours <= 0 or criteria.required_hours % HALF:
        problems.append(f"required 学时 must be a positive multiple of 0.5, not {criteria.required_hours}")
    if criteria.max_absence_share is not None and not Decimal(0) <= criteria.max_absence_share < 1:
        problems.append(
            f"the maximum absence is a share of the scheduled 学时 from 0 up to, not including, 1, "
            f"not {criteria.max_absence_share}"
        )
    return problems


def _phase_problems(c: TrainingClass) -> list[str]:
    if not c.phases:
        return []
    if c.first_day is None or c.last_day is None:
        return ["a class trained in segments (分段式) needs its first and last day around its phases"]
    problems = []
    titles = [phase.title for phase in c.phases]
    if len(set(titles)) != len(titles) or not all(title.strip() for title in titles):
        problems.append("phases need distinct, non-blank titles")
    for phase in c.phases:
        if phase.last_day < phase.first_day:
            problems.append(f"phase {phase.title!r} ends before it begins")
        elif phase.first_day < c.first_day or phase.last_day > c.last_day:
            problems.append(
                f"phase {phase.title!r} ({phase.first_day} – {phase.last_day}) lies outside the class "
                f"({c.first_day} – {c.last_day})"
            )
    ordered = sorted(c.phases, key=lambda phase: phase.first_day)
    problems += [
        f"phases {first.title!r} and {second.title!r} overlap"
        for first, second in itertools.pairwise(ordered)
        if second.first_day <= first.last_day
    ]
    return problems


# ── sessions ────────────────────────────────────────────────────────────────────────────────────────────


def session_problems(session: ClassSession, training_class: TrainingClass) -> list[str]:
    """Everything that keeps the session from being valid in its class."""
    if session.class_id != training_class.class_id:
        return [f"session belongs to class {session.class_id}, not {training_class.class_id}"]
    if training_class.category.runs_elsewhere:
        return [
            f"a {training_class.category.label} class is run elsewhere: its 学时 come in from outside, "
            "it has no sessions here"
        ]
    if session.starts_at.tzinfo is None or session.ends_at.tzinfo is None:
        return ["start and end must carry a timezone"]
    problems = []
    if not session.title.strip():
        problems.append("a session needs a title")
    if session.ends_at <= session.starts_at:
        problems.append("a session must end after it starts")
    elif (hours_problem := session_hours_problem(session.duration_minutes, session.hours)) is not None:
        problems.append(hours_problem)
    if session.hours <= 0 or session.hours % HALF:
        problems.append(f"学时 must be a positive multiple of 0.5, not {session.hours}")
    if session.mode is not TeachingMode.ONLINE and not (session.place or "").strip():
        problems.append(f"a {session.mode.label} session needs a place")
    if len(set(session.teachers)) != len(session.teachers) or not all(t.strip() for t in session.teachers):
        problems.append("teachers must be distinct and non-blank")
    problems += _placement_problems(session, training_class)
    return problems


def booking_conflicts(session: ClassSession, others: Iterable[ClassSession]) -> list[str]:
    """Teachers and rooms the session would share, at the same time, with another scheduled session (any class)."""
    conflicts = []
    for other in others:
        if other.session_id == session.session_id or other.status is not SessionStatus.SCHEDULED:
            continue
        if not (session.starts_at < other.ends_at and other.starts_at < session.ends_at):
            continue
        conflicts += [
            f"teacher {t} already teaches {other.described()}" for t in session.teachers if t in other.teachers
        ]
        if room_key(session.place) is not None and room_key(session.place) == room_key(other.place):
            conflicts.append(f"{session.place!r} is already booked for {other.described()}")
    return conflicts


def schedule_session(
    session: ClassSession, training_class: TrainingClass, all_sessions: Iterable[ClassSession]
) -> ClassSession:
    """A new session, version 1, if valid in its class and booking no teacher or room twice."""
    all_sessions = list(all_sessions)
    if any(other.session_id == session.session_id for other in all_sessions):
        raise SessionError(f"session {session.session_id} already exists")
    scheduled = replace(session, status=SessionStatus.SCHEDULED, cancel_reason=None, version=1)
    return _checked(scheduled, training_class, all_sessions)


def reschedule_session(
    current: ClassSession,
    revised: ClassSession,
    training_class: TrainingClass,
    all_sessions: Iterable[ClassSession],
) -> ClassSession:
    """The session as moved or changed (times, place, teachers…), one version on; a cancelled one stays so."""
    if (revised.session_id, revised.class_id) != (current.session_id, current.class_id):
        raise SessionError(f"a revision of session {current.session_id} cannot become another session")
    if current.status is SessionStatus.CANCELLED:
        raise SessionError(f"session {current.described()} was cancelled: schedule a new one instead")
    moved = replace(revised, status=SessionStatus.SCHEDULED, cancel_reason=None, version=current.version + 1)
    return _checked(moved, training_class, all_sessions)


def cancel_session(current: ClassSession, reason: str) -> ClassSession:
    if current.status is SessionStatus.CANCELLED:
        raise SessionError(f"session {current.described()} is already cancelled")
    if not reason.strip():
        raise SessionError("cancelling a session needs a reason")
    return replace(current, status=SessionStatus.CANCELLED, cancel_reason=reason.strip(), version=current.version + 1)


def scheduled_hours(sessions: Iterable[ClassSession]) -> Decimal:
    """学时 of the sessions that still take place."""
    return sum((s.hours for s in sessions if s.status is SessionStatus.SCHEDULED), Decimal(0))


def _checked(
    session: ClassSession, training_class: TrainingClass, all_sessions: Iterable[ClassSession]
) -> ClassSession:
    problems = session_problems(session, training_class)
    if problems:
        raise SessionError(f"session {session.title!r}: {'; '.join(problems)}")
    conflicts = booking_conflicts(session, all_sessions)
    if conflicts:
        raise DoubleBooking(f"session {session.described()} double-books: {'; '.join(conflicts)}")
    return session


def _placement_problems(session: ClassSession, training_class: TrainingClass) -> list[str]:
    """Whether the session's days, in Beijing time, fall inside its class and inside its phase."""
    first = session.starts_at.astimezone(SCHOOL_TIMEZONE).date()
    last = session.ends_at.astimezone(SCHOOL_TIMEZONE).date()
    c = training_class
    if c.first_day is None or c.last_day is None:
        return [f"class {c.class_id} has no days yet: give it its first and last day before scheduling sessions"]
    if first < c.first_day or last > c.last_day:
        return [f"it falls outside the class days ({c.first_day} – {c.last_day})"]
    if not c.phases:
        return [f"class {c.class_id} has no phases, so no phase {session.phase!r}"] if session.phase else []
    phase = next((p for p in c.phases if p.title == session.phase), None)
    if phase is None:
        titles = ", ".join(repr(p.title) for p in c.phases)
        return [f"a class trained in segments puts each session in one of its phases ({titles}), not {session.phase!r}"]
    if first < phase.first_day or last > phase.last_day:
        return [f"it falls outside phase {phase.title!r} ({phase.first_day} – {phase.last_day})"]
    return []


def room_key(place: str | None) -> str | None:
    """A place compared as people write it: case and spacing do not make a different room."""
    normalised = "".join((place or "").split()).casefold()
    return normalised or None
