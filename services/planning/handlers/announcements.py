"""What planning announces as facts change: a member's rotation, a nominee's progress in a task, a person's
training record of a year. Each is worked out again from everything known whenever a fact about it arrives, and
announced only when its content changed, under the next revision.

Everything announced is judged on the day of the event that caused it (Beijing time), never on the clock, so
that a rebuild, replaying the same events, announces the very same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import date
from decimal import Decimal

import orjson
from sqlmodel import col, select

from services.planning import facts
from services.planning.domain.cadre_record import CadreRecord, YearHours
from services.planning.domain.rotation import MEMBER_ROTATION_V1, ClassCompleted, HoursInOneYear, find_rotations
from services.planning.domain.rotation import rotation_status as status_of_rotation
from services.planning.domain.tasks import nominee_fulfilment
from services.planning.models import Announced, OfficeTask, PlanningCertificate, TaskNominee
from services.planning.records import task_of
from shared.events.contracts.planning import (
    MemberRotationChanged,
    RecordedClass,
    RecordedRequirement,
    TaskFulfilmentChanged,
    TrainingRecordChanged,
)
from shared.events.envelope import CloudEvent, EventData
from shared.projection import reference
from shared.unit_of_work import UnitOfWork

ROTATION_RULE = MEMBER_ROTATION_V1
# The categories whose classes, completed, or whose 学时, studied, make a rotation by the rule.
ROTATION_CLASS_CATEGORIES = frozenset(
    category
    for criterion in ROTATION_RULE.criteria
    if isinstance(criterion, ClassCompleted)
    for category in criterion.categories
)
ROTATION_HOURS_CATEGORIES = frozenset(
    category
    for criterion in ROTATION_RULE.criteria
    if isinstance(criterion, HoursInOneYear)
    for category in criterion.categories
)
ZERO = Decimal("0.00")


async def announce_changed(
    uow: UnitOfWork, subject: str, data: EventData, cause: CloudEvent, *, first: bool = True
) -> bool:
    """Announce ``data`` (its ``revision`` aside) unless it says what was last announced about ``subject``; with
    ``first`` false, only once something was announced about it before. Returns whether it announced."""
    content = data.model_dump(mode="json", exclude={"revision"})
    digest = hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()
    last = await uow.session.get(Announced, subject)
    if (last is None and not first) or (last is not None and last.digest == digest):
        return False
    if last is None:
        last = Announced(subject=subject, revision=1, digest=digest)
    else:
        last.revision, last.digest = last.revision + 1, digest
    uow.session.add(last)
    uow.emit(data.model_copy(update={"revision": last.revision}), cause=cause)
    return True


async def lock_people(uow: UnitOfWork, person_ids: Collection[str]) -> None:
    """What is worked out about people takes turns with what changes them (their projection takes this lock)."""
    await uow.lock(*(reference("person", person_id) for person_id in person_ids))


# ── rotation ─────────────────────────────────────────────────────────────────────────────────────────


async def announce_rotation(uow: UnitOfWork, person_id: str, cause: CloudEvent) -> None:
    """A member's last rotation and next due day, as the rule finds them on the cause's day; once they are no longer
    a member, that they are not."""
    session = uow.session
    person = await facts.person(session, person_id)
    if person is None:
        return  # their facts are kept; the person's state decides when it arrives
    credits = await facts.standing_credits_of(session, [person_id], ROTATION_HOURS_CATEGORIES)
    certificates = await facts.certificates_of(session, [person_id])
    classes = await facts.classes(session, {c.class_id for c in certificates})
    if any(c.class_id not in classes for c in certificates):
        return  # a certificate of a class not known yet: decided when the class arrives
    rotations = find_rotations(credits, certificates, classes, ROTATION_RULE).get(person_id, ())
    on = facts.beijing_day(cause.time)
    if not person.is_member_on(on):
        data = MemberRotationChanged(
            person_id=person_id,
            member=False,
            branch_id=person.branch_id,
            unit_id=person.unit_id,
            rule=ROTATION_RULE.name,
            reason=f"not a Party member of the school on {on}",
            revision=1,
        )
        await announce_changed(uow, f"rotation:{person_id}", data, cause, first=False)
        return
    status = status_of_rotation(person, rotations, on, ROTATION_RULE)
    last = status.last_rotation
    data = MemberRotationChanged(
        person_id=person_id,
        member=True,
        branch_id=person.branch_id,
        unit_id=person.unit_id,
        member_since=status.member_since,
        last_rotated_on=last.on if last else None,
        next_due=status.next_due,
        rule=status.rule,
        # Without "overdue": that comes with time alone, which subscribers judge by next_due against their today.
        reason=last.reason if last else f"never rotated; a member since {status.member_since}, due from then",
        revision=1,
    )
    await announce_changed(uow, f"rotation:{person_id}", data, cause)


async def certificate_holders(uow: UnitOfWork, class_id: str) -> list[str]:
    rows = await uow.session.exec(
        select(PlanningCertificate.person_id).where(PlanningCertificate.class_id == class_id).distinct()
    )
    return sorted(rows.all())


# ── tasks from above ─────────────────────────────────────────────────────────────────────────────────


async def tasks_of(uow: UnitOfWork, person_id: str) -> list[str]:
    rows = await uow.session.exec(
        select(TaskNominee.task_id).where(TaskNominee.person_id == person_id).order_by(col(TaskNominee.task_id))
    )
    return list(rows.all())


async def announce_fulfilment(uow: UnitOfWork, task_id: str, person_ids: Collection[str], cause: CloudEvent) -> None:
    """Each nominee's progress in the task, judged on the cause's day."""
    row = await uow.session.get(OfficeTask, task_id)
    if row is None:
        return
    task = task_of(row)
    on = facts.beijing_day(cause.time)
    credits = await facts.standing_credits_of(uow.session, person_ids)
    for person_id in sorted(person_ids):
        fulfilment = nominee_fulfilment(task, person_id, credits, on)
        data = TaskFulfilmentChanged(
            task_id=task_id,
            issuer=task.issuer.value,
            person_id=person_id,
            state=fulfilment.state.value,
            hours=fulfilment.hours,
            required_hours=task.required_hours,
            deadline=task.deadline,
            met_on=fulfilment.met_on,
            rule=fulfilment.rule,
            reason=fulfilment.reason,
            revision=1,
        )
        await announce_changed(uow, f"fulfilment:{task_id}/{person_id}", data, cause)


# ── the training record (信息沟通机制) ─────────────────────────────────────────────────────────────────


def record_years(record: CadreRecord) -> set[int]:
    """The years a record has something to say about: its classes, its 学时 and its requirements' windows."""
    years = {c.year for c in record.classes} | {h.year for h in record.hours_by_year}
    for standing in record.requirements:
        last = standing.window_end or standing.window_start
        years.update(range(standing.window_start.year, last.year + 1))
    return years


