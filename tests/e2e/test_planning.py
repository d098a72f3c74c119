"""The school office's year's work on the real broker, every service a process: officers elected in the register
nominated for the next Party-affairs class of their level, or as soon as one opens; a task from above fulfilled as
the outside system's attendance arrives; the annual plan's execution and the organisation department's training
record (through the API and as events) as the year's training arrives; a cultivation record kept through the
office's topic; the rotation due list and coverage of the hand-computed six-year fixture; budget flags exactly at
the standard and one cent over."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.planning import facts
from shared.auth import Role
from shared.events.contracts import CONTRACTS
from shared.events.contracts.attendance import ATTENDANCE_TOPIC, AttendanceRecorded
from shared.events.contracts.planning import (
    PLANNING_TOPIC,
    OfficerNominated,
    OfficerNominationPending,
    TaskFulfilmentChanged,
    TrainingRecordChanged,
)
from shared.events.envelope import EventData
from tests.conftest import CreateDatabase
from tests.e2e.system import ServiceProcess, System, free_port, service_environment
from tests.kafka import dedicated_broker, producer, records_until, send_structured
from tests.support import bearer, event_of, eventually, unique
from tests.unit.test_planning_api import six_years
from tests.unit.test_planning_handlers import PLATFORM, at, party_affairs_class

pytestmark = pytest.mark.e2e

MUNICIPAL_PARTY_SCHOOL = "urn:dangxiao:municipal-party-school:attendance"


@pytest.fixture
async def kafka(kafka_bootstrap: str) -> Any:
    async with producer(kafka_bootstrap) as client:
        yield client


async def announce(kafka: AIOKafkaProducer, *facts: EventData, on: date) -> None:
    """Publish facts as the services that own them do: on their topic, keyed as the contract says."""
    for fact in facts:
        await send_structured(kafka, CONTRACTS[fact.event_type].topic, event_of(fact, time=at(on)), key=fact.key())


def planning(
    system: System, role: Role = Role.ADMIN, subject: str = "office-1", units: list[str] | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=system.url("planning"), headers=bearer(role, subject, units=units), timeout=10)


def announced(kafka_bootstrap: str, event_type: str, **data: Any) -> Any:
    """The records of ``event_type`` on planning's topic whose data holds ``data``."""

    def matches(record: Any) -> bool:
        event = json.loads(record.value)
        return event["type"] == event_type and all(event["data"].get(k) == v for k, v in data.items())

    return records_until(kafka_bootstrap, PLANNING_TOPIC, matches)


# ── 换届: officers elected → nominated ───────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
async def quiet(
    tmp_path_factory: pytest.TempPathFactory, create_postgres_database: CreateDatabase
) -> AsyncIterator[System]:
    """The register and planning on a broker of their own: which Party-affairs classes are open is everything on
    the register's topic, and on a shared broker other tests' classes would be open too."""
    workdir = tmp_path_factory.mktemp("quiet")
    async with dedicated_broker(workdir) as bootstrap:
        system = System()
        for name in ("enrollment", "planning"):
            system.services[name] = ServiceProcess(
                name=name,
                port=free_port(),
                env=service_environment(
                    name,
                    kafka_bootstrap=bootstrap,
                    database_url=await create_postgres_database(name),
                    group_suffix=unique("quiet"),
                ),
                log_path=workdir / f"{name}.log",
            )
        try:
            await system.start()
            yield system
        finally:
            system.stop()


