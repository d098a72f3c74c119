"""Class affairs (班务): a class's groups (小组) and their leaders (组长), its committee (班委), the class managers'
duty roster (值班表), and notices (通知) to the whole class or to one group, with who has read them.

Only learners admitted to the class (已录取) are put in groups or on the committee, and only they are notified: a
notice reaches whoever is admitted and, for a group's notice, in the group when it is read, so someone who left the
class no longer counts as not having read. The managers on duty are the class's own managers, on the class's days.
Each function judges one part of the class's affairs as a whole and returns it as it will stand, or raises
``ClassAffairsError`` naming every problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import date, datetime

from services.enrollment.domain.classes import TrainingClass
from services.enrollment.domain.errors import ClassAffairsError
from services.enrollment.domain.vocabulary import CommitteeRole


@dataclass(frozen=True)
class Group:
    """A group (小组) of the class's learners; its leader (组长) is one of its members."""

    group_id: str
    class_id: str
    name: str
    members: tuple[str, ...]  # person ids (工号/学号), as the manager listed them
    leader: str | None = None


@dataclass(frozen=True)
class CommitteeSeat:
    """One role of the class committee (班委) and the learner who holds it."""

    role: CommitteeRole
    person_id: str


@dataclass(frozen=True)
class DutyShift:
    """A class manager on duty (值班) on one day of the class."""

    day: date
    manager: str  # the subject of the manager's token, as the class's ``managers`` name them


@dataclass(frozen=True)
class Notice:
    """A notice (通知) to the whole class, or to one of its groups."""

    notice_id: str
    class_id: str
    title: str
    body: str
    posted_by: str
    posted_at: datetime
    group_id: str | None = None  # None: the whole class


@dataclass(frozen=True)
class Receipts:
    """Who of those a notice reaches has read it (and when), and who has not."""

    read: tuple[tuple[str, datetime], ...]  # (person id, first read), by person id
    unread: tuple[str, ...]


# ── groups ────────────────────────────────────────────────────────────────────────────────────────────


def checked_group(group: Group, *, admitted: Set[str], groups: Iterable[Group]) -> Group:
    """The group (new, or as revised), if its name is its own in the class, its members are admitted learners in
    no other group, and its leader is one of them. ``groups`` are the class's groups as they stand."""
    others = [other for other in groups if other.class_id == group.class_id and other.group_id != group.group_id]
    problems = []
    if not group.name.strip():
        problems.append("a group needs a name")
    elif any(_same_name(other.name, group.name) for other in others):
        problems.append(f"class {group.class_id} already has a group named {group.name.strip()!r}")
    twice = sorted({person for person in group.members if group.members.count(person) > 1})
    if twice:
        problems.append(f"listed more than once: {', '.join(twice)}")
    problems += _not_admitted(group.members, admitted, group.class_id)
    problems += [
        f"{person} is already in group {other.name!r}"
        for other in others
        for person in group.members
        if person in other.members
    ]
    if group.leader is not None and group.leader not in group.members:
        problems.append(f"the group leader (组长) {group.leader} must be one of its members")
    if problems:
        raise ClassAffairsError(f"group {group.name.strip()!r}: {'; '.join(problems)}")
    return Group(group.group_id, group.class_id, group.name.strip(), group.members, group.leader)


def _same_name(first: str, second: str) -> bool:
    """Names compared as people write them: case and spacing do not make another group."""
    return "".join(first.split()).casefold() == "".join(second.split()).casefold()


# ── the committee ─────────────────────────────────────────────────────────────────────────────────────


