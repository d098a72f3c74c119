from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from shared.db import Database
from tests.support import migrated_database

MigratedDatabase = Callable[[str], Awaitable[Database]]
ServiceApi = Callable[[str], Awaitable[tuple[httpx.AsyncClient, Database]]]


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


@pytest.fixture
async def service_api(sqlite_database: MigratedDatabase) -> AsyncIterator[ServiceApi]:
    """``client, database = await service_api("hours")``: that service's HTTP API on a fresh migrated SQLite
    database. No broker: the lifespan does not run, so nothing is consumed or relayed (the outbox is only read)."""
    async with AsyncExitStack() as cleanup:

        async def open_api(service: str) -> tuple[httpx.AsyncClient, Database]:
            database = await sqlite_database(service)
            app = importlib.import_module(f"services.{service}.app").app
            settings = importlib.import_module(f"services.{service}.settings").Settings
            application = app(settings(database_url=database.url))
            cleanup.push_async_callback(application.state.runtime.database.dispose)
            transport = httpx.ASGITransport(app=application)
            client = httpx.AsyncClient(transport=transport, base_url=f"http://{service}")
            return await cleanup.enter_async_context(client), database

        yield open_api
