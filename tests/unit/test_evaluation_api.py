"""The 结业考核 over HTTP: a class's scheme, every party's scores, the computed result and its corrections, results
entered directly, who may do what, and what waits for an enrollment evaluation has not learnt yet."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from services.evaluation.handlers import handlers
from shared.auth import Role
from shared.db import Database
from shared.events.contracts.evaluation import AssessmentRecorded
from shared.events.envelope import EventData
from tests.support import (
    REGISTERED_AT,
    a_class,
    a_session,
    an_enrollment,
    bearer,
    consumer_for,
    event_of,
    outbox_events,
    structured_record,
    unique,
)
from tests.unit.conftest import ServiceApi

ADMIN = bearer(Role.ADMIN, "office-1")
MANAGER = bearer(Role.CLASS_MANAGER, "manager-1")
TEACHER = bearer(Role.TEACHER, "teacher-1")
OTHER_MANAGER = bearer(Role.CLASS_MANAGER, "manager-2")
OTHER_TEACHER = bearer(Role.TEACHER, "teacher-2")


def item(item_id: str, label: str, high: int, weight: str, low: int = 0) -> dict[str, Any]:
    return {"item_id": item_id, "label": label, "scale": {"low": low, "high": high}, "weight": weight}


WEIGHTED = {
    "kind": "weighted",
    "parts": [
        {
            "party": "teachers",
            "weight": "0.5",
            "items": [item("seminar", "研讨发言", 10, "0.4", low=1), item("paper", "论文成绩", 100, "0.6")],
        },
        {
            "party": "class_managers",
            "weight": "0.3",
            "items": [item("attendance", "出勤", 100, "0.5"), item("conduct", "纪律", 5, "0.5", low=1)],
        },
        {"party": "school", "weight": "0.2", "items": [item("class", "班级整体", 100, "1")]},
    ],
    "thresholds": {"excellent": "90", "good": "80", "passing": "60"},
}
EXAM_ONLY = {"kind": "exam_only", "thresholds": {"excellent": "90", "good": "80", "passing": "60"}}


@dataclass
class Evaluation:
    """The evaluation API on a fresh database, and the register's events fed to it through the consumer path."""

    client: httpx.AsyncClient
    database: Database

    @classmethod
    async def open(cls, service_api: ServiceApi) -> Evaluation:
        return cls(*await service_api("evaluation"))

    async def learn(self, *facts: EventData) -> None:
        consumer, box = consumer_for(handlers, self.database, "evaluation")
        for fact in facts:
            await consumer.consume(structured_record(event_of(fact), fact.topic))
        assert box.letters == []

    async def open_class(self, *learners: str, category: str = "development_targets", year: int = 2026) -> str:
        """A class managed by manager-1, whose one session teacher-1 teaches, with ``learners`` enrolled; and a
        class of teacher-2 and manager-2 beside it."""
        class_id, other_id = unique("class"), unique("other")
        await self.learn(
            a_class(class_id, manager_ids=["manager-1"], category=category, year=year),
            a_session(f"{class_id}-01", class_id, starts_at=REGISTERED_AT, teacher_ids=["teacher-1"]),
            a_class(other_id, manager_ids=["manager-2"]),
            a_session(f"{other_id}-01", other_id, starts_at=REGISTERED_AT, teacher_ids=["teacher-2"]),
            *(an_enrollment(class_id, person_id) for person_id in learners),
        )
        return class_id

    async def published(self) -> list[AssessmentRecorded]:
        return [
            AssessmentRecorded.model_validate(event.data)
            for event in await outbox_events(self.database, AssessmentRecorded.event_type)
        ]


@pytest.fixture
async def evaluation(service_api: ServiceApi) -> Evaluation:
    return await Evaluation.open(service_api)


