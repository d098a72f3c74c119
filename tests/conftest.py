"""Real infrastructure for integration and end-to-end tests: `./dev test` starts a Kafka broker and a
PostgreSQL cluster and names them in DANGXIAO_TEST_KAFKA_BOOTSTRAP and DANGXIAO_TEST_POSTGRES_URL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from tests.support import unique

CreateDatabase = Callable[[str], Awaitable[str]]


def _infrastructure(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        pytest.fail(f"{variable} is not set: run the suite with ./dev test, which starts Kafka and PostgreSQL")
    return value


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return _infrastructure("DANGXIAO_TEST_KAFKA_BOOTSTRAP")


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    return _infrastructure("DANGXIAO_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
async def create_postgres_database(postgres_admin_url: str) -> AsyncIterator[CreateDatabase]:
    """``await create_postgres_database("hours")``: the URL of a new, empty database (dropped afterwards)."""
    created: list[str] = []

    async def create(prefix: str) -> str:
        name = unique(f"test_{prefix}").replace("-", "_")
        connection = await asyncpg.connect(postgres_admin_url)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        created.append(name)
        return postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"

    yield create
    connection = await asyncpg.connect(postgres_admin_url)
    try:
        for name in created:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
