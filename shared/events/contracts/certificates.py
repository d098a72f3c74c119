"""dangxiao.certificates.v1: what becomes of training certificates (结业证书)."""

from __future__ import annotations

from pydantic import Field

from shared.events.contracts.common import Hours, Identifier
from shared.events.envelope import EventData, Moment

CERTIFICATES_TOPIC = "dangxiao.certificates.v1"


class CertificateEvent(EventData):
    """A change of one certificate; ``revision`` counts its changes (issuing is the first)."""

    topic = CERTIFICATES_TOPIC
    key_field = "person_id"

    certificate_number: str = Field(min_length=1, max_length=32)
    revision: int = Field(ge=1)
    person_id: Identifier
    class_id: Identifier

    def identity(self) -> str:
        return f"{self.certificate_number}#{self.revision}"


class CertificateIssued(CertificateEvent):
    """A training certificate (结业证书) was issued."""

    event_type = "dangxiao.certificates.issued.v1"

    hours: Hours
    issued_at: Moment


class CertificateRevoked(CertificateEvent):
    """A certificate was revoked because the facts behind it changed."""

    event_type = "dangxiao.certificates.revoked.v1"

    reason: str
    revoked_at: Moment


CERTIFICATE_EVENTS = (CertificateIssued, CertificateRevoked)