async def test_every_party_scores_and_the_final_assessment_is_computed_once_all_are_in(evaluation) -> None:
    client = evaluation.client
    learner, classmate = unique("person"), unique("person")
    class_id = await evaluation.open_class(learner, classmate)
    scores = f"/classes/{class_id}/scores"
    assert (await client.put(f"/classes/{class_id}/scheme", json=WEIGHTED, headers=MANAGER)).status_code == 200

    by_teacher = await client.post(
        scores,
        json={
            "party": "teachers",
            "person_id": learner,
            "scores": {"seminar": "8", "paper": "85"},
            "comment": "研讨积极",
        },
        headers=TEACHER,
    )
    by_manager = await client.post(
        scores,
        json={"party": "class_managers", "person_id": learner, "scores": {"attendance": "100", "conduct": "4"}},
        headers=MANAGER,
    )
    assert by_teacher.status_code == by_manager.status_code == 201, by_teacher.text + by_manager.text
    assert by_teacher.json()["assessments"] == []
    assert by_teacher.json()["waiting_for"] == {
        learner: ["跟班管理人员: 「出勤」", "跟班管理人员: 「纪律」", "党校: 「班级整体」"]
    }
    assert by_manager.json()["waiting_for"] == {learner: ["党校: 「班级整体」"]}
    assert await evaluation.published() == []

    by_school = await client.post(scores, json={"party": "school", "scores": {"class": "90"}}, headers=ADMIN)

    assert by_school.status_code == 201, by_school.text
    body = by_school.json()
    (assessment,) = body["assessments"]
    # 教师 0.4 × 80 + 0.6 × 85 = 83; 跟班 0.5 × 100 + 0.5 × 80 = 90; 党校 90; 0.5 × 83 + 0.3 × 90 + 0.2 × 90 = 86.5
    assert (assessment["person_id"], Decimal(assessment["score"]), assessment["grade"], assessment["passed"]) == (
        learner,
        Decimal("86.50"),
        "good",
        True,
    )
    assert assessment["reason"] == (
        "教师或专家 50% × 83.00 + 跟班管理人员 30% × 90.00 + 党校 20% × 90.00 = 86.50; 86.50 ≥ 80: 良好"
    )
    assert (assessment["grade_label"], assessment["rule"], assessment["assessed_by"]) == (
        "良好",
        "weighted-scheme/v1",
        "office-1",
    )
    assert body["waiting_for"] == {
        classmate: [
            "教师或专家: 「研讨发言」",
            "教师或专家: 「论文成绩」",
            "跟班管理人员: 「出勤」",
            "跟班管理人员: 「纪律」",
        ]
    }
    (published,) = await evaluation.published()
    assert (published.assessment_id, published.score, published.grade, published.rule, published.passed) == (
        assessment["assessment_id"],
        Decimal("86.50"),
        "good",
        "weighted-scheme/v1",
        True,
    )
    standing = await client.get(f"/classes/{class_id}/learners/{classmate}/assessment", headers=TEACHER)
    assert standing.json()["assessment"] is None
    assert len(standing.json()["waiting_for"]) == 4
    own = await client.get(f"/classes/{class_id}/learners/{learner}/assessment", headers=bearer(Role.LEARNER, learner))
    assert own.json()["assessment"]["assessment_id"] == assessment["assessment_id"]
    assert own.json()["waiting_for"] == []


