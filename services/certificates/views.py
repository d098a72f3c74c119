"""Read models of the certificates service: what the API shows, straight from its tables.

Credentials, status lists and PDFs are made when asked for, from the rows as they stand: a credential is signed
with its certificate's issue time as the proof's creation time (Ed25519 signatures are deterministic), so the same
certificate always gives the same signed document.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.certificates.credentials.data_integrity import sign
from services.certificates.credentials.keys import JsonObject, did_document, jwks
from services.certificates.credentials.open_badge import (
    CertificateClaim,
    certificate_credential,
    hours_statement_credential,
)
from services.certificates.credentials.status_list import (
    BitstringStatusList,
    StatusListEntry,
    status_list_credential,
)
from services.certificates.documents.archive import certificate_file_name, zip_of
from services.certificates.documents.pdf import CertificateDocument, certificate_pdf, hours_statement_pdf
from services.certificates.domain.completion import LedgerLine, counted_lines, hours_text
from services.certificates.domain.numbers import DocumentNumber, NumberKind
from services.certificates.domain.statements import AnnualHoursStatement, RequirementStanding, annual_statement
from services.certificates.domain.verification import IssuedDocument, PublicVerification, public_verification
from services.certificates.facts import BEIJING, held_certificates, judge_learner
from services.certificates.issuing import Issuing
from services.certificates.models import (
    Certificate,
    CertificateClass,
    CertificateEnrollment,
    CertificateProgress,
    CertificatePublic,
    ClassCompletionPublic,
    CompletionPublic,
    CriterionPublic,
    HoursEntry,
    HoursStatement,
)
from services.certificates.models import RequirementStanding as StandingRow
from shared.events.contracts.certificates import RequirementFigures
from shared.vocabulary import category_label

# Standings the ledger announces; "met" is the only one that meets the requirement.
MET = "met"


# ── verification (证书查验) ───────────────────────────────────────────────────────────────────────────


async def verification_view(session: AsyncSession, number: DocumentNumber) -> PublicVerification:
    """What the public may learn from a well-formed number."""
    if number.kind is NumberKind.CERTIFICATE:
        certificate = await session.get(Certificate, number.text)
        return public_verification(number, None if certificate is None else _issued_certificate(certificate))
    statement = await session.get(HoursStatement, number.text)
    return public_verification(number, None if statement is None else _issued_statement(statement))


def _issued_certificate(certificate: Certificate) -> IssuedDocument:
    return IssuedDocument(
        holder_name=certificate.holder_name,
        title=certificate.class_title,
        hours=certificate.hours,
        starts_on=certificate.starts_on,
        ends_on=certificate.ends_on,
        issued_on=beijing_day(certificate.issued_at),
        revoked_on=beijing_day(certificate.revoked_at) if certificate.revoked_at else None,
    )


def _issued_statement(statement: HoursStatement) -> IssuedDocument:
    return IssuedDocument(
        holder_name=statement.holder_name,
        title=f"{statement.year}年度学时证明",
        hours=sum((Decimal(hours) for hours in statement.by_channel.values()), Decimal(0)),
        starts_on=date(statement.year, 1, 1),
        ends_on=date(statement.year, 12, 31),
        issued_on=beijing_day(statement.issued_at),
    )


def beijing_day(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date()


# ── certificates and completion ──────────────────────────────────────────────────────────────────────


async def certificates_of_view(session: AsyncSession, person_id: str) -> list[CertificatePublic]:
    """A person's certificates, valid and revoked, newest first."""
    rows = await session.exec(
        select(Certificate)
        .where(Certificate.person_id == person_id)
        .order_by(col(Certificate.issued_at).desc(), col(Certificate.class_id), col(Certificate.ordinal).desc())
    )
    return [CertificatePublic.model_validate(certificate, from_attributes=True) for certificate in rows.all()]


