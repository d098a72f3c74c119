"""Planning's HTTP API over facts delivered as the other services publish them: the annual plan and its execution,
the rotation due list and coverage against the hand-computed six-year fixture, tasks from above fulfilled as outside
hours arrive, cultivation records and their file, budgets flagged exactly at the standard and one cent over, the
organisation department's training records; and who may see and change what."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from services.planning.domain.facts import Person
from shared.auth import Role
from shared.events.contracts.certificates import CertificateIssued, CertificateRevoked
from shared.events.contracts.common import Period
from shared.events.contracts.evaluation import AssessmentRecorded, SurveyAnswered
from shared.events.contracts.planning import TaskFulfilmentChanged
from shared.events.contracts.register import OrganisationChanged, SessionChanged
from shared.events.envelope import EventData
from tests.support import a_class, a_person, a_session, an_enrollment, bearer
from tests.unit import test_planning_rotation as fixture
from tests.unit.conftest import ServiceApi
from tests.unit.test_planning_handlers import (
    PLATFORM,
    Planning,
    at,
    credited,
    online_task,
    period,
    reversal,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def planning(service_api: ServiceApi) -> Planning:
    return await Planning.open(service_api)


def sheet_rows(content: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]


# ── the six-year rotation fixture, as the register, the ledger and certificates announce it ──────────


def six_years(prefix: str = "") -> list[EventData]:
    """The domain's hand-computed fixture of thirteen people over six years (tests/unit/test_planning_rotation.py),
    each fact as the service that owns it announces it; ``prefix`` keeps its ids apart on a shared broker."""

    def own(key: str | None) -> str | None:
        return None if key is None else f"{prefix}{key}"

    events: list[EventData] = [
        OrganisationChanged(
            org_id=own(org.org_id),
            kind=org.kind,
            name=org.name,
            parent_id=own(org.parent_id),
            valid_from=date(2000, 1, 1),
            version=1,
            changed_at=at(date(2024, 1, 1)),
        )
        for org in fixture.ORGANISATIONS.values()
    ]
    events += [
        a_class(
            own(c.class_id), title=c.title, category=c.category, year=c.year, starts_on=c.starts_on, ends_on=c.ends_on
        )
        for c in fixture.CLASSES.values()
    ]
    events += [person_event(person, own) for person in fixture.PERSONS]
    for certificate in fixture.CERTIFICATES:
        common = {
            "certificate_number": own(certificate.certificate_number),
            "revision": certificate.revision,
            "person_id": own(certificate.person_id),
            "class_id": own(certificate.class_id),
        }
        if certificate.valid:
            events.append(CertificateIssued(**common, hours=Decimal(24), issued_at=at(certificate.on)))
        else:
            events.append(CertificateRevoked(**common, reason="结业考核 re-marked", revoked_at=at(certificate.on)))
    credits = {}
    for c in fixture.CREDITS:
        credit = credited(own(c.person_id), str(c.hours), c.day, category=c.category).model_copy(
            update={"entry_id": own(c.entry_id), "year": c.year}
        )
        credits[c.entry_id] = credit
        events.append(credit)
    events += [
        reversal(credits[r.reverses_entry_id]).model_copy(update={"entry_id": own(r.entry_id)})
        for r in fixture.REVERSALS
    ]
    return events


def person_event(person: Person, own: Any) -> EventData:
    return a_person(
        own(person.person_id),
        name=person.name,
        unit_id=own(person.unit_id),
        branch_id=own(person.branch_id),
        statuses=[Period(code=h.code, since=h.since, until=h.until) for h in person.statuses],
        active=person.active,
    )


async def test_the_due_list_and_coverage_are_those_computed_by_hand_for_six_years(planning: Planning) -> None:
    await planning.deliver(*six_years(), on=date(2025, 1, 2))

    due = await planning.get("/rotation/due", year=2025, as_of="2024-12-31")
    coverage = await planning.get("/rotation/coverage", as_of="2024-12-31")

    assert [(m["person_id"], m["next_due"], m["probationary"]) for m in due["members"]] == [
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
    assert due["rule"] == "member-rotation/v1"
    assert [
        (
            row["org_id"],
            row["name"],
            row["members"],
            row["covered"],
            row["overdue"],
            row["never_rotated"],
            row["covered_share"],
        )
        for row in coverage["by_branch"]
    ] == [
        ("B1", "第一党支部", 4, 2, 1, 1, "50.0"),
        ("B2", "第二党支部", 4, 1, 0, 3, "25.0"),
        ("B3", "第三党支部", 3, 2, 1, 0, "66.7"),
    ]
    by_organisation = {row["org_id"]: row["members"] for row in coverage["by_organisation"]}
    assert (by_organisation["GB1"], by_organisation["PC"]) == (8, 11)
    assert sorted(m["person_id"] for m in coverage["never_rotated"]) == ["m04", "m05", "m06", "m13"]
    assert sorted(m["person_id"] for m in coverage["overdue"]) == ["m01", "m09"]


async def test_a_member_sees_their_own_rotation_and_a_nominator_its_units_only(planning: Planning) -> None:
    await planning.deliver(*six_years(), on=date(2025, 1, 2))

    own = await planning.get("/persons/m02/rotation", Role.LEARNER, "m02", as_of="2024-12-31")
    scoped = await planning.client.get(
        "/rotation/coverage", params={"as_of": "2024-12-31"}, headers=bearer(Role.NOMINATOR, "n-1", units=["U2"])
    )

    assert (own["last_rotation"]["on"], own["next_due"], own["coverage"]) == ("2022-06-30", "2027-06-30", "covered")
    assert "R2022" in own["last_rotation"]["reason"]  # R2019's certificate was revoked
    assert sorted(row["org_id"] for row in scoped.json()["by_unit"]) == ["U2"]
    assert (await planning.client.get("/persons/m01/rotation", headers=bearer(Role.LEARNER, "m02"))).status_code == 403
    not_member = await planning.client.get("/persons/m12/rotation", headers=bearer(Role.ADMIN, "office-1"))
    assert (not_member.status_code, not_member.json()["code"]) == (422, "not-a-member")


# ── tasks from above ─────────────────────────────────────────────────────────────────────────────────


def cadre(person_id: str, unit_id: str = "U1", position: str = "cadre_division_and_above") -> EventData:
    return a_person(
        person_id,
        name=f"干部{person_id}",
        unit_id=unit_id,
        statuses=[period("full_member", date(2001, 7, 1))],
        positions=[period(position, date(2020, 1, 1))],
    )


async def test_a_task_from_above_is_fulfilled_as_its_activity_s_hours_arrive_from_outside(planning: Planning) -> None:
    await planning.deliver(cadre("c1"), cadre("c2"), cadre("c3", position="young_backbone"), on=date(2026, 3, 1))
    task = await planning.send("POST", "/tasks", online_task("T1", quota=1, deadline="2099-12-31"), expect=201)
    assert task["counting_rule"] == (
        "task-counting/v1: 学时 of 国家教育行政学院 activity A1, trained since the task was assigned"
    )

    nominated = await planning.send("POST", "/tasks/T1/nominations", {"person_ids": ["c3", "c1", "c2"]})

    assert [(d["person_id"], d["accepted"]) for d in nominated["decisions"]] == [
        ("c3", False),
        ("c1", True),
        ("c2", False),
    ]
    assert "holds no position the task asks (县处级及以上)" in nominated["decisions"][0]["reason"]
    assert nominated["decisions"][2]["reason"] == "all 1 places are taken"
    assert [n["person_id"] for n in nominated["task"]["nominees"]] == ["c1"]

    elsewhere = credited("c1", "6", date(2026, 4, 1), activity_id="A1", platform="学习强国", channel="online")
    first = credited("c1", "6", date(2026, 4, 2), activity_id="A1", platform=PLATFORM, channel="online")
    await planning.deliver(elsewhere, on=date(2026, 4, 1))  # the same activity id on another platform: not counted
    await planning.deliver(first, on=date(2026, 4, 2))
    await planning.deliver(
        credited("c1", "4", date(2026, 4, 9), activity_id="A1", platform=PLATFORM), on=date(2026, 4, 9)
    )

    announced = [(f["state"], f["hours"], f["revision"]) for f in await planning.announced(TaskFulfilmentChanged)]
    assert announced == [("not_started", "0.00", 1), ("in_progress", "6.00", 2), ("done", "10.00", 3)]
    report = await planning.get("/tasks/T1/fulfilment", Role.ORGANISATION_DEPARTMENT, "org-1", as_of="2026-05-01")
    assert (report["quota_used"], report["done"], report["issuer_label"]) == (
        "1 of 1 places used",
        1,
        "国家教育行政学院网络学习平台",
    )
    assert report["nominees"][0]["reason"] == "10 of 10 学时, met on 2026-04-09, by the deadline 2099-12-31"

    await planning.deliver(reversal(first), on=date(2026, 4, 10))
    assert (await planning.announced(TaskFulfilmentChanged))[-1]["state"] == "in_progress"

    workbook = await planning.client.get("/tasks/T1/fulfilment.xlsx", headers=bearer(Role.ADMIN, "office-1"))
    assert workbook.headers["content-type"] == XLSX
    rows = sheet_rows(workbook.content)
    assert rows[0][0] == "调训任务完成情况"
    assert ["c1", "干部c1", "U1", "4", None, "学习中", "4 of 10 学时; the deadline 2099-12-31"] in rows


async def test_a_task_refuses_what_cannot_be_counted_or_named(planning: Planning) -> None:
    await planning.deliver(cadre("c1"), on=date(2026, 3, 1))
    nothing = {**online_task("T2"), "counting": {}}
    answer = await planning.client.post("/tasks", json=nothing, headers=bearer(Role.ADMIN, "office-1"))
    assert (answer.status_code, answer.json()["detail"]) == (
        422,
        "task T2 must name the classes, categories or activities that count",
    )
    stranger = await planning.client.post(
        "/tasks", json={**online_task("T3"), "issuer": "a_friend"}, headers=bearer(Role.ADMIN, "o")
    )
    assert stranger.status_code == 422 and "issuer a_friend" in stranger.json()["detail"]

    await planning.send("POST", "/tasks", online_task("T4"), expect=201)
    again = await planning.client.post("/tasks", json=online_task("T4"), headers=bearer(Role.ADMIN, "office-1"))
    unknown = await planning.client.post(
        "/tasks/T4/nominations", json={"person_ids": ["nobody"]}, headers=bearer(Role.ADMIN, "o")
    )
    await planning.send("POST", "/tasks/T4/nominations", {"person_ids": ["c1"]})
    twice = await planning.client.post(
        "/tasks/T4/nominations", json={"person_ids": ["c1"]}, headers=bearer(Role.ADMIN, "o")
    )
    assert again.status_code == 409
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown-person")
    assert (twice.status_code, twice.json()["detail"]) == (422, "c1 is nominated for task T4 more than once")


# ── budgets ──────────────────────────────────────────────────────────────────────────────────────────

STANDARDS = {
    "name": "spending-standards/v1",
    "standards": [
        {"category": "development_targets", "line": "board_and_lodging", "per_person_day": "300.00"},
        {"category": "development_targets", "line": "venue", "per_person_day": "50"},
    ],
}


def lines(board: str, planned_board: str = "40000.00") -> dict[str, Any]:
    """40 learners × 3 days = 120 person-days: board and lodging up to 36,000.00."""
    return {
        "learners": 40,
        "days": 3,
        "lines": [
            {"kind": "teachers_fees", "planned": "8000.00", "spent": "8000.00"},
            {"kind": "board_and_lodging", "planned": planned_board, "spent": board},
            {"kind": "venue", "planned": "6000.00", "spent": "5000.00"},
        ],
    }


@pytest.mark.parametrize(("spent", "flagged"), [("36000.00", False), ("36000.01", True)])
async def test_a_line_is_flagged_from_one_cent_over_its_standard(planning: Planning, spent: str, flagged: bool) -> None:
    await planning.deliver(a_class("K1", category="development_targets"), on=date(2026, 3, 1))
    await planning.send("POST", "/spending-standards", STANDARDS, expect=201)

    budget = await planning.send("PUT", "/classes/K1/budget", lines(spent))

    board = next(line for line in budget["lines"] if line["kind"] == "board_and_lodging")
    assert (board["label"], board["per_person_day"], board["limit"]) == ("食宿费", "300.00", "36000.00")
    assert (budget["person_days"], budget["standards"]) == (120, "spending-standards/v1")
    assert [f["key"] for f in budget["flags"]] == (["over_standard:board_and_lodging"] if flagged else [])
    assert budget["accepted"] is (not flagged)


async def test_a_flag_is_accepted_by_an_approver_s_note_until_more_is_spent(planning: Planning) -> None:
    await planning.deliver(a_class("K1", category="development_targets"), on=date(2026, 3, 1))
    await planning.send("POST", "/spending-standards", STANDARDS, expect=201)
    await planning.send("PUT", "/classes/K1/budget", lines("36000.01"))

    noted = await planning.send(
        "POST",
        "/classes/K1/budget/notes",
        {"flag_key": "over_standard:board_and_lodging", "note": "住宿价格上涨，已核"},
        expect=201,
    )
    assert noted["accepted"] is True
    assert [(n["approver_id"], n["approved_spent"]) for n in noted["notes"]] == [("office-1", "36000.01")]

    more = await planning.send("PUT", "/classes/K1/budget", lines("36000.02"))
    assert (more["accepted"], [f["awaiting_note"] for f in more["flags"]]) == (False, [True])
    no_such = await planning.client.post(
        "/classes/K1/budget/notes", json={"flag_key": "over_budget", "note": "x"}, headers=bearer(Role.ADMIN, "o")
    )
    assert (no_such.status_code, no_such.json()["detail"]) == (
        422,
        "no flag over_budget is raised on class K1 (raised: over_standard:board_and_lodging)",
    )


async def test_person_days_come_from_the_register_when_not_given(planning: Planning) -> None:
    klass = a_class("K2", category="development_targets")
    sessions: list[SessionChanged] = [
        a_session(f"K2-{n}", "K2", starts_at=at(date(2026, 4, day), hour=hour))
        for n, (day, hour) in enumerate([(1, 1), (1, 6), (2, 1)])
    ]
    await planning.deliver(klass, *sessions, an_enrollment("K2", "a"), an_enrollment("K2", "b"), on=date(2026, 3, 1))
    await planning.send("POST", "/spending-standards", STANDARDS, expect=201)

    budget = await planning.send(
        "PUT", "/classes/K2/budget", {"lines": [{"kind": "venue", "planned": "300.00", "spent": "200.01"}]}
    )
    assert (budget["learners"], budget["days"], budget["person_days"]) == (2, 2, 4)  # two learners on two days
    assert budget["flags"][0]["reason"] == (
        "场地费 spent 200.01 元, over the standard of 50.00 元 per person-day × 4 person-days = 200.00 元"
    )


async def test_the_year_s_spending_by_group_and_its_workbook(planning: Planning) -> None:
    await planning.deliver(
        a_class("K1", category="development_targets"), a_class("K3", category="party_affairs"), on=date(2026, 3, 1)
    )
    await planning.send("POST", "/spending-standards", STANDARDS, expect=201)
    await planning.send("PUT", "/classes/K1/budget", lines("36000.01"))
    await planning.send("PUT", "/classes/K3/budget", {"lines": [{"kind": "venue", "planned": "1.00", "spent": "1.00"}]})

    spending = await planning.get("/budgets/spending", year=2026)

    assert [(g["category"], g["classes"], g["spent"], g["classes_awaiting_note"]) for g in spending["groups"]] == [
        ("development_targets", 1, "49000.01", 1),
        ("overall", 1, "49000.01", 1),
    ]
    assert spending["unmeasured"] == {
        "K3": "no learner is enrolled (give learners); the class has no days yet (give days)"
    }
    rows = sheet_rows(
        (
            await planning.client.get("/budgets/spending.xlsx", params={"year": 2026}, headers=bearer(Role.ADMIN, "o"))
        ).content
    )
    assert ["发展对象培训", 1, "54000", "49000.01", 1, 0, 1] in rows


async def test_standards_once_published_never_change(planning: Planning) -> None:
    await planning.send("POST", "/spending-standards", STANDARDS, expect=201)
    again = await planning.client.post("/spending-standards", json=STANDARDS, headers=bearer(Role.ADMIN, "o"))
    changed = {**STANDARDS, "standards": [{**STANDARDS["standards"][0], "per_person_day": "350"}]}
    refused = await planning.client.post("/spending-standards", json=changed, headers=bearer(Role.ADMIN, "o"))
    assert again.status_code == 200 and refused.status_code == 409


# ── the annual plan ──────────────────────────────────────────────────────────────────────────────────


async def test_the_plan_s_execution_at_a_glance_with_the_surveys_that_fed_it(planning: Planning) -> None:
    k1 = a_class("K1", category="development_targets", starts_on=date(2026, 4, 1))
    extra = a_class("K9", category="young_backbone")
    answered = [
        SurveyAnswered(
            form_id="F1", class_id="K0", person_id=p, purpose="annual_needs", answered_at=at(date(2025, 11, 1))
        )
        for p in ("s1", "s2")
    ]
    await planning.deliver(
        k1, extra, an_enrollment("K1", "l1"), an_enrollment("K1", "l2"), *answered, on=date(2026, 3, 1)
    )
    await planning.deliver(
        AssessmentRecorded(
            assessment_id="a1",
            class_id="K1",
            person_id="l1",
            passed=True,
            assessed_by="t",
            assessed_at=at(date(2026, 4, 3)),
        ),
        CertificateIssued(
            certificate_number="DX1",
            revision=1,
            person_id="l1",
            class_id="K1",
            hours=Decimal(24),
            issued_at=at(date(2026, 4, 3)),
        ),
        on=date(2026, 4, 3),
    )
    planned = {
        "year": 2026,
        "title": "2026年度培训计划",
        "classes": [
            {
                "planned_id": "P1",
                "category": "development_targets",
                "title": "发展对象培训班",
                "target_learners": 40,
                "starts_on": "2026-04-01",
                "ends_on": "2026-04-03",
                "budget": "50000.00",
                "class_id": "K1",
            },
            {
                "planned_id": "P2",
                "category": "member_rotation",
                "title": "党员集中轮训",
                "target_learners": 200,
                "starts_on": "2026-07-01",
                "ends_on": "2026-07-02",
                "budget": "20000",
            },
        ],
        "fed_by": [],
    }
    await planning.send("PUT", "/plans/P2026", planned)
    plan = await planning.send(
        "POST", "/plans/P2026/surveys", {"form_id": "F1", "note": "学员希望增加案例教学"}, expect=201
    )

    assert plan["fed_by"] == [
        {
            "form_id": "F1",
            "note": "学员希望增加案例教学",
            "class_id": None,
            "respondents": 2,
            "purposes": ["annual_needs"],
        }
    ]
    execution = await planning.get("/plans/P2026/execution", Role.ORGANISATION_DEPARTMENT, "org-1", as_of="2026-05-01")
    groups = {g["category"]: g for g in execution["groups"]}
    assert {
        k: groups["development_targets"][k]
        for k in ("planned_classes", "classes_held", "enrolled", "passed", "completed", "enrolled_share")
    } == {"planned_classes": 1, "classes_held": 1, "enrolled": 2, "passed": 1, "completed": 1, "enrolled_share": "5.0"}
    assert groups["young_backbone"]["unplanned_classes"] == 1
    assert (execution["overall"]["target_learners"], execution["overall"]["budget"]) == (240, "70000.00")


async def test_a_plan_refuses_a_class_outside_its_year_and_a_survey_twice(planning: Planning) -> None:
    wrong = {
        "year": 2026,
        "title": "计划",
        "fed_by": [],
        "classes": [
            {
                "planned_id": "P1",
                "category": "activists",
                "title": "班",
                "target_learners": 1,
                "starts_on": "2027-01-05",
                "ends_on": "2027-01-06",
                "budget": "0",
            }
        ],
    }
    answer = await planning.client.put("/plans/P1", json=wrong, headers=bearer(Role.ADMIN, "o"))
    assert (answer.status_code, answer.json()["detail"]) == (
        422,
        "planned class P1 starts on 2027-01-05, outside the plan's year 2026",
    )
    await planning.send(
        "PUT", "/plans/P1", {"year": 2026, "title": "计划", "classes": [], "fed_by": [{"form_id": "F1", "note": "n"}]}
    )
    twice = await planning.client.post(
        "/plans/P1/surveys", json={"form_id": "F1", "note": "n"}, headers=bearer(Role.ADMIN, "o")
    )
    assert twice.status_code == 422
    as_number = await planning.client.put(
        "/plans/P1", json={"year": "2026", "title": "t"}, headers=bearer(Role.ADMIN, "o")
    )
    assert as_number.status_code == 422  # whole numbers as JSON numbers only


# ── cultivation ──────────────────────────────────────────────────────────────────────────────────────


async def test_a_cultivation_record_its_readiness_and_the_file_a_branch_keeps(planning: Planning) -> None:
    applicant = a_person(
        "a1",
        name="王五",
        unit_id="U1",
        branch_id="B1",
        statuses=[
            period("activist", date(2024, 3, 1), date(2025, 3, 15)),
            period("development_target", date(2025, 3, 15)),
        ],
    )
    activists = a_class("A24", category="activists", title="入党积极分子培训班", year=2024)
    development = a_class("D25", category="development_targets", title="发展对象培训班", year=2025)
    await planning.deliver(applicant, activists, development, on=date(2025, 3, 15))
    await planning.deliver(
        CertificateIssued(
            certificate_number="DX-A",
            revision=1,
            person_id="a1",
            class_id="A24",
            hours=Decimal(16),
            issued_at=at(date(2024, 5, 7)),
        ),
        *[credited("a1", "8", date(2025, 4, day), class_id="D25", category="development_targets") for day in (8, 9)],
        credited("a1", "7.5", date(2025, 4, 10), class_id="D25", category="development_targets"),
        on=date(2025, 4, 10),
    )
    await planning.send(
        "POST",
        "/persons/a1/cultivation/talks",
        {"on": "2025-04-20", "content": "思想汇报，学习认真", "contact_id": "t-9"},
        expect=201,
    )
    await planning.send(
        "POST",
        "/persons/a1/cultivation/activities",
        {"kind": "volunteer_service", "on": "2025-05-01", "description": "社区志愿服务", "duration_hours": "4"},
        expect=201,
    )

    record = await planning.get("/persons/a1/cultivation", as_of="2025-06-01")
    assert (record["status"], record["readiness"]["ready"]) == ("development_target", True)
    assert [c["reason"] for c in record["readiness"]["checks"]] == [
        "completed A24 入党积极分子培训班 (certificate DX-A)",
        "发展对象培训 23.5 学时 on 3 days: 3 days met",
        "last talk on 2025-04-20 with t-9, 42 days ago",
    ]
    assert [a["description"] for a in record["activities"]] == ["社区志愿服务"]
    as_it_was = await planning.get("/persons/a1/cultivation", Role.NOMINATOR, "n-1", ["U1"], as_of="2025-04-09")
    assert (as_it_was["readiness"]["ready"], as_it_was["talks"]) == (False, [])

    file = await planning.client.get(
        "/persons/a1/cultivation.xlsx", params={"as_of": "2025-06-01"}, headers=bearer(Role.LEARNER, "a1")
    )
    rows = sheet_rows(file.content)
    assert rows[0][0] == "培养考察登记表"
    assert ["2025-04-20", "思想汇报，学习认真", "t-9"] in [
        [str(v)[:10] if v is not None else None for v in row[:3]] for row in rows
    ]
    assert ["结论", "已具备条件"] in [row[:2] for row in rows]


async def test_a_blank_talk_or_an_unknown_activity_is_refused(planning: Planning) -> None:
    await planning.deliver(a_person("a2"), on=date(2025, 3, 15))
    blank = await planning.client.post(
        "/persons/a2/cultivation/talks",
        json={"on": "2025-04-20", "content": " ", "contact_id": "t"},
        headers=bearer(Role.ADMIN, "o"),
    )
    odd = await planning.client.post(
        "/persons/a2/cultivation/activities",
        json={"kind": "sport", "on": "2025-04-20", "description": "x"},
        headers=bearer(Role.ADMIN, "o"),
    )
    stranger = await planning.client.post(
        "/persons/zz/cultivation/talks",
        json={"on": "2025-04-20", "content": "c", "contact_id": "t"},
        headers=bearer(Role.ADMIN, "o"),
    )
    assert (blank.status_code, blank.json()["detail"]) == (422, "the talk of 2025-04-20 needs its content")
    assert odd.status_code == 422 and stranger.status_code == 404


# ── the training record for the organisation department ──────────────────────────────────────────────


async def test_the_organisation_department_reads_a_person_s_record_and_a_unit_s_year(planning: Planning) -> None:
    await planning.deliver(
        cadre("c1"),
        cadre("c2"),
        cadre("c9", unit_id="U2"),
        a_class("K1", category="division_cadres", title="处级干部专题培训班"),
        an_enrollment("K1", "c1"),
        on=date(2026, 3, 1),
    )
    await planning.deliver(
        credited("c1", "16", date(2026, 3, 2), class_id="K1", category="division_cadres"),
        credited("c1", "5", date(2026, 3, 3), channel="online"),
        on=date(2026, 3, 3),
    )

    record = await planning.get("/persons/c1/training-record", Role.ORGANISATION_DEPARTMENT, "org-1")
    rows = await planning.get("/units/U1/training-records", Role.ORGANISATION_DEPARTMENT, "org-1", year=2026)
    workbook = await planning.client.get(
        "/units/U1/training-records.xlsx", params={"year": 2026}, headers=bearer(Role.ORGANISATION_DEPARTMENT, "org-1")
    )

    assert [(c["class_id"], c["hours"], c["enrolled"]) for c in record["classes"]] == [("K1", "16.00", True)]
    assert record["hours_by_year"] == [{"year": 2026, "total": "21.00", "offline": "16.00", "online": "5.00"}]
    assert [(r["person_id"], r["classes"], r["hours"]) for r in rows] == [("c1", 1, "21.00"), ("c2", 0, "0.00")]
    table = sheet_rows(workbook.content)
    assert table[1][:4] == ["工号", "姓名", "政治面貌", "职务"]
    assert table[2][:7] == ["c1", "干部c1", "正式党员", "县处级及以上", 1, 0, "21"]


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.LEARNER, "/persons/c1/training-record", 200),
        (Role.LEARNER, "/persons/c2/training-record", 403),
        (Role.NOMINATOR, "/persons/c1/training-record", 403),
        (Role.LEARNER, "/units/U1/training-records?year=2026", 403),
        (Role.ORGANISATION_DEPARTMENT, "/classes/K1/budget", 403),
        (Role.NOMINATOR, "/plans", 403),
        (Role.NOMINATOR, "/persons/c9/cultivation", 403),  # another unit's person
        (Role.NOMINATOR, "/persons/c2/cultivation", 200),
    ],
)
async def test_who_may_read_what(planning: Planning, role: Role, path: str, status: int) -> None:
    await planning.deliver(cadre("c1"), cadre("c2"), cadre("c9", unit_id="U2"), on=date(2026, 3, 1))
    answer = await planning.client.get(
        path, headers=bearer(role, "c1", units=["U1"] if role is Role.NOMINATOR else None)
    )
    assert answer.status_code == status, answer.text


@pytest.mark.parametrize("role", [Role.ORGANISATION_DEPARTMENT, Role.NOMINATOR, Role.LEARNER, Role.CLASS_MANAGER])
async def test_only_the_office_writes(planning: Planning, role: Role) -> None:
    answer = await planning.client.post("/tasks", json=online_task("T9"), headers=bearer(role, "x", units=["U1"]))
    assert answer.status_code == 403


async def test_a_day_is_taken_only_as_the_document_writes_it(planning: Planning) -> None:
    for written in ("0", "1.5e-93", "2026-3-1"):
        answer = await planning.client.get(
            "/rotation/coverage", params={"as_of": written}, headers=bearer(Role.ADMIN, "o")
        )
        assert answer.status_code == 422, written
    assert (
        await planning.client.get("/rotation/coverage", params={"as_of": "2026-03-01"}, headers=bearer(Role.ADMIN, "o"))
    ).status_code == 200


async def test_a_task_whose_title_holds_a_control_character_still_exports(planning: Planning) -> None:
    await planning.send("POST", "/tasks", {**online_task("T1"), "title": "网络\x1d学习"}, expect=201)
    workbook = await planning.client.get("/tasks/T1/fulfilment.xlsx", headers=bearer(Role.ADMIN, "o"))
    assert workbook.status_code == 200
    assert ["任务", "网络学习"] in [row[:2] for row in sheet_rows(workbook.content)]
