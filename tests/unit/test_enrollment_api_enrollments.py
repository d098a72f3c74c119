"""A learner's way through a class through the HTTP API: nomination within quotas, self-application, approval
and rejection, the waitlist and its promotion on withdrawal, transfer; each step a new version of one event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.enrollment.domain.vocabulary import PartyAffairsLevel, TrainingCategory
from shared.auth import Role
from tests.support import bearer
from tests.unit.conftest import ServiceApi
from tests.unit.test_enrollment_api import (
    CLASS_ID,
    MANAGER,
    MARX_NOMINATOR,
    OTHER_MANAGER,
    Register,
    a_class,
    a_school_with_a_class,
    open_register,
)


@pytest.fixture
async def register(service_api: ServiceApi) -> Register:
    return await open_register(service_api)


ENROLLMENTS = f"/classes/{CLASS_ID}/enrollments"


async def enter(
    register: Register, person_id: str, headers: dict[str, str] = MANAGER, class_id: str = CLASS_ID, **body: Any
) -> dict[str, Any]:
    return await register.post(f"/classes/{class_id}/enrollments", {"person_id": person_id, **body}, headers)


async def approve(register: Register, enrollment: dict[str, Any]) -> dict[str, Any]:
    return await register.post(f"/enrollments/{enrollment['enrollment_id']}/approve", {}, MANAGER, status=200)


async def test_a_unit_nominates_its_people_within_its_quota(register: Register) -> None:
    await a_school_with_a_class(register, unit_quotas={"MARX": 2, "ECON": 1})
    first = await enter(register, "1", MARX_NOMINATOR)
    assert (first["route"], first["status"], first["nominated_by"], first["version"]) == (
        "nomination",
        "nominated",
        "MARX",
        1,
    )
    assert first["eligibility_rule"] == "eligibility/v1"
    assert "is 发展对象 since 2025-09-01" in first["eligibility_reason"]
    await enter(register, "2", MARX_NOMINATOR)
    detail = await register.refused("POST", ENROLLMENTS, {"person_id": "3"}, 422, headers=MARX_NOMINATOR)
    assert detail == f"unit MARX has used its quota of 2 in class {CLASS_ID} (1, 2)"
    [announced] = await register.states("enrollment", first["enrollment_id"])
    assert {k: announced[k] for k in ("class_id", "person_id", "status", "route", "nominated_by", "version")} == {
        "class_id": CLASS_ID,
        "person_id": "1",
        "status": "nominated",
        "route": "nomination",
        "nominated_by": "MARX",
        "version": 1,
    }


async def test_an_ineligible_nominee_is_refused_saying_why_as_of_the_first_day(register: Register) -> None:
    await a_school_with_a_class(register)
    detail = await register.refused("POST", ENROLLMENTS, {"person_id": "9"}, 422, headers=MANAGER)
    assert detail == ("党员9 (9) on 2026-03-02 is 正式党员 since 2011-06-01; 发展对象培训 takes only 发展对象")
    # The day that counts is the class's first: a status that begins after it does not help.
    await register.post(
        "/persons",
        {
            "person_id": "8",
            "name": "新人",
            "unit_id": "MARX",
            "statuses": [{"code": "development_target", "since": "2026-03-03"}],
        },
    )
    assert "has no political status on record for 2026-03-02" in await register.refused(
        "POST", ENROLLMENTS, {"person_id": "8"}, 422, headers=MANAGER
    )


async def test_a_learner_applies_for_themselves_and_a_second_way_in_conflicts(register: Register) -> None:
    await a_school_with_a_class(register)
    learner = bearer(Role.LEARNER, "3")
    applied = await enter(register, "3", learner)
    assert (applied["route"], applied["status"], applied["nominated_by"]) == ("application", "applied", None)
    assert "already enrolled" in await register.refused("POST", ENROLLMENTS, {"person_id": "3"}, 409, headers=MANAGER)
    assert (await register.get(f"/enrollments/{applied['enrollment_id']}", learner))["status"] == "applied"
    mine = await register.get("/persons/3/enrollments", learner)
    assert [e["enrollment_id"] for e in mine] == [applied["enrollment_id"]]


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        ({"person_id": "nobody"}, 404, "person nobody is not registered"),
        ({"person_id": "1", "route": "lottery"}, 422, "unknown way into a class (报名方式) 'lottery'"),
        ({"person_id": "1", "nominated_by": "LIB"}, 422, "unknown unit LIB"),
        ({"person_id": "1", "route": "application", "nominated_by": "MARX"}, 422, "names no nominating unit"),
        ({"person_id": "3"}, 422, "学员3 (3) has left the school"),
        ({"person_id": "5", "nominated_by": "MARX"}, 422, "unit MARX"),
    ],
)
async def test_a_way_in_that_cannot_be_is_refused_naming_why(
    register: Register, body: dict[str, Any], status: int, problem: str
) -> None:
    await a_school_with_a_class(register, unit_quotas={"MARX": 1, "ECON": 1})
    await register.patch("/persons/3", {"active": False})
    await enter(register, "2", MANAGER)  # MARX's one place is taken
    assert problem in await register.refused("POST", ENROLLMENTS, body, status, headers=MANAGER)


async def test_approval_seats_up_to_the_capacity_then_waitlists_and_a_withdrawal_promotes_the_longest_waiting(
    register: Register,
) -> None:
    await a_school_with_a_class(register, unit_quotas={})  # two seats, no quotas
    entered = [await enter(register, person) for person in ("1", "2", "3", "4")]
    decided = [await approve(register, enrollment) for enrollment in entered]
    assert [(e["status"], e["reason"]) for e in decided] == [
        ("approved", "approved: seat 1 of 2"),
        ("approved", "approved: seat 2 of 2"),
        ("waitlisted", "class full (2 of 2 seats): number 1 on the waitlist"),
        ("waitlisted", "class full (2 of 2 seats): number 2 on the waitlist"),
    ]
    withdrawn = await register.post(
        f"/enrollments/{decided[0]['enrollment_id']}/withdraw",
        {"reason": "工作冲突"},
        bearer(Role.LEARNER, "1"),
        status=200,
    )
    assert (withdrawn["enrollment"]["status"], withdrawn["enrollment"]["reason"]) == ("withdrawn", "工作冲突")
    assert [(p["person_id"], p["status"], p["version"]) for p in withdrawn["promoted"]] == [("3", "approved", 3)]
    states = await register.states("enrollment", decided[2]["enrollment_id"])
    assert [(s["version"], s["status"]) for s in states] == [(1, "nominated"), (2, "waitlisted"), (3, "approved")]
    listed = await register.get(ENROLLMENTS, MANAGER)
    assert [(e["person_id"], e["status"]) for e in listed] == [
        ("1", "withdrawn"),
        ("2", "approved"),
        ("3", "approved"),
        ("4", "waitlisted"),
    ]


async def test_capacity_never_falls_below_the_approved_and_growing_it_seats_the_waitlist(register: Register) -> None:
    await a_school_with_a_class(register)
    for person in ("1", "2", "3"):
        await approve(register, await enter(register, person))
    detail = await register.refused("PATCH", f"/classes/{CLASS_ID}", {"capacity": 1}, 422, headers=MANAGER)
    assert "capacity 1 is below the 2 confirmed enrollments" in detail
    await register.patch(f"/classes/{CLASS_ID}", {"capacity": 3}, MANAGER)
    assert [e["status"] for e in await register.get(ENROLLMENTS, MANAGER)] == ["approved"] * 3
    category = await register.refused("PATCH", f"/classes/{CLASS_ID}", {"category": "activists"}, 422, headers=MANAGER)
    assert "the category cannot change while 3 people are enrolled" in category


async def test_a_rejection_needs_a_reason_and_the_person_may_come_back_on_the_same_enrollment(
    register: Register,
) -> None:
    await a_school_with_a_class(register)
    nominated = await enter(register, "1", MARX_NOMINATOR)
    path = f"/enrollments/{nominated['enrollment_id']}/reject"
    assert "reason" in await register.refused("POST", path, {"reason": ""}, 422, headers=MANAGER)
    rejected = await register.post(path, {"reason": "本年度已参加同类培训"}, MANAGER, status=200)
    assert (rejected["status"], rejected["reason"], rejected["version"]) == ("rejected", "本年度已参加同类培训", 2)
    assert "cannot approve" in await register.refused(
        "POST", f"/enrollments/{nominated['enrollment_id']}/approve", {}, 422, headers=MANAGER
    )
    again = await enter(register, "1", bearer(Role.LEARNER, "1"))
    assert (again["enrollment_id"], again["version"], again["route"]) == (nominated["enrollment_id"], 3, "application")


async def test_a_transfer_moves_the_seat_to_another_class_and_frees_one_for_the_waitlist(register: Register) -> None:
    await a_school_with_a_class(register, capacity=1)
    await register.post("/classes", a_class("DT-2026-AUTUMN", starts_on="2026-09-07", ends_on="2026-09-11"), MANAGER)
    seated = await approve(register, await enter(register, "1"))
    waiting = await approve(register, await enter(register, "2"))
    assert waiting["status"] == "waitlisted"
    moved = await register.post(
        f"/enrollments/{seated['enrollment_id']}/transfer", {"class_id": "DT-2026-AUTUMN"}, MANAGER, status=200
    )
    assert (moved["enrollment"]["status"], moved["enrollment"]["transferred_to"]) == ("transferred", "DT-2026-AUTUMN")
    joined = moved["joined"]
    assert (joined["class_id"], joined["status"], joined["transferred_from"]) == (
        "DT-2026-AUTUMN",
        "approved",
        CLASS_ID,
    )
    assert [p["person_id"] for p in moved["promoted"]] == ["2"]
    [arrived] = await register.states("enrollment", joined["enrollment_id"])
    assert (arrived["transferred_from"], arrived["version"]) == (CLASS_ID, 1)


async def test_a_transfer_needs_the_hands_of_both_classes(register: Register) -> None:
    await a_school_with_a_class(register)
    await register.post("/classes", a_class("ELSEWHERE", manager_ids=["manager-2"]))
    enrollment = await enter(register, "1")
    detail = await register.refused(
        "POST", f"/enrollments/{enrollment['enrollment_id']}/transfer", {"class_id": "ELSEWHERE"}, 403, headers=MANAGER
    )
    assert detail == "only an admin or a manager of class ELSEWHERE may take learners in by transfer"
    assert "only an admin or a manager of class" in await register.refused(
        "POST", f"/enrollments/{enrollment['enrollment_id']}/approve", {}, 403, headers=OTHER_MANAGER
    )


async def test_a_nominator_sees_and_enters_only_their_units_people(register: Register) -> None:
    await a_school_with_a_class(register)
    await enter(register, "1", MARX_NOMINATOR)
    await enter(register, "5", MANAGER)  # of ECON
    detail = await register.refused("POST", ENROLLMENTS, {"person_id": "5"}, 403, headers=MARX_NOMINATOR)
    assert "5 of ECON nominated by ECON is not theirs" in detail
    assert "not theirs" in await register.refused(
        "POST", ENROLLMENTS, {"person_id": "5", "nominated_by": "MARX"}, 403, headers=MARX_NOMINATOR
    )
    assert [e["person_id"] for e in await register.get(ENROLLMENTS, MARX_NOMINATOR)] == ["1"]
    assert [p["person_id"] for p in await register.get("/persons", MARX_NOMINATOR)] == ["1", "2", "3", "4", "9"]


async def test_a_planned_or_cancelled_class_decides_who_may_come(register: Register) -> None:
    await a_school_with_a_class(register)
    await register.patch(f"/classes/{CLASS_ID}", {"status": "closed"}, MANAGER)
    detail = await register.refused("POST", ENROLLMENTS, {"person_id": "1"}, 422, headers=MANAGER)
    assert detail == f"class {CLASS_ID} is 已结业 (closed): it takes nobody in"


async def test_who_may_join_is_configurable_by_a_versioned_policy_file(
    service_api: ServiceApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A school that also takes its 入党积极分子 into development-target classes says so in a policy of its own."""
    categories = {category.value: {} for category in TrainingCategory}
    categories["development_targets"] = {"statuses": ["development_target", "activist"]}
    policy = {
        "name": "eligibility/v2",
        "categories": categories,
        "party_affairs_levels": {level.value: {"positions": ["branch_secretary"]} for level in PartyAffairsLevel},
    }
    (tmp_path / "policy.json").write_text(json.dumps(policy))
    monkeypatch.setenv("DANGXIAO_ELIGIBILITY_POLICY_FILE", str(tmp_path / "policy.json"))
    register = await open_register(service_api)
    await a_school_with_a_class(register)
    await register.post(
        "/persons",
        {
            "person_id": "6",
            "name": "积极分子",
            "unit_id": "MARX",
            "statuses": [{"code": "activist", "since": "2025-04-01"}],
        },
    )
    nominated = await enter(register, "6")
    assert (nominated["eligibility_rule"], nominated["status"]) == ("eligibility/v2", "nominated")
    assert nominated["eligibility_reason"] == (
        "积极分子 (6) on 2026-03-02 is 入党积极分子 since 2025-04-01; 发展对象培训 takes 入党积极分子 / 发展对象"
    )


async def test_approval_judges_the_nominee_again_as_the_register_knows_them_now(register: Register) -> None:
    await a_school_with_a_class(register)
    nominated = await enter(register, "1", MARX_NOMINATOR)
    await register.patch("/persons/1", {"statuses": [{"code": "masses", "since": "2020-01-01"}]})
    detail = await register.refused(
        "POST", f"/enrollments/{nominated['enrollment_id']}/approve", {}, 422, headers=MANAGER
    )
    assert detail == "学员1 (1) on 2026-03-02 is 群众 since 2020-01-01; 发展对象培训 takes only 发展对象"
