"""What every register command shares: recording a row's new state with its event, finding rows, and the
domain's refusals answered as the command's."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any, ParamSpec, TypeVar

from sqlmodel import SQLModel

from services.enrollment.domain.classes import SCHOOL_TIMEZONE
from services.enrollment.domain.errors import AlreadyEnrolled, DoubleBooking, RegisterError
from services.enrollment.events import state_of
from services.enrollment.models import (
    ClassSession,
    Course,
    Enrollment,
    Organisation,
    Person,
    Teacher,
    TrainingClass,
)
from shared.errors import CommandRejected, Conflict, NotFound
from shared.unit_of_work import UnitOfWork

P = ParamSpec("P")
T = TypeVar("T")
Row = TypeVar("Row", Organisation, Person, Course, Teacher, TrainingClass, ClassSession, Enrollment)
Found = TypeVar("Found", bound=SQLModel)


def command(handler: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """A command whose domain refusals are the command's: a double booking or a second enrollment of the same
    person conflicts (409), anything else the rules refuse cannot be processed (422); the message says why."""

    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await handler(*args, **kwargs)
        except (DoubleBooking, AlreadyEnrolled) as error:
            raise Conflict(str(error)) from error
        except RegisterError as error:
            raise CommandRejected(str(error)) from error

    return run


def record(uow: UnitOfWork, model: type[Row], existing: Row | None, fields: Mapping[str, Any]) -> Row:
    """The row in the state ``fields`` describe, its event emitted: a new row at version 1, or ``existing`` one
    version on. Fields equal to what the row holds change nothing: no new version, no event."""
    if existing is None:
        row = model(**fields, version=1, changed_at=uow.now)
        uow.session.add(row)
    else:
        if all(getattr(existing, name) == value for name, value in fields.items()):
            return existing
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.version += 1
        existing.changed_at = uow.now
        row = existing
    uow.emit(state_of(row))
    return row


async def found(uow: UnitOfWork, model: type[Found], key: str, what: str) -> Found:
    row = await uow.session.get(model, key)
    if row is None:
        raise NotFound(f"{what} {key} does not exist")
    return row


def today(uow: UnitOfWork) -> date:
    """The school's today (Beijing time), as of the command."""
    return uow.now.astimezone(SCHOOL_TIMEZONE).date()