def committee(class_id: str, seats: Iterable[CommitteeSeat], *, admitted: Set[str]) -> tuple[CommitteeSeat, ...]:
    """The class committee (班委) as given, in the vocabulary's order of roles: each role held by one admitted
    learner (a learner may hold more than one role)."""
    seats = list(seats)
    roles = [seat.role for seat in seats]
    problems = [f"{role.label} ({role.value}) is given twice" for role in CommitteeRole if roles.count(role) > 1]
    problems += _not_admitted([seat.person_id for seat in seats], admitted, class_id)
    if problems:
        raise ClassAffairsError(f"the committee (班委) of class {class_id}: {'; '.join(problems)}")
    order = list(CommitteeRole)
    return tuple(sorted(seats, key=lambda seat: order.index(seat.role)))


# ── the duty roster ───────────────────────────────────────────────────────────────────────────────────


def duty_roster(training_class: TrainingClass, shifts: Iterable[DutyShift]) -> tuple[DutyShift, ...]:
    """The class managers' duty roster (值班表) as given, by day: each shift one of the class's managers on one of
    its days; several managers may share a day."""
    c, shifts = training_class, list(shifts)
    if c.first_day is None or c.last_day is None:
        if not shifts:
            return ()
        raise ClassAffairsError(f"class {c.class_id} has no days yet: fix its days before the duty roster")
    problems = []
    for shift in shifts:
        if not c.first_day <= shift.day <= c.last_day:
            problems.append(f"{shift.day} is not a day of the class ({c.days_text()})")
        if shift.manager not in c.managers:
            managers = ", ".join(c.managers) or "none yet"
            problems.append(f"{shift.manager} is not a manager of the class (its managers: {managers})")
    twice = sorted({shift for shift in shifts if shifts.count(shift) > 1}, key=lambda s: (s.day, s.manager))
    problems += [f"{shift.manager} is on duty on {shift.day} twice" for shift in twice]
    if problems:
        raise ClassAffairsError(f"the duty roster of class {c.class_id}: {'; '.join(problems)}")
    return tuple(sorted(shifts, key=lambda shift: (shift.day, shift.manager)))


# ── notices ───────────────────────────────────────────────────────────────────────────────────────────


def recipients(notice: Notice, *, admitted: Set[str], groups: Mapping[str, Group]) -> frozenset[str]:
    """Whom the notice reaches now: the admitted learners of the class, or those of them in its group."""
    if notice.group_id is None:
        return frozenset(admitted)
    group = groups.get(notice.group_id)
    return frozenset(group.members) & admitted if group is not None else frozenset()


def post_notice(notice: Notice, *, admitted: Set[str], groups: Mapping[str, Group]) -> Notice:
    """The notice, if it says something and reaches at least one admitted learner of the class."""
    problems = []
    if not notice.title.strip():
        problems.append("a notice needs a title")
    if not notice.body.strip():
        problems.append("a notice needs a text")
    group = groups.get(notice.group_id) if notice.group_id is not None else None
    if notice.group_id is not None and (group is None or group.class_id != notice.class_id):
        problems.append(f"class {notice.class_id} has no group {notice.group_id}")
    elif not recipients(notice, admitted=admitted, groups=groups):
        whom = f"group {group.name!r} has" if group is not None else f"class {notice.class_id} has"
        problems.append(f"it would reach nobody: {whom} no admitted learners (已录取) yet")
    if problems:
        raise ClassAffairsError(f"notice {notice.title.strip()!r}: {'; '.join(problems)}")
    return Notice(
        notice.notice_id,
        notice.class_id,
        notice.title.strip(),
        notice.body.strip(),
        notice.posted_by,
        notice.posted_at,
        notice.group_id,
    )


def read_receipts(reached: Set[str], reads: Mapping[str, datetime]) -> Receipts:
    """Of those a notice reaches, who has read it (first read) and who has not."""
    return Receipts(
        read=tuple((person, reads[person]) for person in sorted(reached) if person in reads),
        unread=tuple(person for person in sorted(reached) if person not in reads),
    )


def _not_admitted(people: Iterable[str], admitted: Set[str], class_id: str) -> list[str]:
    outside = sorted(set(people) - admitted)
    if not outside:
        return []
    return [f"not admitted learners (已录取) of class {class_id}: {', '.join(outside)}"]
