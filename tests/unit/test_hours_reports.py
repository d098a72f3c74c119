"""Views and exports over HTTP: the transcript (学时档案) as of a day and its workbook, where a person stands on
their requirements, the figures of a 学时证明, compliance by unit and branch and its workbook, pending attendance,
and asking for a day's review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from shared.auth import Role
from shared.db import utcnow
from shared.events.contracts.common import Period
from shared.events.contracts.register import CompletionCriteria, OrganisationChanged
from tests.support import (
    REGISTERED_AT,
    a_class,
    a_person,
    a_session,
    an_enrollment,
    bearer,
    event_of,
    unique,
)
from tests.unit.conftest import ServiceApi
from tests.unit.test_hours_doors import Doors
from tests.unit.test_hours_handlers import ENROLLMENT, TABLET, attended, hours_service, voided

MEMBER = Period(code="full_member", since=date(2010, 7, 1))
SECRETARY = Period(code="branch_secretary", since=date(2024, 1, 1))
OFFICE = bearer(Role.ADMIN, "office-1")


@pytest.fixture
async def api(service_api: ServiceApi) -> Doors:
    client, database = await service_api("hours")
    return Doors(client, hours_service(database))


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 1, tzinfo=UTC)  # 09:00 in Beijing


async def organisation(api: Doors, org_id: str, name: str, kind: str, parent_id: str | None = None) -> None:
    state = OrganisationChanged(
        org_id=org_id,
        kind=kind,
        name=name,
        parent_id=parent_id,
        valid_from=date(2000, 1, 1),
        version=1,
        changed_at=REGISTERED_AT,
    )
    await api.hours.deliver(event_of(state, source=ENROLLMENT))


async def person(api: Doors, person_id: str, unit: str, branch: str, *positions: Period) -> None:
    state = a_person(person_id, unit_id=unit, branch_id=branch, statuses=[MEMBER], positions=list(positions))
    await api.hours.deliver(event_of(state, source=ENROLLMENT))


async def day_of_training(api: Doors, person_id: str, day: date, *, class_id: str, minutes: int = 360) -> Any:
    session_id = unique("session")
    session = a_session(session_id, class_id, starts_at=morning(day), minutes=360, hours="8")
    await api.hours.deliver(event_of(session, source=ENROLLMENT))
    attendance = attended(person_id, session_id, minutes=minutes).model_copy(
        update={"time": morning(day) + timedelta(hours=9)}
    )
    await api.hours.deliver(attendance)
    return attendance


async def get(api: Doors, path: str, headers: dict[str, str] = OFFICE, **params: Any) -> httpx.Response:
    return await api.client.get(path, params=params, headers=headers)


# ── Transcript ─────────────────────────────────────────────────────────────────────────────────────────────────


async def test_a_transcript_as_of_a_day_shows_what_the_ledger_held_then(api: Doors) -> None:
    person_id, class_id = unique("person"), unique("class")
    await person(api, person_id, "u1", "b1")
    await api.hours.deliver(event_of(a_class(class_id, category="member_rotation"), source=ENROLLMENT))
    first = await day_of_training(api, person_id, date(2026, 3, 2), class_id=class_id)
    await day_of_training(api, person_id, date(2026, 3, 3), class_id=class_id, minutes=180)
    study = attended(person_id, activity={"id": "c-1", "title": "党史", "platform": "学习强国"}, minutes=90)
    await api.hours.deliver(study.model_copy(update={"time": morning(date(2026, 3, 4))}))
    await api.hours.deliver(voided(first).model_copy(update={"time": morning(date(2026, 3, 10))}))

    before = (await get(api, f"/persons/{person_id}/transcript", as_of="2026-03-05")).json()
    after = (await get(api, f"/persons/{person_id}/transcript", as_of="2026-03-10")).json()

    assert (before["total"], after["total"]) == ("14.00", "6.00")
    assert [(line["kind"], line["hours"]) for line in before["lines"]] == [
        ("credit", "8.00"),
        ("credit", "4.00"),
        ("credit", "2.00"),
    ]
    [year] = before["years"]
    assert (year["year"], year["total"], year["concentrated"], year["online"]) == (2026, "14.00", "12.00", "2.00")
    assert year["by_category"] == [
        {"category": "member_rotation", "label": "党员集中轮训", "hours": "12.00"},
        {"category": None, "label": "班外学习", "hours": "2.00"},
    ]
    reversal = after["lines"][1]  # a reversal carries the day of the credit it takes back
    assert (reversal["kind"], reversal["trained_on"], reversal["rule"]) == (
        "reversal",
        "2026-03-02",
        "session-tolerance/v1",
    )
    assert "voided" in reversal["reason"]
    credit = before["lines"][0]
    assert (credit["category_label"], credit["channel"], credit["source"]) == ("党员集中轮训", "offline", first.source)


async def test_the_transcript_workbook_lists_the_lines_and_the_years(api: Doors) -> None:
    person_id, class_id = unique("person"), unique("class")
    await person(api, person_id, "u1", "b1")
    await api.hours.deliver(event_of(a_class(class_id, category="member_rotation"), source=ENROLLMENT))
    await day_of_training(api, person_id, date(2026, 3, 2), class_id=class_id)

    answer = await get(api, f"/persons/{person_id}/transcript.xlsx", as_of="2026-12-31")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(answer.content))
    assert book.sheetnames == ["学时档案", "年度汇总"]
    rows = list(book["学时档案"].iter_rows(values_only=True))
    assert rows[0][:2] == ("工号/学号", person_id)
    assert rows[1][:5] == ("培训日期", "类别", "形式", "班次/项目", "学时")
    assert rows[2][:5] == ("2026-03-02", "党员集中轮训", "集中", class_id, 8)
    assert list(book["年度汇总"].iter_rows(values_only=True))[1][:4] == (2026, 8, 8, 0)


# ── Requirements, 学时证明 ──────────────────────────────────────────────────────────────────────────────────────


async def test_a_person_sees_where_they_stand_and_the_figures_of_their_annual_certificate(api: Doors) -> None:
    person_id, class_id = unique("person"), unique("class")
    await person(api, person_id, "u1", "b1", SECRETARY)
    await api.hours.deliver(event_of(a_class(class_id, category="party_affairs"), source=ENROLLMENT))
    for day in range(2, 6):
        await day_of_training(api, person_id, date(2026, 3, day), class_id=class_id)
    own = bearer(Role.LEARNER, person_id)

    standing = (await get(api, f"/persons/{person_id}/requirements", own, as_of="2026-06-30")).json()
    figures = (await get(api, f"/persons/{person_id}/annual-hours", own, year=2026)).json()

    assert {(s["requirement"], s["standing"], s["credited"]) for s in standing["standings"]} == {
        ("party-member-study/v1", "met", "32.00"),
        ("branch-leader-study/v1", "on_track", "32.00"),  # 28 of 56 expected by the end of June
    }
    assert figures["totals"]["total"] == "32.00" and figures["totals"]["concentrated"] == "32.00"
    assert {s["requirement"] for s in figures["standings"]} == {"party-member-study/v1", "branch-leader-study/v1"}
    assert (await get(api, f"/persons/{person_id}/annual-hours", bearer(Role.LEARNER, unique("p")))).status_code == 403


# ── Compliance ─────────────────────────────────────────────────────────────────────────────────────────────────


async def a_unit_of_two_branches(api: Doors) -> dict[str, str]:
    """Unit 经济管理学院 with branches 教工 and 学生; three members: met, behind, behind (as of 31 May 2026)."""
    await organisation(api, "u-jg", "经济管理学院", "unit")
    await organisation(api, "b-jg-t", "经管教工党支部", "branch", "u-jg")
    await organisation(api, "b-jg-s", "经管学生党支部", "branch", "u-jg")
    people = {"met": unique("p"), "behind": unique("p"), "student": unique("p")}
    await person(api, people["met"], "u-jg", "b-jg-t")
    await person(api, people["behind"], "u-jg", "b-jg-t")
    await person(api, people["student"], "u-jg", "b-jg-s")
    class_id = unique("class")
    await api.hours.deliver(
        event_of(a_class(class_id, category="member_rotation", manager_ids=["m-1"]), source=ENROLLMENT)
    )
    await api.hours.deliver(event_of(an_enrollment(class_id, people["student"]), source=ENROLLMENT))
    for day in range(2, 6):
        await day_of_training(api, people["met"], date(2026, 3, day), class_id=class_id)
    await day_of_training(api, people["behind"], date(2026, 3, 2), class_id=class_id)
    return people


async def test_compliance_by_unit_and_branch_names_who_is_behind_by_how_much(api: Doors) -> None:
    people = await a_unit_of_two_branches(api)

    report = (await get(api, "/compliance", as_of="2026-05-31", unit="u-jg")).json()

    [unit] = report["units"]
    assert (unit["unit_id"], unit["unit"]) == ("u-jg", "经济管理学院")
    branches = {branch["branch"]: branch for branch in unit["branches"]}
    assert set(branches) == {"经管教工党支部", "经管学生党支部"}
    teachers = branches["经管教工党支部"]
    assert [(row["person_id"], row["standing"]["shortfall"]) for row in teachers["behind"]] == [
        (people["behind"], "24.00")  # 8 of 32, with 13.34 expected after five months
    ]
    assert teachers["tallies"] == [
        {
            "requirement": "party-member-study",
            "label": "党员集中学习培训",
            "under": 2,
            "by_standing": {"met": 1, "behind": 1},
            "shortfall": "24.00",
        }
    ]
    assert unit["tallies"][0]["by_standing"] == {"met": 1, "behind": 2} and unit["tallies"][0]["shortfall"] == "56.00"


async def test_a_class_manager_sees_the_compliance_of_their_learners_only_and_a_learner_none(api: Doors) -> None:
    people = await a_unit_of_two_branches(api)

    managed = (await get(api, "/compliance", bearer(Role.CLASS_MANAGER, "m-1"), as_of="2026-05-31")).json()
    learner = await get(api, "/compliance", bearer(Role.LEARNER, people["met"]))

    listed = [row["person_id"] for u in managed["units"] for b in u["branches"] for row in b["rows"]]
    assert listed == [people["student"]]
    assert learner.status_code == 403


async def test_the_compliance_workbook_has_a_row_per_person_and_requirement_and_the_tallies(api: Doors) -> None:
    await a_unit_of_two_branches(api)

    answer = await get(api, "/compliance.xlsx", as_of="2026-05-31", unit="u-jg")

    book = load_workbook(BytesIO(answer.content))
    assert book.sheetnames == ["达标情况", "汇总"]
    rows = list(book["达标情况"].iter_rows(values_only=True))
    assert rows[1][:4] == ("单位", "支部", "工号/学号", "要求")
    assert len(rows) == 2 + 3
    assert {row[9] for row in rows[2:]} == {"已达标", "进度落后"}
    tallies = list(book["汇总"].iter_rows(values_only=True))
    assert tallies[-1][:4] == ("经济管理学院", "（单位合计）", "党员集中学习培训", 3)


# ── Pending attendance, reviews ────────────────────────────────────────────────────────────────────────────────


async def test_attendance_waiting_for_its_session_is_listed_with_its_age(api: Doors) -> None:
    person_id, session_id = unique("person"), unique("session")
    await api.hours.deliver(event_of(a_person(person_id), source=ENROLLMENT))
    waiting = attended(person_id, session_id, source=TABLET)
    await api.hours.deliver(waiting)

    pending = (await get(api, "/pending")).json()
    by_learner = await get(api, "/pending", bearer(Role.LEARNER, person_id))

    [entry] = [entry for entry in pending["attendance"] if entry["id"] == waiting.id]
    assert (entry["source"], entry["person_id"], entry["session_id"]) == (TABLET, person_id, session_id)
    assert entry["waiting_for"] == [f"session:{session_id}"]
    assert 0 <= entry["age_seconds"] < 60 and pending["oldest_age_seconds"] >= entry["age_seconds"]
    assert by_learner.status_code == 403


async def test_an_administrator_reviews_a_day_that_has_ended(api: Doors) -> None:
    yesterday = (utcnow() + timedelta(hours=8)).date() - timedelta(days=1)

    # Nobody is under a requirement here: the review announces nothing (what it announces: test_hours_progress).
    reviewed = await api.client.post("/requirements/reviews", json={"day": yesterday.isoformat()}, headers=OFFICE)
    today = await api.client.post(
        "/requirements/reviews", json={"day": (yesterday + timedelta(days=1)).isoformat()}, headers=OFFICE
    )
    by_manager = await api.client.post(
        "/requirements/reviews", json={"day": yesterday.isoformat()}, headers=bearer(Role.CLASS_MANAGER, "m-1")
    )

    assert (reviewed.status_code, reviewed.json()) == (200, {"day": yesterday.isoformat(), "announced": 0})
    assert today.status_code == 422 and "is not over yet in Beijing" in today.json()["detail"]
    assert by_manager.status_code == 403


# ── A class's learners against its required 学时 and maximum absence ────────────────────────────────────────


async def test_a_class_manager_sees_each_learner_against_the_class_required_hours_and_maximum_absence(
    api: Doors,
) -> None:
    class_id = unique("class")
    complete, absent, late = (unique("p") for _ in range(3))
    terms = CompletionCriteria(required_hours=Decimal(12), max_absence_share=Decimal("0.25"))  # 4 of 16 scheduled
    klass = a_class(class_id, manager_ids=["m-1"]).model_copy(update={"completion": terms})
    await api.hours.deliver(event_of(klass, source=ENROLLMENT))
    held = [unique("session") for _ in range(3)]
    for number, session_id in enumerate(held):
        starts_at = utcnow() - timedelta(days=3 - number)
        await api.hours.deliver(event_of(a_session(session_id, class_id, starts_at=starts_at), source=ENROLLMENT))
    await api.hours.deliver(
        event_of(a_session(unique("session"), class_id, starts_at=utcnow() + timedelta(days=1)), source=ENROLLMENT)
    )
    for person_id in (complete, absent, late):
        await api.hours.deliver(event_of(a_person(person_id), source=ENROLLMENT))
        await api.hours.deliver(event_of(an_enrollment(class_id, person_id), source=ENROLLMENT))
    reports = {
        complete: [{}, {}, {}],
        absent: [{}, {"status": "excused"}, {"status": "absent"}],
        late: [{}, {}, {"status": "late", "minutes": 120}],
    }
    for person_id, attended_sessions in reports.items():
        for session_id, data in zip(held, attended_sessions, strict=True):
            await api.hours.deliver(attended(person_id, session_id, **data))

    answer = await get(api, f"/classes/{class_id}/progress", bearer(Role.CLASS_MANAGER, "m-1"))
    other = await get(api, f"/classes/{class_id}/progress", bearer(Role.CLASS_MANAGER, "m-2"))

    assert answer.status_code == 200, answer.text
    progress = answer.json()
    assert (progress["scheduled_hours"], progress["held_hours"], progress["max_absence_hours"]) == (
        "16.00",
        "12.00",
        "4.00",
    )
    found = {
        row["person_id"]: (row["credited"], row["excused_absence"], row["unexcused_absence"], row["standing"])
        for row in progress["learners"]
    }
    assert found == {
        complete: ("12.00", "0.00", "0.00", "complete"),
        absent: ("4.00", "4.00", "4.00", "over_absence"),
        late: ("10.50", "0.00", "1.50", "in_progress"),  # 120 of 180 minutes: 2.5 of 4; 4 学时 still to come
    }
    assert other.status_code == 403
