"""Evaluation on the consumer path: what it keeps of the register, and commands that wait for an enrollment (or a
class) evaluation has not learnt yet, applied or refused when it arrives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from services.evaluation.commands import AssessmentEntered
from services.evaluation.handlers import assessments, handlers
from services.evaluation.models import (
    Assessment,
    AssessmentCreate,
    AssessmentPublic,
    CommandStatus,
    EvaluationClass,
    EvaluationCommand,
    EvaluationCourse,
    EvaluationSession,
    EvaluationTeacher,
)
from shared.auth import Principal, Role
from shared.consumer import Outcome
from shared.db import Database
from shared.errors import Conflict
from shared.events.contracts.evaluation import AssessmentRecorded
from shared.events.contracts.register import CourseChanged, TeacherChanged
from shared.events.envelope import EventData
from shared.unit_of_work import ParkedEvent
from tests.support import (
    REGISTERED_AT,
    a_class,
    a_person,
    a_session,
    an_enrollment,
    consumer_for,
    event_of,
    outbox_events,
    structured_record,
    unique,
    unit_of_work_factory,
)

ADMIN = Principal("office-1", frozenset({Role.ADMIN}))
TEACHER = Principal("teacher-1", frozenset({Role.TEACHER}))


async def deliver(database: Database, *facts: EventData) -> list[Outcome]:
    consumer, box = consumer_for(handlers, database, "evaluation")
    outcomes = [await consumer.consume(structured_record(event_of(fact), fact.topic)) for fact in facts]
    assert box.letters == []
    return outcomes


async def run(database: Database, handler: Any, *args: Any) -> Any:
    """A command in its own unit of work, committed as the HTTP layer does."""
    async with unit_of_work_factory(database, "urn:dangxiao:evaluation")() as uow:
        result = await handler(uow, *args)
        await uow.commit()
    return result


async def status_of(database: Database, command_id: str) -> EvaluationCommand:
    async with database.sessions() as session:
        command = await session.get(EvaluationCommand, command_id)
    assert command is not None
    return command


async def parked(database: Database) -> list[str]:
    async with database.sessions() as session:
        return sorted((await session.exec(select(ParkedEvent.waiting_for))).all())


def taught_session(class_id: str, teacher_id: str = "teacher-1", **fields: Any) -> Any:
    return a_session(f"{class_id}-01", class_id, starts_at=REGISTERED_AT, teacher_ids=[teacher_id], **fields)


async def test_evaluation_keeps_the_newest_state_of_what_it_needs_of_the_register(sqlite_database) -> None:
    database = await sqlite_database("evaluation")
    class_id, person_id = unique("class"), unique("person")
    teacher = TeacherChanged(teacher_id="teacher-1", name="王老师", internal=True, version=1, changed_at=REGISTERED_AT)
    course = CourseChanged(course_id="course-1", title="党章学习", version=1, changed_at=REGISTERED_AT)

    outcomes = await deliver(
        database,
        a_class(class_id, manager_ids=["manager-1"]),
        a_class(class_id, manager_ids=["manager-2"], version=3),
        a_class(class_id, manager_ids=["manager-1"], version=2),  # older than what is kept
        taught_session(class_id, course_id="course-1"),
        an_enrollment(class_id, person_id),
        teacher,
        course,
        a_person(person_id),  # persons are not evaluation's business
    )

    assert outcomes == [Outcome.APPLIED, Outcome.APPLIED, Outcome.IGNORED] + [Outcome.APPLIED] * 4 + [Outcome.IGNORED]
    async with database.sessions() as session:
        training_class = await session.get(EvaluationClass, class_id)
        taught = await session.get(EvaluationSession, f"{class_id}-01")
        known_teacher = await session.get(EvaluationTeacher, "teacher-1")
        known_course = await session.get(EvaluationCourse, "course-1")
    assert training_class is not None and taught is not None and known_teacher and known_course
    assert (training_class.manager_ids, training_class.category, training_class.year) == (
        ["manager-2"],
        "development_targets",
        2026,
    )
    assert (taught.teacher_ids, taught.course_id) == (["teacher-1"], "course-1")
    assert (known_teacher.name, known_course.title) == ("王老师", "党章学习")


async def test_a_result_for_a_learner_not_known_yet_waits_for_the_enrollment_and_is_applied_when_approved(
    sqlite_database,
) -> None:
    database = await sqlite_database("evaluation")
    class_id, person_id = unique("class"), unique("person")
    await deliver(database, a_class(class_id), taught_session(class_id))

    waiting = await run(
        database,
        assessments.enter_assessment,
        class_id,
        AssessmentCreate(person_id=person_id, passed=True, score=Decimal(88)),
        TEACHER,
    )

    assert isinstance(waiting, EvaluationCommand)
    assert (waiting.status, waiting.waiting_for) == (CommandStatus.PENDING, [f"learner:{class_id}/{person_id}"])
    assert f"waiting until evaluation learns that {person_id} is enrolled in class {class_id}" in waiting.detail
    assert await outbox_events(database) == []

    # Applied for, not yet approved: still waiting, and its status says how the enrollment stands.
    assert await deliver(database, an_enrollment(class_id, person_id, status="applied")) == [Outcome.APPLIED]
    still = await status_of(database, waiting.command_id)
    assert still.status == CommandStatus.PENDING
    assert "(their enrollment is applied so far)" in still.detail

    assert await deliver(database, an_enrollment(class_id, person_id, version=2)) == [Outcome.APPLIED]

    applied = await status_of(database, waiting.command_id)
    assert (applied.status, applied.waiting_for) == (CommandStatus.APPLIED, [])
    assert applied.detail == "entered as 合格 with the score 88; the class has no scheme"
    (published,) = await outbox_events(database, AssessmentRecorded.event_type)
    recorded = AssessmentRecorded.model_validate(published.data)
    assert (recorded.assessment_id, recorded.person_id, recorded.passed, recorded.grade, recorded.rule) == (
        applied.result_id,
        person_id,
        True,
        "pass",
        "direct-entry/v1",
    )
    # Caused by the command: its time is the moment it was posted, and the command is its cause.
    assert recorded.assessed_at == published.time == waiting.submitted_at
    assert published.causationid == waiting.command_id
    assert await parked(database) == []


async def test_a_result_for_a_class_not_known_yet_waits_for_the_class_then_for_the_enrollment(
    sqlite_database,
) -> None:
    database = await sqlite_database("evaluation")
    class_id, person_id = unique("class"), unique("person")

    waiting = await run(
        database, assessments.enter_assessment, class_id, AssessmentCreate(person_id=person_id, passed=True), ADMIN
    )

    assert waiting.waiting_for == [f"class:{class_id}"]
    assert await parked(database) == [f"class:{class_id}"]
    await deliver(database, a_class(class_id))
    assert (await status_of(database, waiting.command_id)).waiting_for == [f"learner:{class_id}/{person_id}"]
    assert await parked(database) == [f"learner:{class_id}/{person_id}"]
    await deliver(database, an_enrollment(class_id, person_id))
    assert (await status_of(database, waiting.command_id)).status == CommandStatus.APPLIED
    assert len(await outbox_events(database, AssessmentRecorded.event_type)) == 1


async def test_a_waiting_command_is_refused_when_it_can_be_judged_and_its_status_says_why(sqlite_database) -> None:
    database = await sqlite_database("evaluation")
    class_id, learner, leaver = unique("class"), unique("person"), unique("person")
    somebody_else = Principal("teacher-9", frozenset({Role.TEACHER}))

    not_theirs = await run(
        database,
        assessments.enter_assessment,
        class_id,
        AssessmentCreate(person_id=learner, passed=True),
        somebody_else,
    )
    await deliver(database, a_class(class_id), taught_session(class_id))
    withdrawn = await run(
        database, assessments.enter_assessment, class_id, AssessmentCreate(person_id=leaver, passed=True), TEACHER
    )
    await deliver(database, an_enrollment(class_id, leaver, status="withdrawn"))
    # Known and ended: refused at once rather than kept.
    with pytest.raises(Conflict, match=f"{leaver} is not enrolled in class {class_id}: their enrollment is withdrawn"):
        await run(
            database, assessments.enter_assessment, class_id, AssessmentCreate(person_id=leaver, passed=True), TEACHER
        )

    refused = await status_of(database, not_theirs.command_id)
    assert refused.status == CommandStatus.REFUSED
    assert refused.detail == (
        f"only the 党校 office or a teacher of class {class_id} may enter its learners' 结业考核; "
        "teacher-9 teaches none of its sessions"
    )
    ended = await status_of(database, withdrawn.command_id)
    assert (ended.status, ended.detail) == (
        CommandStatus.REFUSED,
        f"{leaver} is not enrolled in class {class_id}: their enrollment is withdrawn",
    )
    assert await outbox_events(database) == []
    assert await parked(database) == []


async def test_enrollments_arriving_in_one_batch_release_every_command_waiting_for_them(sqlite_database) -> None:
    database = await sqlite_database("evaluation")
    class_id = unique("class")
    learners = [unique("person") for _ in range(3)]
    await deliver(database, a_class(class_id), taught_session(class_id))
    commands = [
        await run(database, assessments.enter_assessment, class_id, AssessmentCreate(person_id=p, passed=True), TEACHER)
        for p in learners
    ]

    consumer, _ = consumer_for(handlers, database, "evaluation")
    enrollments = [an_enrollment(class_id, person_id) for person_id in learners]
    outcomes = await consumer.consume_batch(
        [structured_record(event_of(e), e.topic, offset) for offset, e in enumerate(enrollments)]
    )

    assert outcomes == [Outcome.APPLIED] * 3
    assert [(await status_of(database, c.command_id)).status for c in commands] == [CommandStatus.APPLIED] * 3
    async with database.sessions() as session:
        assessed = (await session.exec(select(Assessment.person_id))).all()
    assert sorted(assessed) == sorted(learners)


async def test_a_command_sent_on_a_topic_is_ignored_never_applied(sqlite_database) -> None:
    """Commands travel in no contract: one slipped onto a topic evaluation reads is not taken for a command."""
    database = await sqlite_database("evaluation")
    class_id, person_id = unique("class"), unique("person")
    await deliver(database, a_class(class_id), an_enrollment(class_id, person_id))
    forged = AssessmentEntered(
        command_id="assessment-forged",
        class_id=class_id,
        person_id=person_id,
        submitted_by="office-1",
        roles=[Role.ADMIN],
        passed=True,
        score=None,
        comment=None,
    )
    consumer, _ = consumer_for(handlers, database, "evaluation")

    outcome = await consumer.consume(structured_record(event_of(forged), "dangxiao.enrollment.enrollments.v1"))

    assert outcome == Outcome.IGNORED
    assert await outbox_events(database) == []


async def test_an_assessment_applied_at_once_is_the_commands_effect_too(sqlite_database) -> None:
    database = await sqlite_database("evaluation")
    class_id, person_id = unique("class"), unique("person")
    await deliver(database, a_class(class_id), taught_session(class_id), an_enrollment(class_id, person_id))

    entered = await run(
        database,
        assessments.enter_assessment,
        class_id,
        AssessmentCreate(person_id=person_id, passed=False, score=Decimal(52), comment="补考"),
        TEACHER,
    )

    assert isinstance(entered, AssessmentPublic)
    (published,) = await outbox_events(database, AssessmentRecorded.event_type)
    assert published.time == entered.assessed_at
    assert AssessmentRecorded.model_validate(published.data).assessment_id == entered.assessment_id
    async with database.sessions() as session:
        assert await session.get(EvaluationCommand, entered.assessment_id) is None  # answered 201: nothing to poll
