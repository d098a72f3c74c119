from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from shared.auth import Principal, Role, TokenVerifier, mint_token
from shared.settings import DEVELOPMENT_JWT_SECRET, ServiceSettings


def test_development_gets_a_local_secret_and_an_embedded_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DANGXIAO_JWT_SECRET", raising=False)
    settings = ServiceSettings(service_name="hours")
    assert settings.jwt_secret is not None
    assert settings.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET
    assert settings.resolved_database_url == "sqlite:///.data/hours.db"
    assert settings.consumer_group == "dangxiao-hours"


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({}, "DANGXIAO_DATABASE_URL"),
        ({"database_url": "postgresql://db/hours"}, "DANGXIAO_JWT_SECRET"),
        ({"database_url": "postgresql://db/hours", "jwt_secret": DEVELOPMENT_JWT_SECRET}, "DANGXIAO_JWT_SECRET"),
        ({"database_url": "postgresql://db/hours", "jwt_secret": "short"}, "32+"),
        ({"database_url": "postgresql://db/hours", "jwt_algorithm": "RS256"}, "DANGXIAO_JWT_PUBLIC_KEY"),
    ],
)
def test_production_refuses_to_start_on_defaults(overrides: dict[str, str], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        ServiceSettings(environment="production", **overrides)  # type: ignore[arg-type]


def test_production_starts_with_its_own_secret() -> None:
    settings = ServiceSettings(environment="production", database_url="postgresql://db/x", jwt_secret="s" * 40)  # type: ignore[arg-type]
    assert settings.jwt_secret is not None and settings.jwt_secret.get_secret_value() == "s" * 40


def test_a_minted_token_verifies_to_its_subject_and_roles() -> None:
    settings = ServiceSettings()
    token = mint_token(settings, "20260001", [Role.LEARNER])
    principal = TokenVerifier(settings).verify(token)
    assert principal == Principal(subject="20260001", roles=frozenset({Role.LEARNER}))
    assert principal.may_see_person("20260001") and not principal.may_see_person("20260002")
    assert Principal("t1", frozenset({Role.TEACHER})).may_see_person("20260002")
    # An outside system whose id happens to be a person id sees nobody's records.
    assert not Principal("20260001", frozenset({Role.INGEST})).may_see_person("20260001")


def test_a_branch_token_carries_the_party_branches_it_acts_for_and_is_no_staff() -> None:
    settings = ServiceSettings()
    token = mint_token(settings, "marx-b1-secretary", [Role.BRANCH], units=["MARX-B1", "MARX-B2"])
    principal = TokenVerifier(settings).verify(token)
    assert principal == Principal(
        subject="marx-b1-secretary", roles=frozenset({Role.BRANCH}), units=("MARX-B1", "MARX-B2")
    )
    # A branch sees its members through the register's own scoping, not as staff who see everyone.
    assert not principal.may_see_person("20260001")


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        (lambda s: mint_token(s, "a", [Role.ADMIN], ttl=timedelta(seconds=-1)), "expired"),
        (
            lambda s: mint_token(ServiceSettings(jwt_secret="another-secret-entirely-1234567890"), "a", [Role.ADMIN]),  # type: ignore[arg-type]
            "Signature",
        ),
        (
            lambda s: jwt.encode(
                {"sub": "a", "exp": 4102444800, "iss": "dangxiao", "aud": "dangxiao", "roles": ["root"]},
                DEVELOPMENT_JWT_SECRET,
                algorithm="HS256",
            ),
            "unknown roles",
        ),
        (
            lambda s: jwt.encode(
                {"sub": "a", "exp": 4102444800, "iss": "dangxiao", "aud": "dangxiao"},
                DEVELOPMENT_JWT_SECRET,
                algorithm="HS256",
            ),
            "roles",
        ),
        (lambda s: "not.a.token", "invalid token"),
        (lambda s: mint_token(s, "x" * 129, [Role.TEACHER]), "subject longer than 128"),
    ],
)
def test_bad_tokens_are_refused_with_the_reason(make_token, reason: str) -> None:  # type: ignore[no-untyped-def]
    settings = ServiceSettings()
    with pytest.raises(ValueError, match=reason):
        TokenVerifier(settings).verify(make_token(settings))


def test_tokens_of_a_campus_sso_verify_with_its_public_key_alone() -> None:
    sso_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        sso_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = ServiceSettings(
        environment="production",
        database_url="postgresql://db/x",
        jwt_algorithm="RS256",  # type: ignore[arg-type]
        jwt_public_key=public_pem,
        jwt_issuer="https://sso.example.edu.cn",
    )
    claims = {
        "sub": "t-007",
        "roles": ["teacher"],
        "iss": "https://sso.example.edu.cn",
        "aud": "dangxiao",
        "exp": 4102444800,
    }
    verifier = TokenVerifier(settings)
    assert verifier.verify(jwt.encode(claims, sso_key, algorithm="RS256")).roles == frozenset({Role.TEACHER})
    # A token signed with the shared development secret is no good once the SSO's key is configured.
    with pytest.raises(ValueError, match="invalid token"):
        verifier.verify(jwt.encode(claims, DEVELOPMENT_JWT_SECRET, algorithm="HS256"))


def test_an_outside_system_may_send_only_as_the_sources_its_token_names() -> None:
    settings = ServiceSettings()
    token = mint_token(settings, "door-gateway", [Role.INGEST], sources=["urn:dangxiao:door:*", "urn:shou:tablet"])
    gateway = TokenVerifier(settings).verify(token)

    assert gateway.may_send_as("urn:dangxiao:door:building-3")
    assert gateway.may_send_as("urn:shou:tablet")
    assert not gateway.may_send_as("urn:shou:tablet:2")
    assert not gateway.may_send_as("urn:dangxiao:elearning")
    assert not TokenVerifier(settings).verify(mint_token(settings, "p", [Role.INGEST])).may_send_as("urn:x")
    assert Principal("a1", frozenset({Role.ADMIN})).may_send_as("urn:anything")


@pytest.mark.parametrize("pattern", ["*", "urn:dangxiao:do*", "urn:*:door", ""])
def test_a_source_pattern_must_not_cover_more_than_it_appears_to(pattern: str) -> None:
    settings = ServiceSettings()
    token = mint_token(settings, "door-gateway", [Role.INGEST], sources=[pattern] if pattern else [""])
    with pytest.raises(ValueError, match="sources must be CloudEvents sources"):
        TokenVerifier(settings).verify(token)
