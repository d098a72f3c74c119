"""Bad input gets a clear 4xx and loses nothing; it never gets a 500."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shared.auth import Role
from shared.events.contracts.attendance import AttendanceRecorded
from tests.e2e.system import System
from tests.e2e.test_one_class import DOOR, attendance, open_class, total_reaches
from tests.support import SERVICES, event_of, unique

pytestmark = pytest.mark.e2e

GARBAGE_BODIES: list[tuple[bytes, str]] = [
    (b"{not json", "application/json"),
    (b'{"unexpected": true}', "application/json"),
    (b"[]", "application/json"),
    (b"\xff\xfe", "application/octet-stream"),
]


async def operations(system: System, service: str) -> list[tuple[str, str]]:
    async with system.client(service) as client:
        spec = (await client.get("/openapi.json")).json()
    return [
        (method.upper(), path.replace("{", "").replace("}", ""))
        for path, methods in spec["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.mark.parametrize("service", SERVICES)
async def test_every_endpoint_answers_bad_requests_with_a_4xx_and_a_message(system: System, service: str) -> None:
    for method, path in await operations(system, service):
        for role in (None, Role.LEARNER, Role.ADMIN):
            async with system.client(service, role, subject=unique("someone")) as client:
                for body, content_type in GARBAGE_BODIES:
                    response = await client.request(method, path, content=body, headers={"content-type": content_type})
                    where = f"{method} {path} as {role} with {body!r}"
                    assert response.status_code < 500, f"{where}: {response.status_code} {response.text}"
                    if response.status_code >= 400 and response.headers["content-type"].startswith("text/html"):
                        # A page for people (certificates' verification page) says what is wrong on the page.
                        assert 'role="status"' in response.text, f"{where}: no message in {response.text}"
                    elif response.status_code >= 400:
                        assert response.json().get("detail"), f"{where}: no message in {response.text}"


async def test_a_batch_accepts_its_valid_events_once_and_names_what_it_rejects(system: System) -> None:
    cohort = await open_class(system, sessions=2)
    person = cohort.person_id
    valid = [attendance(person, session_id).model_dump(mode="json") for session_id in cohort.session_ids]
    invalid_data = event_of(
        {"person_id": person, "minutes": 30}, event_type=AttendanceRecorded.event_type, source=DOOR
    ).model_dump(mode="json")
    no_id: dict[str, Any] = {**valid[0], "id": ""}
    batch = [valid[0], invalid_data, valid[0], no_id, valid[1]]

    async with system.client("hours", Role.INGEST, "door-3", sources=[DOOR]) as ingest:
        first = await ingest.post(
            "/attendance", json=batch, headers={"content-type": "application/cloudevents-batch+json"}
        )
        assert first.status_code == 202, first.text
        outcomes = [result["outcome"] for result in first.json()["results"]]
        assert outcomes == ["accepted", "rejected", "duplicate", "rejected", "accepted"]
        assert first.json()["results"][1]["reason"] == "invalid-data"
        assert "session_id" in first.json()["results"][1]["detail"]

        again = await ingest.post(
            "/attendance", json=batch, headers={"content-type": "application/cloudevents-batch+json"}
        )
        assert [r["outcome"] for r in again.json()["results"]] == [
            "duplicate",
            "rejected",
            "duplicate",
            "rejected",
            "duplicate",
        ]
        conflicting = {**valid[1], "data": {**valid[1]["data"], "minutes": 10}}
        conflict = await ingest.post(
            "/attendance", json=conflicting, headers={"content-type": "application/cloudevents+json"}
        )
        assert conflict.json()["results"][0]["outcome"] == "rejected"
        assert conflict.json()["results"][0]["reason"] == "conflicting-duplicate"

        wrong_type = await ingest.post("/attendance", content=b"{}", headers={"content-type": "text/plain"})
        assert wrong_type.status_code == 415
    async with system.client("hours", Role.LEARNER, person) as learner:
        forbidden = await learner.post(
            "/attendance", json=valid[0], headers={"content-type": "application/cloudevents+json"}
        )
        assert forbidden.status_code == 403

    await total_reaches(system, person, "8")
    async with system.client("hours", Role.ADMIN) as hours:
        ledger = (await hours.get(f"/persons/{person}/hours", params={"year": 2026})).json()
    assert Decimal(ledger["total_hours"]) == 8
