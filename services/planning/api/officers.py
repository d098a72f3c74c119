"""Officers elected → trained: new secretaries and committee members nominated for the next Party-affairs class of
their level, or waiting for one; their unit's nominator sees its own."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.planning import views
from services.planning.api.access import UnitReader, units_in_view
from services.planning.schemas import OfficerTermPublic
from shared.service import Runtime

router = APIRouter(tags=["officers elected"])
OutcomeFilter = Annotated[Literal["nominated", "pending", "already_on_the_way"] | None, Query()]


@router.get("/officer-nominations", response_model=list[OfficerTermPublic])
async def officer_nominations(
    runtime: Runtime, principal: UnitReader, outcome: OutcomeFilter = None
) -> list[OfficerTermPublic]:
    """New officers' terms (newest elections first): nominated for a class, pending (none open, or full), or on
    their way into one already, each with its reason."""
    async with runtime.database.sessions() as session:
        return await views.officer_terms_view(session, outcome, units_in_view(principal))