async def completion_view(session: AsyncSession, training_class: CertificateClass, person_id: str) -> CompletionPublic:
    """The learner judged against the class's criteria now, each criterion with its figures."""
    judged = await judge_learner(session, training_class, person_id)
    held = await held_certificates(session, person_id, training_class.class_id)
    latest = held[-1] if held else None
    return CompletionPublic(
        person_id=person_id,
        class_id=training_class.class_id,
        rule=judged.completion.rule,
        completed=judged.completion.completed,
        criteria=[
            CriterionPublic(criterion=result.criterion.value, met=result.met, figures=result.figures)
            for result in judged.completion.results
        ],
        summary=judged.completion.reason,
        certificate_number=latest.certificate_number if latest else None,
        certificate_status=latest.status if latest else None,
    )


async def class_completion_view(session: AsyncSession, training_class: CertificateClass) -> ClassCompletionPublic:
    """Every learner of the class (enrolled once, or with any fact heard about them), by person id."""
    class_id = training_class.class_id
    enrolled = await session.exec(
        select(CertificateEnrollment.person_id).where(CertificateEnrollment.class_id == class_id)
    )
    heard_of = await session.exec(select(CertificateProgress.person_id).where(CertificateProgress.class_id == class_id))
    learners = sorted({*enrolled.all(), *heard_of.all()})
    return ClassCompletionPublic(
        class_id=class_id,
        title=training_class.title,
        learners=[await completion_view(session, training_class, person_id) for person_id in learners],
    )


# ── credentials ──────────────────────────────────────────────────────────────────────────────────────


def certificate_credential_document(issuing: Issuing, certificate: Certificate) -> JsonObject:
    """The certificate's signed Open Badges 3.0 credential."""
    claim = CertificateClaim(
        number=certificate.certificate_number,
        person_id=certificate.person_id,
        class_id=certificate.class_id,
        class_title=certificate.class_title,
        category_label=certificate.category_label,
        criteria_narrative=certificate.criteria,
        required_hours=certificate.required_hours,
        credited_hours=certificate.hours,
        starts_on=certificate.starts_on,
        ends_on=certificate.ends_on,
        issued_at=certificate.issued_at,
    )
    entry = StatusListEntry(issuing.links.status_list(certificate.status_list), certificate.status_index)
    document = certificate_credential(claim, issuing.school, issuing.links, entry, issuing.secret)
    return sign(document, issuing.key, issuing.verification_method, certificate.issued_at)


def statement_credential_document(issuing: Issuing, statement: AnnualHoursStatement) -> JsonObject:
    """The annual 学时 statement's signed Open Badges 3.0 credential."""
    document = hours_statement_credential(statement, issuing.school, issuing.links, issuing.secret)
    return sign(document, issuing.key, issuing.verification_method, statement.issued_at)


async def status_list_document(session: AsyncSession, issuing: Issuing, list_id: str) -> JsonObject | None:
    """The signed status list credential: the bits of the list's revoked certificates set. None for a list no
    certificate is in. Valid from its latest change, so it reads the same until a certificate in it changes."""
    rows = await session.exec(
        select(Certificate.status_index, Certificate.revoked_at, Certificate.changed_at).where(
            Certificate.status_list == list_id
        )
    )
    entries = rows.all()
    if not entries:
        return None
    revoked = {index for index, revoked_at, _ in entries if revoked_at is not None}
    changed = max(changed_at for _, _, changed_at in entries)
    url = issuing.links.status_list(list_id)
    document = status_list_credential(url, issuing.school.did, BitstringStatusList.of_revoked(revoked), changed)
    return sign(document, issuing.key, issuing.verification_method, changed)


def did_document_of(issuing: Issuing) -> JsonObject:
    return did_document(issuing.school.did, [issuing.key.public])


def jwks_of(issuing: Issuing) -> JsonObject:
    return jwks(issuing.school.did, [issuing.key.public])


# ── documents ────────────────────────────────────────────────────────────────────────────────────────


def certificate_pdf_of(issuing: Issuing, certificate: Certificate) -> bytes:
    return certificate_pdf(
        CertificateDocument(
            number=certificate.certificate_number,
            holder_name=certificate.holder_name,
            class_title=certificate.class_title,
            category_label=certificate.category_label,
            hours=certificate.hours,
            starts_on=certificate.starts_on,
            ends_on=certificate.ends_on,
            issued_on=beijing_day(certificate.issued_at),
            issuer_name=issuing.school.name,
            verification_url=issuing.links.verification_page(certificate.certificate_number),
        ),
        issuing.font,
    )


