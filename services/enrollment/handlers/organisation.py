"""Units and the Party organisation tree (党委 → 党总支 → 党支部): opening, renaming and closing them.

The tree is checked as a whole on every change, so every command about it takes the organisation lock first: two
changes never judge the tree as it stood before the other.
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from services.enrollment import records
from services.enrollment.domain import organisation as tree
from services.enrollment.domain.periods import Period
from services.enrollment.handlers.common import command, found, record
from services.enrollment.models import Organisation, OrganisationCreate, OrganisationUpdate
from shared.errors import Conflict
from shared.unit_of_work import UnitOfWork

ORGANISATION_LOCK = "register:organisation"


async def organisation_rows(uow: UnitOfWork) -> dict[str, Organisation]:
    """Every unit and Party organisation, by code (a school has hundreds, not millions)."""
    rows = await uow.session.exec(select(Organisation))
    return {row.org_id: row for row in rows.all()}


async def current_organisation(uow: UnitOfWork) -> tree.Organisation:
    """The organisation as it stands, locked until the unit of work ends."""
    await uow.lock(ORGANISATION_LOCK)
    return records.organisation_of((await organisation_rows(uow)).values())


@command
async def create_organisation(uow: UnitOfWork, command: OrganisationCreate) -> Organisation:
    await uow.lock(ORGANISATION_LOCK)
    rows = await organisation_rows(uow)
    if command.org_id in rows:
        raise Conflict(f"{command.org_id} already names {rows[command.org_id].name}")
    organisation = records.organisation_of(rows.values())
    added = records.organisation_record(command)
    if isinstance(added, tree.Unit):
        tree.with_unit(organisation, added)
        return record(uow, Organisation, None, records.unit_fields(added))
    tree.with_party_organisation(organisation, added)
    return record(uow, Organisation, None, records.party_organisation_fields(added))


@command
async def update_organisation(uow: UnitOfWork, org_id: str, update: OrganisationUpdate) -> Organisation:
    """Rename, close from a day (refused while anything under it stays open), or reopen (``valid_until`` null)."""
    await uow.lock(ORGANISATION_LOCK)
    row = await found(uow, Organisation, org_id, "unit or Party organisation")
    organisation = records.organisation_of((await organisation_rows(uow)).values())
    changes = update.model_dump(exclude_unset=True)
    is_unit = row.kind == records.UNIT
    closing_on = changes.get("valid_until", row.valid_until)
    if closing_on is not None and closing_on != row.valid_until:
        close = tree.close_unit if is_unit else tree.close_party_organisation
        organisation = close(organisation, org_id, closing_on)
    current = organisation.units[org_id] if is_unit else organisation.party[org_id]
    revised = replace(
        current,
        name=changes.get("name") or current.name,
        period=Period(current.period.since, closing_on),
    )
    if isinstance(revised, tree.Unit):
        tree.with_unit(organisation, revised)
        return record(uow, Organisation, row, records.unit_fields(revised))
    tree.with_party_organisation(organisation, revised)
    return record(uow, Organisation, row, records.party_organisation_fields(revised))
