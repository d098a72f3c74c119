"""One class from enrollment to certificate, through HTTP and a plain Kafka producer, all four services running
as processes against the real broker (on PostgreSQL and on the embedded SQLite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.auth import Role
from shared.events.contracts.attendance import ATTENDANCE_TOPIC, AttendanceRecorded, AttendanceVoided
from shared.events.envelope import CloudEvent
from tests.e2e.system import System
from tests.kafka import header, producer, records_until, send_binary, send_raw, send_structured
from tests.support import event_of, eventually, unique

pytestmark = pytest.mark.e2e

DOOR = "urn:dangxiao:door:building-3"
OPEN_CLASS_UNIT = "dangwei-office"


@dataclass
class Cohort:
    class_id: str
    session_ids: list[str]
    person_id: str


async def open_class(
    system: System,
    *,
    sessions: int,
    hours_each: int = 4,
    enroll: bool = True,
    class_id: str | None = None,
    person_id: str | None = None,
) -> Cohort:
    """A 发展对象 (development targets) class of ``sessions`` sessions (``<class_id>-01``, …, one a day from
    1 December 2026), one registered 发展对象 and, unless told otherwise, their nomination approved."""
    class_id = class_id or unique("2026-FZDX")
    session_ids = [f"{class_id}-{n:02d}" for n in range(1, sessions + 1)]
    person_id = person_id or unique("2026")
    async with system.client("enrollment", Role.ADMIN, "office") as office:
        unit = await office.post(
            "/organisations",
            json={
                "org_id": OPEN_CLASS_UNIT,
                "kind": "unit",
                "unit_kind": "department",
                "name": "党委办公室",
                "valid_from": "2005-09-01",
            },
        )
        assert unit.status_code in (201, 409), unit.text  # every class of a running system shares it
    async with system.client("enrollment", Role.CLASS_MANAGER, "manager-1") as enrollment:
        created = await enrollment.post(
            "/classes",
            json={
                "class_id": class_id,
                "title": "2026年第一期发展对象培训班",
                "category": "development_targets",
                "year": 2026,
                "starts_on": "2026-12-01",
                "ends_on": f"2026-12-{max(sessions, 1):02d}",
                "required_hours": str(sessions * hours_each),
                "sessions": [
                    {
                        "session_id": session_id,
                        "title": f"专题讲授 {n}",
                        "teaching_mode": "lecture",
                        "starts_at": f"2026-12-{n:02d}T09:00:00+08:00",
                        "ends_at": f"2026-12-{n:02d}T12:00:00+08:00",
                        "hours": str(hours_each),
                        # A room of its own: the classes of one running system take place at the same hours.
                        "place": f"党校 {class_id} 教室",
                    }
                    for n, session_id in enumerate(session_ids, start=1)
                ],
            },
        )
        assert created.status_code == 201, created.text
        registered = await enrollment.post(
            "/persons",
            json={
                "person_id": person_id,
                "name": "张三",
                "unit_id": OPEN_CLASS_UNIT,
                "statuses": [{"code": "development_target", "since": "2026-01-01"}],
            },
        )
        assert registered.status_code == 201, registered.text
        if enroll:
            nominated = await enrollment.post(f"/classes/{class_id}/enrollments", json={"person_id": person_id})
            assert nominated.status_code == 201, nominated.text
            approved = await enrollment.post(f"/enrollments/{nominated.json()['enrollment_id']}/approve")
            assert approved.status_code == 200, approved.text
            assert approved.json()["status"] == "approved", approved.text
    return Cohort(class_id, session_ids, person_id)


def attendance(person_id: str, session_id: str, **data: Any) -> CloudEvent:
    return event_of(
        {"person_id": person_id, "session_id": session_id, **data},
        event_type=AttendanceRecorded.event_type,
        source=DOOR,
        subject=person_id,
    )


@pytest.fixture
async def kafka(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    async with producer(kafka_bootstrap) as client:
        yield client


async def ledger_total(system: System, person_id: str) -> Decimal:
    async with system.client("hours", Role.LEARNER, person_id) as hours:
        response = await hours.get(f"/persons/{person_id}/hours", params={"year": 2026})
        assert response.status_code == 200, response.text
        return Decimal(response.json()["total_hours"])


async def total_reaches(system: System, person_id: str, expected: str) -> None:
    async def probe() -> bool:
        return await ledger_total(system, person_id) == Decimal(expected)

    await eventually(probe, what=f"{person_id} to have {expected} 学时")


async def test_one_class_from_enrollment_to_certificate(system: System, kafka: AIOKafkaProducer) -> None:
    cohort = await open_class(system, sessions=6)
    person = cohort.person_id
    first, second, third, fourth, fifth, sixth = cohort.session_ids

    # An outside system reports attendance on Kafka, in both CloudEvents modes, and one over HTTP.
    await send_structured(kafka, ATTENDANCE_TOPIC, attendance(person, first, minutes=180), key=person)
    await send_structured(kafka, ATTENDANCE_TOPIC, attendance(person, second, status="late", minutes=170), key=person)
    await send_binary(kafka, ATTENDANCE_TOPIC, attendance(person, third), key=person)
    await send_binary(kafka, ATTENDANCE_TOPIC, attendance(person, fourth, minutes=175), key=person)
    await send_structured(kafka, ATTENDANCE_TOPIC, attendance(person, fifth), key=person)
    async with system.client("hours", Role.INGEST, "door-3", sources=[DOOR]) as ingest:
        posted = attendance(person, sixth, minutes=180)
        response = await ingest.post(
            "/attendance", content=posted.to_json(), headers={"content-type": "application/cloudevents+json"}
        )
        assert response.status_code == 202, response.text
        assert response.json()["results"][0]["outcome"] == "accepted"

    await total_reaches(system, person, "24")
    async with system.client("hours", Role.LEARNER, person) as hours:
        ledger = (await hours.get(f"/persons/{person}/hours", params={"year": 2026})).json()
        assert {entry["session_id"] for entry in ledger["entries"]} == set(cohort.session_ids)
        assert Decimal(ledger["by_class"][cohort.class_id]) == 24
        someone_else = await hours.get(f"/persons/{unique('2026')}/hours")
        assert someone_else.status_code == 403

    # The office records the final assessment (结业考核); evaluation learns the enrollment from events.
    async with system.client("evaluation", Role.ADMIN, "office-1") as evaluation:

        async def assess() -> httpx.Response | None:
            response = await evaluation.post(
                f"/classes/{cohort.class_id}/assessments", json={"person_id": person, "passed": True, "score": "92"}
            )
            return response if response.status_code in (201, 202) else None

        await eventually(assess, what="evaluation to know the enrollment and record the assessment")

    async with system.client("certificates", Role.LEARNER, person) as certificates:

        async def issued() -> list[dict[str, Any]] | None:
            response = await certificates.get(f"/persons/{person}/certificates")
            assert response.status_code == 200, response.text
            return [c for c in response.json() if c["class_id"] == cohort.class_id] or None

        [certificate] = await eventually(issued, what="a certificate for the completed class")

    async with system.client("certificates") as public:
        verified = await public.get(f"/certificates/verify/{certificate['certificate_number']}")
        assert verified.status_code == 200, verified.text
        assert verified.json()["valid"] is True
        assert verified.json()["status"] == "issued"
        made_up = await public.get("/certificates/verify/DX2026-0000000000")
        assert made_up.status_code == 404
        assert made_up.json()["valid"] is False


async def test_duplicates_credit_once_and_a_malformed_event_is_dead_lettered(
    system: System, kafka: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    cohort = await open_class(system, sessions=2)
    person = cohort.person_id
    credited = attendance(person, cohort.session_ids[0])
    poison = f'{{"broken": "{unique("poison")}"'.encode()

    await send_structured(kafka, ATTENDANCE_TOPIC, credited, key=person)
    await send_raw(kafka, ATTENDANCE_TOPIC, poison, key=person, **{"content-type": "application/cloudevents+json"})
    await send_structured(kafka, ATTENDANCE_TOPIC, credited, key=person)  # the same event again
    await send_binary(kafka, ATTENDANCE_TOPIC, credited, key=person)  # and again, in the other mode
    await send_structured(kafka, ATTENDANCE_TOPIC, attendance(person, cohort.session_ids[1]), key=person)

    await total_reaches(system, person, "8")
    async with system.client("hours", Role.INGEST, "door-3", sources=[DOOR]) as ingest:
        again = await ingest.post(
            "/attendance", content=credited.to_json(), headers={"content-type": "application/cloudevents+json"}
        )
        assert again.status_code == 202, again.text
    [letter, *_] = await records_until(kafka_bootstrap, f"{ATTENDANCE_TOPIC}.dlq", lambda r: r.value == poison)
    assert header(letter, "dlq-reason") == "malformed-json"
    assert header(letter, "dlq-service") == "hours"
    async with system.client("hours", Role.ADMIN) as hours:
        ledger = (await hours.get(f"/persons/{person}/hours", params={"year": 2026})).json()
    assert Decimal(ledger["total_hours"]) == 8
    assert len([e for e in ledger["entries"] if e["kind"] == "credit"]) == 2


async def test_attendance_before_its_session_is_known_is_credited_once_the_session_arrives(
    system: System, kafka: AIOKafkaProducer
) -> None:
    person = unique("2026")
    class_id = unique("2026-DW")
    early = attendance(person, f"{class_id}-01", minutes=175)
    async with system.client("hours", Role.ADMIN) as hours:
        parked_before = await parked_count(hours)
        await send_structured(kafka, ATTENDANCE_TOPIC, early, key=person)

        async def parked() -> bool:
            return await parked_count(hours) > parked_before

        await eventually(parked, what="the early attendance to be kept")
        assert Decimal((await hours.get(f"/persons/{person}/hours")).json()["total_hours"]) == 0

    await open_class(system, sessions=1, enroll=False, class_id=class_id, person_id=person)

    await total_reaches(system, person, "4")


async def parked_count(client: httpx.AsyncClient) -> float:
    metrics = (await client.get("/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("dangxiao_events_processed_total{") and 'outcome="parked"' in line
    )


async def test_a_certificate_is_revoked_when_the_hours_behind_it_are_taken_back(
    system: System, kafka: AIOKafkaProducer
) -> None:
    cohort = await open_class(system, sessions=2)
    person = cohort.person_id
    swipes = [attendance(person, session_id) for session_id in cohort.session_ids]
    for swipe in swipes:
        await send_structured(kafka, ATTENDANCE_TOPIC, swipe, key=person)
    await total_reaches(system, person, "8")
    async with system.client("evaluation", Role.ADMIN, "office-1") as evaluation:

        async def assess() -> httpx.Response | None:
            response = await evaluation.post(
                f"/classes/{cohort.class_id}/assessments", json={"person_id": person, "passed": True}
            )
            return response if response.status_code in (201, 202) else None

        await eventually(assess, what="the assessment to be recorded")

    async def certificate_in(status: str) -> dict[str, Any] | None:
        async with system.client("certificates", Role.ADMIN) as certificates:
            listed = (await certificates.get(f"/persons/{person}/certificates")).json()
        return next((c for c in listed if c["class_id"] == cohort.class_id and c["status"] == status), None)

    issued = await eventually(lambda: certificate_in("issued"), what="the certificate to be issued")

    # The door system finds it misread a card: it voids the second attendance.
    void = event_of(
        {"voids": {"source": swipes[1].source, "id": swipes[1].id}, "reason": "card misread at the door"},
        event_type=AttendanceVoided.event_type,
        source=DOOR,
        subject=person,
    )
    await send_structured(kafka, ATTENDANCE_TOPIC, void, key=person)

    await total_reaches(system, person, "4")
    revoked = await eventually(lambda: certificate_in("revoked"), what="the certificate to be revoked")
    assert revoked["certificate_number"] == issued["certificate_number"]
    async with system.client("certificates") as public:
        verified = (await public.get(f"/certificates/verify/{issued['certificate_number']}")).json()
    assert verified["valid"] is False
    assert verified["status"] == "revoked"
    assert verified["revoked_on"] is not None
