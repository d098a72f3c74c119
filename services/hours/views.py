"""Read models of the hours service: a person's 学时 ledger for a year, straight from its tables."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.hours.domain.ledger import totals
from services.hours.models import (
    ClassSummary,
    LedgerEntry,
    LedgerEntryPublic,
    PersonHoursPublic,
    ProjectedClass,
)


async def person_hours_view(session: AsyncSession, person_id: str, year: int) -> PersonHoursPublic:
    """A person's entries and totals for ``year``; a person with no entries (known or not) has an empty ledger."""
    entries = (
        await session.exec(
            select(LedgerEntry)
            .where(col(LedgerEntry.person_id) == person_id, col(LedgerEntry.year) == year)
            .order_by(col(LedgerEntry.posted_at), col(LedgerEntry.kind).desc(), col(LedgerEntry.entry_id))
        )
    ).all()
    summed = totals(entries)
    classes = (
        await session.exec(
            select(ProjectedClass)
            .where(col(ProjectedClass.class_id).in_(summed.by_class))
            .order_by(col(ProjectedClass.class_id))
        )
    ).all()
    return PersonHoursPublic(
        person_id=person_id,
        year=year,
        total_hours=summed.total_hours,
        by_class=summed.by_class,
        entries=[LedgerEntryPublic.model_validate(entry, from_attributes=True) for entry in entries],
        classes=[ClassSummary.model_validate(c, from_attributes=True) for c in classes],
    )
