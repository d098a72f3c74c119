"""Class affairs (班务) through the register's API: groups (小组) and leaders, the committee (班委), the managers'
duty roster (值班表), notices to the class or a group and who has read them. Managers run them; admitted learners
(已录取) read them and mark notices read; anyone else is refused."""

from __future__ import annotations

from typing import Any

import pytest

from shared.auth import Role
from tests.support import bearer
from tests.unit.conftest import ServiceApi
from tests.unit.test_enrollment_api import (
    CLASS_ID,
    MANAGER,
    OTHER_MANAGER,
    Register,
    a_class,
    a_school_with_a_class,
    open_register,
)

AFFAIRS = f"/classes/{CLASS_ID}"


def learner(person_id: str) -> dict[str, str]:
    return bearer(Role.LEARNER, person_id)


@pytest.fixture
async def register(service_api: ServiceApi) -> Register:
    """The spring class without a seat limit, managed by manager-1 and manager-3: learners 1, 2 and 3 admitted
    (已录取), 4 nominated only."""
    register = await open_register(service_api)
    await a_school_with_a_class(register, capacity=None, unit_quotas={}, manager_ids=["manager-1", "manager-3"])
    for person in ("1", "2", "3", "4"):
        nominated = await register.post(f"{AFFAIRS}/enrollments", {"person_id": person}, MANAGER)
        if person != "4":
            await register.post(f"/enrollments/{nominated['enrollment_id']}/approve", {}, MANAGER, 200)
    return register


async def a_group(register: Register, group_id: str, name: str, members: list[str], leader: str | None) -> Any:
    body = {"group_id": group_id, "name": name, "member_ids": members, "leader_id": leader}
    return await register.post(f"{AFFAIRS}/groups", body, MANAGER)


# ── groups ────────────────────────────────────────────────────────────────────────────────────────────


async def test_managers_form_groups_of_admitted_learners_and_learners_see_them(register: Register) -> None:
    formed = await a_group(register, "G1", "第一组", ["1", "2"], "1")
    assert formed == {
        "group_id": "G1",
        "class_id": CLASS_ID,
        "name": "第一组",
        "members": [{"person_id": "1", "name": "学员1"}, {"person_id": "2", "name": "学员2"}],
        "leader_id": "1",
    }
    await a_group(register, "G2", "第二组", ["3"], None)
    moved = await register.patch(f"{AFFAIRS}/groups/G1", {"member_ids": ["1"]})
    assert [m["person_id"] for m in moved["members"]] == ["1"]
    await register.patch(f"{AFFAIRS}/groups/G2", {"member_ids": ["3", "2"], "leader_id": "2"}, MANAGER)
    seen = await register.get(f"{AFFAIRS}/groups", learner("3"))
    assert [(g["name"], [m["person_id"] for m in g["members"]], g["leader_id"]) for g in seen] == [
        ("第一组", ["1"], "1"),
        ("第二组", ["3", "2"], "2"),
    ]
    without_leader = await register.patch(f"{AFFAIRS}/groups/G2", {"leader_id": None}, MANAGER)
    assert without_leader["leader_id"] is None
    # Nothing of class affairs is announced: no other service asks for it.
    assert not [e for e in await register.events() if "group" in e.type or "notice" in e.type]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"name": "第三组", "member_ids": ["3", "4"]},
            f"group '第三组': not admitted learners (已录取) of class {CLASS_ID}: 4",
        ),
        ({"name": "第三组", "member_ids": ["9"]}, f"not admitted learners (已录取) of class {CLASS_ID}: 9"),
        ({"name": "第三组", "member_ids": ["2", "3"]}, "2 is already in group '第一组'"),
        ({"name": " 第一 组 ", "member_ids": ["3"]}, f"class {CLASS_ID} already has a group named '第一 组'"),
        ({"name": "第三组", "member_ids": ["3", "3"]}, "listed more than once: 3"),
        (
            {"name": "第三组", "member_ids": ["3"], "leader_id": "1"},
            "the group leader (组长) 1 must be one of its members",
        ),
        ({"name": "  ", "member_ids": ["3"]}, "a group needs a name"),
    ],
)
async def test_a_group_that_cannot_be_is_refused_naming_why(
    register: Register, body: dict[str, Any], problem: str
) -> None:
    await a_group(register, "G1", "第一组", ["1", "2"], "1")
    assert problem in await register.refused("POST", f"{AFFAIRS}/groups", body, 422)
    assert len(await register.get(f"{AFFAIRS}/groups")) == 1


