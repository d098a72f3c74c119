"""The xAPI 1.0.3 door: statements become attendance events, forwarded to the attendance topic like those of
``POST /attendance``, and kept (``xapi_statement``) for ``GET /xapi/statements``.

- Each sender is a source of its own, ``urn:dangxiao:xapi:<token subject>``; the statement id is the event id.
- A statement whose id is known changes nothing; if it is not the same statement (xAPI's comparison, which
  ignores what the LRS assigns) the request answers 409 and nothing of it is kept. A batch is taken whole or not.
- A voiding statement takes back what the statement it names credited; a sender voids only its own statements
  (an administrator anyone's). Statements of other verbs are refused: this LRS keeps attendance.
- The stored statement travels with the event (the ``xapistatement`` extension attribute), and the consumer keeps
  it again from there: replaying the attendance topic rebuilds the statements as well.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.hours.access import Visibility
from services.hours.domain.xapi import (
    VOIDED,
    XapiAttendance,
    XapiNotAttendance,
    XapiStatementError,
    XapiVoid,
    check_batch,
    check_statement,
    interpret,
    same_statement,
)
from services.hours.handlers.ingest import forward_attendance
from services.hours.models import XapiStatement
from shared.auth import Principal, Role
from shared.db import execute, insert_many, rows_matching, table_of
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.contracts.attendance import AttendanceRecorded, AttendanceVoided
from shared.events.envelope import CloudEvent, ContractViolation, EventData, parse_data
from shared.unit_of_work import Seen, UnitOfWork

XAPI_SOURCE_PREFIX = "urn:dangxiao:xapi:"
STATEMENT_ATTRIBUTE = "xapistatement"  # CloudEvents extension: the statement as stored, JSON text
LRS_HOME_PAGE = "urn:dangxiao"  # of the authority the LRS names: the token's subject
MAX_LIMIT = 500


def source_of(sender: str) -> str:
    return f"{XAPI_SOURCE_PREFIX}{sender}"


# ── POST and PUT ───────────────────────────────────────────────────────────────────────────────────────────────


async def store_statements(
    uow: UnitOfWork, statements: Sequence[object], sender: Principal, topic: str, now: datetime
) -> list[str]:
    """Keep ``statements`` and forward the attendance they record; returns their ids, in order."""
    check_batch(statements)
    received = [check_statement(statement) for statement in statements]
    stored = [_as_stored(statement, sender, now) for statement in received]
    ids = [statement["id"] for statement in stored]
    in_batch = {statement["id"]: statement for statement in stored}
    voided_ids = [_voided_id(statement) for statement in stored]
    known = await _rows(uow.session, [*ids, *(target for target in voided_ids if target is not None)])
    events: list[tuple[CloudEvent, EventData]] = []
    for body, statement in zip(received, stored, strict=True):
        existing = known.get(statement["id"])
        if existing is not None:
            if not same_statement(json.loads(existing["statement"]), {**body, "id": statement["id"]}):
                raise Conflict(f"statement {statement['id']} is stored already, and this is not the same statement")
            continue
        events.append(_event(statement, sender, known, in_batch))
    seen = await uow.seen([event for event, _ in events])
    for event, data in events:
        if seen[(event.source, event.id)] is Seen.CONFLICT:
            raise Conflict(f"statement {event.id} was received already with other content")
        forward_attendance(uow, event, data, topic)
    await keep_statements(uow, [event for event, _ in events])
    return ids


def _as_stored(statement: Mapping[str, Any], sender: Principal, now: datetime) -> dict[str, Any]:
    """The statement as this LRS keeps and returns it: with its id, when it was stored, by whose authority."""
    stamp = now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        **statement,
        "id": str(statement.get("id") or uuid.uuid4()).lower(),
        "timestamp": statement.get("timestamp", stamp),
        "stored": stamp,
        "authority": {"objectType": "Agent", "account": {"homePage": LRS_HOME_PAGE, "name": sender.subject}},
        "version": statement.get("version", "1.0.0"),
    }


def _voided_id(statement: Mapping[str, Any]) -> str | None:
    if statement["verb"]["id"] != VOIDED or statement["object"].get("objectType") != "StatementRef":
        return None
    return str(statement["object"]["id"]).lower()


def _event(
    statement: dict[str, Any],
    sender: Principal,
    known: Mapping[str, Mapping[Any, Any]],
    in_batch: Mapping[str, Mapping[str, Any]],
) -> tuple[CloudEvent, EventData]:
    """The attendance event a statement becomes."""
    meaning = interpret(statement, platform=sender.subject)
    if isinstance(meaning, XapiNotAttendance):
        raise XapiStatementError(f"verb: {meaning.reason}; this LRS keeps attendance and nothing else")
    attributes: dict[str, Any] = {
        "specversion": "1.0",
        "id": meaning.statement_id,
        "source": source_of(sender.subject),
        "datacontenttype": "application/json",
        STATEMENT_ATTRIBUTE: orjson.dumps(statement).decode(),
    }
    if isinstance(meaning, XapiAttendance):
        attributes |= {
            "type": AttendanceRecorded.event_type,
            "time": statement["timestamp"],  # when it happened; the LRS gave it the time it was stored if it had none
            "subject": meaning.person_id,
            "data": meaning.event_data(),
        }
    else:
        attributes |= _void_attributes(meaning, statement, sender, known, in_batch)
    try:
        event = CloudEvent.model_validate(attributes)
        data = parse_data(
            event, AttendanceRecorded if event.type == AttendanceRecorded.event_type else AttendanceVoided
        )
    except ContractViolation as violation:
        raise XapiStatementError(f"statement {meaning.statement_id}: {violation.message}") from violation
    except ValueError as error:
        raise XapiStatementError(f"statement {meaning.statement_id}: {error}") from error
    # Canonical data (Decimal 学时 as JSON numbers' text): the event compares equal whichever door it came by.
    return event.model_copy(update={"data": data.model_dump(mode="json", exclude_none=True)}), data


def _void_attributes(
    void: XapiVoid,
    statement: Mapping[str, Any],
    sender: Principal,
    known: Mapping[str, Mapping[Any, Any]],
    in_batch: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    target = known.get(void.voids_statement_id)
    target_sender = target["sender"] if target is not None else sender.subject
    sent_with = in_batch.get(void.voids_statement_id)
    target_verb = target["verb"] if target is not None else sent_with["verb"]["id"] if sent_with is not None else None
    if target_verb == VOIDED:
        raise XapiStatementError(f"object.id: statement {void.voids_statement_id} voids another: it cannot be voided")
    if target_sender != sender.subject and not sender.has_any(Role.ADMIN):
        raise Forbidden(f"statement {void.voids_statement_id} was sent by another system: only it may void it")
    return {
        "type": AttendanceVoided.event_type,
        "time": statement["timestamp"],
        "subject": target["person_id"] if target is not None else statement["actor"]["account"]["name"],
        "data": {
            "voids": {"source": source_of(target_sender), "id": void.voids_statement_id},
            "reason": void.reason,
        },
    }


async def _rows(session: AsyncSession, statement_ids: list[str]) -> dict[str, Mapping[Any, Any]]:
    rows = await rows_matching(
        session, table_of(XapiStatement), ["statement_id"], [(statement_id,) for statement_id in statement_ids]
    )
    return {row["statement_id"]: row for row in rows}


# ── What the door keeps, kept again by the consumer ──────────────────────────────────────────────────────────


def statement_row(event: CloudEvent) -> dict[str, Any] | None:
    """The ``xapi_statement`` row of an attendance event the xAPI door forwarded; None for others."""
    text = (event.model_extra or {}).get(STATEMENT_ATTRIBUTE)
    if not isinstance(text, str) or not event.source.startswith(XAPI_SOURCE_PREFIX):
        return None
    statement = json.loads(text)
    target = statement["object"]
    return {
        "statement_id": statement["id"],
        "person_id": statement["actor"]["account"]["name"],
        "verb": statement["verb"]["id"],
        "object_id": str(target["id"]).lower() if target.get("objectType") == "StatementRef" else target["id"],
        "sender": statement["authority"]["account"]["name"],
        "statement": text,
        "stored": datetime.fromisoformat(statement["stored"]),
        "voided_by": None,
    }


async def keep_statements(uow: UnitOfWork, events: Sequence[CloudEvent]) -> None:
    """Keep the statements ``events`` carry (those kept already stay as they are) and mark what they void."""
    rows = [row for event in events if (row := statement_row(event)) is not None]
    await insert_many(uow.session, table_of(XapiStatement), rows, skip_existing=True)
    table = table_of(XapiStatement)
    for row in rows:
        if row["verb"] == VOIDED:
            await execute(
                uow.session,
                update(table)
                .where(table.c.statement_id == row["object_id"], table.c.voided_by.is_(None))
                .values(voided_by=row["statement_id"]),
            )


# ── GET ────────────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class StatementQuery:
    """``GET /xapi/statements`` without a statement id: the filters xAPI 1.0.3 defines that this LRS supports."""

    agent: str | None = None  # a person id (the account name of the agent asked for)
    verb: str | None = None
    activity: str | None = None
    since: datetime | None = None  # stored after
    until: datetime | None = None  # stored at or before
    limit: int = 100
    ascending: bool = False
    after: tuple[datetime, str] | None = None  # the last statement of the page before (stored, id)


async def statement_by_id(session: AsyncSession, statement_id: str, viewer: Principal, *, voided: bool) -> str:
    """The statement stored under ``statement_id``: one not voided, or (``voided``) one that was."""
    row = (await _rows(session, [statement_id.lower()])).get(statement_id.lower())
    if row is None or (row["voided_by"] is not None) != voided or not await _may_see(session, viewer, row):
        raise NotFound(f"no {'voided ' if voided else ''}statement {statement_id} that you may see")
    return str(row["statement"])


async def statements_matching(
    session: AsyncSession, query: StatementQuery, viewer: Principal
) -> tuple[list[str], tuple[datetime, str] | None]:
    """One page of the statements ``query`` asks for, not voided, that ``viewer`` may see, and where the next page
    begins (None: this is the last)."""
    table = table_of(XapiStatement)
    statement = table.select().where(table.c.voided_by.is_(None))
    if query.agent is not None:
        statement = statement.where(table.c.person_id == query.agent)
    if query.verb is not None:
        statement = statement.where(table.c.verb == query.verb)
    if query.activity is not None:
        statement = statement.where(table.c.object_id == query.activity)
    if query.since is not None:
        statement = statement.where(table.c.stored > query.since)
    if query.until is not None:
        statement = statement.where(table.c.stored <= query.until)
    scope = await Visibility.of(session, viewer)
    if not scope.sees_everyone:
        if viewer.has_any(Role.INGEST):
            statement = statement.where(table.c.sender == viewer.subject)
        else:
            statement = statement.where(table.c.person_id.in_(sorted(scope.persons)))
    order = (table.c.stored, table.c.statement_id)
    if query.after is not None:
        after = (table.c.stored > query.after[0]) | (
            (table.c.stored == query.after[0]) & (table.c.statement_id > query.after[1])
        )
        before = (table.c.stored < query.after[0]) | (
            (table.c.stored == query.after[0]) & (table.c.statement_id < query.after[1])
        )
        statement = statement.where(after if query.ascending else before)
    statement = statement.order_by(*(order if query.ascending else (column.desc() for column in order)))
    limit = min(query.limit or MAX_LIMIT, MAX_LIMIT)
    rows = (await execute(session, statement.limit(limit + 1))).mappings().all()
    page = rows[:limit]
    more = (page[-1]["stored"], page[-1]["statement_id"]) if len(rows) > limit else None
    return [row["statement"] for row in page], more


async def _may_see(session: AsyncSession, viewer: Principal, row: Mapping[Any, Any]) -> bool:
    if viewer.has_any(Role.INGEST) and row["sender"] == viewer.subject:
        return True
    return (await Visibility.of(session, viewer)).sees(row["person_id"])