async def test_a_correction_supersedes_the_result_and_the_same_result_again_changes_nothing(evaluation) -> None:
    client = evaluation.client
    learner = unique("person")
    class_id = await evaluation.open_class(learner)
    scores = f"/classes/{class_id}/scores"
    await client.put(f"/classes/{class_id}/scheme", json=WEIGHTED, headers=ADMIN)
    await client.post(scores, json={"party": "school", "scores": {"class": "90"}}, headers=ADMIN)
    manager_scores = {"attendance": "100", "conduct": "4"}
    await client.post(
        scores, json={"party": "class_managers", "person_id": learner, "scores": manager_scores}, headers=MANAGER
    )
    first = await client.post(
        scores,
        json={"party": "teachers", "person_id": learner, "scores": {"seminar": "8", "paper": "85"}},
        headers=TEACHER,
    )

    # The teacher corrects both grades: 0.4 × 90 + 0.6 × 90 = 90; 0.5 × 90 + 0.3 × 90 + 0.2 × 90 = 90.00, exactly 优秀.
    corrected = await client.post(
        scores,
        json={"party": "teachers", "person_id": learner, "scores": {"seminar": "9", "paper": "90"}},
        headers=TEACHER,
    )
    again = await client.post(
        scores, json={"party": "teachers", "person_id": learner, "scores": {"paper": "90"}}, headers=TEACHER
    )

    (before,) = first.json()["assessments"]
    (after,) = corrected.json()["assessments"]
    assert (Decimal(before["score"]), before["grade"]) == (Decimal("86.50"), "good")
    assert (Decimal(after["score"]), after["grade"], after["reason"].rsplit("; ", 1)[1]) == (
        Decimal("90.00"),
        "excellent",
        "90.00 ≥ 90: 优秀",
    )
    assert again.status_code == 201 and again.json()["assessments"] == []
    listed = (await client.get(f"/classes/{class_id}/assessments", headers=MANAGER)).json()
    assert [a["assessment_id"] for a in listed] == [after["assessment_id"]]
    published = await evaluation.published()
    assert [(p.assessment_id, p.grade) for p in published] == [
        (before["assessment_id"], "good"),
        (after["assessment_id"], "excellent"),
    ]
    assert published[1].assessed_at > published[0].assessed_at  # the correction is the one that stands


async def test_each_party_scores_only_the_classes_it_teaches_or_manages(evaluation) -> None:
    client = evaluation.client
    learner = unique("person")
    class_id = await evaluation.open_class(learner)
    scores = f"/classes/{class_id}/scores"
    await client.put(f"/classes/{class_id}/scheme", json=WEIGHTED, headers=MANAGER)
    teachers = {"party": "teachers", "person_id": learner, "scores": {"seminar": "8"}}
    managers = {"party": "class_managers", "person_id": learner, "scores": {"conduct": "4"}}

    refusals = {
        "another class's teacher": await client.post(scores, json=teachers, headers=OTHER_TEACHER),
        "another class's manager": await client.post(scores, json=managers, headers=OTHER_MANAGER),
        "a teacher as manager": await client.post(scores, json=managers, headers=TEACHER),
        "a teacher as the school": await client.post(
            scores, json={"party": "school", "scores": {"class": "90"}}, headers=TEACHER
        ),
        "a learner not enrolled": await client.post(
            scores,
            json={"party": "learners", "person_id": learner, "scores": {"peer": "5"}},
            headers=bearer(Role.LEARNER, unique("person")),
        ),
    }

    assert {who: answer.status_code for who, answer in refusals.items()} == dict.fromkeys(refusals, 403)
    assert refusals["another class's teacher"].json()["detail"] == (
        f"教师或专家's scores of class {class_id} are given by a teacher of one of its sessions, which teacher-2 is not"
    )
    assert refusals["another class's manager"].json()["detail"] == (
        f"跟班管理人员's scores of class {class_id} are given by a manager it names, which manager-2 is not"
    )
    assert "given by the 党校 office" in refusals["a teacher as the school"].json()["detail"]
    # An enrolled learner may score (自评、互评): here the scheme has no place for it, and says so.
    peer = await client.post(
        scores,
        json={"party": "learners", "person_id": learner, "scores": {"peer": "5"}},
        headers=bearer(Role.LEARNER, learner),
    )
    assert (peer.status_code, peer.json()["detail"]) == (422, "学员 takes no part in this class's scheme")
    assert (await client.post(scores, json=teachers, headers=TEACHER)).status_code == 201
    assert (await client.post(scores, json=managers, headers=MANAGER)).status_code == 201
    assert (await client.get(f"/classes/{class_id}/assessments", headers=OTHER_TEACHER)).status_code == 403
    assert (
        await client.get(f"/classes/{class_id}/assessments", headers=bearer(Role.ORGANISATION_DEPARTMENT, "zzb"))
    ).status_code == 200