async def test_a_group_of_another_class_or_none_is_not_found(register: Register) -> None:
    await register.post("/classes", a_class("DT-2026-AUTUMN", starts_on="2026-09-07", ends_on="2026-09-11"), MANAGER)
    await a_group(register, "G1", "第一组", ["1"], None)
    response = await register.client.patch("/classes/DT-2026-AUTUMN/groups/G1", json={"name": "x"}, headers=MANAGER)
    assert (response.status_code, response.json()["detail"]) == (404, "class DT-2026-AUTUMN has no group G1")


# ── committee and duty roster ─────────────────────────────────────────────────────────────────────────


async def test_the_committee_is_appointed_as_a_whole_from_admitted_learners(register: Register) -> None:
    seats = [
        {"role": "study_officer", "person_id": "2"},
        {"role": "class_monitor", "person_id": "1"},
        {"role": "welfare_officer", "person_id": "2"},
    ]
    appointed = await register.client.put(f"{AFFAIRS}/committee", json={"seats": seats}, headers=MANAGER)
    assert appointed.status_code == 200, appointed.text
    assert [(s["role"], s["role_label"], s["person_id"], s["name"]) for s in appointed.json()] == [
        ("class_monitor", "班长", "1", "学员1"),
        ("study_officer", "学习委员", "2", "学员2"),
        ("welfare_officer", "生活委员", "2", "学员2"),
    ]
    replaced = await register.client.put(
        f"{AFFAIRS}/committee", json={"seats": [{"role": "class_monitor", "person_id": "3"}]}, headers=MANAGER
    )
    assert replaced.status_code == 200, replaced.text
    assert [(s["role"], s["person_id"]) for s in await register.get(f"{AFFAIRS}/committee", learner("1"))] == [
        ("class_monitor", "3")
    ]
    vocabularies = await register.get("/vocabularies", learner("1"))
    assert {"code": "organisation_officer", "label": "组织委员"} in vocabularies["committee_roles"]


@pytest.mark.parametrize(
    ("seats", "problem"),
    [
        (
            [{"role": "class_monitor", "person_id": "1"}, {"role": "class_monitor", "person_id": "2"}],
            "班长 (class_monitor) is given twice",
        ),
        ([{"role": "class_monitor", "person_id": "4"}], f"not admitted learners (已录取) of class {CLASS_ID}: 4"),
        (
            [{"role": "treasurer", "person_id": "1"}],
            "unknown class committee role (班委职务) 'treasurer': accepted are",
        ),
    ],
)
async def test_a_committee_that_cannot_be_is_refused_naming_why(
    register: Register, seats: list[dict[str, str]], problem: str
) -> None:
    assert problem in await register.refused("PUT", f"{AFFAIRS}/committee", {"seats": seats}, 422)
    assert await register.get(f"{AFFAIRS}/committee") == []


