from __future__ import annotations

import random
from datetime import datetime, timedelta

import httpx
import pytest

from services.certificates import views
from services.certificates.domain.numbers import new_certificate_number
from shared.auth import Role
from tests.support import bearer
from tests.unit.conftest import ServiceApi
from tests.unit.test_certificates_handlers import ISSUED, MONDAY, REVOKED, Certificates, Learner


@pytest.fixture
async def certificates(service_api: ServiceApi) -> tuple[httpx.AsyncClient, Certificates]:
    """The certificates HTTP API and its consumer on one migrated database (no broker: the lifespan does not run)."""
    client, database = await service_api("certificates")
    return client, Certificates(database)


async def certified(service: Certificates) -> tuple[Learner, str]:
    learner = Learner()
    await service.deliver(*learner.everything_to_complete())
    (issued,) = await service.events(ISSUED, learner)
    return learner, issued.data["certificate_number"]


async def test_anyone_can_verify_a_valid_certificate_without_a_token(certificates) -> None:
    client, service = certificates
    _, number = await certified(service)

    answer = await client.get(f"/certificates/verify/{number}")
    typed_carelessly = await client.get(f"/certificates/verify/{number.lower().replace('-', '')}")

    assert answer.status_code == 200
    body = answer.json()
    assert datetime.fromisoformat(body.pop("issued_at")).tzinfo is not None
    assert body == {
        "valid": True,
        "status": "issued",
        "number": number,
        "holder_name": "李四",
        "class_title": "2026年发展对象培训班",
        "category_label": "发展对象培训",
        "hours": "24.00",
    }
    assert typed_carelessly.json()["number"] == number


async def test_a_revoked_certificate_verifies_as_invalid_with_when_and_why(certificates) -> None:
    client, service = certificates
    learner, number = await certified(service)
    await service.deliver(learner.assessed(passed=False, at=MONDAY + timedelta(days=1)))
    (revoked,) = await service.events(REVOKED, learner)

    answer = await client.get(f"/certificates/verify/{number}")

    assert answer.status_code == 200
    body = answer.json()
    assert datetime.fromisoformat(body.pop("revoked_at")) == datetime.fromisoformat(revoked.data["revoked_at"])
    assert body == {"valid": False, "status": "revoked", "number": number, "reason": "结业考核 failed"}


async def test_a_mistyped_number_is_refused_without_looking_it_up(certificates, monkeypatch) -> None:
    client, service = certificates
    _, number = await certified(service)
    typo = number[:-3] + number[-2] + number[-3] + number[-1]  # two neighbours swapped

    async def no_lookup(*_: object) -> None:
        raise AssertionError("a malformed number must not be looked up")

    monkeypatch.setattr(views, "verification_view", no_lookup)
    for malformed in (typo, "DX2026-HELLO", "anything"):
        answer = await client.get(f"/certificates/verify/{malformed}")
        assert answer.status_code == 404
        assert answer.json() == {
            "valid": False,
            "detail": f"{malformed!r} is not a valid certificate number (like DX2026-7KQ0M3XH9RV2); check for typos",
        }


async def test_a_well_formed_number_nobody_holds_is_not_found(certificates) -> None:
    client, _ = certificates
    number = new_certificate_number(2026, random.Random(0))
    answer = await client.get(f"/certificates/verify/{number}")
    assert answer.status_code == 404
    assert answer.json() == {"valid": False, "detail": f"no certificate has the number {number}"}


async def test_a_learner_sees_their_own_certificates_and_staff_see_everyones(certificates) -> None:
    client, service = certificates
    learner, number = await certified(service)
    path = f"/persons/{learner.person_id}/certificates"

    own = await client.get(path, headers=bearer(Role.LEARNER, learner.person_id))
    staff = await client.get(path, headers=bearer(Role.CLASS_MANAGER, "m1"))

    assert own.status_code == staff.status_code == 200
    assert own.json() == staff.json()
    (certificate,) = own.json()
    assert (certificate["certificate_number"], certificate["status"], certificate["category_label"]) == (
        number,
        "issued",
        "发展对象培训",
    )
    assert (await client.get(path, headers=bearer(Role.LEARNER, "someone-else"))).status_code == 403
    assert (await client.get(path)).status_code == 401
