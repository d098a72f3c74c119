"""Bearer tokens: signed JWTs with roles. Locally HS256 with a shared secret; a campus SSO can sign with
its own key (RS256/ES256) and dangxiao only needs the public key.

    python -m shared.auth mint --role class_manager --subject alice
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.db import utcnow
from shared.settings import ServiceSettings


class Role(StrEnum):
    ADMIN = "admin"  # the Party school's office (党校办公室)
    CLASS_MANAGER = "class_manager"  # 班主任 / 跟班管理人员: the classes that name them as managers
    TEACHER = "teacher"  # 教师或专家: the classes and sessions they teach (their subject is their teacher id)
    LEARNER = "learner"  # 学员: their own records (their subject is their person id)
    NOMINATOR = "nominator"  # a unit's 选派 contact: nominates its own people (claim "units")
    ORGANISATION_DEPARTMENT = "organisation_department"  # 组织部: reads training records, changes nothing
    INGEST = "ingest"  # an outside system that sends attendance (claim "sources")
    # A 党支部 running its own study (支部组织学习): its study classes, sessions and members (claim "units": the
    # branch ids, Party organisations of the register's tree).
    BRANCH = "branch"


STAFF = (Role.ADMIN, Role.CLASS_MANAGER, Role.TEACHER)
# A subject is recorded (who assessed, who sent); longer ones are no user id of any campus system.
MAX_SUBJECT_LENGTH = 128


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    # CloudEvents sources an outside system may send as (claim "sources"); "urn:x:door:*" covers a prefix.
    sources: tuple[str, ...] = ()
    # The units (部门/学院) a nominator speaks for, or the 党支部 a branch acts for (claim "units").
    units: tuple[str, ...] = ()

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def may_send_as(self, source: str) -> bool:
        """An admin may send for anyone; an outside system only as the sources its token names."""
        if self.has_any(Role.ADMIN):
            return True
        return any(
            source.startswith(allowed[:-1]) if allowed.endswith("*") else source == allowed for allowed in self.sources
        )

    def may_see_person(self, person_id: str) -> bool:
        """Staff see everyone; a learner only their own records (their subject is their person id)."""
        return self.has_any(*STAFF) or (self.has_any(Role.LEARNER) and self.subject == person_id)


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self._algorithm = settings.jwt_algorithm
        if self._algorithm == "HS256":
            assert settings.jwt_secret is not None  # ServiceSettings supplies one outside production
            self._key: str = settings.jwt_secret.get_secret_value()
        else:
            self._key = settings.jwt_public_key or ""
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["sub", "exp", "roles"]},
            )
        except jwt.PyJWTError as error:
            raise ValueError(f"invalid token: {error}") from error
        if len(str(claims["sub"])) > MAX_SUBJECT_LENGTH:
            raise ValueError(f"invalid token: subject longer than {MAX_SUBJECT_LENGTH} characters")
        raw_roles = claims["roles"]
        if not isinstance(raw_roles, list):
            raise ValueError("invalid token: roles must be a list")
        unknown = [role for role in raw_roles if role not in Role.__members__.values()]
        if unknown:
            raise ValueError(f"invalid token: unknown roles {unknown}")
        sources = claims.get("sources", [])
        if not isinstance(sources, list) or not all(_is_source_pattern(source) for source in sources):
            raise ValueError(
                "invalid token: sources must be CloudEvents sources, a '*' only whole after ':' or '/' "
                "(as in 'urn:dangxiao:door:*')"
            )
        units = claims.get("units", [])
        if not isinstance(units, list) or not all(isinstance(unit, str) and unit for unit in units):
            raise ValueError("invalid token: units must be a list of unit ids")
        return Principal(
            subject=str(claims["sub"]),
            roles=frozenset(Role(role) for role in raw_roles),
            sources=tuple(sources),
            units=tuple(units),
        )


def _is_source_pattern(pattern: object) -> bool:
    """``urn:a:door:*`` covers ``urn:a:door:3``; ``urn:a:do*`` would cover ``urn:a:doorbell`` too, so it is refused."""
    if not isinstance(pattern, str) or not pattern:
        return False
    stem, star, rest = pattern.partition("*")
    return not star or (not rest and stem.endswith((":", "/")))


def mint_token(
    settings: ServiceSettings,
    subject: str,
    roles: list[Role],
    ttl: timedelta = timedelta(hours=12),
    *,
    sources: list[str] | None = None,
    units: list[str] | None = None,
) -> str:
    """Local tokens only: signs with the HS256 secret (an SSO mints production tokens)."""
    if settings.jwt_algorithm != "HS256" or settings.jwt_secret is None:
        raise RuntimeError("minting needs DANGXIAO_JWT_ALGORITHM=HS256 and a DANGXIAO_JWT_SECRET")
    now = utcnow()
    claims = {
        "sub": subject,
        "roles": [role.value for role in roles],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl,
    }
    if sources:
        claims["sources"] = sources
    if units:
        claims["units"] = units
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False)


def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return verifier.verify(credentials.credentials)
    except ValueError as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error), headers={"WWW-Authenticate": "Bearer"}) from error


def require(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that lets through only principals holding one of ``roles``."""

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_any(*roles):
            wanted = ", ".join(role.value for role in roles)
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs one of the roles: {wanted}")
        return principal

    return dependency


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.auth", description="Mint a local bearer token.")
    sub = parser.add_subparsers(dest="command", required=True)
    mint = sub.add_parser("mint", help="print a signed token")
    mint.add_argument("--subject", required=True, help="user id; for a learner, their person id (工号/学号)")
    mint.add_argument("--role", action="append", required=True, choices=[role.value for role in Role])
    mint.add_argument("--ttl-hours", type=float, default=12)
    mint.add_argument(
        "--source",
        action="append",
        help="for an ingest system: a CloudEvents source it may send as (repeatable; 'urn:…:door:*' for a prefix)",
    )
    mint.add_argument(
        "--unit",
        action="append",
        help="for a nominator: a unit id it nominates for; for a branch: the 党支部 id it acts for (repeatable)",
    )
    args = parser.parse_args(argv)
    roles = [Role(r) for r in args.role]
    token = mint_token(
        ServiceSettings(), args.subject, roles, timedelta(hours=args.ttl_hours), sources=args.source, units=args.unit
    )
    print(token)


if __name__ == "__main__":
    main()


# Parameter types of routes: any signed-in principal; staff only (admin, class manager, teacher).
Authenticated = Annotated[Principal, Depends(current_principal)]
Staff = Annotated[Principal, Depends(require(*STAFF))]
