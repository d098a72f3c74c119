"""What every service process is made of: settings, database, broker, outbox relay, consumers, HTTP app."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Concatenate, Literal, ParamSpec, TypeVar

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from faststream.specification import AsyncAPI
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from shared.auth import TokenVerifier
from shared.broker import Publishers, create_broker, dead_letter_sender, ensure_topics, subscribe
from shared.consumer import DeadLetters, EventConsumer, EventHandlers
from shared.db import Database
from shared.errors import documented_openapi, install_error_handlers
from shared.events.contracts import contracts_on
from shared.events.envelope import EventData, current_correlation_id
from shared.http import RequestGuard
from shared.logging import configure_logging, get_logger
from shared.metrics import REGISTRY
from shared.migrations import upgrade
from shared.outbox import OutboxRelay
from shared.settings import ServiceSettings
from shared.unit_of_work import UnitOfWork, observe_parking

log = get_logger(__name__)
PARKING_OBSERVATION_SECONDS = 15
P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class ServiceDefinition:
    title: str
    description: str
    settings: ServiceSettings
    migrations_dir: Path
    # topic -> the event types documented on it (the attendance topic's name is configurable)
    produces: Mapping[str, Sequence[type[EventData]]] = field(default_factory=dict)
    # topic -> what this service does with it (for the AsyncAPI document)
    consumes: Mapping[str, str] = field(default_factory=dict)
    handlers: EventHandlers | None = None
    routers: Sequence[APIRouter] = ()
    # Warnings about how it is configured, logged once it starts (its logging is configured by then).
    cautions: Sequence[str] = ()
    # What the service keeps that no topic holds (entered through its API), so that replaying its input topics
    # cannot give it back: `rebuild` refuses, naming it. None: every table derives from the topics it consumes.
    keeps_first_hand: str | None = None


def produced_by(*topics: str) -> dict[str, Sequence[type[EventData]]]:
    return {topic: tuple(contracts_on(topic).values()) for topic in topics}


class ServiceRuntime:
    def __init__(self, definition: ServiceDefinition) -> None:
        self.definition = definition
        self.settings = settings = definition.settings
        self.name = settings.service_name
        self.source = f"urn:dangxiao:{self.name}"
        self.database = Database(settings.resolved_database_url)
        self.broker = create_broker(settings)
        self.publishers = Publishers(self.broker, definition.produces, settings)
        self.relay = OutboxRelay(
            self.database, self.publishers.send, self.name, settings.outbox_poll_seconds, settings.outbox_batch_size
        )
        self.consumer = self.event_consumer(dead_letter_sender(self.broker, self.name))
        if self.consumer is not None:
            subscribe(
                self.broker,
                self.consumer,
                definition.consumes,
                settings.consumer_group,
                max_records=settings.consumer_batch_size,
            )
        self._tasks: list[asyncio.Task[None]] = []

    def event_consumer(self, dead_letters: DeadLetters) -> EventConsumer | None:
        """The service's consumer path (None for a service that consumes nothing); live and rebuild share it."""
        if self.definition.handlers is None:
            return None
        return EventConsumer(
            service=self.name,
            handlers=self.definition.handlers,
            unit_of_work=self.unit_of_work,
            dead_letters=dead_letters,
            max_attempts=self.settings.max_delivery_attempts,
            outage_patience_seconds=self.settings.outage_patience_seconds,
            contract_topics={self.settings.attendance_topic},
        )

    @property
    def topics(self) -> list[str]:
        """Every topic this service produces or consumes."""
        return list(dict.fromkeys([*self.definition.produces, *self.definition.consumes]))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.database, self.source, self.relay.wake)

    async def start(self) -> None:
        if self.settings.migrate_on_start:
            await asyncio.to_thread(upgrade, self.database.url, self.definition.migrations_dir)
        # Before any consumer or producer touches them, so that auto-creation never decides their partitions.
        await self.create_topics()
        await self.broker.start()
        await self.publishers.start()
        if self.settings.outbox_relay_enabled:
            self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-outbox-relay"))
        self._tasks.append(asyncio.create_task(self._observe_parking(), name=f"{self.name}-parking"))
        for caution in self.definition.cautions:
            log.warning(caution)
        log.info("service started", consumes=list(self.definition.consumes), produces=self.publishers.topics)

    async def create_topics(self) -> list[str]:
        return await ensure_topics(
            self.settings.kafka_bootstrap_servers,
            self.topics,
            partitions=self.settings.kafka_partitions,
            replication_factor=self.settings.kafka_replication_factor,
            group_id=self.settings.consumer_group if self.definition.consumes else None,
        )

    async def _observe_parking(self) -> None:
        while True:
            try:
                await observe_parking(self.database, self.name)
            except Exception as error:  # the next round tries again; the gauges keep their last values meanwhile
                log.warning("could not observe parked events", error=repr(error))
            await asyncio.sleep(PARKING_OBSERVATION_SECONDS)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.publishers.stop()
        await self.broker.stop()
        await self.database.dispose()

    async def ready(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(self.database.ping(), timeout=3)
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = f"unreachable: {error!r}"
        checks["broker"] = "ok" if await self.broker.ping(timeout=3) else "unreachable"
        return checks

    def asyncapi(self) -> AsyncAPI:
        return AsyncAPI(
            self.broker, title=self.definition.title, version="1.0.0", description=self.definition.description
        )


class Liveness(BaseModel):
    status: Literal["alive"] = "alive"
    service: str


class Readiness(BaseModel):
    ready: bool
    database: str = Field(description="ok, or why it is unreachable")
    broker: str = Field(description="ok, or unreachable")


def create_app(definition: ServiceDefinition) -> FastAPI:
    settings = definition.settings
    configure_logging(settings.service_name, settings.log_level)
    runtime = ServiceRuntime(definition)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=definition.title, description=definition.description, version="1.0.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier(settings)
    asyncapi_json = runtime.asyncapi().to_specification().to_json()

    @app.middleware("http")
    async def correlate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # Events an HTTP command causes carry the request's id as their correlation id.
        request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
        token = current_correlation_id.set(request_id)
        try:
            with structlog.contextvars.bound_contextvars(correlation_id=request_id):
                response = await call_next(request)
        finally:
            current_correlation_id.reset(token)
        response.headers["x-request-id"] = request_id
        return response

    install_error_handlers(app)
    app.openapi = lambda: documented_openapi(app)  # type: ignore[method-assign]
    app.add_middleware(RequestGuard, max_bytes=settings.max_request_bytes)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> Liveness:
        """Liveness: the process answers."""
        return Liveness(service=runtime.name)

    @app.get(
        "/readyz",
        tags=["operations"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "the database or the broker is unreachable"}},
    )
    async def readyz() -> JSONResponse:
        """Readiness: the database and the broker answer."""
        checks = await runtime.ready()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(status_code=200 if ready else 503, content={"ready": ready, **checks})

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def metrics() -> Response:
        """Prometheus metrics, in its text exposition format."""
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["operations"], responses={200: {"content": {"application/json": {}}}})
    async def asyncapi() -> Response:
        """The AsyncAPI document of the topics this service publishes and consumes."""
        return Response(asyncapi_json, media_type="application/json")

    for router in definition.routers:
        app.include_router(router)
    return app


async def execute(
    runtime: ServiceRuntime,
    handler: Callable[Concatenate[UnitOfWork, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run one command in its own unit of work and commit it, effect and events together."""
    async with runtime.unit_of_work() as uow:
        result = await handler(uow, *args, **kwargs)
        await uow.commit()
        return result


def runtime_of(request: Request) -> ServiceRuntime:
    """FastAPI dependency: the service's runtime (database, unit of work, settings)."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


# The parameter type of a route that needs the service's runtime.
Runtime = Annotated[ServiceRuntime, Depends(runtime_of)]
