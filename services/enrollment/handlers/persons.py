"""People (by 工号/学号): registering them, correcting them, and their effective-dated changes of political status
and position. Nothing is overwritten that a rule may ask about: a change ends the old period on the day the new one
begins."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.enrollment import records
from services.enrollment.access import check_person, check_unit, is_admin
from services.enrollment.domain import organisation as tree
from services.enrollment.domain import people
from services.enrollment.domain.errors import OrganisationError
from services.enrollment.domain.vocabulary import PoliticalStatus, Position, parse
from services.enrollment.handlers.common import command, found, record, today
from services.enrollment.handlers.organisation import current_organisation
from services.enrollment.models import Person, PersonCreate, PersonUpdate, PositionTaken, StatusChange
from shared.auth import Principal, Role
from shared.errors import Conflict
from shared.unit_of_work import UnitOfWork


@command
async def register_person(uow: UnitOfWork, command: PersonCreate, principal: Principal) -> Person:
    """A new person. Admins and class managers (who meet learners the register does not know yet) register anyone;
    a nominator registers people of their own units."""
    if not principal.has_any(Role.ADMIN, Role.CLASS_MANAGER):
        check_unit(principal, command.unit_id, "register people")
    await uow.lock(f"person:{command.person_id}")
    if await uow.session.get(Person, command.person_id) is not None:
        raise Conflict(f"person {command.person_id} is already registered")
    person = people.Person(
        person_id=command.person_id,
        name=command.name,
        kind=records.person_kind(command.kind),
        unit=command.unit_id,
        branch=command.branch_id,
        statuses=records.statuses_of(command.statuses),
        positions=records.positions_of(command.positions),
    )
    return record(uow, Person, None, records.person_fields(await _placed(uow, person)))


@command
async def update_person(uow: UnitOfWork, person_id: str, update: PersonUpdate, principal: Principal) -> Person:
    """Corrections; a nominator moves people only between the units they speak for."""
    row = await _person(uow, person_id, principal, "correct")
    changes = update.model_dump(exclude_unset=True)
    if "unit_id" in changes and not is_admin(principal):
        check_unit(principal, changes["unit_id"], "place people")
    current = records.person_of(row)
    person = people.Person(
        person_id=person_id,
        name=update.name or current.name,
        kind=records.person_kind(update.kind) if "kind" in changes else current.kind,
        unit=update.unit_id if "unit_id" in changes else current.unit,
        branch=update.branch_id if "branch_id" in changes else current.branch,
        statuses=records.statuses_of(update.statuses) if update.statuses is not None else current.statuses,
        positions=records.positions_of(update.positions) if update.positions is not None else current.positions,
    )
    fields = records.person_fields(await _placed(uow, person))
    if update.active is not None:
        fields["active"] = update.active
    return record(uow, Person, row, fields)


@command
async def change_status(uow: UnitOfWork, person_id: str, change: StatusChange, principal: Principal) -> Person:
    row = await _person(uow, person_id, principal, "change the political status of")
    status = parse(PoliticalStatus, change.status)
    changed = people.change_status(records.person_of(row), status, change.since, change.admission_date)
    return record(uow, Person, row, records.person_fields(changed))


@command
async def take_position(uow: UnitOfWork, person_id: str, taken: PositionTaken, principal: Principal) -> Person:
    row = await _person(uow, person_id, principal, "appoint")
    changed = people.take_position(records.person_of(row), parse(Position, taken.position), taken.since)
    return record(uow, Person, row, records.person_fields(changed))


@command
async def leave_position(uow: UnitOfWork, person_id: str, position: str, on: date, principal: Principal) -> Person:
    row = await _person(uow, person_id, principal, "remove from a position")
    changed = people.leave_position(records.person_of(row), parse(Position, position), on)
    return record(uow, Person, row, records.person_fields(changed))


async def _person(uow: UnitOfWork, person_id: str, principal: Principal, doing: str) -> Person:
    await uow.lock(f"person:{person_id}")
    row = await found(uow, Person, person_id, "person")
    check_person(principal, row, doing)
    return row


async def _placed(uow: UnitOfWork, person: people.Person) -> people.Person:
    """The record, if consistent in itself and placed in a unit and 党支部 that exist today (named by code or by
    name; kept by code)."""
    people.checked(person)
    organisation, on = await current_organisation(uow), today(uow)
    problems = people.placement_problems(person, organisation, on)
    if problems:
        raise OrganisationError(f"{person.described()}: {'; '.join(problems)}")
    return replace(
        person,
        unit=person.unit and tree.unit_on(organisation, person.unit, on).code,
        branch=person.branch and tree.branch_on(organisation, person.branch, on).code,
    )