def year_record(record: CadreRecord, year: int) -> TrainingRecordChanged:
    hours = next((h for h in record.hours_by_year if h.year == year), YearHours(year, ZERO, ZERO, ZERO))
    first, last = date(year, 1, 1), date(year, 12, 31)
    return TrainingRecordChanged(
        person_id=record.person_id,
        year=year,
        classes=[
            RecordedClass(
                class_id=c.class_id,
                title=c.title,
                category=c.category,
                hours=c.hours,
                passed=c.passed,
                grade=c.grade,
                certificate_number=c.certificate_number,
                certificate_valid=c.certificate_valid,
            )
            for c in record.classes
            if c.year == year
        ],
        hours=hours.total,
        offline_hours=hours.offline,
        online_hours=hours.online,
        requirements=[
            RecordedRequirement(
                requirement=s.requirement,
                title=s.title,
                window_start=s.window_start,
                window_end=s.window_end,
                required_hours=s.required_hours,
                credited_hours=s.credited_hours,
                standing=s.standing,
                as_of=s.as_of,
            )
            for s in record.requirements
            if s.window_start <= last and (s.window_end is None or s.window_end >= first)
        ],
        revision=1,
    )


async def announce_record(uow: UnitOfWork, person_id: str, cause: CloudEvent) -> None:
    """Each year of the person's training record whose content changed (a year emptied by a reversal too)."""
    known = await facts.training_record(uow.session, person_id, with_enrollments=False)
    if known is None or known.waiting_for:
        return  # the person, or a class their facts name, is not known yet: announced once it is
    record = known.record
    prefix = f"record:{person_id}/"
    announced = await uow.session.exec(
        select(Announced.subject).where(col(Announced.subject).startswith(prefix, autoescape=True))
    )
    years = record_years(record) | {int(subject.removeprefix(prefix)) for subject in announced.all()}
    for year in sorted(years):
        await announce_changed(uow, f"{prefix}{year}", year_record(record, year), cause)
