"""Projections of others' reference data, kept one way in every service.

A service that needs another's persons, classes or sessions keeps a table of the fields its rules need, fed by
that entity's state-carrying events (``StateEvent``): a newer version overwrites, an older one is ignored, and a
state that refers to something not yet known (a session of an unknown class) is parked until that arrives.
Events of the service's own that refer to projected entities (an attendance for a session) park the same way,
on ``Projections.missing``. Rebuilding a projection is replaying its topic.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import JSON, select
from sqlmodel import SQLModel

from shared.consumer import Delivery, EventHandlers, Outcome
from shared.db import KEYS_PER_QUERY, execute, table_of, upsert_many
from shared.events.contracts.common import StateEvent
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)
S = TypeVar("S", bound=StateEvent)


def reference(entity: str, key: str) -> str:
    """How one entity is named when something waits for it: ``session:2026-FZDX-01-01``."""
    return f"{entity}:{key}"


def _no_references(_: Any) -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Projection(Generic[S]):
    """A local table kept from the state events of one kind of entity.

    The table's primary key is the event's key field and it has a ``version`` column; every other column takes
    the event field of the same name, unless ``computed`` derives it. ``requires`` names what must be known before
    a state can be kept (its references); ``on_change`` runs after the newer states of a batch were kept.
    """

    event: type[S]
    table: type[SQLModel]
    requires: Callable[[S], Iterable[str]] = _no_references
    computed: Mapping[str, Callable[[S], Any]] = field(default_factory=dict)
    on_change: Callable[[UnitOfWork, Sequence[Delivery[S]]], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        columns = table_of(self.table).columns
        key = self.event.key_field
        if [column.name for column in columns if column.primary_key] != [key] or "version" not in columns:
            raise TypeError(f"{self.table.__name__} must have the primary key {key!r} and a 'version' column")

    @property
    def entity(self) -> str:
        return self.event.entity

    def row(self, state: S) -> dict[str, Any]:
        as_json: dict[str, Any] | None = None
        row: dict[str, Any] = {}
        for column in table_of(self.table).columns:
            if column.name in self.computed:
                row[column.name] = self.computed[column.name](state)
            elif isinstance(column.type, JSON):
                as_json = as_json or state.model_dump(mode="json")
                row[column.name] = as_json[column.name]
            else:
                row[column.name] = getattr(state, column.name)
        return row


class Projections:
    """The projections one service keeps, installed as the handlers of their events."""

    def __init__(self, *projections: Projection[Any]) -> None:
        self._by_entity = {projection.entity: projection for projection in projections}

    def install(self, handlers: EventHandlers) -> None:
        for projection in self._by_entity.values():
            handlers.on_batch(projection.event)(self._keeper(projection))

    async def missing(self, uow: UnitOfWork, references: Iterable[str]) -> set[str]:
        """Which of ``references`` (``entity:key``) are not known yet.

        Locks each name first, so that an event parked on a reference and the state that releases it take turns.
        """
        wanted = set(references)
        if not wanted:
            return set()
        await uow.lock(*wanted)
        by_entity: dict[str, list[str]] = {}
        for name in wanted:
            entity, _, key = name.partition(":")
            by_entity.setdefault(entity, []).append(key)
        known: set[str] = set()
        for entity, keys in by_entity.items():
            stored = await _stored_versions(uow, self._by_entity[entity], keys)
            known.update(reference(entity, key) for key in stored)
        return wanted - known

    def _keeper(
        self, projection: Projection[S]
    ) -> Callable[[UnitOfWork, Sequence[Delivery[S]]], Awaitable[list[Outcome]]]:
        async def keep(uow: UnitOfWork, deliveries: Sequence[Delivery[S]]) -> list[Outcome]:
            entity = projection.entity
            required = {name for delivery in deliveries for name in projection.requires(delivery.data)}
            # The states kept here release what waits for them: both take turns with whoever parks on them.
            await uow.lock(*(reference(entity, delivery.data.key()) for delivery in deliveries), *required)
            newest = await _stored_versions(uow, projection, [delivery.data.key() for delivery in deliveries])
            lacking = await self.missing(uow, required)
            outcomes: list[Outcome] = []
            kept: list[Delivery[S]] = []
            for delivery in deliveries:
                state, key = delivery.data, delivery.data.key()
                if state.version <= newest.get(key, 0):
                    outcomes.append(Outcome.IGNORED)  # older than (or as old as) what is kept
                    continue
                waiting_for = set(projection.requires(state)) & lacking
                if waiting_for:
                    await uow.park(delivery.event, waiting_for)
                    outcomes.append(Outcome.PARKED)
                    continue
                newest[key] = state.version
                kept.append(delivery)
                outcomes.append(Outcome.APPLIED)
            await upsert_many(
                uow.session,
                table_of(projection.table),
                [projection.row(delivery.data) for delivery in kept],
                key=[projection.event.key_field],
                newer_by="version",
            )
            uow.release(reference(entity, delivery.data.key()) for delivery in kept)
            if kept and projection.on_change is not None:
                await projection.on_change(uow, kept)
            return outcomes

        return keep


async def _stored_versions(uow: UnitOfWork, projection: Projection[Any], keys: Sequence[str]) -> dict[str, int]:
    table = table_of(projection.table)
    key_column = table.c[projection.event.key_field]
    versions: dict[str, int] = {}
    unique_keys = list(dict.fromkeys(keys))
    for start in range(0, len(unique_keys), KEYS_PER_QUERY):
        chunk = unique_keys[start : start + KEYS_PER_QUERY]
        rows = await execute(uow.session, select(key_column, table.c.version).where(key_column.in_(chunk)))
        versions.update({key: version for key, version in rows})
    return versions
