"""Each service's migrations: `python -m services.<name> migrate` builds its schema, and it can be taken down."""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from shared.cli import run
from shared.migrations import differences
from tests.support import SERVICES, migrations_of

SHARED_TABLES = {"outbox_message", "inbox_record", "parked_event", "alembic_version"}


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.mark.parametrize("service", SERVICES)
def test_the_migrate_command_builds_the_schema_and_it_can_be_taken_down_and_up_again(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / f"{service}.db"
    monkeypatch.setenv("DANGXIAO_DATABASE_URL", f"sqlite:///{database}")
    define = importlib.import_module(f"services.{service}.app").define

    run(define, ["migrate"])

    assert f"{service}: database at head" in capsys.readouterr().out
    built = tables(database)
    assert built > SHARED_TABLES, f"{service} has no tables of its own: {built}"
    config = Config()
    config.set_main_option("script_location", str(migrations_of(service)))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{database}")
    command.downgrade(config, "base")
    assert tables(database) == {"alembic_version"}
    command.upgrade(config, "head")
    assert tables(database) == built


@pytest.mark.parametrize("service", SERVICES)
async def test_the_migrations_build_exactly_what_the_models_describe(service: str, sqlite_database) -> None:
    """Autogenerate finds nothing to do on a migrated database: migrations and models agree."""
    database = await sqlite_database(service)
    assert await differences(database.url, service) == []
