"""Numbers of certificates (证书编号) and of annual 学时 statements (学时证明编号): unguessable, yet the same every
time they are derived from the same cause, easy to read out and to type.

    DX2026-7KQ0M3XH9RV2
    ││ │    │         └┴ check symbols: the year and the random part mod 1021, in two base32 symbols
    ││ │    └ 10 Crockford base32 symbols (50 bits) from an HMAC of the cause: nobody can guess a neighbour's number
    ││ └ year of the class (培训年度), or of the 学时 statement
    └┴ DX for a certificate (dangxiao), XS for an annual 学时 statement (学时证明)

The random part is HMAC-SHA256 under a server secret of what the number is for (the learner, the class and which
of the learner's certificates for it; or the learner, the year and which statement): a rebuild from the event log
derives the same numbers, and without the secret nobody can derive any.

Crockford's alphabet has no I, L, O or U, so nothing reads as something else; when typed back, case is
ignored and I/L and O are read as 1 and 0. 1021 is a prime below 32², so the check symbols (plain symbols
of the same alphabet, nothing like Crockford's `*~$=U`) catch every single mistyped symbol and every swap
of two neighbouring symbols: a typo is answered without looking anything up. The two prefixes differ in both
letters, so no single typo or swap turns one kind of number into the other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from enum import StrEnum

SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CHECK_MODULUS = 1021
RANDOM_SYMBOLS = 10
MIN_SECRET_BYTES = 32
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


class NumberError(ValueError):
    """A number that cannot be derived as asked; the message says why."""


class NumberKind(StrEnum):
    CERTIFICATE = "DX"  # 结业证书
    HOURS_STATEMENT = "XS"  # 年度学时证明


_SHAPE = re.compile(rf"({'|'.join(NumberKind)})(\d{{4}})([{SYMBOLS}]{{{RANDOM_SYMBOLS}}})([{SYMBOLS}]{{2}})")


@dataclass(frozen=True)
class DocumentNumber:
    kind: NumberKind
    year: int
    text: str  # as issued, e.g. DX2026-7KQ0M3XH9RV2

    def __str__(self) -> str:
        return self.text


def certificate_number(secret: bytes, *, person_id: str, class_id: str, year: int, ordinal: int = 0) -> str:
    """The number of a learner's certificate for a class; ``ordinal`` counts re-issues (0 for the first)."""
    return _derive(secret, NumberKind.CERTIFICATE, year, ["certificate", person_id, class_id, ordinal])


def hours_statement_number(secret: bytes, *, person_id: str, year: int, ordinal: int = 0) -> str:
    """The number of a person's annual 学时 statement; ``ordinal`` counts the statements they requested that year."""
    return _derive(secret, NumberKind.HOURS_STATEMENT, year, ["hours-statement", person_id, year, ordinal])


def parse_number(text: str) -> DocumentNumber | None:
    """The number as issued, read from what someone typed; None when it cannot be a number of either kind."""
    compact = text.strip().upper().replace("-", "").replace(" ", "")
    match = _SHAPE.fullmatch(compact[:2] + compact[2:].translate(_READ_AS))
    if match is None:
        return None
    prefix, year, random_part, check = match.groups()
    if _check_symbols(int(year), random_part) != check:
        return None
    return DocumentNumber(NumberKind(prefix), int(year), f"{prefix}{year}-{random_part}{check}")


def _derive(secret: bytes, kind: NumberKind, year: int, cause: list[str | int]) -> str:
    if len(secret) < MIN_SECRET_BYTES:
        raise NumberError(f"the number secret must have at least {MIN_SECRET_BYTES} bytes, got {len(secret)}")
    if not 0 <= year <= 9999:
        raise NumberError(f"a number's year has four digits, got {year}")
    if any(isinstance(part, int) and part < 0 for part in cause):
        raise NumberError(f"an ordinal counts from 0, got {cause}")
    # JSON keeps the parts of the cause apart, whatever characters an id holds.
    digest = hmac.new(secret, json.dumps(cause).encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:8]) >> (64 - 5 * RANDOM_SYMBOLS)
    random_part = "".join(SYMBOLS[(value >> 5 * i) & 31] for i in reversed(range(RANDOM_SYMBOLS)))
    return f"{kind}{year:04d}-{random_part}{_check_symbols(year, random_part)}"


def _check_symbols(year: int, random_part: str) -> str:
    # The year's digits are base32 symbols too, so a swap across the hyphen is caught like any other.
    value = 0
    for symbol in f"{year:04d}{random_part}":
        value = value * 32 + SYMBOLS.index(symbol)
    check = value % CHECK_MODULUS
    return SYMBOLS[check // 32] + SYMBOLS[check % 32]
