"""The hours HTTP API: the doors attendance comes in by (``attendance``, ``xapi``), a person's records
(``records``), and reports across people (``reports``). Its lifespan asks for each day's review of the
requirements once each day ends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from services.hours.api import attendance, records, reports, xapi
from services.hours.api.common import rules, settings_of
from services.hours.handlers.reviews import review_each_day_once_it_ends
from shared.service import ServiceRuntime


@asynccontextmanager
async def _reviews(app: FastAPI) -> AsyncIterator[None]:
    """Runs after the service started (migrated, connected): merged into the app's lifespan by FastAPI."""
    runtime: ServiceRuntime = app.state.runtime
    task = asyncio.create_task(
        review_each_day_once_it_ends(
            runtime.unit_of_work,
            runtime.publishers.send,
            rules(runtime).requirements,
            source=runtime.source,
            check_every_seconds=settings_of(runtime).review_check_seconds,
        ),
        name="hours-reviews",
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


router = APIRouter(lifespan=_reviews)
for part in (attendance.router, xapi.router, records.router, reports.router):
    router.include_router(part)
