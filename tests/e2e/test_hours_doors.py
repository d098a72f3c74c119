"""The hours service's doors end to end: an xAPI client (tincan), a class manager marking a session and a
learner checking in, each forwarded to the attendance topic on the real broker and credited by the running
service; then the transcript, compliance and what the hours topic announced.

The register's state is published straight to its topics, as enrollment publishes it (classes with their
managers, learners who are Party members, enrollments).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaProducer
from tincan import Activity, Agent, AgentAccount, LanguageMap, RemoteLRS, Result, Statement, StatementRef, Verb

from services.hours.domain.xapi import ATTENDED, VOIDED
from shared.auth import Role, mint_token
from shared.events.contracts.common import Period
from shared.events.contracts.hours import HOURS_TOPIC, RequirementStandingChanged, SessionAttendanceChanged
from shared.events.envelope import EventData
from shared.settings import ServiceSettings
from tests.e2e.system import System
from tests.kafka import producer, records_until, send_structured
from tests.support import a_class, a_person, a_session, an_enrollment, event_of, eventually, unique

pytestmark = pytest.mark.e2e

MANAGER = "manager-e2e"
PLATFORM = "elearning-e2e"
MEMBER = Period(code="full_member", since=date(2010, 7, 1))


@dataclass
class Scene:
    class_id: str
    today: str  # a session under way now (check-in is open)
    earlier: str  # a session that took place on 2 March
    learners: list[str]


async def publish(kafka: AIOKafkaProducer, *states: EventData) -> None:
    for state in states:
        await send_structured(kafka, state.topic, event_of(state, source="urn:dangxiao:enrollment"), key=state.key())


async def a_class_with_a_session_under_way(kafka_bootstrap: str) -> Scene:
    class_id = unique("2026-DYLX")
    scene = Scene(class_id, f"{class_id}-now", f"{class_id}-0302", [unique("2026") for _ in range(3)])
    async with producer(kafka_bootstrap) as kafka:
        await publish(kafka, a_class(class_id, category="member_rotation", manager_ids=[MANAGER]))
        await publish(
            kafka,
            a_session(scene.today, class_id, starts_at=datetime.now(UTC) - timedelta(minutes=5)),
            a_session(scene.earlier, class_id, starts_at=datetime(2026, 3, 2, 1, tzinfo=UTC)),
        )
        for person_id in scene.learners:
            await publish(
                kafka,
                a_person(person_id, unit_id="u-e2e", branch_id="b-e2e", statuses=[MEMBER]),
                an_enrollment(class_id, person_id),
            )
    return scene


async def total(system: System, person_id: str) -> Decimal:
    async with system.client("hours", Role.LEARNER, person_id) as hours:
        answer = await hours.get(f"/persons/{person_id}/transcript")
        assert answer.status_code == 200, answer.text
        return Decimal(answer.json()["total"])


async def reaches(system: System, person_id: str, expected: str) -> None:
    async def probe() -> bool:
        return await total(system, person_id) == Decimal(expected)

    await eventually(probe, what=f"{person_id} to have {expected} 学时", timeout=60)


async def known(system: System, session_id: str) -> None:
    """Wait until the hours service has projected the session (and so its class)."""

    async def probe() -> bool:
        async with system.client("hours", Role.CLASS_MANAGER, MANAGER) as hours:
            return (await hours.get(f"/sessions/{session_id}/check-in-code")).status_code == 200

    await eventually(probe, what=f"session {session_id} to be known to hours", timeout=60)


async def learners_known(system: System, scene: Scene) -> None:
    """Wait until the hours service has projected the learners (Party members: requirements apply to them)."""

    async def probe() -> bool:
        async with system.client("hours", Role.ADMIN, "office-1") as hours:
            for person_id in scene.learners:
                if not (await hours.get(f"/persons/{person_id}/requirements")).json()["standings"]:
                    return False
        return True

    await eventually(probe, what="the learners to be known to hours", timeout=60)


def lrs(system: System) -> RemoteLRS:
    token = mint_token(ServiceSettings(), PLATFORM, [Role.INGEST])
    return RemoteLRS(endpoint=f"{system.url('hours')}/xapi/", version="1.0.3", auth=f"Bearer {token}")


async def test_xapi_marks_and_check_in_are_credited_through_the_attendance_topic(
    system: System, kafka_bootstrap: str
) -> None:
    scene = await a_class_with_a_session_under_way(kafka_bootstrap)
    by_xapi, marked, checked_in = scene.learners
    await known(system, scene.today)

    # An e-learning platform speaking xAPI.
    client = lrs(system)
    statement = Statement(
        id=uuid.uuid4(),
        actor=Agent(account=AgentAccount(name=by_xapi, home_page="https://sso.example.cn")),
        verb=Verb(id=ATTENDED, display=LanguageMap({"en-US": "attended"})),
        object=Activity(id=f"urn:dangxiao:session:{scene.earlier}"),
        result=Result(duration=timedelta(minutes=180)),
        timestamp=datetime(2026, 3, 2, 4, tzinfo=UTC),
    )
    saved = await asyncio.to_thread(client.save_statement, statement)
    assert saved.success, saved.data
    await reaches(system, by_xapi, "4")

    # The class manager marks a learner for the earlier session.
    async with system.client("hours", Role.CLASS_MANAGER, MANAGER) as hours:
        marks = await hours.post(
            f"/sessions/{scene.earlier}/attendance",
            json={"marks": [{"person_id": marked, "status": "late", "minutes": 120}]},
        )
        assert marks.status_code == 200, marks.text
        code = (await hours.get(f"/sessions/{scene.today}/check-in-code")).json()["code"]
    await reaches(system, marked, "2.5")

    # A learner checks in with the code on the manager's screen.
    async with system.client("hours", Role.LEARNER, checked_in) as hours:
        accepted = await hours.post(f"/sessions/{scene.today}/check-ins", json={"code": code})
        assert accepted.status_code == 201, accepted.text
        again = await hours.post(f"/sessions/{scene.today}/check-ins", json={"code": code})
        assert again.status_code == 422 and again.json()["detail"].startswith("reused:")
    await reaches(system, checked_in, "4")  # five minutes late: within the tolerance

    # The platform takes its statement back.
    void = Statement(
        id=uuid.uuid4(),
        actor=statement.actor,
        verb=Verb(id=VOIDED, display=LanguageMap({"en-US": "voided"})),
        object=StatementRef(id=statement.id),
    )
    assert (await asyncio.to_thread(client.save_statement, void)).success
    await reaches(system, by_xapi, "0")

    # What the hours topic announced of the marked learner's record of the session.
    [changed] = await records_until(
        kafka_bootstrap,
        HOURS_TOPIC,
        lambda record: (
            json.loads(record.value)["type"] == SessionAttendanceChanged.event_type
            and json.loads(record.value)["data"]["person_id"] == marked
        ),
    )
    data = json.loads(changed.value)["data"]
    assert (data["status"], data["minutes"], data["hours"], data["revision"]) == ("late", 120, "2.50", 1)


async def test_the_transcript_and_compliance_of_the_scene_read_back(system: System, kafka_bootstrap: str) -> None:
    scene = await a_class_with_a_session_under_way(kafka_bootstrap)
    marked = scene.learners[0]
    await known(system, scene.today)
    await learners_known(system, scene)
    async with system.client("hours", Role.CLASS_MANAGER, MANAGER) as hours:
        await hours.post(
            f"/sessions/{scene.earlier}/attendance", json={"marks": [{"person_id": marked, "status": "present"}]}
        )
    await reaches(system, marked, "4")

    async with system.client("hours", Role.ORGANISATION_DEPARTMENT, "zzb-1") as hours:
        transcript = (await hours.get(f"/persons/{marked}/transcript")).json()
        report = await hours.get("/compliance", params={"branch": "b-e2e"})
        workbook = await hours.get("/compliance.xlsx", params={"branch": "b-e2e"})
        marking = await hours.post(f"/sessions/{scene.earlier}/attendance", json={"marks": []})

    [line] = transcript["lines"]
    assert (line["rule"], line["source"], line["category_label"]) == (
        "session-tolerance/v1",
        "urn:dangxiao:hours:marks",
        "党员集中轮训",
    )
    assert report.status_code == 200
    rows = [row for unit in report.json()["units"] for branch in unit["branches"] for row in branch["rows"]]
    assert {row["person_id"] for row in rows} >= set(scene.learners)
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert marking.status_code == 403  # the organisation department reads, and changes nothing


async def test_an_administrator_reviews_a_day_and_what_time_changed_is_announced(
    system: System, kafka_bootstrap: str
) -> None:
    scene = await a_class_with_a_session_under_way(kafka_bootstrap)
    await learners_known(system, scene)
    async with system.client("hours", Role.ADMIN, "office-1") as hours:
        # By the end of January a twelfth of the year's 32 学时 is expected: members with none fall behind then.
        reviewed = await hours.post("/requirements/reviews", json={"day": "2026-01-31"})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["announced"] >= len(scene.learners)

    behind = await records_until(
        kafka_bootstrap,
        HOURS_TOPIC,
        lambda record: (
            json.loads(record.value)["type"] == RequirementStandingChanged.event_type
            and json.loads(record.value)["data"]["person_id"] in scene.learners
            and json.loads(record.value)["data"]["as_of"] == "2026-01-31"
        ),
        count=len(scene.learners),
    )
    assert {json.loads(record.value)["data"]["standing"] for record in behind} == {"behind"}
