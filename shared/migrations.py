"""Alembic, once for every service: each service keeps its own ``migrations/`` and its own database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import UTCDateTime, async_url, is_sqlite


def upgrade(database_url: str, migrations_dir: Path) -> None:
    """Bring the database to the newest revision (at start-up or via ``python -m services.X migrate``)."""
    if is_sqlite(database_url):
        _, _, path = database_url.partition(":///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")


def run_env() -> None:
    """The body of every service's ``env.py`` (online mode, async driver)."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is set by upgrade()"

    def run(connection: Connection) -> None:
        context.configure(connection=connection, render_as_batch=is_sqlite(url))
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(async_url(url))
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run_async())


def create_messaging_tables() -> None:
    """The outbox and inbox every service keeps beside its own tables (see shared.outbox, shared.unit_of_work)."""
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("failed_at", UTCDateTime, nullable=True),
        sa.Column("failure", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_message_unpublished", "outbox_message", ["published_at", "id"])
    op.create_table(
        "inbox_record",
        sa.Column("source", sa.String(255), primary_key=True),
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("processed_at", UTCDateTime, nullable=False),
    )
