"""The 结业考核 end to end, all four services as processes on the real broker: a class's scheme, a teacher's score
posted before evaluation knows the learner (202, applied when the enrollment arrives), the class manager's and the
school's scores, the computed result driving a certificate, a correction revoking it; and an after-class survey
answered and published as SurveyAnswered, with its report exported."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.auth import Role
from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from shared.events.contracts.evaluation import EVALUATION_TOPIC, AssessmentRecorded, SurveyAnswered
from tests.e2e.system import System
from tests.e2e.test_one_class import Cohort, attendance, open_class, total_reaches
from tests.kafka import cloudevent_of, producer, records_until, send_structured
from tests.support import eventually, unique

pytestmark = pytest.mark.e2e

SCHEME = {
    "kind": "weighted",
    "parts": [
        {
            "party": "teachers",
            "weight": "0.5",
            "items": [{"item_id": "paper", "label": "论文成绩", "scale": {"low": 0, "high": 100}, "weight": "1"}],
        },
        {
            "party": "class_managers",
            "weight": "0.3",
            "items": [{"item_id": "conduct", "label": "纪律", "scale": {"low": 1, "high": 5}, "weight": "1"}],
        },
        {
            "party": "school",
            "weight": "0.2",
            "items": [{"item_id": "class", "label": "班级整体", "scale": {"low": 0, "high": 100}, "weight": "1"}],
        },
    ],
    "thresholds": {"excellent": "90", "good": "80", "passing": "60"},
}
AFTER_CLASS_SURVEY = {
    "title": "训后需求调研",
    "sections": [
        {
            "items": [
                {
                    "item_id": "topics",
                    "prompt": "希望学习的专题",
                    "kind": "multiple_choice",
                    "choices": [
                        {"code": "party_history", "label": "党史"},
                        {"code": "discipline", "label": "纪律建设"},
                    ],
                },
                {
                    "item_id": "teaching_modes",
                    "prompt": "希望的教学形式",
                    "kind": "multiple_choice",
                    "choices": [{"code": "seminar", "label": "研讨式"}, {"code": "case", "label": "案例式"}],
                },
            ]
        }
    ],
}


@pytest.fixture
async def kafka(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    async with producer(kafka_bootstrap) as client:
        yield client


async def staff_the_class(system: System, cohort: Cohort, *, manager: str, teacher: str) -> None:
    """The register names ``manager`` among the class's managers and ``teacher`` as its first session's teacher."""
    async with system.client("enrollment", Role.ADMIN, "office") as office:
        registered = await office.post("/teachers", json={"teacher_id": teacher, "name": "王建华", "internal": True})
        assert registered.status_code == 201, registered.text
        staffed = await office.patch(f"/classes/{cohort.class_id}", json={"manager_ids": ["manager-1", manager]})
        assert staffed.status_code == 200, staffed.text
        taught = await office.patch(f"/sessions/{cohort.session_ids[0]}", json={"teacher_ids": [teacher]})
        assert taught.status_code == 200, taught.text


async def test_a_computed_final_assessment_drives_a_certificate_and_its_correction_revokes_it(
    system: System, kafka: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    manager, teacher = unique("manager"), unique("teacher")
    cohort = await open_class(system, sessions=2, enroll=False)
    class_id, person = cohort.class_id, cohort.person_id
    await staff_the_class(system, cohort, manager=manager, teacher=teacher)
    for session_id in cohort.session_ids:
        await send_structured(kafka, ATTENDANCE_TOPIC, attendance(person, session_id), key=person)

    async with (
        system.client("evaluation", Role.CLASS_MANAGER, manager) as as_manager,
        system.client("evaluation", Role.TEACHER, teacher) as as_teacher,
        system.client("evaluation", Role.ADMIN, "office-1") as as_office,
    ):

        async def scheme_set() -> httpx.Response | None:
            response = await as_manager.put(f"/classes/{class_id}/scheme", json=SCHEME)
            return response if response.status_code == 200 else None  # 404, then 403, until the class is known

        await eventually(scheme_set, what="evaluation to know the class and its manager")

        # The teacher scores before the learner is enrolled: accepted, and waiting for the enrollment.
        async def scored_early() -> httpx.Response | None:
            response = await as_teacher.post(
                f"/classes/{class_id}/scores",
                json={"party": "teachers", "person_id": person, "scores": {"paper": "85"}, "comment": "论文扎实"},
            )
            return response if response.status_code == 202 else None  # 403 until the session names the teacher

        waiting = await eventually(scored_early, what="the teacher's score to be accepted")
        location = waiting.headers["location"]
        assert (await as_teacher.get(location)).json()["status"] == "pending"
        async with system.client("enrollment", Role.CLASS_MANAGER, manager) as enrollment:
            nominated = await enrollment.post(f"/classes/{class_id}/enrollments", json={"person_id": person})
            assert nominated.status_code == 201, nominated.text
            approved = await enrollment.post(f"/enrollments/{nominated.json()['enrollment_id']}/approve")
            assert approved.status_code == 200, approved.text

        async def applied() -> dict[str, Any] | None:
            status = (await as_teacher.get(location)).json()
            return status if status["status"] == "applied" else None

        await eventually(applied, what="the waiting score to be applied once the enrollment arrives")
        by_manager = await as_manager.post(
            f"/classes/{class_id}/scores",
            json={"party": "class_managers", "person_id": person, "scores": {"conduct": "4"}},
        )
        assert by_manager.status_code == 201, by_manager.text
        assert by_manager.json()["waiting_for"] == {person: ["党校: 「班级整体」"]}
        by_school = await as_office.post(
            f"/classes/{class_id}/scores", json={"party": "school", "scores": {"class": "90"}}
        )
        assert by_school.status_code == 201, by_school.text
        [computed] = by_school.json()["assessments"]
        # 0.5 × 85 + 0.3 × 80 + 0.2 × 90 = 84.5
        assert (Decimal(computed["score"]), computed["grade"], computed["rule"]) == (
            Decimal("84.50"),
            "good",
            "weighted-scheme/v1",
        )

        await total_reaches(system, person, "8")
        certificate = await eventually(lambda: certificate_in(system, person, class_id, "issued"), what="a certificate")

        # The teacher corrects the paper grade: 0.5 × 20 + 24 + 18 = 52, 不合格; the certificate is revoked.
        corrected = await as_teacher.post(
            f"/classes/{class_id}/scores", json={"party": "teachers", "person_id": person, "scores": {"paper": "20"}}
        )
        assert [a["grade"] for a in corrected.json()["assessments"]] == ["fail"]
        revoked = await eventually(lambda: certificate_in(system, person, class_id, "revoked"), what="a revocation")
        assert revoked["certificate_number"] == certificate["certificate_number"]

    published = await records_until(
        kafka_bootstrap,
        EVALUATION_TOPIC,
        lambda r: json.loads(r.value or b"{}").get("data", {}).get("person_id") == person,
        count=2,
    )
    results = [AssessmentRecorded.model_validate(cloudevent_of(record)["data"]) for record in published]
    assert [(r.grade, r.rule, r.passed) for r in results] == [
        ("good", "weighted-scheme/v1", True),
        ("fail", "weighted-scheme/v1", False),
    ]


async def certificate_in(system: System, person: str, class_id: str, status: str) -> dict[str, Any] | None:
    async with system.client("certificates", Role.ADMIN) as certificates:
        listed = (await certificates.get(f"/persons/{person}/certificates")).json()
    return next((c for c in listed if c["class_id"] == class_id and c["status"] == status), None)


async def test_an_after_class_survey_is_answered_published_and_its_needs_exported(
    system: System, kafka_bootstrap: str
) -> None:
    cohort = await open_class(system, sessions=1)
    class_id, person = cohort.class_id, cohort.person_id
    now = datetime.now(UTC)
    async with (
        system.client("evaluation", Role.ADMIN, "office-1") as as_office,
        system.client("evaluation", Role.LEARNER, person) as as_learner,
    ):
        template = await as_office.post("/templates", json=AFTER_CLASS_SURVEY)
        assert template.status_code == 201, template.text

        async def form_opened() -> httpx.Response | None:
            response = await as_office.post(
                "/forms",
                json={
                    "title": "训后调研",
                    "purpose": "after_class",
                    "template_id": template.json()["template_id"],
                    "opens_at": (now - timedelta(minutes=1)).isoformat(),
                    "closes_at": (now + timedelta(hours=1)).isoformat(),
                    "anonymous": True,
                    "class_id": class_id,
                },
            )
            return response if response.status_code == 201 else None  # 404 until evaluation knows the class

        form_id = (await eventually(form_opened, what="the after-class survey to open")).json()["form_id"]

        async def answered() -> httpx.Response | None:
            response = await as_learner.post(
                f"/forms/{form_id}/answers", json={"answers": {"topics": ["discipline"], "teaching_modes": ["case"]}}
            )
            return response if response.status_code == 201 else None  # 403 until the enrollment is known

        receipt = (await eventually(answered, what="the learner's answer to be taken")).json()["receipt"]
        second = await as_learner.post(f"/forms/{form_id}/answers", json={"answers": {"topics": ["party_history"]}})
        assert second.status_code == 409 and "you already answered 「训后调研」" in second.json()["detail"]
        assert (await as_office.post(f"/forms/{form_id}/close")).status_code == 200
        late = await as_learner.put(
            f"/forms/{form_id}/answers", json={"answers": {"topics": ["party_history"]}, "receipt": receipt}
        )
        assert late.status_code == 409 and "closed at" in late.json()["detail"]
        exported = await as_office.get("/needs.xlsx", params={"year": 2026, "group": "development_targets"})
        assert exported.status_code == 200
        assert exported.headers["content-disposition"] == 'attachment; filename="needs-2026.xlsx"'

    [record] = await records_until(
        kafka_bootstrap,
        EVALUATION_TOPIC,
        lambda r: (
            json.loads(r.value or b"{}").get("type") == SurveyAnswered.event_type
            and json.loads(r.value or b"{}")["data"]["form_id"] == form_id
        ),
    )
    assert cloudevent_of(record)["data"] == {
        "form_id": form_id,
        "class_id": class_id,
        "person_id": person,
        "purpose": "after_class",
        "answered_at": cloudevent_of(record)["data"]["answered_at"],
    }
