"""The register through its HTTP API: organisation, people, the catalogue, classes and sessions (on a migrated
SQLite database; no broker, the outbox is only read). Helpers here set up a small school for the other
``test_enrollment_api_*`` modules too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.db import Database
from shared.events.envelope import CloudEvent
from tests.support import bearer, outbox_events
from tests.unit.conftest import ServiceApi

ADMIN = bearer(Role.ADMIN, "office")
MANAGER = bearer(Role.CLASS_MANAGER, "manager-1")
OTHER_MANAGER = bearer(Role.CLASS_MANAGER, "manager-2")
MARX_NOMINATOR = bearer(Role.NOMINATOR, "marx-office", units=["MARX"])
CLASS_ID = "DT-2026-SPRING"
ORGANISATIONS = [
    {
        "org_id": "ORG",
        "kind": "unit",
        "unit_kind": "department",
        "name": "党委组织部（党校）",
        "valid_from": "2005-09-01",
    },
    {"org_id": "MARX", "kind": "unit", "unit_kind": "college", "name": "马克思主义学院", "valid_from": "2012-03-01"},
    {"org_id": "ECON", "kind": "unit", "unit_kind": "college", "name": "经济管理学院", "valid_from": "2005-09-01"},
    {"org_id": "SOU", "kind": "party_committee", "name": "中共示范开放大学委员会", "valid_from": "2005-09-01"},
    {
        "org_id": "MARX-GB",
        "kind": "general_branch",
        "name": "马克思主义学院党总支",
        "parent_id": "SOU",
        "unit_id": "MARX",
        "valid_from": "2012-03-01",
    },
    {
        "org_id": "MARX-B1",
        "kind": "branch",
        "name": "马克思主义学院教工党支部",
        "parent_id": "MARX-GB",
        "unit_id": "MARX",
        "valid_from": "2012-03-01",
    },
]
TARGET_SINCE = {"code": "development_target", "since": "2025-09-01"}  # 发展对象 since the autumn


def target(person_id: str, unit_id: str = "MARX", **changes: Any) -> dict[str, Any]:
    """A 发展对象 (development target) of ``unit_id``."""
    return {
        "person_id": person_id,
        "name": f"学员{person_id}",
        "kind": "student",
        "unit_id": unit_id,
        "statuses": [{"code": "activist", "since": "2024-03-15", "until": "2025-09-01"}, TARGET_SINCE],
        **changes,
    }


def full_member(person_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "name": f"党员{person_id}",
        "kind": "staff",
        "unit_id": "MARX",
        "branch_id": "MARX-B1",
        "statuses": [
            {
                "code": "probationary_member",
                "since": "2010-06-01",
                "until": "2011-06-01",
                "admission_date": "2010-06-01",
            },
            {"code": "full_member", "since": "2011-06-01", "admission_date": "2010-06-01"},
        ],
        **changes,
    }


def a_session(number: int, class_id: str = CLASS_ID, **changes: Any) -> dict[str, Any]:
    """Session ``number`` of the class: 09:00–12:00 Beijing time on 2 March + ``number`` - 1, 4 学时."""
    day = 1 + number
    return {
        "session_id": f"{class_id}-{number:02d}",
        "title": f"专题讲授 {number}",
        "teaching_mode": "lecture",
        "starts_at": f"2026-03-{day:02d}T09:00:00+08:00",
        "ends_at": f"2026-03-{day:02d}T12:00:00+08:00",
        "hours": "4",
        "place": f"党校 {class_id} 教室",
        **changes,
    }


def a_class(class_id: str = CLASS_ID, **changes: Any) -> dict[str, Any]:
    """A development-target class (发展对象培训班), 2–6 March 2026, two seats, managed by manager-1."""
    return {
        "class_id": class_id,
        "title": "2026年春季发展对象培训班",
        "category": "development_targets",
        "year": 2026,
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-06",
        "place": "党校教室",
        "capacity": 2,
        "organiser_id": "ORG",
        "manager_ids": ["manager-1"],
        "unit_quotas": {"MARX": 3, "ECON": 1},
        "required_hours": "24",
        "max_absence_share": "0.2",
        "survey_required": True,
        **changes,
    }


@dataclass
class Register:
    client: httpx.AsyncClient
    database: Database

    async def post(self, path: str, body: Any, headers: dict[str, str] = ADMIN, status: int = 201) -> Any:
        response = await self.client.post(path, json=body, headers=headers)
        assert response.status_code == status, response.text
        return response.json()

    async def patch(self, path: str, body: Any, headers: dict[str, str] = ADMIN, status: int = 200) -> Any:
        response = await self.client.patch(path, json=body, headers=headers)
        assert response.status_code == status, response.text
        return response.json()

    async def get(self, path: str, headers: dict[str, str] = ADMIN, status: int = 200, **params: Any) -> Any:
        response = await self.client.get(path, headers=headers, params=params)
        assert response.status_code == status, response.text
        return response.json()

    async def refused(self, method: str, path: str, body: Any, status: int, *, headers: dict[str, str] = ADMIN) -> str:
        """The problem the register names when it refuses ``body`` with ``status``; nothing is recorded."""
        before = len(await self.events())
        response = await self.client.request(method, path, json=body, headers=headers)
        assert response.status_code == status, response.text
        assert len(await self.events()) == before, "a refused command recorded an event"
        detail = response.json()["detail"]
        return detail if isinstance(detail, str) else "; ".join(f"{p['loc']}: {p['msg']}" for p in detail)

    async def events(self, event_type: str | None = None) -> list[CloudEvent]:
        return await outbox_events(self.database, event_type)

    async def states(self, entity: str, key: str) -> list[dict[str, Any]]:
        """The state events of one entity, in the order they were recorded."""
        events = await self.events(f"dangxiao.enrollment.{entity}_changed.v1")
        return [event.data for event in events if event.subject == key]


async def open_register(service_api: ServiceApi) -> Register:
    client, database = await service_api("enrollment")
    return Register(client, database)


@pytest.fixture
async def register(service_api: ServiceApi) -> Register:
    return await open_register(service_api)


async def a_school(register: Register, *people: dict[str, Any]) -> None:
    """The units and Party tree of ORGANISATIONS, and ``people``."""
    for organisation in ORGANISATIONS:
        await register.post("/organisations", organisation)
    for person in people:
        await register.post("/persons", person)


async def a_school_with_a_class(register: Register, *sessions: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The school with development targets 1–4 of MARX and 5 of ECON, a full member 9, and the spring class."""
    await a_school(register, *(target(str(n)) for n in range(1, 5)), target("5", "ECON"), full_member("9"))
    return await register.post("/classes", a_class(sessions=list(sessions), **changes), MANAGER)


