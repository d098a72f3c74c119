"""Open Badges 3.0 credentials, checked as outsiders check them: Digital Bazaar's W3C VC libraries verify the proof
and the revocation bit (tests/unit/certificates_vc_verifier), 1EdTech's JSON Schema checks the shape."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from jsonschema import Draft201909Validator

from services.certificates.credentials import CredentialError
from services.certificates.credentials.data_integrity import OB_V3_CONTEXT, sign
from services.certificates.credentials.keys import (
    IssuerKey,
    PublicKey,
    base58btc,
    did_document,
    did_web,
    jwks,
    verification_method,
)
from services.certificates.credentials.open_badge import (
    CertificateClaim,
    PublicLinks,
    School,
    certificate_credential,
    hours_statement_credential,
    recipient_salt,
)
from services.certificates.credentials.status_list import (
    STATUS_LIST_LENGTH,
    BitstringStatusList,
    StatusListEntry,
    allocate_status_index,
    status_list_credential,
)
from services.certificates.domain.statements import RequirementStanding, annual_statement

VERIFIER = Path(__file__).parent / "certificates_vc_verifier"
CONTEXTS = Path(__file__).parents[2] / "services" / "certificates" / "credentials" / "contexts"
SECRET = b"a server secret of thirty-two bytes or more, for tests only"
HOST = "dangxiao.example.edu"
DID = did_web(HOST)
SCHOOL = School(DID, "中共上海开放大学委员会党校", "https://www.sou.edu.cn")
LINKS = PublicLinks(f"https://{HOST}")
KEY = IssuerKey("key-2026", Ed25519PrivateKey.generate())
NOW = datetime(2026, 7, 6, 2, 30, tzinfo=UTC)
CLAIM = CertificateClaim(
    number="DX2026-7KQ0M3XH9RV2",
    person_id="20260001",
    class_id="c-2026-dt-1",
    class_title="发展对象培训班（2026年第一期）",
    category_label="发展对象培训",
    criteria_narrative="结业条件：修满24学时；结业考核合格。",
    required_hours=Decimal(24),
    credited_hours=Decimal("24.5"),
    starts_on=date(2026, 7, 1),
    ends_on=date(2026, 7, 5),
    issued_at=NOW,
)
ENTRY = StatusListEntry(LINKS.status_list("2026"), 94_567)


def signed(document: dict[str, Any], key: IssuerKey = KEY) -> dict[str, Any]:
    return sign(document, key, verification_method(DID, key.key_id), NOW)


def badge(claim: CertificateClaim = CLAIM) -> dict[str, Any]:
    return signed(certificate_credential(claim, SCHOOL, LINKS, ENTRY, SECRET))


def status_list(*revoked: int) -> dict[str, Any]:
    return signed(status_list_credential(ENTRY.list_url, DID, BitstringStatusList.of_revoked(set(revoked)), NOW))


def verify(
    credential: dict[str, Any], revocations: dict[str, Any] | None = None, keys: list[PublicKey] | None = None
) -> dict[str, Any]:
    """What Digital Bazaar's verifier says, fetching the did:web document and the status list from us."""
    return run_verifier(
        credential, {DID: did_document(DID, keys or [KEY.public]), ENTRY.list_url: revocations or status_list()}
    )


