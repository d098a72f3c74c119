"""Class affairs (班务) through the running register on the real database: a class manager forms a group, appoints
the committee, sets the duty roster and posts a notice; the admitted learner sees them and marks the notice read;
the manager sees who has read it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.e2e.system import System
from tests.e2e.test_one_class import open_class

pytestmark = pytest.mark.e2e


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_a_manager_runs_the_class_s_affairs_and_the_learner_reads_the_notice(system: System) -> None:
    cohort = await open_class(system, sessions=1)
    person, affairs = cohort.person_id, f"/classes/{cohort.class_id}"
    async with system.client("enrollment", Role.CLASS_MANAGER, "manager-1") as manager:
        group = await ok(
            await manager.post(
                f"{affairs}/groups", json={"name": "第一组", "member_ids": [person], "leader_id": person}
            ),
            201,
        )
        await ok(
            await manager.put(f"{affairs}/committee", json={"seats": [{"role": "class_monitor", "person_id": person}]})
        )
        await ok(
            await manager.put(
                f"{affairs}/duty-roster", json={"shifts": [{"day": "2026-12-01", "manager_id": "manager-1"}]}
            )
        )
        notice = await ok(
            await manager.post(
                f"{affairs}/notices", json={"title": "小组研讨", "body": "12月1日下午", "group_id": group["group_id"]}
            ),
            201,
        )
    async with system.client("enrollment", Role.LEARNER, person) as learner:
        [seen] = await ok(await learner.get(f"{affairs}/groups"))
        assert (seen["name"], seen["leader_id"]) == ("第一组", person)
        [seat] = await ok(await learner.get(f"{affairs}/committee"))
        assert (seat["role_label"], seat["person_id"]) == ("班长", person)
        assert await ok(await learner.get(f"{affairs}/duty-roster")) == [
            {"day": "2026-12-01", "manager_id": "manager-1"}
        ]
        [unread] = await ok(await learner.get(f"{affairs}/notices"))
        assert (unread["notice_id"], unread["read_at"]) == (notice["notice_id"], None)
        read = await ok(await learner.post(f"{affairs}/notices/{notice['notice_id']}/read"))
    async with system.client("enrollment", Role.CLASS_MANAGER, "manager-1") as manager:
        receipts = await ok(await manager.get(f"{affairs}/notices/{notice['notice_id']}/receipts"))
    assert (receipts["reached"], receipts["unread"]) == (1, [])
    assert [(r["person_id"], r["read_at"]) for r in receipts["read"]] == [(person, read["read_at"])]
