"""The hours HTTP API on a migrated database (no broker: the lifespan does not run, the outbox is only read)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from io import BytesIO

import httpx
import pytest
from openpyxl import load_workbook

from services.hours.domain.ledger import ledger_year
from shared.api import XLSX, file_response
from shared.auth import Role
from shared.db import Database, utcnow
from shared.events.envelope import BATCH_CONTENT_TYPE, STRUCTURED_CONTENT_TYPE
from tests.support import a_class, an_enrollment, bearer, event_of, outbox_events, unique
from tests.unit.conftest import ServiceApi
from tests.unit.test_hours_handlers import (
    ENROLLMENT,
    HoursService,
    attended,
    document,
    hours_service,
    known_person_and_session,
)

DOOR_SYSTEM = "door-3"  # the subject of the tokens that carry no person


@dataclass
class Api:
    client: httpx.AsyncClient
    hours: HoursService  # the consumer on the same database

    @property
    def database(self) -> Database:
        return self.hours.database

    async def post(self, body: bytes, content_type: str, role: Role = Role.INGEST) -> httpx.Response:
        headers = {
            "content-type": content_type,
            **bearer(role, DOOR_SYSTEM, sources=["urn:dangxiao:door:*", "urn:dangxiao:tablet:*"]),
        }
        return await self.client.post("/attendance", content=body, headers=headers)


@pytest.fixture
async def api(service_api: ServiceApi) -> Api:
    client, database = await service_api("hours")
    return Api(client, hours_service(database))


async def test_a_batch_is_answered_event_by_event_and_only_valid_new_ones_are_forwarded(api: Api) -> None:
    swipe = attended(unique("person"), unique("session"))
    broken = {**document(swipe), "id": unique("swipe"), "time": "yesterday"}
    batch = [document(swipe), broken, document(swipe)]

    answer = await api.post(json.dumps(batch).encode(), BATCH_CONTENT_TYPE)

    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert [(r["id"], r["outcome"]) for r in body["results"]] == [
        (swipe.id, "accepted"),
        (broken["id"], "rejected"),
        (swipe.id, "duplicate"),
    ]
    assert body["results"][0]["reason"] is None
    assert body["results"][1]["reason"] == "invalid-envelope"
    assert body["results"][1]["detail"].startswith("time:")
    assert body["counts"] == {"accepted": 1, "duplicate": 1, "rejected": 1}
    assert [event.id for event in await outbox_events(api.database)] == [swipe.id]


async def test_what_a_rejected_event_claims_is_echoed_only_when_it_is_text(api: Api) -> None:
    body = '[{"specversion": "1.0", "id": "x\\ud800", "source": "urn:dangxiao:door:\\udfff", "type": "t"}]'

    answer = await api.post(body.encode(), BATCH_CONTENT_TYPE)

    assert answer.status_code == 202
    [result] = answer.json()["results"]
    assert (result["source"], result["id"], result["outcome"]) == (None, None, "rejected")


async def test_one_event_in_structured_mode_is_accepted_then_a_duplicate(api: Api) -> None:
    swipe = attended(unique("person"), unique("session"))

    first = await api.post(swipe.to_json(), STRUCTURED_CONTENT_TYPE + "; charset=utf-8")
    again = await api.post(swipe.to_json(), STRUCTURED_CONTENT_TYPE, role=Role.ADMIN)

    assert [first.status_code, again.status_code] == [202, 202]
    assert first.json()["results"] == [
        {"source": swipe.source, "id": swipe.id, "outcome": "accepted", "reason": None, "detail": None}
    ]
    assert again.json()["results"][0]["outcome"] == "duplicate"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"{}", "application/json", 415, "send application/cloudevents+json (one event)"),
        (b"{}", "", 415, "not no content type"),
        (b'{"specversion": ', STRUCTURED_CONTENT_TYPE, 400, "the body is not valid JSON"),
        (b"\xff\xfe\x00", BATCH_CONTENT_TYPE, 400, "the body is not valid JSON"),
        (b"[]", BATCH_CONTENT_TYPE, 400, "the batch is empty"),
        (b"{}", BATCH_CONTENT_TYPE, 400, "is a JSON array of events"),
        (b"[" + b"{}," * 500 + b"{}]", BATCH_CONTENT_TYPE, 413, "at most 500 events per batch"),
        (b"[" + b" " * (8 * 1024 * 1024) + b"]", BATCH_CONTENT_TYPE, 413, "the request body is over 8 MiB"),
    ],
)
async def test_a_body_that_is_not_cloudevents_is_refused_with_a_message(
    api: Api, body: bytes, content_type: str, status: int, message: str
) -> None:
    answer = await api.post(body, content_type)

    assert answer.status_code == status
    assert message in answer.json()["detail"]
    assert await outbox_events(api.database) == []


async def test_only_senders_of_attendance_may_post_it(api: Api) -> None:
    swipe = attended(unique("person"), unique("session")).to_json()

    anonymous = await api.client.post("/attendance", content=swipe, headers={"content-type": STRUCTURED_CONTENT_TYPE})
    learner = await api.post(swipe, STRUCTURED_CONTENT_TYPE, role=Role.LEARNER)

    assert (anonymous.status_code, learner.status_code) == (401, 403)
    assert await outbox_events(api.database) == []


async def test_a_ledger_is_seen_by_its_learner_their_class_managers_the_office_and_the_organisation_department(
    api: Api,
) -> None:
    person_id, session_id, class_id = await known_person_and_session(api.hours)
    await api.hours.deliver(event_of(a_class(class_id, version=2, manager_ids=["manager-1"]), source=ENROLLMENT))
    await api.hours.deliver(event_of(an_enrollment(class_id, person_id), source=ENROLLMENT))
    await api.hours.deliver(attended(person_id, session_id, minutes=100))

    async def seen_by(role: Role, subject: str) -> httpx.Response:
        return await api.client.get(f"/persons/{person_id}/hours?year=2026", headers=bearer(role, subject))

    own = await seen_by(Role.LEARNER, person_id)
    assert own.status_code == 200
    ledger = own.json()
    assert (ledger["year"], ledger["total_hours"], ledger["by_class"]) == (2026, "2.00", {class_id: "2.00"})
    [entry] = ledger["entries"]
    assert (entry["kind"], entry["hours"], entry["session_id"], entry["rule"]) == (
        "credit",
        "2.00",
        session_id,
        "session-tolerance/v1",
    )
    for role, subject in [
        (Role.CLASS_MANAGER, "manager-1"),
        (Role.ADMIN, "office-1"),
        (Role.ORGANISATION_DEPARTMENT, "zzb-1"),
    ]:
        answer = await seen_by(role, subject)
        assert (answer.status_code, answer.json()) == (200, ledger), role
    for role, subject in [
        (Role.CLASS_MANAGER, "manager-2"),  # manages no class of theirs
        (Role.LEARNER, unique("person")),
        (Role.TEACHER, "teacher-1"),
        (Role.INGEST, DOOR_SYSTEM),
    ]:
        assert (await seen_by(role, subject)).status_code == 403, role


async def test_someone_with_no_entries_has_an_empty_ledger_not_a_404(api: Api) -> None:
    person_id = unique("person")

    answer = await api.client.get(f"/persons/{person_id}/hours", headers=bearer(Role.LEARNER, person_id))
    out_of_range = await api.client.get(
        f"/persons/{person_id}/hours?year=1999", headers=bearer(Role.ADMIN, DOOR_SYSTEM)
    )

    assert answer.status_code == 200
    assert answer.json()["entries"] == [] and answer.json()["total_hours"] == "0.00"
    assert answer.json()["year"] == ledger_year(utcnow())  # this year in Beijing time
    assert out_of_range.status_code == 422


async def test_the_api_documents_both_cloudevents_bodies_of_post_attendance(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    body = spec["paths"]["/attendance"]["post"]["requestBody"]["content"]
    assert set(body) == {STRUCTURED_CONTENT_TYPE, BATCH_CONTENT_TYPE}


def test_a_file_of_any_name_is_offered_under_an_ascii_stand_in_and_its_own_name() -> None:
    answer = file_response(b"x", XLSX, 'transcript-张三"\x05.xlsx')
    assert answer.headers["content-disposition"] == (
        "attachment; filename=\"transcript-____.xlsx\"; filename*=UTF-8''transcript-%E5%BC%A0%E4%B8%89%22%05.xlsx"
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "refused"),
    [
        ("GET", "/persons/P1/transcript?as_of=0", None, "must be a date written YYYY-MM-DD"),
        ("GET", "/persons/P1/requirements?as_of=2026-1-1", None, "must be a date written YYYY-MM-DD"),
        ("GET", "/compliance?as_of=0491-07-24", None, "must be between the years 1900 and 2999"),
        ("GET", "/persons/P1/annual-hours?year=2099", None, "before the year began"),
        ("POST", "/requirements/reviews", {"day": 0}, "must be a date written YYYY-MM-DD"),
        ("POST", "/requirements/reviews", {"day": "0491-07-24"}, "must be between the years 1900 and 2999"),
        (
            "POST",
            "/sessions/S1/attendance",
            {"marks": [{"person_id": "P1", "status": "present", "minutes": False}]},
            "valid integer",
        ),
    ],
)
async def test_days_and_minutes_are_taken_only_as_the_document_writes_them(
    api: Api, method: str, path: str, body: dict[str, object] | None, refused: str
) -> None:
    answer = await api.client.request(method, path, json=body, headers=bearer(Role.ADMIN, "office"))
    assert answer.status_code == 422, answer.text
    assert refused in answer.text


async def test_a_transcript_of_a_person_id_no_sheet_can_hold_still_exports(api: Api) -> None:
    answer = await api.client.get("/persons/B%14/transcript.xlsx", headers=bearer(Role.ADMIN, "office"))
    assert answer.status_code == 200, answer.text
    sheet = load_workbook(BytesIO(answer.content)).active
    assert sheet is not None and sheet["B1"].value == "B"