async def test_officers_elected_in_the_register_are_nominated_for_the_next_party_affairs_class_of_their_level(
    quiet: System,
) -> None:
    bootstrap = quiet.services["planning"].env["DANGXIAO_KAFKA_BOOTSTRAP_SERVERS"]
    today = facts.today()
    async with quiet.client("enrollment", Role.ADMIN, "office-1") as register:
        for organisation in (
            {"org_id": "DW", "kind": "unit", "unit_kind": "department", "name": "党委办公室"},
            {"org_id": "PC", "kind": "party_committee", "name": "中共上海开放大学委员会"},
            {"org_id": "GB1", "kind": "general_branch", "name": "机关党总支", "parent_id": "PC", "unit_id": "DW"},
            {"org_id": "B1", "kind": "branch", "name": "机关第一党支部", "parent_id": "GB1", "unit_id": "DW"},
        ):
            created = await register.post("/organisations", json={**organisation, "valid_from": "2005-09-01"})
            assert created.status_code == 201, created.text
        for class_id, level, begins, status in (
            ("PA-SJ", "branch_secretary", today + timedelta(days=30), "open"),
            ("PA-SJ-LATER", "branch_secretary", today + timedelta(days=90), "open"),
            ("PA-WY", "committee_member", today + timedelta(days=60), "planned"),
        ):
            created = await register.post(
                "/classes",
                json={
                    "class_id": class_id,
                    "title": f"{class_id} 党务干部培训班",
                    "category": "party_affairs",
                    "level": level,
                    "year": begins.year,
                    "starts_on": begins.isoformat(),
                    "ends_on": begins.isoformat(),
                    "capacity": 40,
                    "required_hours": "8",
                    "status": status,
                },
            )
            assert created.status_code == 201, created.text
        for person_id in ("sec", "mem"):
            member = {"code": "full_member", "since": "2010-07-01"}
            registered = await register.post(
                "/persons",
                json={"person_id": person_id, "name": "王五", "unit_id": "DW", "branch_id": "B1", "statuses": [member]},
            )
            assert registered.status_code == 201, registered.text

        # The branch elects its officers (换届): the register records their positions from the day of the election.
        election = today - timedelta(days=2)
        for person_id, position in (("sec", "branch_secretary"), ("mem", "branch_committee_member")):
            taken = await register.post(
                f"/persons/{person_id}/positions", json={"position": position, "since": election.isoformat()}
            )
            assert taken.status_code == 200, taken.text

        [nominated] = await announced(bootstrap, OfficerNominated.event_type, person_id="sec")
        data = json.loads(nominated.value)["data"]
        assert (data["class_id"], data["level"], data["unit_id"], data["org_id"], data["elected_on"]) == (
            "PA-SJ",
            "branch_secretary",
            "DW",
            "B1",
            election.isoformat(),
        )
        [pending] = await announced(bootstrap, OfficerNominationPending.event_type, person_id="mem")
        assert json.loads(pending.value)["data"]["reason"].endswith("pending until one opens")
        async with planning(quiet, Role.NOMINATOR, "nominator-1", units=["DW"]) as own_unit:
            terms = (await own_unit.get("/officer-nominations")).json()
        assert {(t["person_id"], t["outcome"]) for t in terms} == {("sec", "nominated"), ("mem", "pending")}

        # The 委员 class opens: the member waiting for it is nominated without anyone remembering.
        opened = await register.patch("/classes/PA-WY", json={"status": "open"})
        assert opened.status_code == 200, opened.text
        [released] = await announced(bootstrap, OfficerNominated.event_type, person_id="mem")
        assert json.loads(released.value)["data"]["class_id"] == "PA-WY"
    async with planning(quiet, Role.NOMINATOR, "nominator-2", units=["another-unit"]) as another_unit:
        assert (await another_unit.get("/officer-nominations")).json() == []


# ── a task from above fulfilled as outside hours arrive ──────────────────────────────────────────────


async def register(system: System, person_id: str, class_id: str, unit: str) -> list[str]:
    """A cadre, and the class the municipal party school runs that the task counts (two sessions of 4 学时)."""
    session_ids = [f"{class_id}-01", f"{class_id}-02"]
    async with system.client("enrollment", Role.ADMIN, "office-1") as enrollment:
        organisation = {
            "org_id": unit,
            "kind": "unit",
            "unit_kind": "department",
            "name": "组织部",
            "valid_from": "2005-09-01",
        }
        assert (await enrollment.post("/organisations", json=organisation)).status_code == 201
        person = await enrollment.post(
            "/persons",
            json={
                "person_id": person_id,
                "name": "赵六",
                "unit_id": unit,
                "statuses": [{"code": "full_member", "since": "2005-07-01"}],
                "positions": [{"code": "cadre_division_and_above", "since": "2020-01-01"}],
            },
        )
        assert person.status_code == 201, person.text
        created = await enrollment.post(
            "/classes",
            json={
                "class_id": class_id,
                "title": "市委党校处级干部进修班",
                "category": "division_cadres",
                "year": 2026,
                "starts_on": "2026-03-02",
                "ends_on": "2026-03-03",
                "required_hours": "8",
                "sessions": [
                    {
                        "session_id": session_id,
                        "title": f"专题讲授 {n}",
                        "teaching_mode": "lecture",
                        "starts_at": f"2026-03-0{n + 1}T09:00:00+08:00",
                        "ends_at": f"2026-03-0{n + 1}T12:00:00+08:00",
                        "hours": "4",
                        "place": f"市委党校 {class_id} 教室",
                    }
                    for n, session_id in enumerate(session_ids, start=1)
                ],
            },
        )
        assert created.status_code == 201, created.text
    return session_ids