# ── organisation ──────────────────────────────────────────────────────────────────────────────────────


async def test_units_and_the_party_tree_are_registered_with_their_dates_and_announced(register: Register) -> None:
    await a_school(register)
    tree = await register.get("/organisations")
    assert [(o["org_id"], o["kind_label"]) for o in tree] == [
        ("ECON", "单位"),
        ("MARX", "单位"),
        ("MARX-B1", "党支部"),
        ("MARX-GB", "党总支"),
        ("ORG", "单位"),
        ("SOU", "党委"),
    ]
    [branch] = await register.states("organisation", "MARX-B1")
    assert {k: branch[k] for k in ("kind", "parent_id", "unit_id", "valid_from", "version")} == {
        "kind": "branch",
        "parent_id": "MARX-GB",
        "unit_id": "MARX",
        "valid_from": "2012-03-01",
        "version": 1,
    }
    assert (await register.states("organisation", "MARX"))[0]["unit_kind"] == "college"
    assert [o["org_id"] for o in await register.get("/organisations", on="2010-01-01")] == ["ECON", "ORG", "SOU"]


@pytest.mark.parametrize(
    ("organisation", "problem"),
    [
        ({"org_id": "B9", "kind": "branch", "name": "孤立党支部", "valid_from": "2020-01-01"}, "needs a parent"),
        (
            {"org_id": "B9", "kind": "branch", "name": "党支部", "parent_id": "NOPE", "valid_from": "2020-01-01"},
            "sits under unknown Party organisation NOPE",
        ),
        (
            {
                "org_id": "G9",
                "kind": "general_branch",
                "name": "总支",
                "parent_id": "MARX-B1",
                "valid_from": "2020-01-01",
            },
            "a 党总支 cannot sit under a 党支部 (MARX-B1)",
        ),
        (
            {"org_id": "B9", "kind": "branch", "name": "党支部", "parent_id": "MARX-GB", "valid_from": "2001-01-01"},
            "is not within the life of MARX-GB",
        ),
        ({"org_id": "X", "kind": "faculty", "name": "某", "valid_from": "2020-01-01"}, "unknown kind 'faculty'"),
        ({"org_id": "X", "kind": "unit", "name": "某", "valid_from": "2020-01-01"}, "needs its unit_kind"),
        (
            {
                "org_id": "X",
                "kind": "unit",
                "unit_kind": "college",
                "name": "某",
                "valid_from": "2020-01-01",
                "valid_until": "2019-01-01",
            },
            "ends (2019-01-01) on or before it begins",
        ),
    ],
)
async def test_a_tree_that_cannot_be_is_refused_naming_why(
    register: Register, organisation: dict[str, Any], problem: str
) -> None:
    await a_school(register)
    assert problem in await register.refused("POST", "/organisations", organisation, 422)


