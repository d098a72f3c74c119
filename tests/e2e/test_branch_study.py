"""Branch-organised study (支部组织学习) end to end, the four services running as processes on the real broker: a
党支部 creates its study class and sessions and enters its members; their attendance comes in as any attendance
does; hours credits them 学时 for the branch's sessions, read back through hours' API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.auth import Role
from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from tests.e2e.system import System
from tests.e2e.test_one_class import attendance, kafka, total_reaches
from tests.kafka import send_binary, send_structured
from tests.support import bearer, unique

pytestmark = pytest.mark.e2e
__all__ = ["kafka"]  # fixtures this module uses from others


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def party_member(person_id: str, unit_id: str, branch_id: str) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "name": f"党员{person_id[-4:]}",
        "kind": "staff",
        "unit_id": unit_id,
        "branch_id": branch_id,
        "statuses": [{"code": "full_member", "since": "2015-07-01", "admission_date": "2014-07-01"}],
    }


def study_session(session_id: str, day: int, title: str, mode: str, place: str | None) -> dict[str, Any]:
    """14:00–16:15 Beijing time on ``day`` December 2026: 3 学时."""
    return {
        "session_id": session_id,
        "title": title,
        "teaching_mode": mode,
        "starts_at": f"2026-12-{day:02d}T14:00:00+08:00",
        "ends_at": f"2026-12-{day:02d}T16:15:00+08:00",
        "hours": "3",
        "place": place,
    }


async def test_a_branch_s_own_study_credits_its_members_hours(system: System, kafka: AIOKafkaProducer) -> None:
    unit, committee, branch, other_branch = unique("U"), unique("P"), unique("B"), unique("B")
    member, second_member, stranger = unique("2026"), unique("2026"), unique("2026")
    class_id = unique("2026-ZBXX")
    seminar, lecture = f"{class_id}-01", f"{class_id}-02"
    async with system.client("enrollment", Role.ADMIN, "office") as office:
        for organisation in (
            {
                "org_id": unit,
                "kind": "unit",
                "unit_kind": "college",
                "name": "开放教育学院",
                "valid_from": "2010-01-01",
            },
            {
                "org_id": committee,
                "kind": "party_committee",
                "name": "中共示范开放大学委员会",
                "valid_from": "2010-01-01",
            },
            *(
                {
                    "org_id": code,
                    "kind": "branch",
                    "name": name,
                    "parent_id": committee,
                    "unit_id": unit,
                    "valid_from": "2010-01-01",
                }
                for code, name in ((branch, "教工第一党支部"), (other_branch, "教工第二党支部"))
            ),
        ):
            await ok(await office.post("/organisations", json=organisation), 201)
        for person, of_branch in ((member, branch), (second_member, branch), (stranger, other_branch)):
            await ok(await office.post("/persons", json=party_member(person, unit, of_branch)), 201)

    secretary = bearer(Role.BRANCH, "branch-secretary", units=[branch])
    async with httpx.AsyncClient(base_url=system.url("enrollment"), headers=secretary, timeout=10) as enrollment:
        created = await enrollment.post(
            "/classes",
            json={
                "class_id": class_id,
                "title": "2026年12月支部主题学习",
                "category": "branch_study",
                "year": 2026,
                "starts_on": "2026-12-01",
                "ends_on": "2026-12-31",
                "organiser_id": branch,
                "required_hours": "6",
                "assessment_required": False,
                "sessions": [study_session(seminar, 10, "研讨交流：学习贯彻全会精神", "seminar", f"{class_id} 会议室")],
            },
        )
        assert (await ok(created, 201))["organiser_id"] == branch
        await ok(
            await enrollment.post(
                f"/classes/{class_id}/sessions", json=study_session(lecture, 17, "线上共学：主题讲座", "online", None)
            ),
            201,
        )
        for person in (member, second_member):
            entered = await ok(
                await enrollment.post(f"/classes/{class_id}/enrollments", json={"person_id": person}), 201
            )
            assert (entered["route"], entered["status"]) == ("branch_entry", "approved")
        refused = await enrollment.post(f"/classes/{class_id}/enrollments", json={"person_id": stranger})
        assert refused.status_code == 422, refused.text
        assert f"belongs to 党支部 {other_branch}, not to {branch}" in refused.json()["detail"]
        assert [c["class_id"] for c in await ok(await enrollment.get("/classes"))] == [class_id]

    # Attendance comes in as any attendance does, from the door reader, in either CloudEvents mode.
    await send_structured(kafka, ATTENDANCE_TOPIC, attendance(member, seminar, minutes=135), key=member)
    await send_binary(kafka, ATTENDANCE_TOPIC, attendance(member, lecture), key=member)
    await send_structured(kafka, ATTENDANCE_TOPIC, attendance(second_member, seminar), key=second_member)

    await total_reaches(system, member, "6")
    await total_reaches(system, second_member, "3")
    async with system.client("hours", Role.LEARNER, member) as hours:
        ledger = await ok(await hours.get(f"/persons/{member}/hours", params={"year": 2026}))
    assert Decimal(ledger["by_class"][class_id]) == 6
    assert {entry["session_id"] for entry in ledger["entries"]} == {seminar, lecture}
