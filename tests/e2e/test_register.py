"""The register's events on the real broker, the four services running as processes: each change of an entity is
a record of its whole state, keyed by the entity's id, on that entity's log-compacted topic, its version one
higher than the last; and the other services follow the register from those records alone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from shared.auth import Role
from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from shared.events.contracts.register import (
    CLASSES_TOPIC,
    ENROLLMENTS_TOPIC,
    ORGANISATIONS_TOPIC,
    PERSONS_TOPIC,
    REGISTER_EVENTS,
    SESSIONS_TOPIC,
)
from tests.e2e.system import System
from tests.e2e.test_one_class import attendance, total_reaches
from tests.kafka import cloudevent_of, producer, records_until, send_structured
from tests.support import eventually, unique

pytestmark = pytest.mark.e2e


async def topic_settings(bootstrap: str, topics: list[str]) -> dict[str, dict[str, str]]:
    """Each topic's configuration as the broker reports it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        answers = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic) for topic in topics])
    finally:
        await admin.close()
    # DescribeConfigs answers (error code, message, type, name, [(key, value, …), …]) per resource.
    return {
        resource[3]: {entry[0]: entry[1] for entry in resource[4]}
        for answer in answers
        for resource in answer.resources
    }


def about(key: str) -> Any:
    def matches(record: ConsumerRecord[bytes, bytes]) -> bool:
        return record.key == key.encode()

    return matches


async def states_on(bootstrap: str, topic: str, key: str, count: int) -> list[dict[str, Any]]:
    """The first ``count`` records of one entity on its topic, as CloudEvents."""
    return [cloudevent_of(record) for record in await records_until(bootstrap, topic, about(key), count=count)]


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_every_change_of_the_register_is_the_entity_s_whole_state_on_its_compacted_topic(
    system: System, kafka_bootstrap: str
) -> None:
    unit, branch, person, class_id = unique("U"), unique("B"), unique("P"), unique("C")
    session_id = f"{class_id}-01"
    async with system.client("enrollment", Role.ADMIN, "office") as office:
        await ok(
            await office.post(
                "/organisations",
                json={
                    "org_id": unit,
                    "kind": "unit",
                    "unit_kind": "college",
                    "name": "法学院",
                    "valid_from": "2020-09-01",
                },
            ),
            201,
        )
        committee = unique("PC")
        await ok(
            await office.post(
                "/organisations",
                json={"org_id": committee, "kind": "party_committee", "name": "党委", "valid_from": "2020-09-01"},
            ),
            201,
        )
        await ok(
            await office.post(
                "/organisations",
                json={
                    "org_id": branch,
                    "kind": "branch",
                    "name": "法学院党支部",
                    "parent_id": committee,
                    "unit_id": unit,
                    "valid_from": "2020-09-01",
                },
            ),
            201,
        )
        await ok(
            await office.post(
                "/persons",
                json={
                    "person_id": person,
                    "name": "王五",
                    "kind": "staff",
                    "unit_id": unit,
                    "branch_id": branch,
                    "statuses": [{"code": "development_target", "since": "2026-01-01"}],
                },
            ),
            201,
        )
        await ok(
            await office.post(
                "/classes",
                json={
                    "class_id": class_id,
                    "title": "发展对象培训班",
                    "category": "development_targets",
                    "year": 2026,
                    "starts_on": "2026-12-01",
                    "ends_on": "2026-12-02",
                    "capacity": 30,
                    "manager_ids": ["manager-1"],
                    "required_hours": "4",
                    "sessions": [
                        {
                            "session_id": session_id,
                            "title": "党章",
                            "teaching_mode": "lecture",
                            "starts_at": "2026-12-01T09:00:00+08:00",
                            "ends_at": "2026-12-01T12:00:00+08:00",
                            "hours": "4",
                            "place": f"党校 {class_id} 教室",
                        }
                    ],
                },
            ),
            201,
        )
        nominated = await ok(await office.post(f"/classes/{class_id}/enrollments", json={"person_id": person}), 201)
        enrollment_id = nominated["enrollment_id"]
        await ok(await office.post(f"/enrollments/{enrollment_id}/approve"))
        await ok(await office.patch(f"/sessions/{session_id}", json={"place": f"党校 {class_id} 报告厅"}))
        await ok(await office.post(f"/enrollments/{enrollment_id}/withdraw", json={"reason": "工作调动"}))
        await ok(
            await office.post(
                f"/persons/{person}/statuses",
                json={"status": "probationary_member", "since": "2026-12-20", "admission_date": "2026-12-20"},
            )
        )

    enrollment = await states_on(kafka_bootstrap, ENROLLMENTS_TOPIC, enrollment_id, 3)
    assert [(e["data"]["version"], e["data"]["status"]) for e in enrollment] == [
        (1, "nominated"),
        (2, "approved"),
        (3, "withdrawn"),
    ]
    assert {e["type"] for e in enrollment} == {"dangxiao.enrollment.enrollment_changed.v1"}
    assert {e["subject"] for e in enrollment} == {enrollment_id}
    assert enrollment[2]["data"] | {"changed_at": None} == {
        "enrollment_id": enrollment_id,
        "class_id": class_id,
        "person_id": person,
        "status": "withdrawn",
        "nominated_by": unit,
        "reason": "工作调动",
        "transferred_to": None,
        "route": "nomination",
        "transferred_from": None,
        "version": 3,
        "changed_at": None,
    }
    session = await states_on(kafka_bootstrap, SESSIONS_TOPIC, session_id, 2)
    assert [(s["data"]["version"], s["data"]["place"]) for s in session] == [
        (1, f"党校 {class_id} 教室"),
        (2, f"党校 {class_id} 报告厅"),
    ]
    [announced_class] = await states_on(kafka_bootstrap, CLASSES_TOPIC, class_id, 1)
    assert (announced_class["data"]["manager_ids"], announced_class["data"]["capacity"]) == (["manager-1"], 30)
    person_states = await states_on(kafka_bootstrap, PERSONS_TOPIC, person, 2)
    assert [len(p["data"]["statuses"]) for p in person_states] == [1, 2]
    assert "admission_date" not in person_states[1]["data"]["statuses"][1]  # personal data stays in the register
    [announced_branch] = await states_on(kafka_bootstrap, ORGANISATIONS_TOPIC, branch, 1)
    assert (announced_branch["data"]["parent_id"], announced_branch["data"]["unit_id"]) == (committee, unit)

    settings = await topic_settings(kafka_bootstrap, [model.topic for model in REGISTER_EVENTS])
    assert {topic: config["cleanup.policy"] for topic, config in settings.items()} == {
        model.topic: "compact" for model in REGISTER_EVENTS
    }


