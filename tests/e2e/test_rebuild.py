"""Replaying the topics gives the same books, and a crash in the middle of a batch loses and doubles nothing.

These tests run on a broker of their own: they compare everything a service holds with what its topics say.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import MetaData

from shared.auth import Role
from shared.events.contracts.attendance import ATTENDANCE_TOPIC, AttendanceRecorded
from shared.migrations import metadata_of
from tests.conftest import CreateDatabase
from tests.e2e.system import ServiceProcess, System, free_port, service_environment
from tests.e2e.test_one_class import attendance, open_class, total_reaches
from tests.e2e.test_planning import nominate_when_known
from tests.kafka import dedicated_broker, producer, send_structured
from tests.support import ROOT, SERVICES, event_of, eventually, unique

pytestmark = pytest.mark.e2e

# Columns that say when this process did something, not what the facts are: they differ in any replay.
OPERATIONAL = {"processed_at", "created_at", "published_at", "parked_at", "id"}


@pytest.fixture(scope="module")
async def broker(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with dedicated_broker(tmp_path_factory.mktemp("broker")) as bootstrap:
        yield bootstrap


async def new_system(broker: str, create_postgres_database: CreateDatabase, workdir: Path, **extra: str) -> System:
    system = System()
    suffix = unique("rebuild")
    for name in SERVICES:
        system.services[name] = ServiceProcess(
            name=name,
            port=free_port(),
            env=service_environment(
                name,
                kafka_bootstrap=broker,
                database_url=await create_postgres_database(name),
                group_suffix=suffix,
                **extra,
            ),
            log_path=workdir / f"{name}.log",
        )
    return system


async def books(database_url: str, service: str) -> dict[str, str]:
    """Per table, a digest of every row (without the operational columns); the outbox by event id and payload, but
    for what the service announces and reads back itself (certificates' statements, planning's office records):
    those are what a rebuild reads, not what it announces."""
    read_back = list(importlib.import_module(f"services.{service}.app").define().handlers.by_type)
    connection = await asyncpg.connect(database_url)
    try:
        digests = {}
        metadata: MetaData = metadata_of(service)
        for table in metadata.sorted_tables:
            columns = [column.name for column in table.columns if column.name not in OPERATIONAL]
            if table.name == "alembic_version" or not columns:
                continue
            order = ", ".join(f"{column}::text" for column in columns)  # json has no ordering of its own
            where = "WHERE event_type <> ALL($1::text[])" if table.name == "outbox_message" else ""
            query = f"SELECT {', '.join(columns)} FROM {table.name} {where} ORDER BY {order}"
            rows = await connection.fetch(query, *([read_back] if where else []))
            digests[table.name] = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        return digests
    finally:
        await connection.close()


def rebuild(service: ServiceProcess) -> str:
    finished = subprocess.run(
        [sys.executable, "-m", f"services.{service.name}", "rebuild"],
        cwd=ROOT,
        env=service.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stderr


async def settled(system: System, service: str) -> None:
    """Wait until the service has nothing of its own left to publish."""

    async def outbox_empty() -> bool:
        async with system.client(service) as client:
            metrics = (await client.get("/metrics")).text
        return f'dangxiao_outbox_backlog{{service="{service}"}} 0.0' in metrics

    await eventually(outbox_empty, what=f"{service}'s outbox to drain")


async def test_rebuilding_hours_certificates_and_planning_from_the_topics_gives_the_live_books(
    broker: str, create_postgres_database: CreateDatabase, tmp_path: Path
) -> None:
    system = await new_system(broker, create_postgres_database, tmp_path)
    await system.start()
    try:
        # A realistic month of one class: six sessions, three learners; one learner's attendance reported
        # before the class exists; a correction; a void that costs a certificate; online study.
        early = unique("2026")
        async with producer(broker) as kafka:
            await send_structured(kafka, ATTENDANCE_TOPIC, attendance(early, "2026-RB-01-01", minutes=170), key=early)
            cohorts = [await open_class(system, sessions=6, class_id="2026-RB-01", person_id=early)]
            for _ in range(2):
                cohorts.append(await open_class(system, sessions=6, class_id=None, person_id=None))
            await office_records(system, cohorts)
            sent: list[Any] = []
            for cohort in cohorts:
                for session_id in cohort.session_ids:
                    if cohort.person_id == early and session_id.endswith("-01"):
                        continue
                    record = attendance(cohort.person_id, session_id, minutes=180)
                    sent.append(record)
                    await send_structured(kafka, ATTENDANCE_TOPIC, record, key=cohort.person_id)
            for cohort in cohorts:
                await total_reaches(system, cohort.person_id, "24")
            for cohort in cohorts:
                async with system.client("evaluation", Role.ADMIN, "office-1") as evaluation:
                    assessed = await evaluation.post(
                        f"/classes/{cohort.class_id}/assessments", json={"person_id": cohort.person_id, "passed": True}
                    )
                    assert assessed.status_code in (201, 202), assessed.text
            await settled(system, "evaluation")
            await settled(system, "certificates")
            voided = sent[-1]
            void = attendance(voided.subject or "", "x").model_copy(
                update={
                    "type": "dangxiao.attendance.voided.v1",
                    "data": {"voids": {"source": voided.source, "id": voided.id}, "reason": "代签"},
                }
            )
            await send_structured(kafka, ATTENDANCE_TOPIC, void, key=voided.subject or "")
            await total_reaches(system, cohorts[-1].person_id, "20")
        for service in ("hours", "certificates", "planning"):
            await settled(system, service)
        await asyncio.sleep(1)  # the consumers commit their last offsets

        live = {name: await books(system.services[name].env["DANGXIAO_DATABASE_URL"], name) for name in REBUILT}
        assert live["certificates"]["certificate"] != hashlib.sha256(b"[]").hexdigest()
        nothing = hashlib.sha256(b"[]").hexdigest()
        assert nothing not in (live["planning"]["planning_announced"], live["planning"]["training_task"])
        for name in REBUILT:
            system.services[name].stop()
        reports = {name: rebuild(system.services[name]) for name in REBUILT}
        rebuilt = {name: await books(system.services[name].env["DANGXIAO_DATABASE_URL"], name) for name in REBUILT}
    finally:
        system.stop()

    assert "rebuilt" in reports["hours"] and "replaying" in reports["hours"]
    for name in REBUILT:
        differing = sorted(table for table in live[name] if live[name][table] != rebuilt[name][table])
        assert differing == [], f"{name}: {differing} differ after a rebuild"


REBUILT = ("hours", "certificates", "planning")


async def office_records(system: System, cohorts: list[Any]) -> None:
    """The office's records the planning service keeps: a task from above counting the cohorts' classes, its
    nominees, and the year's plan; written before any attendance, and on the office topic before it comes."""
    async with system.client("planning", Role.ADMIN, "office-1") as office:
        task = {
            "task_id": "T-RB",
            "issuer": "municipal_education_committee",
            "title": "2026年发展对象培训（市教卫工作党委）",
            "quota": 3,
            "assigned_on": "2026-01-01",
            "deadline": "2026-12-31",
            "required_hours": "20",
            "counting": {"class_ids": [cohort.class_id for cohort in cohorts]},
        }
        assert (await office.post("/tasks", json=task)).status_code == 201
        for cohort in cohorts:
            await nominate_when_known(office, "T-RB", cohort.person_id)
        plan = {"year": 2026, "title": "2026年度培训计划", "classes": [], "fed_by": []}
        assert (await office.put("/plans/P2026", json=plan)).status_code == 200
    await settled(system, "planning")