async def test_the_duty_roster_puts_the_class_s_managers_on_its_days(register: Register) -> None:
    shifts = [
        {"day": "2026-03-06", "manager_id": "manager-3"},  # the last day
        {"day": "2026-03-02", "manager_id": "manager-1"},  # the first
        {"day": "2026-03-02", "manager_id": "manager-3"},
    ]
    response = await register.client.put(f"{AFFAIRS}/duty-roster", json={"shifts": shifts}, headers=MANAGER)
    assert response.status_code == 200, response.text
    assert await register.get(f"{AFFAIRS}/duty-roster", learner("2")) == [
        {"day": "2026-03-02", "manager_id": "manager-1"},
        {"day": "2026-03-02", "manager_id": "manager-3"},
        {"day": "2026-03-06", "manager_id": "manager-3"},
    ]
    outside = [
        {"day": "2026-03-01", "manager_id": "manager-1"},  # the day before
        {"day": "2026-03-07", "manager_id": "manager-1"},  # the day after
        {"day": "2026-03-03", "manager_id": "manager-2"},
        {"day": "2026-03-04", "manager_id": "manager-1"},
        {"day": "2026-03-04", "manager_id": "manager-1"},
    ]
    problem = await register.refused("PUT", f"{AFFAIRS}/duty-roster", {"shifts": outside}, 422)
    assert problem == (
        f"the duty roster of class {CLASS_ID}: 2026-03-01 is not a day of the class (2026-03-02 – 2026-03-06); "
        "2026-03-07 is not a day of the class (2026-03-02 – 2026-03-06); manager-2 is not a manager of the class "
        "(its managers: manager-1, manager-3); manager-1 is on duty on 2026-03-04 twice"
    )
    assert len(await register.get(f"{AFFAIRS}/duty-roster")) == 3


# ── notices ───────────────────────────────────────────────────────────────────────────────────────────


async def test_notices_reach_the_class_or_a_group_and_managers_see_who_has_read_them(register: Register) -> None:
    await a_group(register, "G1", "第一组", ["1", "2"], "1")
    to_class = await register.post(f"{AFFAIRS}/notices", {"title": "开班通知", "body": "3月2日9:00报到"}, MANAGER)
    to_group = await register.post(
        f"{AFFAIRS}/notices", {"title": "小组研讨", "body": "第一组 3月3日下午研讨", "group_id": "G1"}, MANAGER
    )
    assert (to_class["group_id"], to_class["posted_by"], to_class["read_at"]) == (None, "manager-1", None)

    assert [n["title"] for n in await register.get(f"{AFFAIRS}/notices", learner("3"))] == ["开班通知"]
    assert {n["title"] for n in await register.get(f"{AFFAIRS}/notices", learner("1"))} == {"开班通知", "小组研讨"}
    assert {n["title"] for n in await register.get(f"{AFFAIRS}/notices", MANAGER)} == {"开班通知", "小组研讨"}

    read = await register.post(f"{AFFAIRS}/notices/{to_class['notice_id']}/read", {}, learner("1"), 200)
    again = await register.post(f"{AFFAIRS}/notices/{to_class['notice_id']}/read", {}, learner("1"), 200)
    assert read["read_at"] is not None and again["read_at"] == read["read_at"]  # the first time stays
    await register.post(f"{AFFAIRS}/notices/{to_group['notice_id']}/read", {}, learner("2"), 200)
    not_for_three = await register.refused(
        "POST", f"{AFFAIRS}/notices/{to_group['notice_id']}/read", {}, 403, headers=learner("3")
    )
    assert not_for_three == f"notice {to_group['notice_id']} does not reach you: it is for group G1 of class {CLASS_ID}"
    mine = await register.get(f"{AFFAIRS}/notices", learner("1"))
    assert {n["title"]: n["read_at"] is not None for n in mine} == {"开班通知": True, "小组研讨": False}

    receipts = await register.get(f"{AFFAIRS}/notices/{to_class['notice_id']}/receipts", MANAGER)
    assert receipts["reached"] == 3
    assert [(r["person_id"], r["name"], r["read_at"]) for r in receipts["read"]] == [("1", "学员1", read["read_at"])]
    assert receipts["unread"] == [{"person_id": "2", "name": "学员2"}, {"person_id": "3", "name": "学员3"}]
    group_receipts = await register.get(f"{AFFAIRS}/notices/{to_group['notice_id']}/receipts")
    assert ([r["person_id"] for r in group_receipts["read"]], group_receipts["unread"]) == (
        ["2"],
        [{"person_id": "1", "name": "学员1"}],
    )

    # Someone who leaves the class is no longer waited for.
    [enrollment] = [e for e in await register.get(f"{AFFAIRS}/enrollments") if e["person_id"] == "3"]
    await register.post(f"/enrollments/{enrollment['enrollment_id']}/withdraw", {"reason": "调离"}, MANAGER, 200)
    after = await register.get(f"{AFFAIRS}/notices/{to_class['notice_id']}/receipts")
    assert (after["reached"], [u["person_id"] for u in after["unread"]]) == (2, ["2"])
    await register.get(f"{AFFAIRS}/notices", learner("3"), status=403)


