"""Planning on the consumer path: what it announces as the register's, the ledger's, evaluation's and certificates'
facts arrive — new officers nominated or pending, a nominee's progress in a task, a member's rotation, a person's
training record of a year — each once, only when it changed, and the same again when everything is replayed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.planning.handlers import handlers
from shared.auth import Role
from shared.consumer import Outcome
from shared.db import Database, execute
from shared.events.contracts import CONTRACTS
from shared.events.contracts.certificates import CertificateIssued
from shared.events.contracts.common import EventReference, Period
from shared.events.contracts.evaluation import AssessmentRecorded
from shared.events.contracts.hours import HoursCredited, HoursReversed, RequirementStandingChanged
from shared.events.contracts.planning import (
    PLANNING_OFFICE_TOPIC,
    PLANNING_TOPIC,
    AnnualPlanChanged,
    MemberRotationChanged,
    OfficerNominated,
    OfficerNominationPending,
    TaskFulfilmentChanged,
    TrainingRecordChanged,
)
from shared.events.contracts.register import ClassChanged, PersonChanged
from shared.events.envelope import CloudEvent, EventData
from shared.migrations import metadata_of
from tests.support import (
    a_class,
    a_person,
    an_enrollment,
    bearer,
    consumer_for,
    event_of,
    migrated_database,
    outbox_events,
    structured_record,
    unique,
)
from tests.unit.conftest import ServiceApi

ELECTION_DAY = date(2026, 3, 10)
PLATFORM = "国家教育行政学院"


def at(day: date, hour: int = 2) -> datetime:
    """A moment of ``day`` in Beijing time (02:00 UTC is 10:00 there)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def period(code: str, since: date, until: date | None = None) -> Period:
    return Period(code=code, since=since, until=until)


def party_affairs_class(
    class_id: str, level: str, starts_on: date, *, capacity: int | None = None, status: str = "open", version: int = 1
) -> ClassChanged:
    return a_class(
        class_id,
        category="party_affairs",
        level=level,
        title=f"{class_id} 党务干部培训班",
        starts_on=starts_on,
        ends_on=starts_on,
        capacity=capacity,
        status=status,
        version=version,
    )


def credited(
    person_id: str,
    hours: str,
    day: date,
    *,
    class_id: str | None = None,
    category: str | None = None,
    activity_id: str | None = None,
    platform: str | None = None,
    channel: str = "offline",
) -> HoursCredited:
    return HoursCredited(
        entry_id=unique("entry"),
        person_id=person_id,
        year=day.year,
        hours=Decimal(hours),
        class_id=class_id,
        activity_id=activity_id,
        platform=platform,
        rule="session-tolerance/v1",
        reason="attended in full",
        attendance=EventReference(source="urn:dangxiao:door:building-3", id=unique("attendance")),
        channel=channel,
        category=category,
        trained_on=day,
    )


def reversal(credit: HoursCredited) -> HoursReversed:
    return HoursReversed(
        entry_id=unique("entry"),
        reverses_entry_id=credit.entry_id,
        person_id=credit.person_id,
        year=credit.year,
        hours=credit.hours,
        class_id=credit.class_id,
        activity_id=credit.activity_id,
        platform=credit.platform,
        reason="attendance voided",
        channel=credit.channel,
        category=credit.category,
        trained_on=credit.trained_on,
    )


