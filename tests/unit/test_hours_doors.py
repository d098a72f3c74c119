"""A class manager marking a whole session, and self check-in by rotating code: both doors forward attendance
events to the attendance topic, which take effect through the consumer like any other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from services.hours.domain.checkin import WINDOW_SECONDS, code_for, window_at
from services.hours.models import SessionMark
from services.hours.settings import DEVELOPMENT_CHECK_IN_SECRET, Settings
from shared.auth import Role
from shared.consumer import InboundRecord, Outcome
from shared.db import Database, utcnow
from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from shared.events.contracts.hours import SessionAttendanceChanged
from shared.events.envelope import STRUCTURED_CONTENT_TYPE
from shared.outbox import OutboxMessage
from tests.support import a_class, a_person, a_session, an_enrollment, bearer, event_of, outbox_events, unique
from tests.unit.conftest import ServiceApi
from tests.unit.test_hours_handlers import ENROLLMENT, HoursService, hours_service

MANAGER = "manager-1"
SECRET = DEVELOPMENT_CHECK_IN_SECRET.encode()


@dataclass
class Doors:
    client: httpx.AsyncClient
    hours: HoursService
    relayed: set[int] = field(default_factory=set)

    @property
    def database(self) -> Database:
        return self.hours.database

    async def relay(self) -> list[Outcome]:
        """Deliver what the doors forwarded to the attendance topic, as the relay and the broker would."""
        async with self.database.sessions() as session:
            rows = (
                await session.exec(
                    select(OutboxMessage).where(OutboxMessage.topic == ATTENDANCE_TOPIC).order_by(col(OutboxMessage.id))
                )
            ).all()
        outcomes = []
        for row in rows:
            if row.id in self.relayed:
                continue
            assert row.id is not None
            self.relayed.add(row.id)
            record = InboundRecord(
                topic=ATTENDANCE_TOPIC,
                partition=0,
                offset=row.id,
                key=row.key.encode(),
                value=row.payload.encode(),
                headers=[("content-type", STRUCTURED_CONTENT_TYPE.encode())],
            )
            outcomes.append(await self.hours.consumer.consume(record))
        return outcomes

    async def total(self, person_id: str) -> Decimal:
        return await self.hours.total(person_id)


@pytest.fixture
async def doors(service_api: ServiceApi) -> Doors:
    client, database = await service_api("hours")
    return Doors(client, hours_service(database))


@dataclass
class OpenClass:
    class_id: str
    session_id: str
    learners: list[str]


async def a_class_under_way(doors: Doors, *, started_minutes_ago: int = 10, learners: int = 3) -> OpenClass:
    """A class managed by MANAGER, with a 180-minute session of 4 学时 that started a while ago."""
    class_id, session_id = unique("class"), unique("session")
    people = [unique("person") for _ in range(learners)]
    await doors.hours.deliver(event_of(a_class(class_id, manager_ids=[MANAGER]), source=ENROLLMENT))
    starts_at = utcnow() - timedelta(minutes=started_minutes_ago)
    await doors.hours.deliver(event_of(a_session(session_id, class_id, starts_at=starts_at), source=ENROLLMENT))
    for person_id in people:
        await doors.hours.deliver(event_of(a_person(person_id), source=ENROLLMENT))
        await doors.hours.deliver(event_of(an_enrollment(class_id, person_id), source=ENROLLMENT))
    return OpenClass(class_id, session_id, people)


# ── A class manager marks a session ────────────────────────────────────────────────────────────────────────────


async def mark(doors: Doors, session_id: str, marks: list[dict[str, Any]], subject: str = MANAGER) -> httpx.Response:
    return await doors.client.post(
        f"/sessions/{session_id}/attendance", json={"marks": marks}, headers=bearer(Role.CLASS_MANAGER, subject)
    )


async def test_a_class_manager_marks_a_whole_session_at_once(doors: Doors) -> None:
    opened = await a_class_under_way(doors)
    first, second, third = opened.learners

    answer = await mark(
        doors,
        opened.session_id,
        [
            {"person_id": first, "status": "present"},
            {"person_id": second, "status": "late", "minutes": 120},
            {"person_id": third, "status": "excused"},
        ],
    )

    assert answer.status_code == 200, answer.text
    assert [(r["person_id"], r["outcome"]) for r in answer.json()] == [
        (first, "recorded"),
        (second, "recorded"),
        (third, "recorded"),
    ]
    assert await doors.relay() == [Outcome.APPLIED] * 3
    assert [await doors.total(person_id) for person_id in opened.learners] == [Decimal(4), Decimal("2.5"), 0]
    statuses = {
        e.data["person_id"]: e.data["status"]
        for e in await outbox_events(doors.database, SessionAttendanceChanged.event_type)
    }
    assert statuses == {first: "present", second: "late", third: "excused"}


async def test_marking_a_learner_again_replaces_the_mark_and_the_same_mark_changes_nothing(doors: Doors) -> None:
    opened = await a_class_under_way(doors, learners=1)
    [learner] = opened.learners
    await mark(doors, opened.session_id, [{"person_id": learner, "status": "present"}])
    await doors.relay()

    corrected = await mark(doors, opened.session_id, [{"person_id": learner, "status": "absent"}])
    again = await mark(doors, opened.session_id, [{"person_id": learner, "status": "absent"}])

    assert corrected.json()[0]["outcome"] == "recorded"
    assert again.json()[0] == {"person_id": learner, "outcome": "unchanged", "id": corrected.json()[0]["id"]}
    assert await doors.relay() == [Outcome.APPLIED, Outcome.APPLIED]  # the new mark, then the old one voided
    assert await doors.total(learner) == 0
    ledger = await doors.hours.ledger(learner)
    assert [(entry.kind, entry.hours) for entry in ledger] == [("credit", Decimal(4)), ("reversal", Decimal(4))]
    assert ledger[1].reason.endswith(f"voided: marked again by {MANAGER}: absent")
    async with doors.database.sessions() as session:
        kept = (await session.exec(select(SessionMark).where(SessionMark.person_id == learner))).one()
    assert (kept.revision, kept.status, kept.marked_by) == (2, "absent", MANAGER)


async def test_only_the_class_managers_mark_and_only_learners_of_the_class(doors: Doors) -> None:
    opened = await a_class_under_way(doors, learners=1)
    stranger = unique("person")

    other_manager = await mark(
        doors, opened.session_id, [{"person_id": opened.learners[0], "status": "present"}], "m-9"
    )
    not_enrolled = await mark(doors, opened.session_id, [{"person_id": stranger, "status": "present"}])
    unknown = await mark(doors, unique("session"), [{"person_id": stranger, "status": "present"}])
    bad_minutes = await mark(doors, opened.session_id, [{"person_id": stranger, "status": "late", "minutes": 2000}])

    assert (other_manager.status_code, not_enrolled.status_code, unknown.status_code) == (403, 422, 404)
    assert not_enrolled.json()["detail"] == f"not enrolled in class {opened.class_id}: {stranger}"
    assert bad_minutes.status_code == 422
    assert await doors.relay() == []


# ── Self check-in by rotating code ─────────────────────────────────────────────────────────────────────────────


async def shown_code(doors: Doors, session_id: str) -> dict[str, Any]:
    answer = await doors.client.get(
        f"/sessions/{session_id}/check-in-code", headers=bearer(Role.CLASS_MANAGER, MANAGER)
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def check_in(doors: Doors, session_id: str, person_id: str, code: str) -> httpx.Response:
    return await doors.client.post(
        f"/sessions/{session_id}/check-ins", json={"code": code}, headers=bearer(Role.LEARNER, person_id)
    )


async def test_a_learner_checks_in_with_the_code_on_the_screen(doors: Doors) -> None:
    opened = await a_class_under_way(doors, started_minutes_ago=10)
    shown = await shown_code(doors, opened.session_id)
    assert datetime.fromisoformat(shown["changes_at"]) - utcnow() <= timedelta(seconds=WINDOW_SECONDS)

    answer = await check_in(doors, opened.session_id, opened.learners[0], shown["code"])

    assert answer.status_code == 201, answer.text
    accepted = answer.json()
    # Ten minutes and a moment late: a minute begun counts as missed, so 169 of the 180 are left.
    assert (accepted["status"], accepted["minutes"]) == ("late", 169)
    assert await doors.relay() == [Outcome.APPLIED]
    assert await doors.total(opened.learners[0]) == 4  # within the 15-minute tolerance


async def test_a_code_already_used_by_the_learner_is_refused_as_reused(doors: Doors) -> None:
    opened = await a_class_under_way(doors)
    code = (await shown_code(doors, opened.session_id))["code"]

    first = await check_in(doors, opened.session_id, opened.learners[0], code)
    again = await check_in(doors, opened.session_id, opened.learners[0], code)
    classmate = await check_in(doors, opened.session_id, opened.learners[1], code)

    assert (first.status_code, again.status_code, classmate.status_code) == (201, 422, 201)
    assert again.json()["detail"].startswith("reused: already checked in with this code")


async def test_a_code_of_minutes_ago_is_refused_as_stale(doors: Doors) -> None:
    opened = await a_class_under_way(doors)
    photographed = code_for(SECRET, opened.session_id, window_at(utcnow()) - 4)  # two minutes old

    answer = await check_in(doors, opened.session_id, opened.learners[0], photographed)

    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(f"stale: this code of {opened.session_id} was replaced about")
    assert await doors.relay() == []


async def test_the_code_of_another_session_running_now_is_refused_as_such(doors: Doors) -> None:
    opened = await a_class_under_way(doors)
    next_room = await a_class_under_way(doors)
    their_code = (await shown_code(doors, next_room.session_id))["code"]

    answer = await check_in(doors, opened.session_id, opened.learners[0], their_code)

    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("other-session: this code is for another session running now")


@pytest.mark.parametrize(("typed", "reason"), [("12345", "malformed"), ("12a456", "malformed")])
async def test_what_is_not_six_digits_is_refused_as_malformed(doors: Doors, typed: str, reason: str) -> None:
    opened = await a_class_under_way(doors)
    answer = await check_in(doors, opened.session_id, opened.learners[0], typed)
    assert answer.json()["detail"].startswith(f"{reason}: ")


async def test_a_wrong_code_is_refused_as_incorrect(doors: Doors) -> None:
    opened = await a_class_under_way(doors)
    right = (await shown_code(doors, opened.session_id))["code"]
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answer = await check_in(doors, opened.session_id, opened.learners[0], wrong)
    assert answer.json()["detail"].startswith("incorrect: ")


async def test_check_in_is_open_from_half_an_hour_before_the_session_until_it_ends(doors: Doors) -> None:
    finished = await a_class_under_way(doors, started_minutes_ago=181)
    code = code_for(SECRET, finished.session_id, window_at(utcnow()))

    answer = await check_in(doors, finished.session_id, finished.learners[0], code)

    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(f"closed: check-in to {finished.session_id} is open from")


async def test_only_learners_of_the_class_check_in_and_only_its_managers_see_the_code(doors: Doors) -> None:
    opened = await a_class_under_way(doors)
    code = (await shown_code(doors, opened.session_id))["code"]

    stranger = await check_in(doors, opened.session_id, unique("person"), code)
    other_manager = await doors.client.get(
        f"/sessions/{opened.session_id}/check-in-code", headers=bearer(Role.CLASS_MANAGER, "m-9")
    )
    learner = await doors.client.get(
        f"/sessions/{opened.session_id}/check-in-code", headers=bearer(Role.LEARNER, opened.learners[0])
    )

    assert (stranger.status_code, other_manager.status_code, learner.status_code) == (403, 403, 403)


@pytest.mark.parametrize(
    ("secret", "refused"),
    [(None, True), (DEVELOPMENT_CHECK_IN_SECRET, True), ("x" * 31, True), ("x" * 32, False)],
    ids=["unset", "the development default", "31 characters", "32 characters"],
)
def test_production_refuses_a_check_in_secret_anyone_could_know(secret: str | None, refused: bool) -> None:
    production = {
        "environment": "production",
        "database_url": "postgresql://hours@db/hours",
        "jwt_secret": "j" * 40,
        **({"check_in_secret": secret} if secret is not None else {}),
    }
    if refused:
        with pytest.raises(ValueError, match="DANGXIAO_CHECK_IN_SECRET must be set to a private value of 32"):
            Settings(**production)
    else:
        assert Settings(**production).check_in_key == secret.encode()