async def test_closing_a_party_organisation_waits_for_those_under_it_and_grows_its_version(register: Register) -> None:
    await a_school(register)
    detail = await register.refused("PATCH", "/organisations/MARX-GB", {"valid_until": "2026-07-01"}, 422)
    assert "MARX-B1 under it are still open; close or move them first" in detail
    await register.patch("/organisations/MARX-B1", {"valid_until": "2026-07-01"})
    closed = await register.patch("/organisations/MARX-GB", {"valid_until": "2026-07-01", "name": "马院党总支"})
    assert (closed["valid_until"], closed["name"], closed["version"]) == ("2026-07-01", "马院党总支", 2)
    assert [s["valid_until"] for s in await register.states("organisation", "MARX-GB")] == [None, "2026-07-01"]
    assert (
        await register.refused("POST", "/organisations", ORGANISATIONS[0], 409)
        == "ORG already names 党委组织部（党校）"
    )


# ── people ────────────────────────────────────────────────────────────────────────────────────────────


async def test_a_person_is_registered_with_dated_status_and_positions_and_read_as_of_a_day(register: Register) -> None:
    await a_school(register, full_member("9", positions=[{"code": "branch_secretary", "since": "2021-06-01"}]))
    on_admission = await register.get("/persons/9", as_of="2010-12-31")
    assert on_admission["as_of"] == {
        "on": "2010-12-31",
        "status": "probationary_member",
        "status_label": "预备党员",
        "positions": [],
    }
    later = await register.get("/persons/9", as_of="2024-01-01")
    assert (later["as_of"]["status"], later["as_of"]["positions"]) == ("full_member", ["branch_secretary"])
    [announced] = await register.states("person", "9")
    # Political status and positions travel; the 入党日期 stays in the register.
    assert announced["statuses"] == [
        {"code": "probationary_member", "since": "2010-06-01", "until": "2011-06-01"},
        {"code": "full_member", "since": "2011-06-01", "until": None},
    ]
    assert (announced["unit_id"], announced["branch_id"], announced["version"]) == ("MARX", "MARX-B1", 1)


