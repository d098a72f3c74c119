from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import func, select

from services.evaluation import handlers, views
from services.evaluation.models import Assessment, AssessmentCreate
from shared.consumer import Outcome
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.events.contracts.evaluation import AssessmentRecorded
from shared.events.contracts.register import ClassChanged, EnrollmentChanged
from shared.events.envelope import EventData
from tests.support import (
    a_class,
    a_person,
    an_enrollment,
    consumer_for,
    event_of,
    outbox_events,
    structured_record,
    unique,
    unit_of_work_factory,
)


def class_created(class_id: str, version: int = 1) -> ClassChanged:
    return a_class(class_id, category="activists", title="2026年入党积极分子培训班", version=version)


def enrolled(class_id: str, person_id: str, status: str = "approved", version: int = 1) -> EnrollmentChanged:
    return an_enrollment(class_id, person_id, status=status, version=version)


async def deliver(database: Database, *facts: EventData) -> list[Outcome]:
    consumer, _ = consumer_for(handlers.handlers, database, "evaluation")
    return [await consumer.consume(structured_record(event_of(fact), fact.topic)) for fact in facts]


async def record(database: Database, class_id: str, command: AssessmentCreate, by: str = "teacher-1") -> Assessment:
    async with unit_of_work_factory(database)() as uow:
        assessment = await handlers.record_assessment(uow, class_id, command, by)
        await uow.commit()
    return assessment


async def test_evaluation_keeps_the_newest_state_of_each_class_and_enrollment_and_ignores_the_rest(
    sqlite_database,
) -> None:
    database = await sqlite_database("evaluation")
    class_id, person_id = unique("class"), unique("person")

    outcomes = await deliver(
        database,
        class_created(class_id),
        enrolled(class_id, person_id, status="applied"),
        class_created(class_id),
        enrolled(class_id, person_id, status="approved", version=2),
        enrolled(class_id, person_id, status="applied"),
        a_person(person_id, name="王五"),
    )

    assert outcomes == [
        Outcome.APPLIED,
        Outcome.APPLIED,
        Outcome.IGNORED,  # the same version again
        Outcome.APPLIED,  # a newer one
        Outcome.IGNORED,  # an older one, late
        Outcome.IGNORED,  # persons are not evaluation's business
    ]
    assessment = await record(database, class_id, AssessmentCreate(person_id=person_id, passed=True))
    assert assessment.person_id == person_id  # approved, as version 2 says


async def test_an_assessment_of_an_enrolled_learner_is_recorded_and_published(sqlite_database) -> None:
    database = await sqlite_database("evaluation")
    class_id, person_id = unique("class"), unique("person")
    await deliver(database, class_created(class_id), enrolled(class_id, person_id))

    assessment = await record(
        database,
        class_id,
        AssessmentCreate(person_id=person_id, passed=True, score=Decimal("92.5"), comment="论文优秀"),
        by="teacher-7",
    )

    (published,) = await outbox_events(database, AssessmentRecorded.event_type)
    assert published.subject == class_id
    assert AssessmentRecorded.model_validate(published.data) == AssessmentRecorded(
        assessment_id=assessment.assessment_id,
        class_id=class_id,
        person_id=person_id,
        passed=True,
        score=Decimal("92.5"),
        assessed_by="teacher-7",
        assessed_at=assessment.assessed_at,
    )


async def test_only_learners_enrolled_in_a_class_known_to_evaluation_can_be_assessed(sqlite_database) -> None:
    database = await sqlite_database("evaluation")
    class_id, other_class_id, person_id = unique("class"), unique("class"), unique("person")
    await deliver(database, class_created(class_id), class_created(other_class_id), enrolled(class_id, person_id))

    with pytest.raises(NotFound, match=r"class nope is not known to evaluation \(yet\)"):
        await record(database, "nope", AssessmentCreate(person_id=person_id, passed=True))
    with pytest.raises(Conflict, match=f"person {person_id} is not enrolled in class {other_class_id}"):
        await record(database, other_class_id, AssessmentCreate(person_id=person_id, passed=True))
    with pytest.raises(Conflict, match="stranger is not enrolled"):
        await record(database, class_id, AssessmentCreate(person_id="stranger", passed=True))
    await deliver(database, enrolled(class_id, person_id, status="withdrawn", version=2))
    with pytest.raises(Conflict, match=f"person {person_id} is not enrolled in class {class_id}"):
        await record(database, class_id, AssessmentCreate(person_id=person_id, passed=True))

    assert await outbox_events(database) == []


async def test_the_latest_assessment_of_each_learner_stands_and_every_one_is_kept(sqlite_database) -> None:
    database = await sqlite_database("evaluation")
    class_id, retaker, first_timer = unique("class"), unique("person"), unique("person")
    await deliver(database, class_created(class_id), enrolled(class_id, retaker), enrolled(class_id, first_timer))

    await record(database, class_id, AssessmentCreate(person_id=retaker, passed=False, score=Decimal(52)))
    await record(database, class_id, AssessmentCreate(person_id=first_timer, passed=True, score=Decimal(88)))
    retake = await record(database, class_id, AssessmentCreate(person_id=retaker, passed=True, score=Decimal(75)))

    async with database.sessions() as session:
        current = await views.current_assessments_view(session, class_id)
        kept = (await session.exec(select(func.count()).select_from(Assessment))).one()
    assert {(a.person_id, a.passed, a.score) for a in current} == {
        (retaker, True, Decimal(75)),
        (first_timer, True, Decimal(88)),
    }
    assert next(a for a in current if a.person_id == retaker).assessment_id == retake.assessment_id
    assert kept == 3
    assert len(await outbox_events(database, AssessmentRecorded.event_type)) == 3
