"""The command that issues an annual 学时 statement (年度学时证明): the ledger's figures of a person's year as of now,
kept and announced on the certificates topic (from which a rebuild restores it)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from services.certificates.domain.numbers import hours_statement_number
from services.certificates.domain.statements import StatementError
from services.certificates.handlers import statement_row
from services.certificates.issuing import Issuing
from services.certificates.models import CertificatePerson, HoursStatement
from services.certificates.views import as_json_amounts, statement_of, year_figures
from shared.db import utcnow
from shared.errors import CommandRejected, NotFound
from shared.events.contracts.certificates import HoursStatementIssued
from shared.unit_of_work import UnitOfWork


async def issue_hours_statement(uow: UnitOfWork, issuing: Issuing, person_id: str, year: int) -> HoursStatement:
    await uow.lock(f"hours-statements:{person_id}/{year}")
    holder = await uow.session.get(CertificatePerson, person_id)
    if holder is None:
        raise NotFound(f"no person {person_id} is known to certificates")
    ordinal = (
        await uow.session.exec(
            select(func.count())
            .select_from(HoursStatement)
            .where(HoursStatement.person_id == person_id, HoursStatement.year == year)
        )
    ).one()
    by_channel, by_category, requirements = await year_figures(uow.session, person_id, year)
    issued = HoursStatementIssued(
        statement_number=hours_statement_number(issuing.secret, person_id=person_id, year=year, ordinal=ordinal),
        person_id=person_id,
        holder_name=holder.name,
        year=year,
        ordinal=ordinal,
        by_channel=as_json_amounts(by_channel),
        by_category=as_json_amounts(by_category),
        requirements=requirements,
        issued_at=utcnow(),
    )
    row = statement_row(issued)
    try:
        statement_of(row)  # the figures make a statement, or the command is refused with the reason
    except StatementError as error:
        raise CommandRejected(str(error)) from error
    uow.session.add(row)
    uow.emit(issued)
    return row