async def test_a_process_killed_in_the_middle_of_a_batch_loses_nothing_and_doubles_nothing(
    broker: str, create_postgres_database: CreateDatabase, tmp_path: Path
) -> None:
    system = await new_system(broker, create_postgres_database, tmp_path, DANGXIAO_CONSUMER_BATCH_SIZE="200")
    hours = system.services["hours"]
    await system.start("enrollment")
    learners = [unique("2026") for _ in range(20)]
    async with system.client("enrollment", Role.CLASS_MANAGER, "manager-1") as enrollment:
        for person_id in learners:
            registered = await enrollment.post("/persons", json={"person_id": person_id, "name": "学员"})
            assert registered.status_code == 201, registered.text
    # Online study: 200 courses each, 90 minutes apiece (2 学时 by activity/v1); some reported twice.
    distinct = [
        event_of(
            {
                "person_id": person_id,
                "activity": {"id": f"course-{n}", "title": "网络课程", "platform": "学习强国"},
                "minutes": 90,
            },
            event_type=AttendanceRecorded.event_type,
            source="urn:dangxiao:platform:xxqg",
            subject=person_id,
        )
        for person_id in learners
        for n in range(200)
    ]
    hours_db = hours.env["DANGXIAO_DATABASE_URL"]

    async def count(table: str) -> int:
        try:
            query = f"SELECT count(*) FROM {table} WHERE person_id = ANY($1::text[])"  # this test's learners
            return int(await connection.fetchval(query, learners))
        except asyncpg.UndefinedTableError:  # not migrated yet
            return 0

    async def kill_hours_part_way() -> None:
        """SIGKILL (no shutdown, whatever batch is in flight) once some but not all is applied. It polls closely:
        hours gets through these records in a second or two."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if 0 < await count("attendance") < len(distinct):
                hours.kill()
                return
            await asyncio.sleep(0.005)
        raise AssertionError("hours was never seen part way through the attendance")

    async def knows_the_learners() -> bool:
        return await count("hours_person") == len(learners)

    connection = await asyncpg.connect(hours_db)
    try:
        await system.start("hours")
        # Attendance of someone hours does not know yet waits for them (parked), and would then be applied all at
        # once, in the unit of work that learns of them: this test wants it in batches.
        await eventually(knows_the_learners, what="hours to know the learners")

        async def send_the_attendance() -> None:
            async with producer(broker) as kafka:
                for record in [*distinct, *distinct[::9]]:
                    await send_structured(kafka, ATTENDANCE_TOPIC, record, key=record.subject or "")

        await asyncio.gather(send_the_attendance(), kill_hours_part_way())  # hours keeps up with the sending
        await system.start("hours")
        for person_id in learners:
            await total_reaches(system, person_id, "400")

        # The independent count: every distinct attendance once, 2 学时 each.
        assert await count("attendance") == len(distinct)
        lines = await connection.fetch(
            "SELECT person_id, count(*), sum(hours) FROM ledger_entry WHERE person_id = ANY($1::text[]) "
            "GROUP BY person_id",
            learners,
        )
    finally:
        system.stop()
        await connection.close()
    assert {row[0]: (row[1], row[2]) for row in lines} == {person_id: (200, Decimal(400)) for person_id in learners}
