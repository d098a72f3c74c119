"""Planning's HTTP API, one module per part of the year's work; ``access`` says who may see and change what."""

from __future__ import annotations

from fastapi import APIRouter

from services.planning.api import budgets, cultivation, officers, plans, records, rotation, tasks

ROUTERS: tuple[APIRouter, ...] = (
    plans.router,
    rotation.router,
    tasks.router,
    officers.router,
    cultivation.router,
    budgets.router,
    records.router,
)