async def test_a_change_of_status_or_position_keeps_the_history_and_grows_the_version(register: Register) -> None:
    await a_school(register, target("1"))
    await register.post(
        "/persons/1/statuses",
        {"status": "probationary_member", "since": "2026-06-01", "admission_date": "2026-06-01"},
        status=200,
    )
    await register.post("/persons/1/positions", {"position": "young_backbone", "since": "2026-09-01"}, status=200)
    ended = await register.post("/persons/1/positions/young_backbone/end", {"on": "2027-01-01"}, status=200)
    assert [(s["code"], s["since"], s["until"]) for s in ended["statuses"]] == [
        ("activist", "2024-03-15", "2025-09-01"),
        ("development_target", "2025-09-01", "2026-06-01"),
        ("probationary_member", "2026-06-01", None),
    ]
    assert ended["positions"] == [{"code": "young_backbone", "since": "2026-09-01", "until": "2027-01-01"}]
    assert [s["version"] for s in await register.states("person", "1")] == [1, 2, 3, 4]
    assert (await register.get("/persons/1", as_of="2026-05-31"))["as_of"]["status"] == "development_target"


@pytest.mark.parametrize(
    ("person", "problem"),
    [
        (target("7", unit_id="NOPE"), "unknown unit 'NOPE'"),
        (full_member("7", branch_id="MARX-GB"), "is not a 党支部: people belong to a branch"),
        (
            target("7", statuses=[{"code": "comrade", "since": "2020-01-01"}]),
            "unknown political status (政治面貌) 'comrade'",
        ),
        (
            target(
                "7", statuses=[{"code": "masses", "since": "2020-01-01"}, {"code": "activist", "since": "2021-01-01"}]
            ),
            "overlaps",
        ),
        (target("7", statuses=[{"code": "probationary_member", "since": "2020-01-01"}]), "needs its 入党日期"),
        (target("7", positions=[{"code": "dean", "since": "2020-01-01"}]), "unknown position (职务/身份) 'dean'"),
        ({**target("7"), "kind": "alumnus"}, "unknown kind of person (人员类别) 'alumnus'"),
    ],
)
async def test_a_person_record_that_contradicts_itself_is_refused(
    register: Register, person: dict[str, Any], problem: str
) -> None:
    await a_school(register)
    assert problem in await register.refused("POST", "/persons", person, 422)
    await register.get("/persons/7", status=404)


async def test_a_repeated_registration_conflicts_and_a_correction_that_changes_nothing_announces_nothing(
    register: Register,
) -> None:
    await a_school(register, target("1"))
    assert "already registered" in await register.refused("POST", "/persons", target("1"), 409)
    unchanged = await register.patch("/persons/1", {"name": "学员1"})
    assert unchanged["version"] == 1
    moved = await register.patch("/persons/1", {"unit_id": "ECON", "active": False})
    assert (moved["unit_id"], moved["active"], moved["version"]) == ("ECON", False, 2)
    assert [s["active"] for s in await register.states("person", "1")] == [True, False]
    assert "name cannot be null" in await register.refused("PATCH", "/persons/1", {"name": None}, 422)


async def test_a_person_may_be_registered_with_a_name_alone_as_existing_callers_do(register: Register) -> None:
    registered = await register.post("/persons", {"person_id": "20260001", "name": "张三"}, MANAGER)
    assert (registered["unit_id"], registered["kind"], registered["statuses"]) == (None, None, [])


# ── the catalogue ─────────────────────────────────────────────────────────────────────────────────────