def run_verifier(credential: dict[str, Any], published: dict[str, Any]) -> dict[str, Any]:
    """Digital Bazaar's verifier on ``credential``, finding ``published`` (by URL or DID) where it would fetch them
    from the network; the Open Badges context too."""
    if shutil.which("node") is None or not (VERIFIER / "node_modules").is_dir():
        pytest.fail("the VC verifier is not installed: npm ci --prefix tests/unit/certificates_vc_verifier")
    documents = {OB_V3_CONTEXT: json.loads((CONTEXTS / "ob-v3p0-context-3.0.3.json").read_text()), **published}
    completed = subprocess.run(
        ["node", str(VERIFIER / "verify.mjs")],
        input=json.dumps({"credential": credential, "documents": documents}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


@cache
def ob_schema() -> Draft201909Validator:
    schema = json.loads((VERIFIER / "ob_v3p0_achievementcredential_schema.json").read_text())
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


# ── the certificate's credential ─────────────────────────────────────────────────────────────────────


def test_a_certificate_credential_verifies_with_an_outside_library_and_is_not_revoked() -> None:
    assert verify(badge()) == {"verified": True, "revoked": False, "error": None}


def test_a_certificate_credential_is_a_valid_open_badges_3_achievement_credential() -> None:
    errors = [f"{list(error.path)}: {error.message}" for error in ob_schema().iter_errors(badge())]
    assert errors == []


def test_the_credential_says_what_the_certificate_says() -> None:
    credential = badge()
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {
        "id": "did:web:dangxiao.example.edu",
        "type": ["Profile"],
        "name": "中共上海开放大学委员会党校",
        "url": "https://www.sou.edu.cn",
    }
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["name"] == "发展对象培训班（2026年第一期）"
    assert achievement["tag"] == ["发展对象培训"]
    assert achievement["criteria"] == {"narrative": "结业条件：修满24学时；结业考核合格。"}
    assert (achievement["creditsAvailable"], subject["creditsEarned"]) == (24, 24.5)
    assert (subject["activityStartDate"], subject["activityEndDate"]) == (
        "2026-07-01T00:00:00+08:00",
        "2026-07-05T00:00:00+08:00",
    )
    assert credential["validFrom"] == "2026-07-06T02:30:00Z"
    assert credential["credentialStatus"]["statusListIndex"] == "94567"
    (proof,) = credential["proof"]
    assert (proof["cryptosuite"], proof["proofPurpose"]) == ("eddsa-rdfc-2022", "assertionMethod")
    assert proof["verificationMethod"] == "did:web:dangxiao.example.edu#key-2026"


def test_the_recipient_is_a_salted_hash_their_id_reproduces_and_nothing_in_clear() -> None:
    credential = badge()
    (identity,) = credential["credentialSubject"]["identifier"]
    salt = recipient_salt(SECRET, CLAIM.number)
    assert identity == {
        "type": "IdentityObject",
        "identityHash": "sha256$" + hashlib.sha256(("20260001" + salt).encode()).hexdigest(),
        "identityType": "identifier",
        "hashed": True,
        "salt": salt,
    }
    assert "20260001" not in json.dumps(credential)
    assert recipient_salt(SECRET, "DX2026-0000000000XX") != salt  # each credential its own salt


def test_making_the_credential_again_gives_the_same_document() -> None:
    assert certificate_credential(CLAIM, SCHOOL, LINKS, ENTRY, SECRET) == certificate_credential(
        CLAIM, SCHOOL, LINKS, ENTRY, SECRET
    )


@pytest.mark.parametrize(
    ("original", "changed"),
    [
        (b'"creditsAvailable": 24', b'"creditsAvailable": 25'),  # the class's 学时
        (b'"creditsEarned": 24.5', b'"creditsEarned": 34.5'),
        # one byte of one character of the class title: 发 (E5 8F 91) becomes 叒 (E5 8F 92)
        ('"CertificateOfCompletion", "name": "发展'.encode(), '"CertificateOfCompletion", "name": "叒展'.encode()),
        (b'"identityHash": "sha256$', b'"identityHash": "sha257$'),
        (b"2026-07-05T00:00:00", b"2026-07-06T00:00:00"),
        (b'"statusListIndex": "94567"', b'"statusListIndex": "94568"'),
        (b'"created": "2026-07-06T02:30:00Z"', b'"created": "2026-07-06T02:31:00Z"'),
    ],
)
def test_a_credential_with_one_changed_byte_fails_verification(original: bytes, changed: bytes) -> None:
    assert sum(a != b for a, b in zip(original, changed, strict=True)) == 1
    text = json.dumps(badge(), ensure_ascii=False).encode()
    assert text.count(original) == 1
    tampered = json.loads(text.replace(original, changed))
    result = verify(tampered)
    assert result["verified"] is False
    assert result["error"]


def test_a_changed_signature_byte_fails_verification() -> None:
    credential = badge()
    (proof,) = credential["proof"]
    value = proof["proofValue"]
    flipped = value[:40] + ("2" if value[40] != "2" else "3") + value[41:]
    assert verify({**credential, "proof": [{**proof, "proofValue": flipped}]})["verified"] is False


def test_a_credential_signed_by_another_key_under_our_name_fails() -> None:
    impostor = IssuerKey("key-2026", Ed25519PrivateKey.generate())
    assert (
        verify(
            badge() | {"proof": signed(certificate_credential(CLAIM, SCHOOL, LINKS, ENTRY, SECRET), impostor)["proof"]}
        )["verified"]
        is False
    )


def test_a_term_no_context_defines_is_refused_rather_than_left_unsigned() -> None:
    document = certificate_credential(CLAIM, SCHOOL, LINKS, ENTRY, SECRET)
    with pytest.raises(CredentialError, match="not defined by the credential's contexts"):
        signed({**document, "gradeLetter": "A"})


def test_only_the_bundled_contexts_are_used() -> None:
    document = certificate_credential(CLAIM, SCHOOL, LINKS, ENTRY, SECRET)
    with pytest.raises(CredentialError, match="is not one the service signs against"):
        signed({**document, "@context": [*document["@context"], "https://example.org/context.json"]})


def test_a_document_is_signed_once_and_at_a_zoned_time() -> None:
    with pytest.raises(CredentialError, match="already carries a proof"):
        signed(badge())
    with pytest.raises(CredentialError, match="time zone"):
        sign(certificate_credential(CLAIM, SCHOOL, LINKS, ENTRY, SECRET), KEY, "did:web:x#k", datetime(2026, 7, 6))


# ── revocation through the Bitstring Status List ──────────────────────────────────────────────────────


def test_revoking_flips_the_certificates_bit_and_reinstating_flips_it_back() -> None:
    credential = badge()
    revoked = BitstringStatusList.empty().with_bit(ENTRY.index, revoked=True)
    published = signed(status_list_credential(ENTRY.list_url, DID, revoked, NOW))
    assert verify(credential, published) == {"verified": True, "revoked": True, "error": None}

    reinstated = revoked.with_bit(ENTRY.index, revoked=False)
    assert reinstated == BitstringStatusList.empty()
    published = signed(status_list_credential(ENTRY.list_url, DID, reinstated, NOW))
    assert verify(credential, published) == {"verified": True, "revoked": False, "error": None}


def test_another_certificates_revocation_leaves_this_one_valid() -> None:
    assert verify(badge(), status_list(ENTRY.index - 1, ENTRY.index + 1))["revoked"] is False


def test_a_tampered_status_list_is_not_believed() -> None:
    published = status_list()
    published["credentialSubject"]["encodedList"] = BitstringStatusList.of_revoked({ENTRY.index}).encode()
    result = verify(badge(), published)
    assert result["verified"] is False
    assert "not verified" in result["error"]


def test_the_list_has_131072_bits_index_0_leftmost_gzipped_in_multibase_base64url() -> None:
    status = BitstringStatusList.of_revoked({0, 9, STATUS_LIST_LENGTH - 1})
    encoded = status.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 == STATUS_LIST_LENGTH == 131_072
    assert (bits[0], bits[1], bits[-1]) == (0b1000_0000, 0b0100_0000, 0b0000_0001)
    assert BitstringStatusList.decode(encoded) == status
    assert [status.is_set(index) for index in (0, 1, 9, STATUS_LIST_LENGTH - 1)] == [True, False, True, True]
    assert encoded == BitstringStatusList.of_revoked({9, 0, STATUS_LIST_LENGTH - 1}).encode()  # reproducible


@pytest.mark.parametrize("index", [-1, STATUS_LIST_LENGTH])
def test_an_index_outside_the_list_is_refused(index: int) -> None:
    with pytest.raises(CredentialError, match="outside the list"):
        BitstringStatusList.empty().with_bit(index, revoked=True)


def test_a_list_shorter_than_the_spec_allows_is_refused() -> None:
    with pytest.raises(CredentialError, match="at least 131072"):
        BitstringStatusList.empty(16_384)


def test_status_indexes_are_spread_reproducible_and_never_shared() -> None:
    first = allocate_status_index(SECRET, "DX2026-AAAAAAAAAAAA", set())
    assert allocate_status_index(SECRET, "DX2026-AAAAAAAAAAAA", set()) == first
    assert allocate_status_index(SECRET, "DX2026-AAAAAAAAAAAA", {first}) != first
    taken: set[int] = set()
    for n in range(2000):
        taken.add(allocate_status_index(SECRET, f"DX2026-{n:012d}", taken))
    assert len(taken) == 2000
    assert max(taken) > STATUS_LIST_LENGTH // 2  # placed at random, not counted up from 0


def test_a_nearly_full_list_still_finds_its_last_free_index_and_a_full_one_says_so() -> None:
    all_but_one = set(range(STATUS_LIST_LENGTH)) - {77_777}
    assert allocate_status_index(SECRET, "DX2026-AAAAAAAAAAAA", all_but_one) == 77_777
    with pytest.raises(CredentialError, match="no free index"):
        allocate_status_index(SECRET, "DX2026-AAAAAAAAAAAA", all_but_one | {77_777})


# ── the school's keys, published ──────────────────────────────────────────────────────────────────────


def test_the_did_document_publishes_every_key_for_assertions() -> None:
    retired = IssuerKey("key-2025", Ed25519PrivateKey.generate())
    document = did_document(DID, [retired.public, KEY.public])
    assert document["id"] == "did:web:dangxiao.example.edu"
    assert document["assertionMethod"] == [
        "did:web:dangxiao.example.edu#key-2025",
        "did:web:dangxiao.example.edu#key-2026",
    ]
    method = document["verificationMethod"][1]
    assert method["type"] == "Multikey"
    assert method["controller"] == DID
    assert method["publicKeyMultibase"].startswith("z6Mk")  # an Ed25519 Multikey


def test_a_credential_signed_with_a_retired_key_verifies_while_the_key_is_published() -> None:
    retired = IssuerKey("key-2025", Ed25519PrivateKey.generate())
    credential = signed(certificate_credential(CLAIM, SCHOOL, LINKS, ENTRY, SECRET), retired)
    assert verify(credential, keys=[retired.public, KEY.public])["verified"] is True
    assert verify(credential, keys=[KEY.public])["verified"] is False


def test_the_jwks_carries_the_same_public_key() -> None:
    (jwk,) = jwks(DID, [KEY.public])["keys"]
    assert jwk | {"x": None} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": None,
        "kid": "did:web:dangxiao.example.edu#key-2026",
        "alg": "EdDSA",
        "use": "sig",
    }
    assert base64.urlsafe_b64decode(jwk["x"] + "=") == KEY.public.raw
    assert "d" not in jwk  # never the private half


def test_did_web_encodes_a_port_and_refuses_a_path() -> None:
    assert did_web("localhost:8004") == "did:web:localhost%3A8004"
    with pytest.raises(CredentialError, match="bare host"):
        did_web("example.edu/dangxiao")


def test_a_key_is_read_from_pem_and_must_be_ed25519() -> None:
    pem = KEY.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    assert IssuerKey.from_pem("key-2026", pem).public.raw == KEY.public.raw
    ec_pem = generate_private_key(SECP256R1()).private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    with pytest.raises(CredentialError, match="must be an Ed25519 key"):
        IssuerKey.from_pem("key-2026", ec_pem)


def test_base58btc_keeps_leading_zero_bytes() -> None:
    assert base58btc(b"\0\0\x01") == "112"
    assert base58btc(b"hello world") == "StV1DL6CwTryKyV"


# ── the annual 学时 statement's credential ──────────────────────────────────────────────────────────────


def test_an_annual_hours_statement_credential_verifies_and_is_a_valid_achievement_credential() -> None:
    statement = annual_statement(
        number="XS2026-7KQ0M3XH9RV2",
        person_id="20260001",
        holder_name="张三",
        year=2026,
        by_channel={"offline": Decimal(30), "online": Decimal("12.5")},
        by_category={"发展对象培训": Decimal(24)},
        requirements=[RequirementStanding("党员每年集中学习培训不少于32学时", Decimal(32), True, "42.5 of 32 学时")],
        issued_at=NOW,
    )
    credential = signed(hours_statement_credential(statement, SCHOOL, LINKS, SECRET))
    # A statement of figures as of a day: nothing to revoke, so no status entry for the verifier to check.
    assert verify(credential) == {"verified": True, "revoked": None, "error": None}
    assert "credentialStatus" not in credential
    assert [f"{list(e.path)}: {e.message}" for e in ob_schema().iter_errors(credential)] == []
    subject = credential["credentialSubject"]
    assert subject["creditsEarned"] == 42.5
    assert subject["achievement"]["creditsAvailable"] == 32
    names = {d["id"]: d["name"] for d in subject["achievement"]["resultDescription"]}
    assert {names[r["resultDescription"]]: r["value"] for r in subject["result"]} == {
        "集中学习学时": "30",
        "网络学习学时": "12.5",
        "发展对象培训学时": "24",
        "班级外自主学习学时": "18.5",
    }
    assert (
        credential["description"] == "2026年度累计42.5学时，已达到“党员每年集中学习培训不少于32学时”（32学时）的要求。"
    )
    assert "20260001" not in json.dumps(credential) and "张三" not in json.dumps(credential, ensure_ascii=False)
