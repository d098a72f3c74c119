"""The xAPI door, driven by an xAPI client nobody here wrote (the ``tincan`` package) over real HTTP: statement id
rules, voiding, the version header, and the attendance the statements become, taken effect through the consumer.

The hours API runs in a thread (uvicorn, no lifespan: no broker); what the door forwards is delivered to the
consumer by hand, as the outbox relay and the broker would.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    LanguageMap,
    RemoteLRS,
    Result,
    Statement,
    StatementRef,
    Verb,
)

from services.hours.app import app
from services.hours.domain.xapi import ATTENDED, COMPLETED, VOIDED
from services.hours.settings import Settings
from shared.auth import Role, mint_token
from shared.consumer import Outcome
from shared.settings import ServiceSettings
from tests.e2e.system import free_port
from tests.support import a_class, a_person, a_session, an_enrollment, bearer, event_of, unique
from tests.unit.test_hours_doors import Doors
from tests.unit.test_hours_handlers import ENROLLMENT, hours_service

T = TypeVar("T")
SSO = "https://sso.example.cn"
PLATFORM = "elearning-7"  # the token subject of the study platform that sends statements
LECTURE = datetime(2026, 3, 2, 1, tzinfo=UTC)  # 09:00 in Beijing
BEIJING = timezone(timedelta(hours=8))


@dataclass
class Lrs:
    url: str
    doors: Doors  # the consumer on the same database, and the relay of what was forwarded

    def client(self, role: Role = Role.INGEST, subject: str = PLATFORM) -> RemoteLRS:
        token = mint_token(ServiceSettings(), subject, [role])
        return RemoteLRS(endpoint=f"{self.url}/xapi/", version="1.0.3", auth=f"Bearer {token}")


@pytest.fixture
async def lrs(sqlite_database) -> AsyncIterator[Lrs]:
    database = await sqlite_database("hours")
    application = app(Settings(database_url=database.url))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off", log_config=None))

    async def serve() -> None:
        await server.serve()
        await application.state.runtime.database.dispose()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the hours API did not start"
        await asyncio.sleep(0.02)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        yield Lrs(f"http://127.0.0.1:{port}", Doors(client, hours_service(database)))
    server.should_exit = True
    await asyncio.to_thread(thread.join, 10)


async def call(work: Callable[..., T], *args: Any) -> T:
    """tincan blocks (http.client): run it beside the event loop the server's consumer shares."""
    return await asyncio.to_thread(work, *args)


def learner(person_id: str) -> Agent:
    return Agent(account=AgentAccount(name=person_id, home_page=SSO))


def attended_session(person_id: str, session_id: str, minutes: int = 180, **changes: Any) -> Statement:
    return Statement(
        **{
            "id": uuid.uuid4(),
            "actor": learner(person_id),
            "verb": Verb(id=ATTENDED, display=LanguageMap({"en-US": "attended"})),
            "object": Activity(id=f"urn:dangxiao:session:{session_id}"),
            "result": Result(duration=timedelta(minutes=minutes)),
            "timestamp": LECTURE + timedelta(hours=3),
            **changes,
        }
    )


def completed_course(person_id: str, minutes: int = 90, **changes: Any) -> Statement:
    return Statement(
        **{
            "id": uuid.uuid4(),
            "actor": learner(person_id),
            "verb": Verb(id=COMPLETED, display=LanguageMap({"zh-CN": "完成"})),
            "object": Activity(
                id="https://study.example.cn/courses/4711",
                definition=ActivityDefinition(name=LanguageMap({"zh-CN": "新时代党的建设"})),
            ),
            "result": Result(duration=timedelta(minutes=minutes)),
            "context": Context(platform="干部网络学院"),
            "timestamp": LECTURE,
            **changes,
        }
    )


def voiding(statement: Statement, person_id: str) -> Statement:
    return Statement(
        id=uuid.uuid4(),
        actor=learner(person_id),
        verb=Verb(id=VOIDED, display=LanguageMap({"en-US": "voided"})),
        object=StatementRef(id=statement.id),
        timestamp=LECTURE + timedelta(days=1),
    )


