from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import CreateDatabase
from tests.e2e.system import ServiceProcess, System, free_port, service_environment
from tests.support import SERVICES, unique

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
async def system(
    request: pytest.FixtureRequest,
    kafka_bootstrap: str,
    create_postgres_database: CreateDatabase,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[System]:
    """All four services as processes on the real broker, on PostgreSQL or on their embedded SQLite."""
    backend: str = request.param
    workdir: Path = tmp_path_factory.mktemp(f"system-{backend}")
    group_suffix = unique(backend)
    system = System()
    for name in SERVICES:
        database_url = (
            await create_postgres_database(name) if backend == "postgresql" else f"sqlite:///{workdir / name}.db"
        )
        system.services[name] = ServiceProcess(
            name=name,
            port=free_port(),
            env=service_environment(
                name, kafka_bootstrap=kafka_bootstrap, database_url=database_url, group_suffix=group_suffix
            ),
            log_path=workdir / f"{name}.log",
        )
    try:
        await system.start()
        yield system
    finally:
        system.stop()
