from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from services.evaluation.handlers import handlers
from shared.auth import Role
from shared.db import Database
from tests.support import a_class, an_enrollment, bearer, consumer_for, event_of, structured_record, unique
from tests.unit.conftest import ServiceApi


@pytest.fixture
async def evaluation(service_api: ServiceApi) -> tuple[httpx.AsyncClient, Database]:
    """The evaluation HTTP API on a migrated database (no broker: the lifespan does not run)."""
    return await service_api("evaluation")


async def known_class_with(database: Database, person_id: str) -> str:
    class_id = unique("class")
    consumer, _ = consumer_for(handlers, database, "evaluation")
    for fact in (
        a_class(class_id, title="青年骨干培训班", category="young_backbone", required_hours="8"),
        an_enrollment(class_id, person_id),
    ):
        await consumer.consume(structured_record(event_of(fact), fact.topic))
    return class_id


async def test_a_teacher_records_an_assessment_and_staff_see_the_one_that_stands(evaluation) -> None:
    client, database = evaluation
    person_id = unique("person")
    class_id = await known_class_with(database, person_id)
    path = f"/classes/{class_id}/assessments"

    failed = await client.post(path, json={"person_id": person_id, "passed": False}, headers=bearer(Role.TEACHER, "t1"))
    passed = await client.post(
        path,
        json={"person_id": person_id, "passed": True, "score": "81.5", "comment": "补考通过"},
        headers=bearer(Role.CLASS_MANAGER, "m1"),
    )

    assert failed.status_code == passed.status_code == 201
    assert failed.json()["assessed_by"] == "t1"
    body = passed.json()
    assert (body["class_id"], body["person_id"], body["passed"], Decimal(body["score"]), body["assessed_by"]) == (
        class_id,
        person_id,
        True,
        Decimal("81.5"),
        "m1",
    )
    listed = await client.get(path, headers=bearer(Role.ADMIN, "a1"))
    assert listed.status_code == 200
    (standing,) = listed.json()
    assert (standing["assessment_id"], Decimal(standing["score"])) == (body["assessment_id"], Decimal("81.5"))


async def test_assessing_an_unknown_class_or_a_learner_not_enrolled_says_why(evaluation) -> None:
    client, database = evaluation
    person_id = unique("person")
    class_id = await known_class_with(database, person_id)
    teacher = bearer(Role.TEACHER, "t1")

    unknown_class = await client.post(
        "/classes/nope/assessments", json={"person_id": person_id, "passed": True}, headers=teacher
    )
    not_enrolled = await client.post(
        f"/classes/{class_id}/assessments", json={"person_id": "stranger", "passed": True}, headers=teacher
    )

    assert unknown_class.status_code == 404
    assert "class nope is not known to evaluation" in unknown_class.json()["detail"]
    assert not_enrolled.status_code == 409
    assert "stranger is not enrolled" in not_enrolled.json()["detail"]
    assert (await client.get("/classes/nope/assessments", headers=teacher)).status_code == 404


@pytest.mark.parametrize("score", ["-1", "100.01", "99.999"])
async def test_a_score_is_between_0_and_100_with_at_most_two_decimals(evaluation, score: str) -> None:
    client, database = evaluation
    person_id = unique("person")
    class_id = await known_class_with(database, person_id)
    answer = await client.post(
        f"/classes/{class_id}/assessments",
        json={"person_id": person_id, "passed": True, "score": score},
        headers=bearer(Role.TEACHER, "t1"),
    )
    assert answer.status_code == 422


async def test_only_staff_record_and_list_assessments(evaluation) -> None:
    client, database = evaluation
    person_id = unique("person")
    path = f"/classes/{await known_class_with(database, person_id)}/assessments"
    mine = {"person_id": person_id, "passed": True}

    assert (await client.post(path, json=mine)).status_code == 401
    assert (await client.post(path, json=mine, headers=bearer(Role.LEARNER, person_id))).status_code == 403
    assert (await client.get(path, headers=bearer(Role.LEARNER, person_id))).status_code == 403
    assert (await client.post(path, json=mine, headers=bearer(Role.INGEST, "door-3"))).status_code == 403