async def test_courses_and_teachers_are_kept_and_announced(register: Register) -> None:
    course = await register.post(
        "/courses",
        {
            "course_id": "C-20TH",
            "title": "学习贯彻党的二十大精神",
            "teaching_modes": ["lecture", "seminar", "lecture"],
            "usual_hours": "4",
        },
    )
    assert course["teaching_modes"] == ["lecture", "seminar"]
    await register.post(
        "/courses",
        {
            "course_id": "C-YIDA",
            "title": "中共一大会址现场教学",
            "teaching_modes": ["on_site"],
            "place": "中共一大纪念馆",
        },
    )
    teacher = await register.post(
        "/teachers", {"teacher_id": "T-WANG", "name": "王教授", "internal": False, "subjects": ["党史", "党章"]}
    )
    assert teacher["version"] == 1
    retired = await register.patch("/teachers/T-WANG", {"active": False})
    assert retired["version"] == 2
    assert [t["teacher_id"] for t in await register.get("/teachers", MANAGER)] == ["T-WANG"]
    assert [c["course_id"] for c in await register.get("/courses", MANAGER)] == ["C-20TH", "C-YIDA"]
    [changed] = await register.states("course", "C-YIDA")
    assert (changed["place"], changed["teaching_modes"]) == ("中共一大纪念馆", ["on_site"])
    assert [s["active"] for s in await register.states("teacher", "T-WANG")] == [True, False]
    detail = await register.refused("POST", "/courses", {"title": "工作坊", "teaching_modes": ["workshop"]}, 422)
    assert "unknown teaching mode (教学形式) 'workshop'" in detail


async def test_the_vocabularies_give_every_code_its_label(register: Register) -> None:
    vocabularies = await register.get("/vocabularies", bearer(Role.LEARNER, "1"))
    assert {"code": "development_targets", "label": "发展对象培训"} in vocabularies["training_categories"]
    assert {"code": "on_site", "label": "现场教学"} in vocabularies["teaching_modes"]
    assert len(vocabularies["positions"]) == 10


# ── classes ───────────────────────────────────────────────────────────────────────────────────────────


async def test_a_class_with_its_sessions_is_opened_and_each_announced_at_version_one(register: Register) -> None:
    created = await a_school_with_a_class(
        register, a_session(1), a_session(2, hours="3", place=None, teaching_mode="online")
    )
    assert (created["category_label"], created["status"]) == ("发展对象培训", "open")
    assert Decimal(created["scheduled_hours"]) == 7
    [announced] = await register.states("class", CLASS_ID)
    assert announced["completion"] == {
        "required_hours": "24",
        "max_absence_share": "0.2",
        "assessment_required": True,
        "survey_required": True,
        "reissue_after_revocation": False,
        "certificate": True,
    }
    assert (announced["manager_ids"], announced["capacity"], announced["version"]) == (["manager-1"], 2, 1)
    sessions = [s["session_id"] for s in (await register.get(f"/classes/{CLASS_ID}"))["sessions"]]
    assert sessions == [f"{CLASS_ID}-01", f"{CLASS_ID}-02"]
    assert [(await register.states("session", s))[0]["version"] for s in sessions] == [1, 1]


async def test_a_class_shaped_as_existing_callers_send_it_is_planned_without_days_and_managed_by_its_creator(
    register: Register,
) -> None:
    body = {
        "class_id": "DI-1",
        "title": "纪检委员培训班",
        "category": "discipline_inspection",
        "year": 2026,
        "required_hours": "16",
    }
    created = await register.post("/classes", body, MANAGER)
    assert (created["starts_on"], created["capacity"], created["manager_ids"]) == (None, None, ["manager-1"])
    detail = await register.refused("POST", "/classes/DI-1/sessions", a_session(1, "DI-1"), 422, headers=MANAGER)
    assert "class DI-1 has no days yet" in detail


