"""Certificates HTTP API: public verification of a certificate number (证书查验) and a person's certificates."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse

from services.certificates import views
from services.certificates.domain.numbers import parse_certificate_number
from services.certificates.models import CertificatePublic, RevokedCertificate, UnknownCertificate, ValidCertificate
from shared.auth import Authenticated
from shared.service import Runtime

router = APIRouter()


@router.get(
    "/certificates/verify/{number}",
    response_model=ValidCertificate | RevokedCertificate,
    responses={status.HTTP_404_NOT_FOUND: {"model": UnknownCertificate}},
    tags=["certificates"],
)
async def verify_certificate(number: str, runtime: Runtime) -> ValidCertificate | RevokedCertificate | JSONResponse:
    """Public: anyone holding a certificate number may check it, no token needed."""
    canonical = parse_certificate_number(number)
    if canonical is None:
        # A typo is caught by the check symbol, before any lookup.
        return _unknown(f"{number!r} is not a valid certificate number (like DX2026-7KQ0M3XH9RV2); check for typos")
    async with runtime.database.sessions() as session:
        verification = await views.verification_view(session, canonical)
    return verification or _unknown(f"no certificate has the number {canonical}")


@router.get("/persons/{person_id}/certificates", response_model=list[CertificatePublic], tags=["certificates"])
async def list_certificates_of(person_id: str, runtime: Runtime, principal: Authenticated) -> list[CertificatePublic]:
    if not principal.may_see_person(person_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a learner may see only their own certificates")
    async with runtime.database.sessions() as session:
        return await views.certificates_of_view(session, person_id)


def _unknown(detail: str) -> JSONResponse:
    return JSONResponse(
        status_code=status.HTTP_404_NOT_FOUND, content=UnknownCertificate(detail=detail).model_dump(mode="json")
    )