async def a_learner_at_a_session(lrs: Lrs) -> tuple[str, str]:
    person_id, session_id, class_id = unique("person"), unique("session"), unique("class")
    hours = lrs.doors.hours
    await hours.deliver(event_of(a_person(person_id), source=ENROLLMENT))
    await hours.deliver(event_of(a_class(class_id, manager_ids=["manager-1"]), source=ENROLLMENT))
    await hours.deliver(event_of(an_enrollment(class_id, person_id), source=ENROLLMENT))
    await hours.deliver(event_of(a_session(session_id, class_id, starts_at=LECTURE), source=ENROLLMENT))
    return person_id, session_id


async def test_statements_saved_by_the_client_become_attendance_credited_by_the_consumer(lrs: Lrs) -> None:
    person_id, session_id = await a_learner_at_a_session(lrs)
    client = lrs.client()
    at_the_session = attended_session(person_id, session_id, minutes=150)
    online = completed_course(person_id, minutes=100)

    put = await call(client.save_statement, at_the_session)  # with an id: PUT
    posted = await call(client.save_statements, [online])  # POST

    assert (put.success, put.response.status) == (True, 204)
    assert (posted.success, posted.response.status) == (True, 200)
    assert await lrs.doors.relay() == [Outcome.APPLIED, Outcome.APPLIED]
    ledger = await lrs.doors.hours.ledger(person_id)
    assert sorted((entry.item.split(":")[0], entry.hours, entry.rule) for entry in ledger) == [
        ("activity", Decimal(2), "activity/v1"),  # 100 minutes at 45 a 学时, rounded down to a half
        ("session", Decimal(3), "session-tolerance/v1"),  # 150 of 180 minutes: pro rata
    ]
    [activity] = [entry for entry in ledger if entry.activity_id is not None]
    assert activity.channel == "online" and activity.attendance_source == f"urn:dangxiao:xapi:{PLATFORM}"


async def test_the_same_statement_again_changes_nothing_and_another_under_its_id_is_a_conflict(lrs: Lrs) -> None:
    person_id, session_id = await a_learner_at_a_session(lrs)
    client = lrs.client()
    statement = attended_session(person_id, session_id)
    await call(client.save_statement, statement)

    again = await call(client.save_statement, statement)
    in_another_zone = attended_session(
        person_id, session_id, id=statement.id, timestamp=(LECTURE + timedelta(hours=3)).astimezone(BEIJING)
    )
    same_instant = await call(client.save_statement, in_another_zone)
    different = await call(client.save_statement, attended_session(person_id, session_id, minutes=90, id=statement.id))

    assert (again.response.status, same_instant.response.status, different.response.status) == (204, 204, 409)
    assert await lrs.doors.relay() == [Outcome.APPLIED]  # forwarded once
    assert [entry.hours for entry in await lrs.doors.hours.ledger(person_id)] == [Decimal(4)]


async def test_a_batch_with_a_conflicting_statement_keeps_none_of_it(lrs: Lrs) -> None:
    person_id, session_id = await a_learner_at_a_session(lrs)
    client = lrs.client()
    first = attended_session(person_id, session_id)
    await call(client.save_statement, first)
    fresh = completed_course(person_id)

    refused = await call(
        client.save_statements, [fresh, attended_session(person_id, session_id, minutes=60, id=first.id)]
    )

    assert refused.response.status == 409
    assert (await call(client.retrieve_statement, str(fresh.id))).response.status == 404
    assert await lrs.doors.relay() == [Outcome.APPLIED]  # only the first statement, sent before


async def test_a_voided_statement_takes_back_its_credit_and_is_found_only_as_voided(lrs: Lrs) -> None:
    person_id, session_id = await a_learner_at_a_session(lrs)
    client = lrs.client()
    statement = attended_session(person_id, session_id)
    await call(client.save_statement, statement)
    void = voiding(statement, person_id)

    voided = await call(client.save_statement, void)
    found = await call(client.retrieve_statement, str(statement.id))
    found_voided = await call(client.retrieve_voided_statement, str(statement.id))
    the_void = await call(client.retrieve_statement, str(void.id))

    assert voided.response.status == 204
    assert found.response.status == 404
    assert found_voided.success and str(found_voided.content.id) == str(statement.id)
    assert the_void.success and the_void.content.verb.id == VOIDED
    assert await lrs.doors.relay() == [Outcome.APPLIED, Outcome.APPLIED]
    credit, reversal = await lrs.doors.hours.ledger(person_id)
    assert (reversal.kind, reversal.reverses_entry_id) == ("reversal", credit.entry_id)
    assert reversal.reason.endswith(f"voided: voided by xAPI statement {void.id}")


