"""From attendance to a certificate anyone can verify without us, and back: all four services as processes on the
real broker; the credential checked by a verifier nobody here wrote, the public page in a real headless browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.auth import Role
from shared.events.contracts.attendance import ATTENDANCE_TOPIC, AttendanceVoided
from tests.e2e.system import System
from tests.e2e.test_one_class import DOOR, attendance, kafka, open_class, total_reaches
from tests.kafka import send_structured
from tests.support import event_of, eventually
from tests.unit.test_certificates_credentials import run_verifier
from tests.unit.test_certificates_documents import Browser, browser

pytestmark = pytest.mark.e2e
__all__ = ["browser", "kafka"]  # fixtures this module uses from others

ARTEFACTS = Path(__file__).parents[2] / ".artefacts" / "certificates"


async def verified_from_outside(client: httpx.AsyncClient, credential: dict[str, Any]) -> dict[str, Any]:
    """The verifier's answer, given the DID document and the status list as the service serves them."""
    did = credential["issuer"]["id"]
    status_url = credential["credentialStatus"]["statusListCredential"]
    published = {
        did: (await client.get("/.well-known/did.json")).json(),
        status_url: (await client.get("/status-lists/" + status_url.rsplit("/", 1)[-1])).json(),
    }
    return run_verifier(credential, published)


def screenshot_of_page(browser: Browser, url: str, name: str) -> str:
    browser.open(url)
    text: str = browser.run("return document.body.innerText;")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / f"{name}.png").write_bytes(browser.screenshot())
    return text


async def test_attendance_to_a_verifiable_credential_its_revocation_and_reinstatement(
    system: System, kafka: AIOKafkaProducer, browser: Browser
) -> None:
    cohort = await open_class(system, sessions=2)
    person, (first, second) = cohort.person_id, cohort.session_ids
    swipes = [attendance(person, first), attendance(person, second)]
    for swipe in swipes:
        await send_structured(kafka, ATTENDANCE_TOPIC, swipe, key=person)
    await total_reaches(system, person, "8")
    async with system.client("evaluation", Role.ADMIN, "office-1") as evaluation:

        async def assess() -> httpx.Response | None:
            response = await evaluation.post(
                f"/classes/{cohort.class_id}/assessments", json={"person_id": person, "passed": True}
            )
            return response if response.status_code in (201, 202) else None

        await eventually(assess, what="the assessment to be recorded")

    async with system.client("certificates", Role.LEARNER, person) as own:

        async def certificate_in(status: str) -> dict[str, Any] | None:
            listed = (await own.get(f"/persons/{person}/certificates")).json()
            return next((c for c in listed if c["class_id"] == cohort.class_id and c["status"] == status), None)

        issued = await eventually(lambda: certificate_in("issued"), what="the certificate to be issued")
        number = issued["certificate_number"]
        completion = (await own.get(f"/classes/{cohort.class_id}/persons/{person}/completion")).json()
        assert completion["completed"] is True
        assert completion["certificate_number"] == number
        assert [c["figures"] for c in completion["criteria"]][:2] == ["enrolled", "8 of 8 学时"]
        pdf = await own.get(f"/certificates/{number}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    page_url = f"{system.url('certificates')}/verify/{number}"
    async with system.client("certificates") as public:
        credential = (await public.get(f"/credentials/{number}")).json()
        assert await verified_from_outside(public, credential) == {"verified": True, "revoked": False, "error": None}
        assert (await public.get(f"/certificates/verify/{number}")).json()["masked_name"] == "张*"
        assert "✓ 有效结业证书" in screenshot_of_page(browser, page_url, "e2e-verification-page-valid")

        # The door system finds it misread a card: it voids the second attendance.
        void = event_of(
            {"voids": {"source": swipes[1].source, "id": swipes[1].id}, "reason": "card misread at the door"},
            event_type=AttendanceVoided.event_type,
            source=DOOR,
            subject=person,
        )
        await send_structured(kafka, ATTENDANCE_TOPIC, void, key=person)
        await eventually(lambda: certificate_in_public(public, number, "revoked"), what="the certificate revoked")
        revoked = await verified_from_outside(public, credential)
        assert revoked["revoked"] is True
        assert "已撤销" in screenshot_of_page(browser, page_url, "e2e-verification-page-revoked")

        # The learner did attend after all: a new record of the second session brings the 学时 back.
        await send_structured(kafka, ATTENDANCE_TOPIC, attendance(person, second), key=person)
        await eventually(lambda: certificate_in_public(public, number, "issued"), what="the certificate reinstated")
        assert (await public.get(f"/credentials/{number}")).json() == credential  # same number, same credential
        assert await verified_from_outside(public, credential) == {"verified": True, "revoked": False, "error": None}


async def certificate_in_public(public: httpx.AsyncClient, number: str, status: str) -> bool:
    return bool((await public.get(f"/certificates/verify/{number}")).json()["status"] == status)
