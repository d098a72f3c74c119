"""Replaying the topics gives the hours service's books again, with everything issue 8 added: what the doors keep
(xAPI statements, a class manager's marks), check-ins, requirement progress judged as lines post and as statuses
change (reviews of days change nothing), and the announcements on the hours topic.

On a broker of its own: the assertions cover everything on the topics.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from tincan import Activity, ActivityDefinition, Agent, AgentAccount, Context, LanguageMap, Result, Statement, Verb

from services.hours.domain.xapi import ATTENDED, COMPLETED
from shared.auth import Role
from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from shared.events.contracts.common import Period
from shared.events.contracts.hours import HOURS_TOPIC
from tests.conftest import CreateDatabase
from tests.e2e.test_hours_doors import (
    MANAGER,
    a_class_with_a_session_under_way,
    known,
    lrs,
    publish,
    reaches,
)
from tests.e2e.test_one_class import attendance
from tests.e2e.test_rebuild import books, new_system, rebuild, settled
from tests.kafka import dedicated_broker, producer, send_structured
from tests.support import a_person

pytestmark = pytest.mark.e2e

SECRETARY = Period(code="branch_secretary", since=date(2026, 1, 1))
NOTHING = hashlib.sha256(b"[]").hexdigest()  # the digest of a table without rows


@pytest.fixture(scope="module")
async def broker(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with dedicated_broker(tmp_path_factory.mktemp("broker")) as bootstrap:
        yield bootstrap


async def test_rebuilding_hours_gives_the_live_books_with_doors_requirements_and_reviews(
    broker: str, create_postgres_database: CreateDatabase, tmp_path: Path
) -> None:
    system = await new_system(broker, create_postgres_database, tmp_path)
    await system.start("hours")
    try:
        scene = await a_class_with_a_session_under_way(broker)
        by_xapi, marked, checked_in = scene.learners
        await known(system, scene.today)
        client = lrs(system)
        sent = [
            Statement(
                id=uuid.uuid4(),
                actor=Agent(account=AgentAccount(name=by_xapi, home_page="https://sso.example.cn")),
                verb=Verb(id=ATTENDED, display=LanguageMap({"en-US": "attended"})),
                object=Activity(id=f"urn:dangxiao:session:{scene.earlier}"),
                result=Result(duration=timedelta(minutes=150)),
                timestamp=datetime(2026, 3, 2, 4, tzinfo=UTC),
            ),
            Statement(
                id=uuid.uuid4(),
                actor=Agent(account=AgentAccount(name=by_xapi, home_page="https://sso.example.cn")),
                verb=Verb(id=COMPLETED, display=LanguageMap({"zh-CN": "完成"})),
                object=Activity(
                    id="https://study.example.cn/courses/7",
                    definition=ActivityDefinition(name=LanguageMap({"zh-CN": "党章"})),
                ),
                result=Result(duration=timedelta(minutes=90)),
                context=Context(platform="干部网络学院"),
                timestamp=datetime(2026, 3, 3, 12, tzinfo=UTC),
            ),
        ]
        assert (await asyncio.to_thread(client.save_statements, sent)).success
        async with system.client("hours", Role.CLASS_MANAGER, MANAGER) as hours:
            first = {"person_id": marked, "status": "present"}
            assert (await hours.post(f"/sessions/{scene.earlier}/attendance", json={"marks": [first]})).is_success
            corrected = {"person_id": marked, "status": "left_early", "minutes": 100}
            assert (await hours.post(f"/sessions/{scene.earlier}/attendance", json={"marks": [corrected]})).is_success
            code = (await hours.get(f"/sessions/{scene.today}/check-in-code")).json()["code"]
        async with system.client("hours", Role.LEARNER, checked_in) as hours:
            assert (await hours.post(f"/sessions/{scene.today}/check-ins", json={"code": code})).status_code == 201
        async with producer(broker) as kafka:
            # A door reader on Kafka; the marked learner takes up a position (their requirements are counted anew).
            await send_structured(kafka, ATTENDANCE_TOPIC, attendance(checked_in, scene.earlier), key=checked_in)
            member = Period(code="full_member", since=date(2010, 7, 1))
            person = a_person(marked, unit_id="u-e2e", branch_id="b-e2e", statuses=[member], positions=[SECRETARY])
            await publish(kafka, person.model_copy(update={"version": 2}))
        async with system.client("hours", Role.ADMIN, "office-1") as hours:  # a review changes nothing
            assert (await hours.post("/requirements/reviews", json={"day": "2026-03-31"})).status_code == 200
        await reaches(system, by_xapi, "5")  # 3 for 150 of 180 minutes, 2 for 90 minutes online
        await reaches(system, marked, "2")  # the corrected mark: 100 of 180 minutes
        await reaches(system, checked_in, "8")
        await settled(system, "hours")
        await asyncio.sleep(1)  # the last offsets are committed

        database_url = system.services["hours"].env["DANGXIAO_DATABASE_URL"]
        live, live_announced = await books(database_url, "hours"), await announced(database_url)
        system.services["hours"].stop()
        report = rebuild(system.services["hours"])
        rebuilt, rebuilt_announced = await books(database_url, "hours"), await announced(database_url)
    finally:
        system.stop()

    assert "rebuilt" in report
    for table in ("xapi_statement", "session_mark", "requirement_progress", "requirement_person", "ledger_entry"):
        assert live[table] != NOTHING, f"{table} is empty: the scenario does not exercise it"
    # The outbox also held what the doors forwarded (commands, not replayed): what the service announces on the
    # hours topic is compared on its own.
    differing = sorted(table for table in live if live[table] != rebuilt[table] and table != "outbox_message")
    assert differing == [], f"{differing} differ after a rebuild"
    assert live_announced == rebuilt_announced
    assert {event_type for event_type, _ in live_announced} >= {
        "dangxiao.hours.credited.v1",
        "dangxiao.hours.reversed.v1",
        "dangxiao.hours.session_attendance_changed.v1",
        "dangxiao.hours.requirement_standing_changed.v1",
    }


async def announced(database_url: str) -> list[tuple[str, str]]:
    """What the service recorded for publication on the hours topic: (type, payload), by event id."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT event_type, payload FROM outbox_message WHERE topic = $1 ORDER BY event_id", HOURS_TOPIC
        )
        return [(row["event_type"], row["payload"]) for row in rows]
    finally:
        await connection.close()