async def class_archive(session: AsyncSession, issuing: Issuing, class_id: str) -> bytes:
    """The PDFs of the class's valid certificates in one ZIP, by number, dated by the latest of them."""
    rows = await session.exec(
        select(Certificate)
        .where(Certificate.class_id == class_id, col(Certificate.revoked_at).is_(None))
        .order_by(col(Certificate.certificate_number))
    )
    certificates = list(rows.all())
    modified = max((c.changed_at for c in certificates), default=datetime(1980, 1, 1, tzinfo=UTC))
    return zip_of(
        (
            (certificate_file_name(c.certificate_number, c.holder_name), certificate_pdf_of(issuing, c))
            for c in certificates
        ),
        modified.astimezone(BEIJING),
    )


def statement_pdf_of(issuing: Issuing, statement: AnnualHoursStatement) -> bytes:
    return hours_statement_pdf(
        statement, issuing.school.name, issuing.links.verification_page(statement.number), issuing.font
    )


# ── the annual 学时 statement (年度学时证明) ─────────────────────────────────────────────────────────────


async def year_figures(
    session: AsyncSession, person_id: str, year: int
) -> tuple[dict[str, Decimal], dict[str, Decimal], list[RequirementFigures]]:
    """The ledger's figures of a person's year as certificates heard them: 学时 by channel and, for 学时 earned in
    classes, by category (codes); and the annual requirements whose window is that year, as last announced."""
    rows = await session.exec(select(HoursEntry).where(HoursEntry.person_id == person_id, HoursEntry.year == year))
    entries = {entry.entry_id: entry for entry in rows.all()}
    by_channel: dict[str, Decimal] = {}
    by_category: dict[str, Decimal] = {}
    for line in counted_lines(LedgerLine(e.entry_id, e.hours, e.replaced_by_entry_id) for e in entries.values()):
        entry = entries[line.entry_id]
        # Lines posted before the ledger named their channel: a class's are concentrated, the rest online study.
        channel = entry.channel or ("offline" if entry.class_id else "online")
        by_channel[channel] = by_channel.get(channel, Decimal(0)) + line.hours
        if entry.class_id is not None and entry.category is not None:
            by_category[entry.category] = by_category.get(entry.category, Decimal(0)) + line.hours
    standings = await session.exec(
        select(StandingRow)
        .where(
            StandingRow.person_id == person_id,
            col(StandingRow.window_start) >= date(year, 1, 1),
            col(StandingRow.window_end) <= date(year, 12, 31),
        )
        .order_by(col(StandingRow.requirement))
    )
    requirements = [
        RequirementFigures(
            requirement=row.requirement,
            title=row.title,
            required_hours=row.required_hours,
            credited_hours=row.credited_hours,
            standing=row.standing,
        )
        for row in standings.all()
    ]
    return by_channel, by_category, requirements


def statement_of(row: HoursStatement) -> AnnualHoursStatement:
    """The domain's statement from what was issued."""
    requirements = [RequirementFigures.model_validate(item) for item in row.requirements]
    return annual_statement(
        number=row.statement_number,
        person_id=row.person_id,
        holder_name=row.holder_name,
        year=row.year,
        by_channel={channel: Decimal(hours) for channel, hours in row.by_channel.items()},
        by_category={category_label(code): Decimal(hours) for code, hours in row.by_category.items()},
        requirements=[
            RequirementStanding(
                label=figures.title,
                required_hours=figures.required_hours,
                met=figures.standing == MET,
                reason=f"{hours_text(figures.credited_hours)} of {hours_text(figures.required_hours)} 学时",
            )
            for figures in requirements
        ],
        issued_at=row.issued_at,
    )


def as_json_amounts(amounts: dict[str, Decimal]) -> dict[str, Any]:
    return {key: str(value) for key, value in sorted(amounts.items())}