@pytest.mark.parametrize(
    ("changes", "status", "problem"),
    [
        ({"category": "leadership"}, 422, "unknown training category (培训类别) 'leadership'"),
        ({"level": "branch_secretary"}, 422, "only a 党务干部培训 class has a level, not 发展对象培训"),
        ({"delivery": "by_post"}, 422, "unknown class delivery (办班方式) 'by_post'"),
        ({"organiser_id": "NOPE"}, 422, "unknown organiser (主办单位) NOPE"),
        ({"unit_quotas": {"LIB": 2}}, 422, "unknown unit LIB"),
        ({"ends_on": "2026-03-01"}, 422, "the class ends (2026-03-01) before it begins (2026-03-02)"),
        ({"crediting_rule": "lenient"}, 422, "crediting rule 'lenient' is not a rule name"),
        ({"capacity": 0}, 422, "capacity"),
        ({"sessions": [a_session(1, hours="5")]}, 422, "a session of 180 minutes is worth at most 4 学时"),
        ({"sessions": [a_session(9)]}, 422, "it falls outside the class days (2026-03-02 – 2026-03-06)"),
        ({"sessions": [a_session(1, teaching_mode="workshop")]}, 422, "unknown teaching mode (教学形式) 'workshop'"),
        ({"sessions": [a_session(1, teacher_ids=["T-NOBODY"])]}, 422, "unknown teacher T-NOBODY"),
        ({"sessions": [a_session(1, place=None)]}, 422, "a 专题讲授 session needs a place"),
        ({"sessions": [a_session(1), a_session(1, session_id="other")]}, 409, "is already booked for"),
    ],
)
async def test_a_class_that_cannot_be_is_refused_whole_naming_the_problem(
    register: Register, changes: dict[str, Any], status: int, problem: str
) -> None:
    await a_school(register)
    assert problem in await register.refused("POST", "/classes", a_class(**changes), status)
    await register.get(f"/classes/{CLASS_ID}", status=404)  # nothing half-applied: no class without its sessions


async def test_a_party_affairs_class_names_its_level_and_phases_of_a_segmented_class_hold_its_sessions(
    register: Register,
) -> None:
    await a_school(register)
    phases = [
        {"name": "第一阶段 集中学习", "starts_on": "2026-03-02", "ends_on": "2026-03-03"},
        {"name": "第二阶段 实践", "starts_on": "2026-03-05", "ends_on": "2026-03-06"},
    ]
    body = a_class(
        category="party_affairs", level="branch_secretary", phases=phases, crediting_rule="session-tolerance/v2"
    )
    created = await register.post("/classes", body)
    assert (created["level"], created["crediting_rule"], len(created["phases"])) == (
        "branch_secretary",
        "session-tolerance/v2",
        2,
    )
    detail = await register.refused("POST", f"/classes/{CLASS_ID}/sessions", a_session(1, phase="第二阶段 实践"), 422)
    assert "it falls outside phase '第二阶段 实践' (2026-03-05 – 2026-03-06)" in detail
    scheduled = await register.post(f"/classes/{CLASS_ID}/sessions", a_session(1, phase="第一阶段 集中学习"))
    assert scheduled["phase"] == "第一阶段 集中学习"
    assert (await register.states("session", scheduled["session_id"]))[0]["phase"] == "第一阶段 集中学习"


async def test_a_class_changes_one_version_at_a_time_and_an_unchanged_one_announces_nothing(register: Register) -> None:
    await a_school_with_a_class(register)
    changed = await register.patch(f"/classes/{CLASS_ID}", {"place": "国权路校区 党校报告厅", "capacity": 30}, MANAGER)
    assert (changed["place"], changed["capacity"], changed["version"]) == ("国权路校区 党校报告厅", 30, 2)
    again = await register.patch(f"/classes/{CLASS_ID}", {"capacity": 30}, MANAGER)
    assert again["version"] == 2
    assert [s["capacity"] for s in await register.states("class", CLASS_ID)] == [2, 30]
    cancelled = await register.patch(f"/classes/{CLASS_ID}", {"status": "cancelled"}, MANAGER)
    assert cancelled["status_label"] == "已取消"
    detail = await register.refused("PATCH", f"/classes/{CLASS_ID}", {"status": "open"}, 422, headers=MANAGER)
    assert "was cancelled: it changes no more" in detail


# ── sessions ──────────────────────────────────────────────────────────────────────────────────────────


async def teachers_and_courses(register: Register) -> None:
    await register.post("/teachers", {"teacher_id": "T-WANG", "name": "王教授", "internal": True})
    await register.post("/teachers", {"teacher_id": "T-LI", "name": "李研究员", "internal": False})
    await register.post(
        "/courses", {"course_id": "C-20TH", "title": "学习贯彻党的二十大精神", "teaching_modes": ["lecture"]}
    )


