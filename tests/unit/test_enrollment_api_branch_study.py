"""Branch-organised study (支部组织学习) through the register's API: a 党支部 (token role ``branch``, its ``units``
the branches it acts for) creates its own study class, schedules its sessions and enters its own members, approved
at once; people of other branches are refused; a branch sees its own study and its members' enrollments only."""

from __future__ import annotations

from typing import Any

import pytest

from shared.auth import Role
from tests.support import bearer
from tests.unit.conftest import ServiceApi
from tests.unit.test_enrollment_api import (
    CLASS_ID,
    MANAGER,
    MARX_NOMINATOR,
    Register,
    a_class,
    a_school_with_a_class,
    full_member,
    open_register,
)

MARX_BRANCH = bearer(Role.BRANCH, "marx-b1-secretary", units=["MARX-B1"])
ECON_BRANCH = bearer(Role.BRANCH, "econ-b1-secretary", units=["ECON-B1"])
STUDY_ID = "MARX-B1-2026-04"
ECON_B1 = {
    "org_id": "ECON-B1",
    "kind": "branch",
    "name": "经济管理学院教工党支部",
    "parent_id": "SOU",
    "unit_id": "ECON",
    "valid_from": "2012-03-01",
}


def a_study_session(number: int, class_id: str = STUDY_ID, **changes: Any) -> dict[str, Any]:
    """Session ``number`` of the branch's April study: 14:00–16:15 Beijing time on April ``number``, 3 学时."""
    return {
        "session_id": f"{class_id}-{number:02d}",
        "title": f"研讨交流 {number}",
        "teaching_mode": "seminar",
        "starts_at": f"2026-04-{number:02d}T14:00:00+08:00",
        "ends_at": f"2026-04-{number:02d}T16:15:00+08:00",
        "hours": "3",
        "place": f"{class_id} 会议室",
        **changes,
    }


def a_study(class_id: str = STUDY_ID, **changes: Any) -> dict[str, Any]:
    """MARX-B1's own study in April 2026 (支部组织学习)."""
    return {
        "class_id": class_id,
        "title": "2026年4月支部主题学习",
        "category": "branch_study",
        "year": 2026,
        "starts_on": "2026-04-01",
        "ends_on": "2026-04-30",
        "organiser_id": "MARX-B1",
        "required_hours": "3",
        "assessment_required": False,
        **changes,
    }


@pytest.fixture
async def register(service_api: ServiceApi) -> Register:
    """The school of ``test_enrollment_api`` (full member 9 in MARX-B1), a second branch ECON-B1 with its full
    member 20, and member 21 of MARX-B1."""
    register = await open_register(service_api)
    await a_school_with_a_class(register)
    await register.post("/organisations", ECON_B1)
    await register.post("/persons", full_member("20", unit_id="ECON", branch_id="ECON-B1"))
    await register.post("/persons", full_member("21"))
    return register


async def test_a_branch_runs_its_own_study_and_enters_its_members_approved_at_once(register: Register) -> None:
    created = await register.post("/classes", a_study(sessions=[a_study_session(8)]), MARX_BRANCH)
    assert (created["category_label"], created["organiser_id"], created["manager_ids"]) == (
        "支部组织学习",
        "MARX-B1",
        [],
    )
    await register.post(f"/classes/{STUDY_ID}/sessions", a_study_session(22, title="主题讲座"), MARX_BRANCH)
    moved = await register.patch(f"/sessions/{STUDY_ID}-22", {"place": "线上", "teaching_mode": "online"}, MARX_BRANCH)
    assert (moved["teaching_mode_label"], moved["version"]) == ("网络学习", 2)

    entered = await register.post(f"/classes/{STUDY_ID}/enrollments", {"person_id": "9"}, MARX_BRANCH)
    assert (entered["route"], entered["status"], entered["nominated_by"]) == ("branch_entry", "approved", None)
    assert entered["reason"] == "entered by its 党支部 MARX-B1; approved: seat 1 (no limit on seats)"
    assert entered["eligibility_rule"] == "eligibility/v1"
    await register.post(f"/classes/{STUDY_ID}/enrollments", {"person_id": "21", "route": "branch_entry"}, MARX_BRANCH)

    # What a consumer (hours) reads: the class with its category and organising branch, its sessions by class.
    [announced] = await register.states("class", STUDY_ID)
    assert (announced["category"], announced["organiser_id"]) == ("branch_study", "MARX-B1")
    assert announced["completion"]["certificate"] is False  # a branch's own study earns no 结业证书 by default
    sessions = await register.states("session", f"{STUDY_ID}-22")
    assert [(s["class_id"], s["teaching_mode"], s["version"]) for s in sessions] == [
        (STUDY_ID, "seminar", 1),
        (STUDY_ID, "online", 2),
    ]
    [enrollment] = await register.states("enrollment", entered["enrollment_id"])
    assert (enrollment["route"], enrollment["status"]) == ("branch_entry", "approved")


