"""Identifiers a service mints for what it creates (the school's own codes are used where it has them)."""

from __future__ import annotations

import uuid


def new_id(prefix: str) -> str:
    """``class-3f2a…``: readable in logs, unique without coordination between instances."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"