@dataclass
class Planning:
    """Planning's HTTP API and its consumer on one migrated database (no broker), and what it announced."""

    client: httpx.AsyncClient
    database: Database
    # What a rebuild would read, in order: the facts delivered, and the office's records its commands announced.
    journal: list[CloudEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.consumer, self.dead_letters = consumer_for(handlers, self.database, "planning")

    async def deliver(self, *facts: EventData, on: date) -> list[Outcome]:
        return [await self.deliver_event(event_of(fact, time=at(on))) for fact in facts]

    async def deliver_event(self, event: CloudEvent) -> Outcome:
        self.journal.append(event)
        outcome = await self.consumer.consume(structured_record(event, CONTRACTS[event.type].topic))
        assert self.dead_letters.letters == [], self.dead_letters.letters
        return outcome

    async def announced(self, model: type[EventData]) -> list[dict[str, Any]]:
        return [event.data for event in await outbox_events(self.database, model.event_type)]

    async def get(
        self,
        path: str,
        role: Role = Role.ADMIN,
        subject: str = "office-1",
        units: list[str] | None = None,
        **params: Any,
    ) -> Any:
        answer = await self.client.get(path, params=params, headers=bearer(role, subject, units=units))
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def send(self, method: str, path: str, body: Any, expect: int = 200) -> Any:
        answer = await self.client.request(method, path, json=body, headers=bearer(Role.ADMIN, "office-1"))
        assert answer.status_code == expect, answer.text
        journaled = {event.id for event in self.journal}
        self.journal.extend(
            event
            for event in await outbox_events(self.database)
            if CONTRACTS[event.type].topic == PLANNING_OFFICE_TOPIC and event.id not in journaled
        )
        return answer.json()

    @classmethod
    async def open(cls, service_api: ServiceApi) -> Planning:
        client, database = await service_api("planning")
        return cls(client, database)


@pytest.fixture
async def planning(service_api: ServiceApi) -> Planning:
    return await Planning.open(service_api)


ANNOUNCED = (OfficerNominated, TaskFulfilmentChanged, MemberRotationChanged, TrainingRecordChanged)


async def tables(database: Database) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table but the bookkeeping of when this process did things, and the outbox (where the
    office's records are what commands announced, and in a replay what was read)."""
    operational = {"processed_at", "parked_at"}
    found = {}
    async with database.sessions() as session:
        for table in metadata_of("planning").sorted_tables:
            if table.name == "outbox_message":
                continue
            columns = [c for c in table.columns if c.name not in operational]
            rows = (await execute(session, select(*columns))).all()
            found[table.name] = sorted(tuple(map(str, row)) for row in rows)
    return found


async def public_announcements(database: Database) -> list[str]:
    """What planning announced for others, byte for byte, in order."""
    return [
        event.to_json().decode()
        for event in await outbox_events(database)
        if CONTRACTS[event.type].topic == PLANNING_TOPIC
    ]


def online_task(task_id: str, *, quota: int = 3, required: str = "10", deadline: str = "2026-06-30") -> dict[str, Any]:
    """A task from the 国家教育行政学院 online platform: its activity A1 counts."""
    return {
        "task_id": task_id,
        "issuer": "national_academy_online",
        "title": "2026年网络专题学习",
        "quota": quota,
        "assigned_on": "2026-03-01",
        "deadline": deadline,
        "required_hours": required,
        "counting": {"activities": [{"platform": PLATFORM, "activity_id": "A1"}]},
        "eligibility": {"statuses": ["full_member"], "positions": ["cadre_division_and_above"]},
    }


# ── officers elected → trained ───────────────────────────────────────────────────────────────────────


def officer(person_id: str, position: str, since: date, *, version: int = 2, unit_id: str = "U1") -> PersonChanged:
    return a_person(
        person_id,
        version=version,
        name="王五",
        unit_id=unit_id,
        branch_id="B1",
        statuses=[period("full_member", date(2010, 7, 1))],
        positions=[period(position, since)],
    )


async def test_a_new_branch_secretary_is_nominated_for_the_next_open_class_of_the_level(planning: Planning) -> None:
    later = party_affairs_class("PA-2", "branch_secretary", date(2026, 6, 1))
    sooner = party_affairs_class("PA-1", "branch_secretary", date(2026, 4, 1), capacity=30)
    members_class = party_affairs_class("PA-3", "committee_member", date(2026, 3, 20))
    await planning.deliver(later, sooner, members_class, on=date(2026, 2, 1))

    await planning.deliver(a_person("p1", unit_id="U1"), on=date(2026, 2, 1))  # no position: nothing
    await planning.deliver(officer("p1", "branch_secretary", ELECTION_DAY), on=ELECTION_DAY)

    [nominated] = await planning.announced(OfficerNominated)
    assert {key: nominated[key] for key in ("person_id", "class_id", "level", "role", "position", "unit_id")} == {
        "person_id": "p1",
        "class_id": "PA-1",
        "level": "branch_secretary",
        "role": "secretary",
        "position": "branch_secretary",
        "unit_id": "U1",
    }
    assert (nominated["elected_on"], nominated["org_id"], nominated["revision"]) == ("2026-03-10", "B1", 1)
    assert nominated["reason"] == (
        "elected 书记 of 党支部 B1 on 2026-03-10; nominated for PA-1, the next open 支部书记 class with a place "
        "(begins 2026-04-01, place 1 of 30)"
    )
    assert await planning.announced(OfficerNominationPending) == []


async def test_the_same_term_is_decided_once_however_often_the_register_repeats_the_person(planning: Planning) -> None:
    await planning.deliver(party_affairs_class("PA-1", "committee_member", date(2026, 4, 1)), on=ELECTION_DAY)
    elected = officer("p2", "branch_committee_member", ELECTION_DAY)

    await planning.deliver(elected, on=ELECTION_DAY)
    assert await planning.deliver(elected, on=ELECTION_DAY) == [Outcome.IGNORED]  # the same version
    renamed = elected.model_copy(update={"version": 3, "name": "王五五"})
    await planning.deliver(renamed, on=date(2026, 3, 12))  # a newer state, the same term

    assert [n["person_id"] for n in await planning.announced(OfficerNominated)] == ["p2"]


async def test_an_officer_with_no_open_class_waits_and_is_nominated_when_one_opens(planning: Planning) -> None:
    planned = party_affairs_class("PA-9", "general_branch_secretary", date(2026, 5, 6), status="planned")
    await planning.deliver(planned, on=date(2026, 2, 1))
    await planning.deliver(officer("p3", "general_branch_secretary", ELECTION_DAY), on=ELECTION_DAY)

    [pending] = await planning.announced(OfficerNominationPending)
    assert (pending["level"], pending["revision"]) == ("general_branch_secretary", 1)
    assert pending["reason"].endswith("no open 总支书记 class begins after 2026-03-10: pending until one opens")
    assert await planning.announced(OfficerNominated) == []

    opened = planned.model_copy(update={"version": 2, "status": "open"})
    await planning.deliver(opened, on=date(2026, 3, 20))

    [nominated] = await planning.announced(OfficerNominated)
    assert (nominated["person_id"], nominated["class_id"], nominated["revision"]) == ("p3", "PA-9", 2)
    terms = await planning.get("/officer-nominations")
    assert [(t["person_id"], t["outcome"], t["class_id"]) for t in terms] == [("p3", "nominated", "PA-9")]


async def test_a_full_class_keeps_officers_pending_until_a_place_frees(planning: Planning) -> None:
    full = party_affairs_class("PA-1", "committee_member", date(2026, 4, 1), capacity=1)
    taken = an_enrollment("PA-1", "someone", status="approved")
    await planning.deliver(full, taken, on=date(2026, 2, 1))
    await planning.deliver(officer("p4", "branch_committee_member", ELECTION_DAY), on=ELECTION_DAY)

    [pending] = await planning.announced(OfficerNominationPending)
    assert "every open 委员 class is full (PA-1 1 of 1)" in pending["reason"]

    await planning.deliver(taken.model_copy(update={"version": 2, "status": "withdrawn"}), on=date(2026, 3, 15))
    [nominated] = await planning.announced(OfficerNominated)
    assert (nominated["person_id"], nominated["class_id"]) == ("p4", "PA-1")


async def test_planning_s_own_nominations_take_places_until_the_register_shows_them(planning: Planning) -> None:
    await planning.deliver(
        party_affairs_class("PA-1", "committee_member", date(2026, 4, 1), capacity=1), on=ELECTION_DAY
    )
    await planning.deliver(officer("p5", "branch_committee_member", ELECTION_DAY), on=ELECTION_DAY)
    await planning.deliver(officer("p6", "branch_committee_member", ELECTION_DAY), on=ELECTION_DAY)

    assert [n["person_id"] for n in await planning.announced(OfficerNominated)] == ["p5"]
    assert [p["person_id"] for p in await planning.announced(OfficerNominationPending)] == ["p6"]


async def test_an_officer_nominated_for_a_class_since_cancelled_is_decided_again(planning: Planning) -> None:
    first = party_affairs_class("PA-1", "branch_secretary", date(2026, 4, 1))
    await planning.deliver(first, on=ELECTION_DAY)
    await planning.deliver(officer("p7", "branch_secretary", ELECTION_DAY), on=ELECTION_DAY)

    await planning.deliver(first.model_copy(update={"version": 2, "status": "cancelled"}), on=date(2026, 3, 25))
    [pending] = await planning.announced(OfficerNominationPending)
    assert (pending["person_id"], pending["revision"]) == ("p7", 2)

    await planning.deliver(party_affairs_class("PA-2", "branch_secretary", date(2026, 9, 1)), on=date(2026, 4, 2))
    nominations = await planning.announced(OfficerNominated)
    assert [(n["class_id"], n["revision"]) for n in nominations] == [("PA-1", 1), ("PA-2", 3)]


async def test_a_position_held_for_over_a_year_is_no_new_term(planning: Planning) -> None:
    await planning.deliver(party_affairs_class("PA-1", "branch_secretary", date(2026, 4, 1)), on=ELECTION_DAY)
    await planning.deliver(officer("p8", "branch_secretary", date(2025, 3, 9)), on=ELECTION_DAY)  # 366 days before
    assert await planning.announced(OfficerNominated) == []
    assert await planning.get("/officer-nominations") == []


async def test_a_unit_s_nominator_sees_its_own_officers_only(planning: Planning) -> None:
    await planning.deliver(party_affairs_class("PA-1", "branch_secretary", date(2026, 4, 1)), on=ELECTION_DAY)
    await planning.deliver(officer("p9", "branch_secretary", ELECTION_DAY, unit_id="U1"), on=ELECTION_DAY)
    await planning.deliver(officer("p10", "branch_secretary", ELECTION_DAY, unit_id="U2"), on=ELECTION_DAY)

    own = await planning.client.get("/officer-nominations", headers=bearer(Role.NOMINATOR, "n-1", units=["U2"]))
    everyone = await planning.get("/officer-nominations", Role.ORGANISATION_DEPARTMENT, "org-1")
    learner = await planning.client.get("/officer-nominations", headers=bearer(Role.LEARNER, "p9"))

    assert [t["person_id"] for t in own.json()] == ["p10"]
    assert [t["name"] for t in own.json()] == ["王五"]
    assert sorted(t["person_id"] for t in everyone) == ["p10", "p9"]
    assert learner.status_code == 403


# ── training records for those who subscribe ────────────────────────────────────────────────────────


async def test_a_training_record_is_announced_per_year_as_training_facts_arrive_and_only_when_it_changes(
    planning: Planning,
) -> None:
    klass = a_class("K1", category="development_targets", title="发展对象培训班")
    await planning.deliver(a_person("r1"), klass, an_enrollment("K1", "r1"), on=date(2026, 3, 1))
    assert await planning.announced(TrainingRecordChanged) == []  # enrolled: the register's fact, not the record's
    first = credited("r1", "8", date(2026, 3, 2), class_id="K1", category="development_targets")
    await planning.deliver(first, on=date(2026, 3, 2))
    await planning.deliver(first, on=date(2026, 3, 2))  # the same entry again: no change
    await planning.deliver(
        credited("r1", "2.5", date(2026, 3, 3), channel="online", category=None), on=date(2026, 3, 3)
    )
    await planning.deliver(
        AssessmentRecorded(
            assessment_id="as-1",
            class_id="K1",
            person_id="r1",
            passed=True,
            assessed_by="t-1",
            assessed_at=at(date(2026, 3, 4)),
            grade="good",
        ),
        CertificateIssued(
            certificate_number="DX2026-1",
            revision=1,
            person_id="r1",
            class_id="K1",
            hours=Decimal(8),
            issued_at=at(date(2026, 3, 4)),
        ),
        on=date(2026, 3, 4),
    )

    records = await planning.announced(TrainingRecordChanged)
    assert [(r["year"], r["revision"], r["hours"], r["offline_hours"], r["online_hours"]) for r in records] == [
        (2026, 1, "8.00", "8.00", "0.00"),
        (2026, 2, "10.50", "8.00", "2.50"),
        (2026, 3, "10.50", "8.00", "2.50"),  # passed
        (2026, 4, "10.50", "8.00", "2.50"),  # certified
    ]
    assert records[-1]["classes"] == [
        {
            "class_id": "K1",
            "title": "发展对象培训班",
            "category": "development_targets",
            "hours": "8.00",
            "passed": True,
            "grade": "good",
            "certificate_number": "DX2026-1",
            "certificate_valid": True,
        }
    ]


async def test_facts_about_a_class_not_known_yet_are_announced_once_it_is(planning: Planning) -> None:
    await planning.deliver(a_person("r2"), on=date(2026, 3, 1))
    await planning.deliver(
        credited("r2", "4", date(2026, 3, 2), class_id="K-late", category="activists"), on=date(2026, 3, 2)
    )
    assert await planning.announced(TrainingRecordChanged) == []

    await planning.deliver(a_class("K-late", category="activists"), on=date(2026, 3, 3))
    [record] = await planning.announced(TrainingRecordChanged)
    assert (record["hours"], [c["class_id"] for c in record["classes"]]) == ("4.00", ["K-late"])


async def test_a_requirement_window_is_in_the_record_of_each_year_it_touches(planning: Planning) -> None:
    await planning.deliver(a_person("r3"), on=date(2026, 3, 1))
    standing = RequirementStandingChanged(
        person_id="r3",
        requirement="cadre-five-year/v1",
        title="干部五年累计不少于550学时",
        source="《干部教育培训工作条例》",
        window_start=date(2025, 1, 1),
        window_end=date(2026, 12, 31),
        required_hours=Decimal(550),
        credited_hours=Decimal(120),
        standing="behind",
        as_of=date(2026, 3, 1),
    )
    await planning.deliver(standing, on=date(2026, 3, 1))

    records = await planning.announced(TrainingRecordChanged)
    assert [(r["year"], [(q["standing"], q["as_of"]) for q in r["requirements"]]) for r in records] == [
        (2025, [("behind", "2026-03-01")]),  # the credited 学时 are the ledger's of that day
        (2026, [("behind", "2026-03-01")]),
    ]


# ── replaying gives the same ─────────────────────────────────────────────────────────────────────────


async def test_replaying_what_planning_heard_and_recorded_gives_the_same_tables_and_announcements(
    planning: Planning, tmp_path: Path
) -> None:
    replayed = await migrated_database(f"sqlite:///{tmp_path / 'replayed.db'}", "planning")
    try:
        await replaying_gives_the_same(planning, replayed)
    finally:
        await replayed.dispose()


async def replaying_gives_the_same(planning: Planning, replayed: Database) -> None:
    """A month of facts and the office's commands, then every one of them replayed into ``replayed``."""
    await planning.deliver(party_affairs_class("PA-1", "branch_secretary", date(2026, 4, 1)), on=ELECTION_DAY)
    await planning.deliver(officer("x1", "branch_secretary", ELECTION_DAY), on=ELECTION_DAY)
    cadre = a_person(
        "x2",
        unit_id="U1",
        statuses=[period("full_member", date(2001, 7, 1))],
        positions=[period("cadre_division_and_above", date(2020, 1, 1))],
    )
    await planning.deliver(cadre, on=ELECTION_DAY)
    await planning.send("POST", "/tasks", online_task("T1", quota=2), expect=201)
    await planning.send("POST", "/tasks/T1/nominations", {"person_ids": ["x2"]})
    await planning.deliver(
        credited("x2", "6", date(2026, 3, 12), activity_id="A1", platform=PLATFORM, channel="online"),
        on=date(2026, 3, 12),
    )
    rotation = CertificateIssued(
        certificate_number="DX-R",
        revision=1,
        person_id="x2",
        class_id="R1",
        hours=Decimal(24),
        issued_at=at(date(2026, 3, 13)),
    )
    await planning.deliver(rotation, on=date(2026, 3, 13))
    await planning.deliver(
        a_class("R1", category="member_rotation", starts_on=date(2026, 3, 11), ends_on=date(2026, 3, 13)),
        on=date(2026, 3, 13),
    )
    await planning.send("PUT", "/plans/P1", {"year": 2026, "title": "计划", "classes": [], "fed_by": []})
    assert {len(await planning.announced(model)) > 0 for model in ANNOUNCED} == {True}

    consumer, dead_letters = consumer_for(handlers, replayed, "planning")
    for event in planning.journal:  # in the order the topics got them, the office's records among them
        await consumer.consume(structured_record(event, CONTRACTS[event.type].topic))
    assert dead_letters.letters == []
    assert await tables(replayed) == await tables(planning.database)
    assert await public_announcements(replayed) == await public_announcements(planning.database)


async def test_an_office_record_read_back_changes_nothing(planning: Planning) -> None:
    await planning.send("PUT", "/plans/P2026", {"year": 2026, "title": "2026年度培训计划", "classes": [], "fed_by": []})
    [record] = await outbox_events(planning.database, AnnualPlanChanged.event_type)
    before = await tables(planning.database)

    assert await planning.deliver_event(record) == Outcome.DUPLICATE
    assert await tables(planning.database) == before