async def test_a_member_of_another_branch_or_of_none_is_refused_naming_why(register: Register) -> None:
    await register.post("/classes", a_study(), MARX_BRANCH)
    other_branch = await register.refused("POST", f"/classes/{STUDY_ID}/enrollments", {"person_id": "20"}, 422)
    assert other_branch == (
        "党员20 (20) belongs to 党支部 ECON-B1, not to MARX-B1: a 支部组织学习 class takes only the members of the "
        "branch that organises it"
    )
    no_branch = await register.refused(
        "POST", f"/classes/{STUDY_ID}/enrollments", {"person_id": "1"}, 422, headers=MARX_BRANCH
    )
    assert "学员1 (1) belongs to no 党支部 on record, not to MARX-B1" in no_branch
    await register.post("/persons", full_member("22", statuses=[{"code": "activist", "since": "2025-01-01"}]))
    not_a_member = await register.refused(
        "POST", f"/classes/{STUDY_ID}/enrollments", {"person_id": "22"}, 422, headers=MARX_BRANCH
    )
    assert "支部组织学习 takes only 正式党员 / 预备党员" in not_a_member


async def test_a_branch_acts_only_for_the_branches_its_token_names(register: Register) -> None:
    await register.post("/classes", a_study(), MARX_BRANCH)
    refused = await register.refused(
        "POST", "/classes", a_study("ECON-STUDY", organiser_id="MARX-B1"), 403, headers=ECON_BRANCH
    )
    assert refused == (
        "a branch creates only 支部组织学习 (branch_study) classes organised by a 党支部 it acts for (ECON-B1), "
        "not a branch_study class organised by MARX-B1"
    )
    assert "not a development_targets class" in await register.refused(
        "POST", "/classes", a_study("ECON-DT", category="development_targets"), 403, headers=MARX_BRANCH
    )
    into_theirs = await register.refused(
        "POST", f"/classes/{STUDY_ID}/enrollments", {"person_id": "20"}, 403, headers=ECON_BRANCH
    )
    assert "by the 党支部 organising it (MARX-B1), an admin or the class's managers" in into_theirs
    assert "or the 党支部 organising it (MARX-B1) may schedule its sessions" in await register.refused(
        "POST", f"/classes/{STUDY_ID}/sessions", a_study_session(9), 403, headers=ECON_BRANCH
    )
    handed_over = await register.refused(
        "PATCH", f"/classes/{STUDY_ID}", {"organiser_id": "ECON-B1"}, 403, headers=MARX_BRANCH
    )
    assert handed_over == f"a branch keeps its study its own: class {STUDY_ID} would no longer be one it organises"
    assert "only an admin or a manager of class" in await register.refused(
        "PATCH", f"/classes/{CLASS_ID}", {"place": "支部活动室"}, 403, headers=MARX_BRANCH
    )


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"organiser_id": None}, "a 支部组织学习 class names its organising 党支部 (organiser_id)"),
        ({"organiser_id": "MARX"}, "a 支部组织学习 class is organised by a 党支部, not by 单位 MARX"),
        ({"organiser_id": "MARX-GB"}, "not by 党总支 马克思主义学院党总支 (MARX-GB)"),
        ({"organiser_id": "NOPE"}, "unknown organiser (主办单位) NOPE"),
    ],
)
async def test_a_study_not_organised_by_a_branch_is_refused_naming_why(
    register: Register, changes: dict[str, Any], problem: str
) -> None:
    assert problem in await register.refused("POST", "/classes", a_study(**changes), 422)


async def test_a_branch_closed_before_the_study_begins_cannot_organise_it(register: Register) -> None:
    await register.patch("/organisations/ECON-B1", {"valid_until": "2026-04-01"})
    closed_on_the_first_day = await register.refused("POST", "/classes", a_study(organiser_id="ECON-B1"), 422)
    assert "党支部 经济管理学院教工党支部 (ECON-B1) does not exist on 2026-04-01, the class's first day" in (
        closed_on_the_first_day
    )
    ends_the_day_before = a_study(organiser_id="ECON-B1", starts_on="2026-03-31", ends_on="2026-03-31")
    assert (await register.post("/classes", ends_the_day_before))["organiser_id"] == "ECON-B1"


async def test_a_study_takes_no_nominations_or_applications_and_other_classes_no_branch_entries(
    register: Register,
) -> None:
    await register.post("/classes", a_study(), MARX_BRANCH)
    nominated = await register.refused(
        "POST", f"/classes/{STUDY_ID}/enrollments", {"person_id": "9", "route": "nomination"}, 422
    )
    assert nominated == f"class {STUDY_ID} is 支部组织学习: its 党支部 enters its members, not by 单位选派"
    member = bearer(Role.LEARNER, "9")
    applied = await register.refused(
        "POST", f"/classes/{STUDY_ID}/enrollments", {"person_id": "9", "route": "application"}, 422, headers=member
    )
    assert applied == f"class {STUDY_ID} is 支部组织学习: its 党支部 enters its members, not by 个人报名"
    entering_oneself = await register.refused(
        "POST", f"/classes/{STUDY_ID}/enrollments", {"person_id": "9"}, 403, headers=member
    )
    assert "are entered into class MARX-B1-2026-04 by the 党支部 organising it (MARX-B1)" in entering_oneself
    entered_elsewhere = await register.refused(
        "POST", f"/classes/{CLASS_ID}/enrollments", {"person_id": "1", "route": "branch_entry"}, 422
    )
    assert (
        entered_elsewhere
        == f"class {CLASS_ID} is 发展对象培训: only a 支部组织学习 class takes members entered by their 党支部"
    )


