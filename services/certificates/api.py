"""Certificates HTTP API.

Public, no token: verification of a number (证书查验) as a page and as JSON, each credential (Open Badges 3.0), the
status lists, and the school's keys (did:web document, JWKS). Behind a token: a person's certificates, the
completion of a learner or a whole class, the PDFs (one or a class's as a ZIP), and the annual 学时 statement.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.certificates import views
from services.certificates.documents.verification_page import CONTENT_SECURITY_POLICY, render_verification_page
from services.certificates.domain.numbers import NumberKind, parse_number
from services.certificates.domain.verification import PublicVerification, VerificationStatus, mistyped
from services.certificates.issuing import Issuing
from services.certificates.models import (
    Certificate,
    CertificateClass,
    CertificatePublic,
    ClassCompletionPublic,
    CompletionPublic,
    HoursLinePublic,
    HoursStatement,
    HoursStatementPublic,
    HoursStatementRequest,
    VerificationPublic,
)
from services.certificates.statements import issue_hours_statement
from shared.api import file_headers
from shared.auth import Authenticated, Principal, Role
from shared.errors import Forbidden, NotFound
from shared.service import Runtime, execute

KINDS = {NumberKind.CERTIFICATE: "certificate", NumberKind.HOURS_STATEMENT: "hours_statement"}
# Who reads every class's completion and certificates; a class manager reads only the classes naming them.
SCHOOL_WIDE = (Role.ADMIN, Role.ORGANISATION_DEPARTMENT)


# Each document is answered as the media type its standard names, and the OpenAPI document says so (the class is
# both what a route answers and what FastAPI documents for its 200).


class CredentialResponse(JSONResponse):
    """A verifiable credential (VC Data Model 2.0): a certificate, a statement or a status list, as JSON-LD."""

    media_type = "application/vc+ld+json"


class DidDocumentResponse(JSONResponse):
    media_type = "application/did+ld+json"


class KeySetResponse(JSONResponse):
    media_type = "application/jwk-set+json"


class PdfResponse(Response):
    media_type = "application/pdf"


class ZipResponse(Response):
    media_type = "application/zip"


def _file_of(response_class: type[Response], description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 of a route answering a file: bytes of the class's media type."""
    assert response_class.media_type is not None
    content = {response_class.media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {status.HTTP_200_OK: {"description": description, "content": content}}


# The verification page answers an unknown or mistyped number with itself, saying so: a page for a person, not a
# problem for a program.
PAGE_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {
        "description": "the page, saying that nothing was issued under the number or that it is mistyped",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}


def router_for(issuing: Issuing) -> APIRouter:  # noqa: PLR0915 - the service's routes, each a few lines
    router = APIRouter()

    # ── public ──

    @router.get(
        "/certificates/verify/{number}",
        response_model=VerificationPublic,
        responses={status.HTTP_404_NOT_FOUND: {"model": VerificationPublic}},
        tags=["verification"],
    )
    async def verify_number(number: str, runtime: Runtime) -> JSONResponse:
        """Anyone holding a number may check it: valid, revoked (and when) or unknown, the name masked (张*).
        A typo is caught by the check symbols, before any lookup."""
        verification = await _verify(runtime, number)
        answer = _public(verification)
        return JSONResponse(answer.model_dump(mode="json"), status_code=_status_code(verification))

    @router.get("/verify/{number}", response_class=HTMLResponse, responses=PAGE_NOT_FOUND, tags=["verification"])
    async def verification_page(number: str, runtime: Runtime) -> HTMLResponse:
        """The page a certificate's QR code opens: readable on a phone, no script."""
        return _page(await _verify(runtime, number))

    @router.get("/verify", response_class=HTMLResponse, responses=PAGE_NOT_FOUND, tags=["verification"])
    async def verification_form(runtime: Runtime, number: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
        """Where the page's form sends the next number to check."""
        return _page(await _verify(runtime, number))

    @router.get("/credentials/{number}", response_class=CredentialResponse, tags=["verification"])
    async def credential(number: str, runtime: Runtime) -> CredentialResponse:
        """The signed Open Badges 3.0 credential of a certificate or an annual 学时 statement."""
        parsed = parse_number(number)
        if parsed is None:
            raise NotFound(f"{number!r} is not a valid number; check for typos")
        async with runtime.database.sessions() as session:
            if parsed.kind is NumberKind.CERTIFICATE:
                certificate = await session.get(Certificate, parsed.text)
                document = None if certificate is None else views.certificate_credential_document(issuing, certificate)
            else:
                statement = await session.get(HoursStatement, parsed.text)
                document = (
                    None
                    if statement is None
                    else views.statement_credential_document(issuing, views.statement_of(statement))
                )
        if document is None:
            raise NotFound(f"nothing was issued under the number {parsed.text}")
        return CredentialResponse(document)

    @router.get("/status-lists/{list_id}", response_class=CredentialResponse, tags=["verification"])
    async def status_list(list_id: str, runtime: Runtime) -> CredentialResponse:
        """A signed Bitstring Status List credential: a certificate's bit is set while it is revoked."""
        async with runtime.database.sessions() as session:
            document = await views.status_list_document(session, issuing, list_id)
        if document is None:
            raise NotFound(f"no status list {list_id}")
        return CredentialResponse(document)

    @router.get("/.well-known/did.json", response_class=DidDocumentResponse, tags=["verification"])
    async def did_document() -> DidDocumentResponse:
        """The school's did:web document: the keys its credentials are signed with."""
        return DidDocumentResponse(views.did_document_of(issuing))

    @router.get("/.well-known/jwks.json", response_class=KeySetResponse, tags=["verification"])
    async def key_set() -> KeySetResponse:
        """The same keys as a JSON Web Key Set."""
        return KeySetResponse(views.jwks_of(issuing))

    # ── behind a token ──

    @router.get("/persons/{person_id}/certificates", response_model=list[CertificatePublic], tags=["certificates"])
    async def certificates_of(person_id: str, runtime: Runtime, principal: Authenticated) -> list[CertificatePublic]:
        if not principal.may_see_person(person_id):
            raise Forbidden("a learner may see only their own certificates")
        async with runtime.database.sessions() as session:
            return await views.certificates_of_view(session, person_id)

    @router.get(
        "/certificates/{number}/pdf",
        response_class=PdfResponse,
        responses=_file_of(PdfResponse, "the certificate, A4"),
        tags=["certificates"],
    )
    async def certificate_pdf(number: str, runtime: Runtime, principal: Authenticated) -> PdfResponse:
        """The certificate as a PDF (A4, Chinese), with a QR code to its verification page."""
        parsed = parse_number(number)
        async with runtime.database.sessions() as session:
            certificate = await session.get(Certificate, parsed.text) if parsed else None
            if certificate is None:
                raise NotFound(f"no certificate has the number {number}")
            training_class = await session.get(CertificateClass, certificate.class_id)
        if not (principal.has_any(Role.LEARNER) and principal.subject == certificate.person_id):
            _require_class_reader(principal, training_class, "a learner may download only their own certificates")
        return _pdf(views.certificate_pdf_of(issuing, certificate), f"结业证书 {certificate.certificate_number}.pdf")

    @router.get(
        "/classes/{class_id}/certificates.zip",
        response_class=ZipResponse,
        responses=_file_of(ZipResponse, "one PDF per valid certificate, each named by its number and holder"),
        tags=["certificates"],
    )
    async def class_certificates(class_id: str, runtime: Runtime, principal: Authenticated) -> ZipResponse:
        """The PDFs of the class's valid certificates in one ZIP (class managers of the class, the office)."""
        async with runtime.database.sessions() as session:
            training_class = await _class(session, class_id)
            _require_class_reader(principal, training_class, "only the class's managers may download its certificates")
            archive = await views.class_archive(session, issuing, class_id)
        return ZipResponse(
            archive,
            headers=file_headers(f"{class_id}-certificates.zip"),
        )

    @router.get("/classes/{class_id}/completion", response_model=ClassCompletionPublic, tags=["completion"])
    async def class_completion(class_id: str, runtime: Runtime, principal: Authenticated) -> ClassCompletionPublic:
        """Every learner of the class against its completion criteria (结业条件), each criterion with figures."""
        async with runtime.database.sessions() as session:
            training_class = await _class(session, class_id)
            _require_class_reader(principal, training_class, "only the class's managers may see its completion")
            return await views.class_completion_view(session, training_class)

    @router.get(
        "/classes/{class_id}/persons/{person_id}/completion", response_model=CompletionPublic, tags=["completion"]
    )
    async def learner_completion(
        class_id: str, person_id: str, runtime: Runtime, principal: Authenticated
    ) -> CompletionPublic:
        """A learner against the class's criteria: "22.5 of 24 学时; absent 1 of 12 sessions …; 结业考核 良好; …"."""
        async with runtime.database.sessions() as session:
            training_class = await _class(session, class_id)
            if not (principal.has_any(Role.LEARNER) and principal.subject == person_id):
                _require_class_reader(principal, training_class, "a learner may see only their own completion")
            return await views.completion_view(session, training_class, person_id)

    @router.post(
        "/persons/{person_id}/hours-statements",
        status_code=status.HTTP_201_CREATED,
        response_model=HoursStatementPublic,
        tags=["hours statements"],
    )
    async def request_hours_statement(
        person_id: str, command: HoursStatementRequest, runtime: Runtime, principal: Authenticated
    ) -> HoursStatementPublic:
        """Issue an annual 学时 statement (年度学时证明) of the ledger's figures as of now (the learner, the office)."""
        _require_own_or_admin(principal, person_id)
        row = await execute(runtime, issue_hours_statement, issuing, person_id, command.year)
        return _statement_public(row)

    @router.get("/hours-statements/{number}", response_model=HoursStatementPublic, tags=["hours statements"])
    async def hours_statement(number: str, runtime: Runtime, principal: Authenticated) -> HoursStatementPublic:
        row = await _statement(runtime, number)
        _require_own_or_school_wide(principal, row.person_id)
        return _statement_public(row)

    @router.get(
        "/hours-statements/{number}/pdf",
        response_class=PdfResponse,
        responses=_file_of(PdfResponse, "the statement, A4"),
        tags=["hours statements"],
    )
    async def hours_statement_pdf(number: str, runtime: Runtime, principal: Authenticated) -> PdfResponse:
        row = await _statement(runtime, number)
        _require_own_or_school_wide(principal, row.person_id)
        return _pdf(views.statement_pdf_of(issuing, views.statement_of(row)), f"学时证明 {row.statement_number}.pdf")

    def _statement_public(row: HoursStatement) -> HoursStatementPublic:
        statement = views.statement_of(row)
        number = statement.number
        return HoursStatementPublic(
            statement_number=number,
            person_id=statement.person_id,
            holder_name=statement.holder_name,
            year=statement.year,
            total_hours=statement.total_hours,
            by_channel=[HoursLinePublic(label=line.label, hours=line.hours) for line in statement.by_channel],
            by_category=[HoursLinePublic(label=line.label, hours=line.hours) for line in statement.by_category],
            conclusion=statement.conclusion,
            issued_at=statement.issued_at,
            pdf_url=f"{issuing.links.base_url}/hours-statements/{number}/pdf",
            credential_url=issuing.links.credential(number),
            verification_url=issuing.links.verification_page(number),
        )

    def _page(verification: PublicVerification) -> HTMLResponse:
        page = render_verification_page(verification, school_name=issuing.school.name, form_action="/verify")
        return HTMLResponse(
            page,
            status_code=_status_code(verification),
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Referrer-Policy": "no-referrer"},
        )

    return router


async def _verify(runtime: Runtime, typed: str) -> PublicVerification:
    number = parse_number(typed)
    if number is None:
        return mistyped(typed)  # caught by the check symbols: nothing is looked up
    async with runtime.database.sessions() as session:
        return await views.verification_view(session, number)


def _public(verification: PublicVerification) -> VerificationPublic:
    detail = {
        VerificationStatus.UNKNOWN: f"nothing was issued under the number {verification.number}",
        VerificationStatus.MISTYPED: (
            f"{verification.number!r} is not a valid number (like DX2026-7KQ0M3XH9RV2): its check symbols do not "
            "match; check for typos"
        ),
    }.get(verification.status)
    return VerificationPublic(
        valid=verification.status is VerificationStatus.VALID,
        # "issued" as the certificate's own status says it, for the API that answered before the page existed.
        status="issued" if verification.status is VerificationStatus.VALID else verification.status.value,
        number=verification.number,
        kind=KINDS[verification.kind] if verification.kind else None,
        masked_name=verification.masked_name,
        title=verification.title,
        hours=verification.hours,
        starts_on=verification.starts_on,
        ends_on=verification.ends_on,
        issued_on=verification.issued_on,
        revoked_on=verification.revoked_on,
        detail=detail,
    )


def _status_code(verification: PublicVerification) -> int:
    found = verification.status in (VerificationStatus.VALID, VerificationStatus.REVOKED)
    return status.HTTP_200_OK if found else status.HTTP_404_NOT_FOUND


async def _class(session: AsyncSession, class_id: str) -> CertificateClass:
    training_class = await session.get(CertificateClass, class_id)
    if training_class is None:
        raise NotFound(f"no class {class_id} is known to certificates")
    return training_class


async def _statement(runtime: Runtime, number: str) -> HoursStatement:
    parsed = parse_number(number)
    async with runtime.database.sessions() as session:
        row = await session.get(HoursStatement, parsed.text) if parsed else None
    if row is None:
        raise NotFound(f"no 学时 statement has the number {number}")
    return row


def _require_class_reader(principal: Principal, training_class: CertificateClass | None, refusal: str) -> None:
    """The office and the organisation department read every class; a class manager the classes naming them."""
    if principal.has_any(*SCHOOL_WIDE):
        return
    managers = training_class.manager_ids if training_class is not None else []
    if principal.has_any(Role.CLASS_MANAGER) and principal.subject in managers:
        return
    raise Forbidden(refusal)


def _require_own_or_admin(principal: Principal, person_id: str) -> None:
    if principal.has_any(Role.ADMIN) or (principal.has_any(Role.LEARNER) and principal.subject == person_id):
        return
    raise Forbidden("a 学时 statement is issued to the learner themself or by the office")


def _require_own_or_school_wide(principal: Principal, person_id: str) -> None:
    if principal.has_any(*SCHOOL_WIDE) or (principal.has_any(Role.LEARNER) and principal.subject == person_id):
        return
    raise Forbidden("a learner may see only their own 学时 statements")


def _pdf(content: bytes, file_name: str) -> PdfResponse:
    return PdfResponse(
        content,
        headers=file_headers(file_name, inline=True),
    )
