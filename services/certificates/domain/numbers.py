"""Certificate numbers (证书编号): unique, hard to guess, easy to read out and to type.

    DX2026-7KQ0M3XH9RV2
    ││ │    │         └┴ check symbols: the year and the random part mod 1021, in two base32 symbols
    ││ │    └ 10 random Crockford base32 symbols (50 bits): nobody can guess a neighbour's number
    ││ └ year of the class (培训年度)
    └┴ dangxiao

Crockford's alphabet has no I, L, O or U, so nothing reads as something else; when typed back, case is
ignored and I/L and O are read as 1 and 0. 1021 is a prime below 32², so the check symbols (plain symbols
of the same alphabet, nothing like Crockford's `*~$=U`) catch every single mistyped symbol and every swap
of two neighbouring symbols: a typo is answered without looking anything up.
"""

from __future__ import annotations

import re
from typing import Protocol

PREFIX = "DX"
SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CHECK_MODULUS = 1021
RANDOM_SYMBOLS = 10
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SHAPE = re.compile(rf"{PREFIX}(\d{{4}})([{SYMBOLS}]{{{RANDOM_SYMBOLS}}})([{SYMBOLS}]{{2}})")


class RandomSource(Protocol):
    """Where the random part comes from: ``secrets.SystemRandom()`` in service, a seeded ``Random`` in tests."""

    def getrandbits(self, k: int, /) -> int: ...


def new_certificate_number(year: int, randomness: RandomSource) -> str:
    value = randomness.getrandbits(5 * RANDOM_SYMBOLS)
    random_part = "".join(SYMBOLS[(value >> 5 * i) & 31] for i in reversed(range(RANDOM_SYMBOLS)))
    return f"{PREFIX}{year:04d}-{random_part}{_check_symbols(year, random_part)}"


def parse_certificate_number(text: str) -> str | None:
    """The number as issued, read from what someone typed; None when it cannot be a certificate number."""
    compact = text.strip().upper().replace("-", "").replace(" ", "")
    if not compact.startswith(PREFIX):
        return None
    match = _SHAPE.fullmatch(PREFIX + compact[len(PREFIX) :].translate(_READ_AS))
    if match is None:
        return None
    year, random_part, check = match.groups()
    if _check_symbols(int(year), random_part) != check:
        return None
    return f"{PREFIX}{year}-{random_part}{check}"


def _check_symbols(year: int, random_part: str) -> str:
    # The year's digits are base32 symbols too, so a swap across the hyphen is caught like any other.
    value = 0
    for symbol in f"{year:04d}{random_part}":
        value = value * 32 + SYMBOLS.index(symbol)
    check = value % CHECK_MODULUS
    return SYMBOLS[check // 32] + SYMBOLS[check % 32]