async def test_a_scheme_is_set_by_the_classs_managers_and_refused_when_it_does_not_add_up(evaluation) -> None:
    client = evaluation.client
    learner = unique("person")
    class_id = await evaluation.open_class(learner)
    path = f"/classes/{class_id}/scheme"
    overweight = {**WEIGHTED, "parts": [{**part, "weight": "0.4"} for part in WEIGHTED["parts"]]}

    assert (await client.put(path, json=WEIGHTED, headers=TEACHER)).status_code == 403
    other = await client.put(path, json=WEIGHTED, headers=OTHER_MANAGER)
    assert other.status_code == 403
    assert f"class {class_id} does not name manager-2 among its managers" in other.json()["detail"]
    too_much = await client.put(path, json=overweight, headers=MANAGER)
    assert (too_much.status_code, too_much.json()["detail"]) == (422, "the weights of the parties add up to 1.2, not 1")
    exam_with_parts = await client.put(path, json={**WEIGHTED, "kind": "exam_only"}, headers=MANAGER)
    assert "an exam-only class has no parties scoring it" in exam_with_parts.json()["detail"]
    unknown = await client.put("/classes/nope/scheme", json=WEIGHTED, headers=ADMIN)
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404,
        "class nope is not known to evaluation yet: it learns of classes from the register within seconds of their "
        "creation",
    )

    assert (await client.put(path, json=EXAM_ONLY, headers=MANAGER)).status_code == 200
    assert (await client.put(path, json=WEIGHTED, headers=MANAGER)).status_code == 200  # nothing scored yet
    shown = (await client.get(path, headers=TEACHER)).json()
    assert (shown["kind"], shown["set_by"], len(shown["parts"])) == ("weighted", "manager-1", 3)
    await client.post(
        f"/classes/{class_id}/scores",
        json={"party": "teachers", "person_id": learner, "scores": {"seminar": "8"}},
        headers=TEACHER,
    )
    late = await client.put(path, json=EXAM_ONLY, headers=MANAGER)
    assert late.status_code == 409
    assert "the scheme can no longer change" in late.json()["detail"]


async def test_an_exam_only_class_grades_the_result_entered_and_takes_no_scores(evaluation) -> None:
    client = evaluation.client
    learner = unique("person")
    class_id = await evaluation.open_class(learner)
    await client.put(f"/classes/{class_id}/scheme", json=EXAM_ONLY, headers=ADMIN)
    path = f"/classes/{class_id}/assessments"

    failed = await client.post(path, json={"person_id": learner, "score": "59.99"}, headers=TEACHER)
    passed = await client.post(path, json={"person_id": learner, "score": "60", "comment": "补考"}, headers=TEACHER)
    contradicting = await client.post(path, json={"person_id": learner, "score": "95", "passed": False}, headers=ADMIN)
    scored = await client.post(
        f"/classes/{class_id}/scores",
        json={"party": "teachers", "person_id": learner, "scores": {"paper": "90"}},
        headers=TEACHER,
    )

    assert (failed.status_code, failed.json()["grade"], failed.json()["passed"]) == (201, "fail", False)
    assert failed.json()["reason"] == "exam score 59.99 < 60: 不合格"
    assert (passed.json()["grade"], passed.json()["rule"], passed.json()["comment"]) == ("pass", "exam-only/v1", "补考")
    assert contradicting.status_code == 422
    assert "entered as failed, but the score says otherwise: 95 ≥ 90" in contradicting.json()["detail"]
    assert scored.status_code == 409
    assert "is assessed by an exam only: enter each learner's result" in scored.json()["detail"]
    assert [(p.grade, p.passed) for p in await evaluation.published()] == [("fail", False), ("pass", True)]


