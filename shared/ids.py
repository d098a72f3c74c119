"""Identifiers a service mints for what it creates (the school's own codes are used where it has them)."""

from __future__ import annotations

import hashlib
import uuid


def new_id(prefix: str) -> str:
    """``class-3f2a…``: readable in logs, unique without coordination between instances."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def derived_uuid(namespace: uuid.UUID, name: str) -> str:
    """``str(uuid.uuid5(namespace, name))``, computed without building UUID objects (it is on the hot path)."""
    digest = bytearray(hashlib.sha1(namespace.bytes + name.encode(), usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