async def test_a_voiding_statement_cannot_itself_be_voided_and_a_system_voids_only_its_own(lrs: Lrs) -> None:
    person_id, session_id = await a_learner_at_a_session(lrs)
    client = lrs.client()
    statement = attended_session(person_id, session_id)
    await call(client.save_statement, statement)
    void = voiding(statement, person_id)
    await call(client.save_statement, void)

    void_of_void = await call(client.save_statement, voiding(void, person_id))
    another = await call(lrs.client(subject="elearning-8").save_statement, voiding(statement, person_id))

    assert (void_of_void.response.status, another.response.status) == (400, 403)
    assert "cannot be voided" in void_of_void.data


async def test_a_statement_is_stored_as_the_lrs_keeps_it_and_queried_by_agent_and_verb(lrs: Lrs) -> None:
    person_id, session_id = await a_learner_at_a_session(lrs)
    client = lrs.client()
    statements = [attended_session(person_id, session_id), completed_course(person_id), completed_course(person_id)]
    await call(client.save_statements, statements)

    stored = (await call(client.retrieve_statement, str(statements[0].id))).content
    assert stored.authority.account.name == PLATFORM and stored.stored is not None
    page = await call(client.query_statements, {"agent": learner(person_id), "verb": Verb(id=COMPLETED), "limit": 1})
    assert page.success and len(page.content.statements) == 1
    rest = await call(client.more_statements, page.content)
    assert rest.success and len(rest.content.statements) == 1 and not rest.content.more
    ids = {str(page.content.statements[0].id), str(rest.content.statements[0].id)}
    assert ids == {str(statements[1].id), str(statements[2].id)}


async def test_learners_see_their_own_statements_and_senders_those_they_sent(lrs: Lrs) -> None:
    person_id, session_id = await a_learner_at_a_session(lrs)
    statement = attended_session(person_id, session_id)
    await call(lrs.client().save_statement, statement)

    own = await call(lrs.client(Role.LEARNER, person_id).retrieve_statement, str(statement.id))
    other = await call(lrs.client(Role.LEARNER, unique("person")).retrieve_statement, str(statement.id))
    other_sender = await call(lrs.client(subject="elearning-8").retrieve_statement, str(statement.id))
    manager = await call(lrs.client(Role.CLASS_MANAGER, "manager-1").retrieve_statement, str(statement.id))

    assert (own.response.status, other.response.status, other_sender.response.status) == (200, 404, 404)
    assert manager.response.status == 200  # the learner is enrolled in a class they manage


async def test_every_request_names_the_xapi_version_and_every_answer_this_one(lrs: Lrs) -> None:
    person_id, session_id = await a_learner_at_a_session(lrs)
    body = attended_session(person_id, session_id).to_json("1.0.3")
    headers = {**bearer(Role.INGEST, PLATFORM), "content-type": "application/json"}
    client = lrs.doors.client

    without = await client.post(f"{lrs.url}/xapi/statements", content=body, headers=headers)
    too_new = await client.post(
        f"{lrs.url}/xapi/statements", content=body, headers={**headers, "X-Experience-API-Version": "2.0.0"}
    )
    about = await call(lrs.client().about)

    assert (without.status_code, too_new.status_code) == (400, 400)
    assert "X-Experience-API-Version header is required" in without.json()["detail"]
    assert without.headers["X-Experience-API-Version"] == "1.0.3"
    assert about.success and about.content.version == ["1.0.3"]


async def test_statements_this_lrs_cannot_take_are_refused_naming_the_property(lrs: Lrs) -> None:
    person_id, _ = await a_learner_at_a_session(lrs)
    client = lrs.client()
    experienced = completed_course(person_id, verb=Verb(id="http://adlnet.gov/expapi/verbs/experienced"))
    by_email = completed_course(person_id, actor=Agent(mbox="mailto:someone@example.cn"))

    answers = [await call(client.save_statement, statement) for statement in (experienced, by_email)]

    assert [answer.response.status for answer in answers] == [400, 400]
    assert "this LRS keeps attendance and nothing else" in answers[0].data
    assert json.loads(answers[1].data)["detail"].startswith("actor: identified by mbox")
    assert await lrs.doors.relay() == []
