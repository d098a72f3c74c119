"""Database wiring: one async engine per service, SQLite embedded by default, PostgreSQL by URL."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnElement,
    DateTime,
    RowMapping,
    Table,
    and_,
    bindparam,
    event,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}


def async_url(url: str) -> str:
    """Accept plain ``sqlite:///…`` and ``postgresql://…`` URLs and pick the async driver."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    return f"{ASYNC_DRIVERS.get(scheme, scheme)}://{rest}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the consumer writes; the busy timeout makes writers queue, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        if is_sqlite(url):
            self.engine: AsyncEngine = create_async_engine(async_url(url), connect_args={"timeout": 30})
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_async_engine(async_url(url), pool_pre_ping=True, pool_size=10, max_overflow=10)
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @property
    def is_postgresql(self) -> bool:
        return not is_sqlite(self.url)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def execute(session: AsyncSession, statement: Executable, parameters: Any = None) -> Result[*tuple[Any, ...]]:
    """Run a Core statement in the session's transaction (SQLModel's ``session.exec`` is for ORM selects)."""
    connection = await session.connection()
    return await connection.execute(statement, parameters)


def _dialect(session: AsyncSession) -> str:
    bind = session.bind
    assert bind is not None  # every session of a Database is bound to its engine
    return bind.dialect.name


async def insert_many(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]], *, skip_existing: bool = False
) -> None:
    """Insert ``rows`` (all with the same columns) in one statement, in their order; with ``skip_existing``, a row
    whose key is taken already is left out instead of failing the statement."""
    if not rows:
        return
    if _dialect(session) == "postgresql":
        await _postgresql_insert(session, table, rows, "ON CONFLICT DO NOTHING" if skip_existing else "")
    else:
        statement = sqlite.insert(table)
        await execute(session, statement.on_conflict_do_nothing() if skip_existing else statement, list(rows))


async def upsert_many(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    newer_by: str | None = None,
) -> None:
    """Insert ``rows``, or overwrite the row with the same ``key``; with ``newer_by``, only where the incoming
    value of that column is greater (a stale state never overwrites a newer one). One statement on both backends.

    Rows with the same key in one call: the last one wins (earlier ones are dropped here, as one INSERT may not
    touch a row twice).
    """
    if not rows:
        return
    latest = list({tuple(row[column] for column in key): row for row in rows}.values())
    updated = [name for name in latest[0] if name not in key]
    if _dialect(session) == "postgresql":
        assignments = ", ".join(f"{name} = EXCLUDED.{name}" for name in updated)
        condition = f" WHERE {table.name}.{newer_by} < EXCLUDED.{newer_by}" if newer_by else ""
        await _postgresql_insert(
            session, table, latest, f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {assignments}{condition}"
        )
    else:
        statement = sqlite.insert(table)
        await execute(
            session,
            statement.on_conflict_do_update(
                index_elements=list(key),
                set_={name: statement.excluded[name] for name in updated},
                where=table.c[newer_by] < statement.excluded[newer_by] if newer_by else None,
            ),
            latest,
        )


async def _postgresql_insert(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]], on_conflict: str
) -> None:
    """One array per column, unnested into rows: asyncpg encodes the arrays in bulk, and the statement is the same
    for any number of rows (prepared once). SQLAlchemy's executemany builds every row's parameters in Python,
    several times slower on the hot path."""
    columns = list(rows[0])
    arrays = [_column_values(table.c[name], [row[name] for row in rows]) for name in columns]
    casts = ", ".join(f"${position}::{_pg_array_type(table.c[name])}" for position, name in enumerate(columns, 1))
    # Every name comes from our own table metadata, never from input.
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({casts}) {on_conflict}"  # noqa: S608
    connection = await (await session.connection()).get_raw_connection()
    driver = connection.driver_connection
    assert driver is not None  # a live asyncpg connection while the session holds it
    await driver.execute(statement, *arrays)


def _pg_array_type(column: ColumnElement[Any]) -> str:
    array_type: str = column.type.compile(dialect=_POSTGRESQL) + "[]"
    return array_type


def _column_values(column: ColumnElement[Any], values: list[Any]) -> list[Any]:
    if isinstance(column.type, JSON):
        return [None if value is None else json.dumps(value, ensure_ascii=False) for value in values]
    return values


_POSTGRESQL = postgresql.dialect()  # type: ignore[no-untyped-call]


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel table class (for bulk statements, which skip the ORM's per-object work)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


# Keys looked up per statement: SQLite allows some 32,000 parameters per statement.
KEYS_PER_QUERY = 2000


async def rows_matching(
    session: AsyncSession,
    table: Table,
    key_columns: Sequence[str],
    keys: Iterable[Sequence[Any]],
    columns: Sequence[str] | None = None,
) -> list[RowMapping]:
    """The rows of ``table`` whose ``key_columns`` equal one of ``keys`` (a whole batch's worth in one statement).

    PostgreSQL joins the table with the keys unnested from one array per column, which uses the index however
    many keys there are; a list of row values would be planned as a long OR. SQLite compares row values.
    """
    wanted = list(dict.fromkeys(tuple(key) for key in keys))
    selected = [table.c[name] for name in columns] if columns else [table]
    found: list[RowMapping] = []
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        chunk = wanted[start : start + KEYS_PER_QUERY]
        if _dialect(session) == "postgresql":
            names = [f"k{position}" for position in range(len(key_columns))]
            arrays = [
                bindparam(name, [key[position] for key in chunk], type_=ARRAY(table.c[column].type))
                for position, (name, column) in enumerate(zip(names, key_columns, strict=True))
            ]
            keyset = func.unnest(*arrays).table_valued(*names).render_derived(name="keyset")
            condition = and_(
                *(table.c[column] == keyset.c[name] for name, column in zip(names, key_columns, strict=True))
            )
            statement = select(*selected).select_from(table.join(keyset, condition))
        else:
            statement = select(*selected).where(tuple_(*(table.c[column] for column in key_columns)).in_(chunk))
        found.extend((await execute(session, statement)).mappings().all())
    return found
