"""Read models of the certificates service: what the API shows, straight from its tables."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.certificates.models import Certificate, CertificatePublic, RevokedCertificate, ValidCertificate


async def verification_view(session: AsyncSession, number: str) -> ValidCertificate | RevokedCertificate | None:
    """What the public may learn from a certificate number; None when no certificate has it."""
    certificate = await session.get(Certificate, number)
    if certificate is None:
        return None
    if certificate.revoked_at is not None:
        return RevokedCertificate(
            number=certificate.certificate_number,
            revoked_at=certificate.revoked_at,
            reason=certificate.revocation_reason or "",
        )
    return ValidCertificate(
        number=certificate.certificate_number,
        holder_name=certificate.holder_name,
        class_title=certificate.class_title,
        category_label=certificate.category_label,
        hours=certificate.hours,
        issued_at=certificate.issued_at,
    )


async def certificates_of_view(session: AsyncSession, person_id: str) -> list[CertificatePublic]:
    """A person's certificates, valid and revoked, newest first."""
    rows = await session.exec(
        select(Certificate).where(Certificate.person_id == person_id).order_by(col(Certificate.issued_at).desc())
    )
    return [CertificatePublic.model_validate(certificate, from_attributes=True) for certificate in rows.all()]