async def test_a_teacher_or_a_room_booked_twice_at_once_is_a_conflict_in_any_class(register: Register) -> None:
    await a_school_with_a_class(register, a_session(1))
    await teachers_and_courses(register)
    await register.post("/classes", a_class("OTHER", manager_ids=["manager-2"]))
    taught = a_session(2, teacher_ids=["T-WANG"], course_id="C-20TH")
    await register.post(f"/classes/{CLASS_ID}/sessions", taught, MANAGER)

    same_teacher = a_session(2, "OTHER", teacher_ids=["T-LI", "T-WANG"], place="别处")
    detail = await register.refused("POST", "/classes/OTHER/sessions", same_teacher, 409)
    assert f"teacher T-WANG already teaches '专题讲授 2' (class {CLASS_ID}, session {CLASS_ID}-02" in detail
    same_room = a_session(2, "OTHER", place=f"  党校 {CLASS_ID.lower()}  教室 ")  # as people write it
    assert "is already booked for" in await register.refused("POST", "/classes/OTHER/sessions", same_room, 409)
    # Back to back is no overlap.
    after = a_session(
        2,
        "OTHER",
        teacher_ids=["T-WANG"],
        starts_at="2026-03-03T12:00:00+08:00",
        ends_at="2026-03-03T13:30:00+08:00",
        hours="2",
    )
    await register.post("/classes/OTHER/sessions", after)


async def test_rescheduling_and_cancelling_are_new_states_of_the_session(register: Register) -> None:
    await a_school_with_a_class(register, a_session(1), a_session(2))
    await teachers_and_courses(register)
    session = f"{CLASS_ID}-01"
    moved = await register.patch(
        f"/sessions/{session}",
        {"starts_at": "2026-03-02T14:00:00+08:00", "ends_at": "2026-03-02T17:00:00+08:00", "teacher_ids": ["T-LI"]},
        MANAGER,
    )
    assert (moved["teacher_ids"], moved["version"]) == (["T-LI"], 2)
    assert datetime.fromisoformat(moved["starts_at"]) == datetime(2026, 3, 2, 6, tzinfo=UTC)
    onto_the_other = {
        "starts_at": "2026-03-03T09:00:00+08:00",
        "ends_at": "2026-03-03T12:00:00+08:00",
        "place": f"党校 {CLASS_ID} 教室",
    }
    assert "already booked" in await register.refused(
        "PATCH", f"/sessions/{session}", onto_the_other, 409, headers=MANAGER
    )
    cancelled = await register.post(f"/sessions/{session}/cancel", {"reason": "教师出差"}, MANAGER, status=200)
    assert (cancelled["status"], cancelled["cancel_reason"], cancelled["version"]) == ("cancelled", "教师出差", 3)
    states = await register.states("session", session)
    assert [(s["version"], s["status"]) for s in states] == [(1, "scheduled"), (2, "scheduled"), (3, "cancelled")]
    assert Decimal((await register.get(f"/classes/{CLASS_ID}"))["scheduled_hours"]) == 4
    assert "already cancelled" in await register.refused("POST", f"/sessions/{session}/cancel", {"reason": "再次"}, 422)
    assert "was cancelled" in await register.refused("PATCH", f"/sessions/{session}", {"title": "新"}, 422)


async def test_the_training_plan_lists_the_classes_of_a_year_and_a_manager_finds_their_own(register: Register) -> None:
    await a_school_with_a_class(register)
    await register.post("/classes", a_class("DT-2027", year=2027, starts_on="2027-03-01", ends_on="2027-03-05"))
    await register.post("/classes", a_class("OTHER", manager_ids=["manager-2"]))
    learner = bearer(Role.LEARNER, "1")
    assert [c["class_id"] for c in await register.get("/classes", learner, year=2026)] == [CLASS_ID, "OTHER"]
    mine = await register.get("/classes", MANAGER, mine="true")
    assert [c["class_id"] for c in mine] == [CLASS_ID, "DT-2027"]
