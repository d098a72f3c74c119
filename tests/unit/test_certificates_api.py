"""The certificates HTTP API: public verification (page and JSON), credentials that verify with a library nobody here
wrote and follow revocation and reinstatement through the status list, PDFs and a class's ZIP, completion with its
figures for the learner and the class's managers, and the annual 学时 statement."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pypdf import PdfReader

from services.certificates import views
from services.certificates.app import define
from services.certificates.domain.numbers import certificate_number
from services.certificates.settings import DEVELOPMENT_CERTIFICATE_SECRET, Settings
from shared.auth import Role
from shared.events.contracts.certificates import HoursStatementIssued
from shared.events.contracts.hours import RequirementStandingChanged
from tests.support import bearer, outbox_events
from tests.unit.conftest import ServiceApi
from tests.unit.test_certificates_credentials import ob_schema, run_verifier
from tests.unit.test_certificates_handlers import ISSUED, MONDAY, REVOKED, Certificates, Learner

BASE = "http://127.0.0.1:8004"  # the development default of the public base URL
DID = "did:web:127.0.0.1%3A8004"


@pytest.fixture
async def certificates(service_api: ServiceApi) -> tuple[httpx.AsyncClient, Certificates]:
    """The certificates HTTP API and its consumer on one migrated database (no broker: the lifespan does not run)."""
    client, database = await service_api("certificates")
    return client, Certificates(database)


async def certified(service: Certificates, learner: Learner | None = None) -> tuple[Learner, str]:
    learner = learner or Learner()
    await service.deliver(*learner.everything_to_complete())
    (issued,) = await service.events(ISSUED, learner)
    return learner, issued.data["certificate_number"]


def path_of(url: str) -> str:
    assert url.startswith(BASE), url
    return url.removeprefix(BASE)


async def verified_from_outside(client: httpx.AsyncClient, credential: dict[str, Any]) -> dict[str, Any]:
    """What an outside verifier says, fetching the DID document and the status list from the service."""
    published = {DID: (await client.get("/.well-known/did.json")).json()}
    if "credentialStatus" in credential:
        status_url = credential["credentialStatus"]["statusListCredential"]
        published[status_url] = (await client.get(path_of(status_url))).json()
    return run_verifier(credential, published)


# ── public verification ──────────────────────────────────────────────────────────────────────────────


async def test_anyone_can_verify_a_certificate_and_learns_only_the_masked_name_class_hours_and_dates(
    certificates,
) -> None:
    client, service = certificates
    learner, number = await certified(service)

    answer = await client.get(f"/certificates/verify/{number}")
    typed_carelessly = await client.get(f"/certificates/verify/{number.lower().replace('-', '')}")

    assert answer.status_code == 200
    assert answer.json() == {
        "valid": True,
        "status": "issued",
        "number": number,
        "kind": "certificate",
        "masked_name": "李*",
        "title": "2026年发展对象培训班",
        "hours": "24.00",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-02",
        "issued_on": "2026-03-02",
        "revoked_on": None,
        "detail": None,
    }
    assert learner.person_id not in answer.text and "李四" not in answer.text
    assert typed_carelessly.json()["number"] == number


async def test_a_revoked_certificate_verifies_as_invalid_with_its_date_and_no_reason(certificates) -> None:
    client, service = certificates
    learner, number = await certified(service)
    await service.deliver(learner.assessed(passed=False, at=MONDAY + timedelta(days=1)))
    assert len(await service.events(REVOKED, learner)) == 1

    body = (await client.get(f"/certificates/verify/{number}")).json()

    assert (body["valid"], body["status"], body["revoked_on"]) == (False, "revoked", "2026-03-02")
    assert "reason" not in body and "结业考核" not in json.dumps(body, ensure_ascii=False)


async def test_a_mistyped_number_is_refused_without_looking_it_up(certificates, monkeypatch) -> None:
    client, service = certificates
    _, number = await certified(service)
    # Two neighbours swapped before the last symbol: the last such pair that differs (an equal pair swapped
    # would be the number itself, as 1 number in about 32 would have it).
    i = max(i for i in range(len(number) - 2) if number[i] != number[i + 1] and "-" not in number[i : i + 2])
    typo = number[:i] + number[i + 1] + number[i] + number[i + 2 :]

    async def no_lookup(*_: object) -> None:
        raise AssertionError("a malformed number must not be looked up")

    monkeypatch.setattr(views, "verification_view", no_lookup)
    for malformed in (typo, "DX2026-HELLO", "anything"):
        answer = await client.get(f"/certificates/verify/{malformed}")
        assert answer.status_code == 404
        assert answer.json()["status"] == "mistyped"
        assert "check symbols do not match" in answer.json()["detail"]
        page = await client.get(f"/verify/{malformed}")
        assert page.status_code == 404 and "校验位不符" in page.text


async def test_a_well_formed_number_nobody_was_issued_is_unknown(certificates) -> None:
    client, service = certificates
    learner, _ = await certified(service)
    other = Learner(class_id=learner.class_id)
    never_issued = certificate_number(
        DEVELOPMENT_CERTIFICATE_SECRET.encode(), person_id=other.person_id, class_id=other.class_id, year=2026
    )
    answer = await client.get(f"/certificates/verify/{never_issued}")
    assert (answer.status_code, answer.json()["status"], answer.json()["valid"]) == (404, "unknown", False)


async def test_the_verification_page_is_html_for_a_phone_with_no_script(certificates) -> None:
    client, service = certificates
    _, number = await certified(service)

    page = await client.get(f"/verify/{number}")
    from_the_form = await client.get("/verify", params={"number": number.lower()})

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert '<meta name="viewport"' in page.text and "<script" not in page.text
    assert "✓ 有效结业证书" in page.text and "李*" in page.text and "2026年发展对象培训班" in page.text
    assert from_the_form.text == page.text


# ── credentials ──────────────────────────────────────────────────────────────────────────────────────


async def test_the_credential_verifies_from_outside_follows_revocation_and_reinstatement(certificates) -> None:
    client, service = certificates
    learner, number = await certified(service)
    credential = (await client.get(f"/credentials/{number}")).json()

    assert [f"{list(e.path)}: {e.message}" for e in ob_schema().iter_errors(credential)] == []
    assert credential["id"] == f"{BASE}/credentials/{number}"
    assert credential["issuer"]["id"] == DID
    assert credential["credentialSubject"]["creditsEarned"] == 24
    assert await verified_from_outside(client, credential) == {"verified": True, "revoked": False, "error": None}

    await service.deliver(learner.enrolled("withdrawn"))
    revoked = await verified_from_outside(client, credential)
    assert revoked["revoked"] is True

    await service.deliver(learner.enrolled("approved"))
    assert (await client.get(f"/credentials/{number}")).json() == credential  # the same number, the same document
    assert await verified_from_outside(client, credential) == {"verified": True, "revoked": False, "error": None}


async def test_a_credential_with_one_changed_byte_fails(certificates) -> None:
    client, service = certificates
    _, number = await certified(service)
    served = (await client.get(f"/credentials/{number}")).text
    tampered = json.loads(served.replace('"creditsEarned":24', '"creditsEarned":34'))
    assert tampered != json.loads(served)

    outcome = await verified_from_outside(client, tampered)

    assert outcome["verified"] is False


async def test_the_keys_are_published_as_did_web_and_jwks(certificates) -> None:
    client, _ = certificates
    did = (await client.get("/.well-known/did.json")).json()
    key_set = (await client.get("/.well-known/jwks.json")).json()

    assert did["id"] == DID
    assert did["assertionMethod"] == [f"{DID}#development-key"]
    assert [key["kid"] for key in key_set["keys"]] == did["assertionMethod"]
    assert (await client.get("/status-lists/1999")).status_code == 404
    assert (await client.get("/credentials/DX2026-HELLO")).status_code == 404


def test_signing_with_the_development_key_is_a_caution_at_start_and_a_configured_key_is_not(tmp_path) -> None:
    key_file = tmp_path / "signing-key.pem"
    key_file.write_bytes(Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))

    without_key = define(Settings(environment="test"))
    with_key = define(Settings(environment="test", certificate_signing_key_file=key_file))

    assert without_key.cautions == (
        "no signing key configured: signing with a development key derived from the secret",
    )
    assert with_key.cautions == ()


# ── documents ────────────────────────────────────────────────────────────────────────────────────────


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\n", "")


async def test_the_learner_downloads_their_certificate_as_a_chinese_pdf_and_nobody_else_does(certificates) -> None:
    client, service = certificates
    learner, number = await certified(service)

    own = await client.get(f"/certificates/{number}/pdf", headers=bearer(Role.LEARNER, learner.person_id))
    someone_else = await client.get(f"/certificates/{number}/pdf", headers=bearer(Role.LEARNER, "20269999"))

    assert own.status_code == 200 and own.headers["content-type"] == "application/pdf"
    text = pdf_text(own.content)
    assert "李四" in text and "2026年发展对象培训班" in text and number in text
    assert someone_else.status_code == 403


async def test_the_class_manager_downloads_the_classs_valid_certificates_as_one_zip(certificates) -> None:
    client, service = certificates
    first = Learner()
    await service.deliver(first.class_created().model_copy(update={"manager_ids": ["manager-1"]}))
    _, first_number = await certified(service, first)
    second = Learner(class_id=first.class_id)
    await certified(service, second)
    await service.deliver(second.enrolled("withdrawn"))  # a revoked certificate is not in the ZIP

    archive = await client.get(
        f"/classes/{first.class_id}/certificates.zip", headers=bearer(Role.CLASS_MANAGER, "manager-1")
    )
    elsewhere = await client.get(
        f"/classes/{first.class_id}/certificates.zip", headers=bearer(Role.CLASS_MANAGER, "manager-2")
    )

    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        assert opened.namelist() == [f"{first_number} 李四.pdf"]
        assert "李四" in pdf_text(opened.read(f"{first_number} 李四.pdf"))
    assert elsewhere.status_code == 403


# ── completion ───────────────────────────────────────────────────────────────────────────────────────


async def test_completion_tells_each_criterion_with_its_figures_to_the_learner_and_the_classs_manager(
    certificates,
) -> None:
    client, service = certificates
    learner = Learner()
    await service.deliver(
        learner.class_created(max_absence_share=Decimal("0.25"), survey_required=True).model_copy(
            update={"manager_ids": ["manager-1"]}
        ),
        *(learner.session(n, hours="6") for n in range(1, 5)),
        learner.registered(),
        learner.enrolled(),
        learner.credited("22.5"),
        learner.attended(1, "absent"),
        learner.assessed(passed=True, grade="good"),
        learner.surveyed(),
    )
    own = await client.get(
        f"/classes/{learner.class_id}/persons/{learner.person_id}/completion",
        headers=bearer(Role.LEARNER, learner.person_id),
    )
    assert own.status_code == 200
    assert own.json() == {
        "person_id": learner.person_id,
        "class_id": learner.class_id,
        "rule": "class-criteria/v1",
        "completed": False,
        "criteria": [
            {"criterion": "enrolled", "met": True, "figures": "enrolled"},
            {"criterion": "hours", "met": False, "figures": "22.5 of 24 学时"},
            {
                "criterion": "absence",
                "met": True,
                "figures": "absent 1 of 4 sessions (6 of 24 scheduled 学时, within the 25% allowed)",
            },
            {"criterion": "assessment", "met": True, "figures": "结业考核 良好"},
            {"criterion": "survey", "met": True, "figures": "survey answered"},
        ],
        "summary": "enrolled; 22.5 of 24 学时; absent 1 of 4 sessions (6 of 24 scheduled 学时, within the 25% "
        "allowed); 结业考核 良好; survey answered",
        "certificate_number": None,
        "certificate_status": None,
    }

    whole_class = await client.get(
        f"/classes/{learner.class_id}/completion", headers=bearer(Role.CLASS_MANAGER, "manager-1")
    )
    assert whole_class.status_code == 200
    assert [row["person_id"] for row in whole_class.json()["learners"]] == [learner.person_id]

    for refused in (
        client.get(f"/classes/{learner.class_id}/completion", headers=bearer(Role.CLASS_MANAGER, "manager-2")),
        client.get(f"/classes/{learner.class_id}/completion", headers=bearer(Role.LEARNER, learner.person_id)),
        client.get(
            f"/classes/{learner.class_id}/persons/{learner.person_id}/completion",
            headers=bearer(Role.LEARNER, "20269999"),
        ),
    ):
        assert (await refused).status_code == 403
    admin = await client.get(f"/classes/{learner.class_id}/completion", headers=bearer(Role.ADMIN, "office"))
    assert admin.status_code == 200
    assert (await client.get("/classes/nope/completion", headers=bearer(Role.ADMIN, "office"))).status_code == 404


# ── the annual 学时 statement ─────────────────────────────────────────────────────────────────────────


async def test_a_learner_is_issued_a_years_hours_statement_as_pdf_and_credential_with_its_own_number(
    certificates,
) -> None:
    client, service = certificates
    learner = Learner()
    await service.deliver(
        *learner.everything_to_complete(),
        learner.credited("12.5", class_id=None).model_copy(update={"channel": "online", "category": None}),
        RequirementStandingChanged(
            person_id=learner.person_id,
            requirement="party-member-annual/v1",
            title="党员每年集中学习培训不少于32学时",
            source="《中国共产党党员教育管理工作条例》",
            window_start=date(2026, 1, 1),
            window_end=date(2026, 12, 31),
            required_hours=Decimal(32),
            credited_hours=Decimal("36.5"),
            standing="met",
            as_of=date(2026, 12, 7),
            revision=2,
        ),
        # delivered late, the ledger's earlier word on the same window stays behind the later one
        RequirementStandingChanged(
            person_id=learner.person_id,
            requirement="party-member-annual/v1",
            title="党员每年集中学习培训不少于32学时",
            source="《中国共产党党员教育管理工作条例》",
            window_start=date(2026, 1, 1),
            window_end=date(2026, 12, 31),
            required_hours=Decimal(32),
            credited_hours=Decimal("20"),
            standing="behind",
            as_of=date(2026, 10, 1),
            revision=1,
        ),
        # a window with no end yet (a development target's, until admission) is no year's requirement
        RequirementStandingChanged(
            person_id=learner.person_id,
            requirement="development-target-training/v1",
            title="发展对象培训不少于24学时",
            source="《中国共产党发展党员工作细则》",
            window_start=date(2026, 3, 1),
            window_end=None,
            required_hours=Decimal(24),
            credited_hours=Decimal(24),
            standing="met",
            as_of=date(2026, 12, 2),
        ),
    )
    own = bearer(Role.LEARNER, learner.person_id)

    issued = await client.post(f"/persons/{learner.person_id}/hours-statements", json={"year": 2026}, headers=own)
    again = await client.post(f"/persons/{learner.person_id}/hours-statements", json={"year": 2026}, headers=own)
    refused = await client.post(
        f"/persons/{learner.person_id}/hours-statements", json={"year": 2026}, headers=bearer(Role.LEARNER, "x")
    )

    assert issued.status_code == 201, issued.text
    statement = issued.json()
    number = statement["statement_number"]
    assert number.startswith("XS2026-") and again.json()["statement_number"] != number
    assert refused.status_code == 403
    assert statement["total_hours"] == "36.50"
    assert statement["by_channel"] == [{"label": "集中学习", "hours": "24.00"}, {"label": "网络学习", "hours": "12.50"}]
    assert statement["by_category"] == [
        {"label": "发展对象培训", "hours": "24.00"},
        {"label": "班级外自主学习", "hours": "12.50"},
    ]
    assert statement["conclusion"] == (
        "2026年度累计36.5学时，已达到“党员每年集中学习培训不少于32学时”（32学时）的要求。"
    )

    pdf = await client.get(path_of(statement["pdf_url"]), headers=own)
    assert pdf.status_code == 200
    assert "兹证明李四同志" in pdf_text(pdf.content) and number in pdf_text(pdf.content)

    credential = (await client.get(path_of(statement["credential_url"]))).json()
    assert [f"{list(e.path)}: {e.message}" for e in ob_schema().iter_errors(credential)] == []
    assert await verified_from_outside(client, credential) == {"verified": True, "revoked": None, "error": None}

    public = (await client.get(f"/certificates/verify/{number}")).json()
    assert (public["kind"], public["title"], public["hours"], public["masked_name"]) == (
        "hours_statement",
        "2026年度学时证明",
        "36.50",
        "李*",
    )
    # The statement is announced, so that a rebuild of the service restores it.
    announced = await outbox_events(service.database, HoursStatementIssued.event_type)
    assert [event.data["statement_number"] for event in announced] == [number, again.json()["statement_number"]]


async def test_a_statement_for_a_person_certificates_does_not_know_is_refused(certificates) -> None:
    client, _ = certificates
    answer = await client.post("/persons/nobody/hours-statements", json={"year": 2026}, headers=bearer(Role.ADMIN, "o"))
    assert answer.status_code == 404


async def test_a_year_is_a_json_integer_not_a_float_nor_a_string(certificates) -> None:
    client, service = certificates
    learner, _ = await certified(service)
    office = bearer(Role.ADMIN, "office")

    for not_a_year in (2026.0, "2026", True):
        answer = await client.post(
            f"/persons/{learner.person_id}/hours-statements", json={"year": not_a_year}, headers=office
        )
        assert answer.status_code == 422, not_a_year
    assert (
        await client.post("/persons/x/hours-statements", content=b'{"year": 2026.0}', headers=office)
    ).status_code == 422


# ── the OpenAPI document ─────────────────────────────────────────────────────────────────────────────


async def test_every_route_answers_a_status_and_media_type_its_openapi_document_declares(certificates) -> None:
    """What schemathesis cannot reach without issued documents: each answer, found or not, as documented."""
    client, service = certificates
    learner, number = await certified(service)
    own = bearer(Role.LEARNER, learner.person_id)
    statement = (
        await client.post(f"/persons/{learner.person_id}/hours-statements", json={"year": 2026}, headers=own)
    ).json()["statement_number"]
    credential = (await client.get(f"/credentials/{number}")).json()
    status_list = path_of(credential["credentialStatus"]["statusListCredential"])
    office = bearer(Role.ADMIN, "office")
    document = (await client.get("/openapi.json")).json()

    asked = [
        ("/verify/{number}", f"/verify/{number}", {}, 200),
        ("/verify/{number}", "/verify/DX2026-HELLO", {}, 404),
        ("/verify", f"/verify?number={statement}", {}, 200),
        ("/verify", "/verify?number=", {}, 404),
        ("/certificates/verify/{number}", f"/certificates/verify/{number}", {}, 200),
        ("/certificates/verify/{number}", "/certificates/verify/DX2026-HELLO", {}, 404),
        ("/credentials/{number}", f"/credentials/{number}", {}, 200),
        ("/credentials/{number}", f"/credentials/{statement}", {}, 200),
        ("/credentials/{number}", "/credentials/DX2026-HELLO", {}, 404),
        ("/status-lists/{list_id}", status_list, {}, 200),
        ("/status-lists/{list_id}", "/status-lists/1999", {}, 404),
        ("/.well-known/did.json", "/.well-known/did.json", {}, 200),
        ("/.well-known/jwks.json", "/.well-known/jwks.json", {}, 200),
        ("/certificates/{number}/pdf", f"/certificates/{number}/pdf", own, 200),
        ("/certificates/{number}/pdf", f"/certificates/{number}/pdf", bearer(Role.LEARNER, "x"), 403),
        ("/classes/{class_id}/certificates.zip", f"/classes/{learner.class_id}/certificates.zip", office, 200),
        ("/classes/{class_id}/certificates.zip", "/classes/nope/certificates.zip", office, 404),
        ("/hours-statements/{number}", f"/hours-statements/{statement}", own, 200),
        ("/hours-statements/{number}/pdf", f"/hours-statements/{statement}/pdf", own, 200),
        ("/hours-statements/{number}/pdf", "/hours-statements/XS2026-HELLO/pdf", own, 404),
    ]
    for template, path, headers, expected in asked:
        answer = await client.get(path, headers=headers)
        media_type = answer.headers["content-type"].split(";")[0]
        responses = document["paths"][template]["get"]["responses"]
        assert answer.status_code == expected, (path, answer.status_code)
        assert media_type in responses[str(expected)].get("content", {}), (path, expected, media_type)


# ── settings ─────────────────────────────────────────────────────────────────────────────────────────


def test_production_refuses_missing_secrets_and_keys(tmp_path) -> None:
    production = {
        "environment": "production",
        "database_url": "postgresql://db/certificates",
        "jwt_secret": "x" * 40,
    }
    with pytest.raises(ValueError, match="DANGXIAO_CERTIFICATE_SECRET"):
        Settings(**production)
    with pytest.raises(ValueError, match="DANGXIAO_CERTIFICATE_SECRET"):
        Settings(**production, certificate_secret=DEVELOPMENT_CERTIFICATE_SECRET)
    with pytest.raises(ValueError, match="SIGNING_KEY_FILE"):
        Settings(**production, certificate_secret="s" * 32)
    key = tmp_path / "key.pem"
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        Settings(**production, certificate_secret="s" * 32, certificate_signing_key_file=key)
    settings = Settings(
        **production,
        certificate_secret="s" * 32,
        certificate_signing_key_file=key,
        public_base_url="https://dangxiao.example.edu",
    )
    assert settings.secret_bytes == b"s" * 32