async def test_a_notice_that_would_reach_nobody_or_no_group_of_the_class_is_refused(register: Register) -> None:
    await a_group(register, "EMPTY", "空组", [], None)
    to_empty = {"title": "通知", "body": "内容", "group_id": "EMPTY"}
    assert "it would reach nobody: group '空组' has no admitted learners (已录取) yet" in await register.refused(
        "POST", f"{AFFAIRS}/notices", to_empty, 422
    )
    assert f"class {CLASS_ID} has no group NOPE" in await register.refused(
        "POST", f"{AFFAIRS}/notices", {**to_empty, "group_id": "NOPE"}, 422
    )
    assert "a notice needs a text" in await register.refused(
        "POST", f"{AFFAIRS}/notices", {"title": "通知", "body": "   "}, 422
    )
    await register.post("/classes", a_class("DT-2026-AUTUMN", starts_on="2026-09-07", ends_on="2026-09-11"), MANAGER)
    nobody = await register.refused("POST", "/classes/DT-2026-AUTUMN/notices", {"title": "通知", "body": "内容"}, 422)
    assert nobody == "notice '通知': it would reach nobody: class DT-2026-AUTUMN has no admitted learners (已录取) yet"


# ── who may ───────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("path", ["groups", "committee", "duty-roster", "notices"])
async def test_only_the_class_s_managers_and_admitted_learners_read_its_affairs(register: Register, path: str) -> None:
    await register.get(f"{AFFAIRS}/{path}", bearer(Role.CLASS_MANAGER, "manager-3"))
    await register.get(f"{AFFAIRS}/{path}", learner("1"))
    for outsider in (learner("4"), learner("5"), OTHER_MANAGER):  # nominated only; not in the class; not its manager
        response = await register.client.get(f"{AFFAIRS}/{path}", headers=outsider)
        assert response.status_code == 403, response.text
        assert response.json()["detail"] == (
            f"only an admin, a manager of class {CLASS_ID} or its admitted learners (已录取) may see its class "
            "affairs (班务)"
        )


async def test_only_the_class_s_managers_run_its_affairs(register: Register) -> None:
    assert "only an admin or a manager of class" in await register.refused(
        "POST", f"{AFFAIRS}/groups", {"name": "第一组", "member_ids": ["1"]}, 403, headers=OTHER_MANAGER
    )
    assert "this needs one of the roles: admin, class_manager" in await register.refused(
        "POST", f"{AFFAIRS}/notices", {"title": "通知", "body": "内容"}, 403, headers=learner("1")
    )
    notice = await register.post(f"{AFFAIRS}/notices", {"title": "通知", "body": "内容"}, MANAGER)
    assert "only an admin or a manager of class" in await register.refused(
        "GET", f"{AFFAIRS}/notices/{notice['notice_id']}/receipts", None, 403, headers=OTHER_MANAGER
    )
    # A manager does not mark notices read: read receipts are the learners'.
    assert "this needs one of the roles: learner" in await register.refused(
        "POST", f"{AFFAIRS}/notices/{notice['notice_id']}/read", {}, 403, headers=MANAGER
    )
