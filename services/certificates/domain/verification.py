"""What anyone may learn from a number (证书查验): valid, revoked (and when), or unknown; the holder's name masked
(张*), the class or the statement, its 学时 and dates. Nothing else: no person id, no unit, no revocation reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.certificates.domain.numbers import DocumentNumber, NumberKind


class VerificationError(ValueError):
    """What cannot be shown to the public; the message says why."""


class VerificationStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # a well-formed number no certificate or statement has
    MISTYPED = "mistyped"  # the check symbols do not match: a typo, caught before any lookup


@dataclass(frozen=True)
class IssuedDocument:
    """A certificate or an annual 学时 statement, as the verification shows it."""

    holder_name: str
    title: str  # the class's title, or e.g. 2026年度学时证明
    hours: Decimal  # 学时
    starts_on: date
    ends_on: date
    issued_on: date
    revoked_on: date | None = None


@dataclass(frozen=True)
class PublicVerification:
    status: VerificationStatus
    number: str  # as issued, or as typed when it cannot be a number
    kind: NumberKind | None = None
    masked_name: str | None = None
    title: str | None = None
    hours: Decimal | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    issued_on: date | None = None
    revoked_on: date | None = None


def mask_name(name: str) -> str:
    """The first character and one asterisk, whatever the name's length: 张三 and 欧阳修 become 张* and 欧*."""
    name = name.strip()
    if not name:
        raise VerificationError("a holder's name cannot be empty")
    return name[0] + "*"


def mistyped(typed: str) -> PublicVerification:
    """The answer to a number whose check symbols do not match (``parse_number`` gave None): no lookup needed."""
    return PublicVerification(VerificationStatus.MISTYPED, typed.strip())


def public_verification(number: DocumentNumber, issued: IssuedDocument | None) -> PublicVerification:
    """What the public sees of the document ``number`` was issued as; ``issued`` is None when nothing was."""
    if issued is None:
        return PublicVerification(VerificationStatus.UNKNOWN, number.text, number.kind)
    return PublicVerification(
        VerificationStatus.VALID if issued.revoked_on is None else VerificationStatus.REVOKED,
        number.text,
        number.kind,
        masked_name=mask_name(issued.holder_name),
        title=issued.title,
        hours=issued.hours,
        starts_on=issued.starts_on,
        ends_on=issued.ends_on,
        issued_on=issued.issued_on,
        revoked_on=issued.revoked_on,
    )
