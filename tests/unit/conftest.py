from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from shared.db import Database
from tests.support import migrated_database

MigratedDatabase = Callable[[str], Awaitable[Database]]


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[MigratedDatabase]:
    """``await sqlite_database("hours")``: a fresh SQLite database at that service's newest migration."""
    opened: list[Database] = []

    async def open_database(service: str) -> Database:
        database = await migrated_database(f"sqlite:///{tmp_path / service}.db", service)
        opened.append(database)
        return database

    yield open_database
    for database in opened:
        await database.dispose()