async def nominate_when_known(office: httpx.AsyncClient, task_id: str, person_id: str) -> dict[str, Any]:
    async def nominated() -> dict[str, Any] | None:
        answer = await office.post(f"/tasks/{task_id}/nominations", json={"person_ids": [person_id]})
        if answer.status_code == 422 and answer.json()["code"] == "unknown-person":
            return None  # planning has not heard of them from the register yet
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    return await eventually(nominated, what=f"planning to know {person_id} and nominate them")


async def test_a_task_from_above_is_fulfilled_as_the_outside_attendance_arrives(
    system: System, kafka: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    run = unique("rw")
    person, class_id, task_id = f"{run}-p", f"{run}-K", f"{run}-T"
    sessions = await register(system, person, class_id, unit=f"{run}-U")
    async with planning(system) as office:
        task = {
            "task_id": task_id,
            "issuer": "municipal_party_school",
            "title": "2026年处级干部进修（市委党校调训）",
            "quota": 1,
            "assigned_on": "2026-03-01",
            "deadline": "2026-06-30",
            "required_hours": "8",
            "counting": {"class_ids": [class_id]},
            "eligibility": {"positions": ["cadre_division_and_above"]},
        }
        assert (await office.post("/tasks", json=task)).status_code == 201
        decided = await nominate_when_known(office, task_id, person)
        assert decided["decisions"][0]["accepted"] is True, decided

        # The municipal party school's system reports attendance at its sessions on the attendance topic.
        for session_id in sessions:
            swipe = event_of(
                {"person_id": person, "session_id": session_id, "minutes": 180},
                event_type=AttendanceRecorded.event_type,
                source=MUNICIPAL_PARTY_SCHOOL,
                subject=person,
            )
            await send_structured(kafka, ATTENDANCE_TOPIC, swipe, key=person)

        async def done() -> dict[str, Any] | None:
            report = (await office.get(f"/tasks/{task_id}/fulfilment")).json()
            return report if report["done"] == 1 else None

        report = await eventually(done, what="the task to be fulfilled", timeout=60)
        assert report["nominees"][0]["reason"] == "8 of 8 学时, met on 2026-03-03, by the deadline 2026-06-30"
        workbook = await office.get(f"/tasks/{task_id}/fulfilment.xlsx")
        assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    states = await announced(kafka_bootstrap, TaskFulfilmentChanged.event_type, task_id=task_id, state="done")
    assert json.loads(states[0].value)["data"]["person_id"] == person


async def test_an_online_task_counts_its_platform_s_activity_as_the_platform_reports_it(
    system: System, kafka: AIOKafkaProducer
) -> None:
    run = unique("ol")
    person, task_id = f"{run}-p", f"{run}-T"
    await register(system, person, f"{run}-K", unit=f"{run}-U")
    async with planning(system) as office:
        task = {
            "task_id": task_id,
            "issuer": "national_academy_online",
            "title": "2026年网络专题学习",
            "quota": 1,
            "assigned_on": "2026-01-01",
            "deadline": "2099-12-31",
            "required_hours": "2",
            "counting": {"activities": [{"platform": PLATFORM, "activity_id": f"{run}-A1"}]},
        }
        assert (await office.post("/tasks", json=task)).status_code == 201
        await nominate_when_known(office, task_id, person)
        study = event_of(
            {
                "person_id": person,
                "activity": {"id": f"{run}-A1", "title": "网络课程", "platform": PLATFORM},
                "minutes": 90,
            },
            event_type=AttendanceRecorded.event_type,
            source="urn:dangxiao:platform:national-academy",
            subject=person,
        )
        await send_structured(kafka, ATTENDANCE_TOPIC, study, key=person)

        async def done() -> bool:
            return (await office.get(f"/tasks/{task_id}/fulfilment")).json()["done"] == 1

        await eventually(done, what="the online task to be fulfilled", timeout=20)


# ── the annual plan, the training record and cultivation ─────────────────────────────────────────────


async def test_the_plan_s_execution_and_the_organisation_department_s_record_follow_the_year_s_training(
    system: System, kafka: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    run = unique("yr")
    person, class_id, unit = f"{run}-p", f"{run}-K", f"{run}-U"
    sessions = await register(system, person, class_id, unit=unit)
    async with system.client("enrollment", Role.ADMIN, "office-1") as enrollment:
        nominated = await enrollment.post(f"/classes/{class_id}/enrollments", json={"person_id": person})
        assert nominated.status_code == 201, nominated.text
        approved = await enrollment.post(f"/enrollments/{nominated.json()['enrollment_id']}/approve")
        assert approved.status_code == 200, approved.text
    plan = {
        "year": 2026,
        "title": "2026年度培训计划",
        "classes": [
            {
                "planned_id": "P1",
                "category": "division_cadres",
                "title": "处级干部进修（市委党校调训）",
                "target_learners": 40,
                "starts_on": "2026-03-02",
                "ends_on": "2026-03-03",
                "budget": "30000.00",
                "class_id": class_id,
            }
        ],
    }
    async with planning(system) as office:
        assert (await office.put(f"/plans/{run}-P", json=plan)).status_code == 200
    for session_id in sessions:
        swipe = event_of(
            {"person_id": person, "session_id": session_id, "minutes": 180},
            event_type=AttendanceRecorded.event_type,
            source=MUNICIPAL_PARTY_SCHOOL,
            subject=person,
        )
        await send_structured(kafka, ATTENDANCE_TOPIC, swipe, key=person)

    async with planning(system, Role.ORGANISATION_DEPARTMENT, "org-1") as department:

        async def trained() -> dict[str, Any] | None:
            answer = await department.get(f"/persons/{person}/training-record")
            if answer.status_code == 404:
                return None  # planning has not heard of them from the register yet
            record = dict(answer.json())
            classes = [(c["class_id"], c["hours"], c["enrolled"]) for c in record["classes"]]
            return record if classes == [(class_id, "8.00", True)] else None

        # The register's enrollment and the ledger's 学时 arrive on their own topics, in either order.
        record = await eventually(trained, what="the enrollment and the ledger's 学时 in the record", timeout=60)
        execution = (await department.get(f"/plans/{run}-P/execution", params={"as_of": "2026-05-01"})).json()
        rows = (await department.get(f"/units/{unit}/training-records", params={"year": 2026})).json()
        workbook = await department.get(f"/units/{unit}/training-records.xlsx", params={"year": 2026})

    assert record["hours_by_year"] == [{"year": 2026, "total": "8.00", "offline": "8.00", "online": "0.00"}]
    [group] = [g for g in execution["groups"] if g["category"] == "division_cadres"]
    assert (group["planned_classes"], group["classes_held"], group["enrolled"], group["enrolled_share"]) == (
        1,
        1,
        1,
        "2.5",
    )
    assert [(r["person_id"], r["classes"], r["hours"]) for r in rows] == [(person, 1, "8.00")]
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    # The same facts, outbound for the systems that subscribe (干部管理): what was trained, year by year.
    [announced_record] = await announced(
        kafka_bootstrap, TrainingRecordChanged.event_type, person_id=person, hours="8.00"
    )
    data = json.loads(announced_record.value)["data"]
    assert (data["year"], [(c["class_id"], c["hours"]) for c in data["classes"]]) == (2026, [(class_id, "8.00")])


async def test_a_cultivation_record_is_kept_through_the_office_s_topic_and_read_by_the_unit(system: System) -> None:
    run = unique("cv")
    person, unit = f"{run}-p", f"{run}-U"
    async with system.client("enrollment", Role.ADMIN, "office-1") as enrollment:
        organisation = {"org_id": unit, "kind": "unit", "unit_kind": "department", "name": "教务处"}
        assert (
            await enrollment.post("/organisations", json=organisation | {"valid_from": "2005-09-01"})
        ).status_code == 201
        activist = {"code": "activist", "since": "2025-03-01"}
        registered = await enrollment.post(
            "/persons", json={"person_id": person, "name": "钱七", "unit_id": unit, "statuses": [activist]}
        )
        assert registered.status_code == 201, registered.text
    talk = {"on": "2026-04-20", "content": "思想汇报，学习认真", "contact_id": "t-9"}
    async with planning(system) as office:

        async def talked() -> dict[str, Any] | None:
            answer = await office.post(f"/persons/{person}/cultivation/talks", json=talk)
            return None if answer.status_code == 404 else answer.json()  # 404 until planning knows the person

        await eventually(talked, what="planning to know the activist and record the talk")
        volunteered = await office.post(
            f"/persons/{person}/cultivation/activities",
            json={
                "kind": "volunteer_service",
                "on": "2026-05-01",
                "description": "社区志愿服务",
                "duration_hours": "4",
            },
        )
        assert volunteered.status_code == 201, volunteered.text
    async with planning(system, Role.NOMINATOR, "nominator-1", units=[unit]) as own_unit:
        record = (await own_unit.get(f"/persons/{person}/cultivation", params={"as_of": "2026-06-01"})).json()
        file = await own_unit.get(f"/persons/{person}/cultivation.xlsx", params={"as_of": "2026-06-01"})

    assert (record["status"], [t["content"] for t in record["talks"]]) == ("activist", ["思想汇报，学习认真"])
    assert [a["description"] for a in record["activities"]] == ["社区志愿服务"]
    assert record["readiness"]["ready"] is False  # no activist training yet
    assert file.status_code == 200 and file.content.startswith(b"PK")


# ── the rotation of six years, hand-computed ─────────────────────────────────────────────────────────


async def test_the_rotation_due_list_and_coverage_of_six_years_are_those_computed_by_hand(
    system: System, kafka: AIOKafkaProducer
) -> None:
    run = unique("ry") + "-"
    await announce(kafka, *six_years(run), on=date(2025, 1, 2))
    units = [f"{run}U1", f"{run}U2"]  # a nominator of both units sees exactly the fixture's members
    async with planning(system, Role.NOMINATOR, "nominator-1", units=units) as nominator:

        async def due() -> list[tuple[str, str, bool]] | None:
            listed = (await nominator.get("/rotation/due", params={"year": 2025, "as_of": "2024-12-31"})).json()
            found = [(m["person_id"].removeprefix(run), m["next_due"], m["probationary"]) for m in listed["members"]]
            return found if found == EXPECTED_DUE else None

        await eventually(due, what="the due list of 2025 to be the hand-computed one", timeout=60)
        coverage = (await nominator.get("/rotation/coverage", params={"as_of": "2024-12-31"})).json()
    assert [
        (row["org_id"].removeprefix(run), row["members"], row["covered"], row["overdue"], row["never_rotated"])
        for row in coverage["by_branch"]
    ] == [("B1", 4, 2, 1, 1), ("B2", 4, 1, 0, 3), ("B3", 3, 2, 1, 0)]


EXPECTED_DUE = [
    ("m05", "2024-06-01", True),
    ("m06", "2024-11-15", True),
    ("m04", "2016-03-01", False),
    ("m13", "2023-05-01", False),
    ("m01", "2024-06-28", False),
    ("m09", "2024-12-30", False),
    ("m08", "2024-12-31", False),
    ("m07", "2025-07-03", False),
    ("m03", "2025-12-30", False),
]


# ── budgets ──────────────────────────────────────────────────────────────────────────────────────────


async def test_a_budget_line_exactly_at_its_standard_passes_and_one_cent_over_is_flagged(
    system: System, kafka: AIOKafkaProducer
) -> None:
    run = unique("bd")
    class_id = f"{run}-K"
    await announce(
        kafka,
        party_affairs_class(class_id, "committee_member", date(2026, 9, 1)),
        on=date(2026, 8, 1),
    )
    standards = f"spending-standards-{run}/v1"
    board = {"kind": "board_and_lodging", "planned": "50000.00", "spent": "42000.00"}  # 350 × 40 × 3 = 42,000.00
    body = {"learners": 40, "days": 3, "standards": standards, "lines": [board]}
    async with planning(system) as office:
        published = await office.post(
            "/spending-standards",
            json={
                "name": standards,
                "standards": [{"category": "party_affairs", "line": "board_and_lodging", "per_person_day": "350.00"}],
            },
        )
        assert published.status_code == 201, published.text

        async def at_the_standard() -> dict[str, Any] | None:
            answer = await office.put(f"/classes/{class_id}/budget", json=body)
            return None if answer.status_code == 404 else answer.json()  # 404 until planning knows the class

        exactly = await eventually(at_the_standard, what="planning to know the class and take its budget")
        over = body | {"lines": [board | {"spent": "42000.01"}]}
        one_cent_over = (await office.put(f"/classes/{class_id}/budget", json=over)).json()
        noted = await office.post(
            f"/classes/{class_id}/budget/notes", json={"flag_key": "over_standard:board_and_lodging", "note": "已核"}
        )

    assert (exactly["flags"], exactly["accepted"]) == ([], True)
    assert [f["key"] for f in one_cent_over["flags"]] == ["over_standard:board_and_lodging"]
    assert one_cent_over["flags"][0]["reason"] == (
        "食宿费 spent 42,000.01 元, over the standard of 350.00 元 per person-day × 120 person-days = 42,000.00 元"
    )
    assert (noted.status_code, noted.json()["accepted"]) == (201, True)