async def test_a_full_study_refuses_the_next_member_and_a_withdrawal_frees_the_seat(register: Register) -> None:
    await register.post("/classes", a_study(capacity=1), MARX_BRANCH)
    first = await register.post(f"/classes/{STUDY_ID}/enrollments", {"person_id": "9"}, MARX_BRANCH)
    full = await register.refused(
        "POST", f"/classes/{STUDY_ID}/enrollments", {"person_id": "21"}, 422, headers=MARX_BRANCH
    )
    assert (
        full == f"cannot enter 党员21 (21) into class {STUDY_ID}: class full (1 of 1 seats): number 1 on the waitlist"
    )
    await register.post(f"/enrollments/{first['enrollment_id']}/withdraw", {"reason": "出差"}, MARX_BRANCH, 200)
    await register.post(f"/classes/{STUDY_ID}/enrollments", {"person_id": "21"}, MARX_BRANCH)
    again = await register.refused(
        "POST", f"/classes/{STUDY_ID}/enrollments", {"person_id": "9"}, 422, headers=MARX_BRANCH
    )
    assert "class full" in again


async def test_a_branch_sees_its_own_study_and_its_members_enrollments_and_nothing_else(register: Register) -> None:
    await register.post("/classes", a_study(), MARX_BRANCH)
    await register.post("/classes", a_study("ECON-B1-2026-04", organiser_id="ECON-B1"), ECON_BRANCH)
    entered = await register.post(f"/classes/{STUDY_ID}/enrollments", {"person_id": "9"}, MARX_BRANCH)
    await register.post("/classes/ECON-B1-2026-04/enrollments", {"person_id": "20"}, ECON_BRANCH)
    nominated = await register.post(f"/classes/{CLASS_ID}/enrollments", {"person_id": "1"}, MARX_NOMINATOR)

    assert [c["class_id"] for c in await register.get("/classes", MARX_BRANCH)] == [STUDY_ID]
    assert [c["class_id"] for c in await register.get("/classes", ECON_BRANCH, year=2026)] == ["ECON-B1-2026-04"]
    everything = await register.get("/classes", bearer(Role.LEARNER, "1"))
    assert {c["class_id"] for c in everything} == {CLASS_ID, STUDY_ID, "ECON-B1-2026-04"}
    assert (await register.get(f"/classes/{STUDY_ID}", MARX_BRANCH))["organiser_id"] == "MARX-B1"
    await register.get(f"/classes/{CLASS_ID}", MARX_BRANCH, status=403)
    await register.get("/classes/ECON-B1-2026-04", MARX_BRANCH, status=403)

    [listed] = await register.get(f"/classes/{STUDY_ID}/enrollments", MARX_BRANCH)
    assert listed["person_id"] == "9"
    await register.get("/classes/ECON-B1-2026-04/enrollments", MARX_BRANCH, status=403)
    await register.get(f"/classes/{CLASS_ID}/enrollments", MARX_BRANCH, status=403)
    # Its members' enrollments wherever they are; nobody else's.
    rotation = a_class("ROT-2026", category="member_rotation", starts_on="2026-05-11", ends_on="2026-05-15")
    await register.post("/classes", rotation, MANAGER)
    await register.post("/classes/ROT-2026/enrollments", {"person_id": "21"}, MANAGER)
    assert [e["class_id"] for e in await register.get("/persons/21/enrollments", MARX_BRANCH)] == ["ROT-2026"]
    assert [e["class_id"] for e in await register.get("/persons/9/enrollments", MARX_BRANCH)] == [STUDY_ID]
    await register.get("/persons/20/enrollments", MARX_BRANCH, status=403)
    await register.get("/persons/1/enrollments", MARX_BRANCH, status=403)
    assert (await register.get(f"/enrollments/{entered['enrollment_id']}", MARX_BRANCH))["person_id"] == "9"
    await register.get(f"/enrollments/{nominated['enrollment_id']}", MARX_BRANCH, status=403)
    # The register's people, organisation and catalogue are not the branch's to read.
    for path in ("/persons", "/persons/9", "/organisations", "/courses"):
        await register.get(path, MARX_BRANCH, status=403)


async def test_a_study_may_ask_for_a_certificate_and_other_classes_give_one_by_default(register: Register) -> None:
    await register.post("/classes", a_study(certificate=True), MARX_BRANCH)
    [study] = await register.states("class", STUDY_ID)
    [other] = await register.states("class", CLASS_ID)
    assert (study["completion"]["certificate"], other["completion"]["certificate"]) == (True, True)