async def test_results_are_entered_directly_only_where_the_scheme_does_not_compute_them(evaluation) -> None:
    client = evaluation.client
    learner = unique("person")
    class_id = await evaluation.open_class(learner)
    path = f"/classes/{class_id}/assessments"

    without_scheme = await client.post(
        path, json={"person_id": learner, "passed": True, "score": "81.5"}, headers=ADMIN
    )
    ungraded = await client.post(path, json={"person_id": learner, "score": "81"}, headers=TEACHER)
    by_manager = await client.post(path, json={"person_id": learner, "passed": True}, headers=MANAGER)
    by_other_teacher = await client.post(path, json={"person_id": learner, "passed": True}, headers=OTHER_TEACHER)

    assert without_scheme.status_code == 201
    body = without_scheme.json()
    assert (Decimal(body["score"]), body["grade"], body["rule"], body["assessed_by"]) == (
        Decimal("81.5"),
        "pass",
        "direct-entry/v1",
        "office-1",
    )
    assert ungraded.status_code == 422
    assert "no evaluation scheme to grade a score by: say whether the learner passed" in ungraded.json()["detail"]
    assert (by_manager.status_code, by_manager.json()["detail"]) == (403, "this needs one of the roles: admin, teacher")
    assert by_other_teacher.status_code == 403
    assert "teacher-2 teaches none of its sessions" in by_other_teacher.json()["detail"]

    other_class = await evaluation.open_class(learner)
    await client.put(f"/classes/{other_class}/scheme", json=WEIGHTED, headers=ADMIN)
    computed = await client.post(
        f"/classes/{other_class}/assessments", json={"person_id": learner, "passed": True}, headers=ADMIN
    )
    assert computed.status_code == 422
    assert "computed from its evaluation scheme: enter the parties' scores instead" in computed.json()["detail"]


async def test_a_result_for_a_learner_evaluation_has_not_learnt_is_accepted_and_applied_when_they_arrive(
    evaluation,
) -> None:
    client = evaluation.client
    early = unique("person")
    class_id = await evaluation.open_class()
    await client.put(f"/classes/{class_id}/scheme", json=WEIGHTED, headers=ADMIN)

    entered = await client.post(
        f"/classes/{class_id}/scores",
        json={"party": "teachers", "person_id": early, "scores": {"seminar": "7"}},
        headers=TEACHER,
    )

    assert entered.status_code == 202, entered.text
    location = entered.headers["location"]
    assert location == f"/commands/{entered.json()['command_id']}"
    pending = await client.get(location, headers=TEACHER)
    assert (pending.json()["status"], pending.json()["waiting_for"]) == ("pending", [f"learner:{class_id}/{early}"])
    assert (await client.get(location, headers=OTHER_TEACHER)).status_code == 403

    await evaluation.learn(an_enrollment(class_id, early))

    applied = (await client.get(location, headers=TEACHER)).json()
    assert (applied["status"], applied["kind"], applied["result_id"]) == ("applied", "score", applied["command_id"])
    assert applied["detail"].startswith(f"score {applied['command_id']} recorded. {early}: 结业考核 waits for")
    standing = (await client.get(f"/classes/{class_id}/learners/{early}/assessment", headers=ADMIN)).json()
    assert "教师或专家: 「研讨发言」" not in standing["waiting_for"]
    assert "教师或专家: 「论文成绩」" in standing["waiting_for"]


@pytest.mark.parametrize("score", ["-1", "100.01", "99.999", 85])
async def test_a_score_entered_directly_is_a_string_from_0_to_100_with_at_most_two_decimals(evaluation, score) -> None:
    """A number is refused too: a float could have rounded it on the way."""
    learner = unique("person")
    class_id = await evaluation.open_class(learner)
    answer = await evaluation.client.post(
        f"/classes/{class_id}/assessments",
        json={"person_id": learner, "passed": True, "score": score},
        headers=TEACHER,
    )
    assert answer.status_code == 422


async def test_only_those_who_evaluate_may_post_scores_and_results(evaluation) -> None:
    client = evaluation.client
    learner = unique("person")
    class_id = await evaluation.open_class(learner)
    mine = {"person_id": learner, "passed": True}

    assert (await client.post(f"/classes/{class_id}/assessments", json=mine)).status_code == 401
    for role in (Role.LEARNER, Role.INGEST, Role.NOMINATOR, Role.ORGANISATION_DEPARTMENT):
        headers = bearer(role, learner)
        assert (await client.post(f"/classes/{class_id}/assessments", json=mine, headers=headers)).status_code == 403
    assert (
        await client.get(f"/classes/{class_id}/assessments", headers=bearer(Role.LEARNER, learner))
    ).status_code == (403)