async def test_certificates_follow_a_withdrawal_and_evaluation_stops_assessing_the_withdrawn(
    system: System, kafka_bootstrap: str
) -> None:
    """Hours, evaluation and certificates learn the class, the person and the enrollment from the register's
    topics alone; when the learner withdraws, the certificate their completion earned is revoked."""
    person, class_id = unique("2026"), unique("2026-WD")
    async with system.client("enrollment", Role.ADMIN, "office") as office:
        unit = unique("UNIT")
        await ok(
            await office.post(
                "/organisations",
                json={
                    "org_id": unit,
                    "kind": "unit",
                    "unit_kind": "department",
                    "name": "党委办公室",
                    "valid_from": "2005-09-01",
                },
            ),
            201,
        )
        await ok(
            await office.post(
                "/persons",
                json={
                    "person_id": person,
                    "name": "赵六",
                    "unit_id": unit,
                    "statuses": [{"code": "development_target", "since": "2026-01-01"}],
                },
            ),
            201,
        )
        await ok(
            await office.post(
                "/classes",
                json={
                    "class_id": class_id,
                    "title": "发展对象培训班",
                    "category": "development_targets",
                    "year": 2026,
                    "starts_on": "2026-12-01",
                    "ends_on": "2026-12-01",
                    "manager_ids": ["manager-1"],
                    "required_hours": "4",
                    "sessions": [
                        {
                            "session_id": f"{class_id}-01",
                            "title": "党章",
                            "teaching_mode": "lecture",
                            "starts_at": "2026-12-01T09:00:00+08:00",
                            "ends_at": "2026-12-01T12:00:00+08:00",
                            "hours": "4",
                            "place": f"党校 {class_id} 教室",
                        }
                    ],
                },
            ),
            201,
        )
    async with system.client("enrollment", Role.CLASS_MANAGER, "manager-1") as manager:
        nominated = await ok(await manager.post(f"/classes/{class_id}/enrollments", json={"person_id": person}), 201)
        await ok(await manager.post(f"/enrollments/{nominated['enrollment_id']}/approve"))

    async with producer(kafka_bootstrap) as kafka:
        await send_structured(kafka, ATTENDANCE_TOPIC, attendance(person, f"{class_id}-01"), key=person)
    await total_reaches(system, person, "4")
    async with system.client("evaluation", Role.ADMIN, "office-1") as evaluation:

        async def assessed() -> bool:
            response = await evaluation.post(
                f"/classes/{class_id}/assessments", json={"person_id": person, "passed": True}
            )
            return response.status_code in (201, 202)

        await eventually(assessed, what="evaluation to know the approved enrollment")

    async def certificate(status: str) -> dict[str, Any] | None:
        async with system.client("certificates", Role.ADMIN) as certificates:
            listed = (await certificates.get(f"/persons/{person}/certificates")).json()
        return next((c for c in listed if c["class_id"] == class_id and c["status"] == status), None)

    issued = await eventually(lambda: certificate("issued"), what="the certificate to be issued")

    async with system.client("enrollment", Role.LEARNER, person) as learner:
        withdrawn = await ok(
            await learner.post(f"/enrollments/{nominated['enrollment_id']}/withdraw", json={"reason": "工作调动"})
        )
    assert withdrawn["enrollment"]["status"] == "withdrawn"

    revoked = await eventually(lambda: certificate("revoked"), what="certificates to see the withdrawal")
    assert revoked["certificate_number"] == issued["certificate_number"]
    async with system.client("certificates") as public:
        verified = (await public.get(f"/certificates/verify/{issued['certificate_number']}")).json()
    assert verified["status"] == "revoked"  # why is the office's to know, not the public's
    assert revoked["revocation_reason"] == "no longer completes: withdrawn from the class"
    async with system.client("evaluation", Role.ADMIN, "office-1") as evaluation:

        async def refused() -> bool:
            response = await evaluation.post(
                f"/classes/{class_id}/assessments", json={"person_id": person, "passed": True}
            )
            return response.status_code == 409

        await eventually(refused, what="evaluation to see the withdrawal")
