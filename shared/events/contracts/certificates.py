"""dangxiao.certificates.v1: what becomes of training certificates (结业证书), and the annual 学时 statements
(年度学时证明) issued."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.events.contracts.common import Code, Hours, Identifier
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


class CertificateReinstated(CertificateEvent):
    """A revoked certificate is valid again, under the same number, because the learner completes the class again."""

    event_type = "dangxiao.certificates.reinstated.v1"

    reason: str
    reinstated_at: Moment


class RequirementFigures(BaseModel):
    """An annual 学时 requirement as the ledger judged it when the statement was issued."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requirement: str = Field(min_length=1, max_length=100, description="the rule and its version")
    title: str = Field(min_length=1, max_length=200, description="e.g. 党员每年集中学习培训不少于32学时")
    required_hours: Hours
    credited_hours: Hours
    standing: Code = Field(description="met, on_track, behind, out_of_reach or no_longer_met")


class HoursStatementIssued(EventData):
    """An annual 学时 statement (年度学时证明) was issued to a person: the year's 学时 by channel and by category as
    the ledger stood, and the requirements met or not. The certificates service reads it back to restore the
    statements it issued when it is rebuilt."""

    event_type = "dangxiao.certificates.hours_statement_issued.v1"
    topic = CERTIFICATES_TOPIC
    key_field = "person_id"

    statement_number: str = Field(min_length=1, max_length=32)
    person_id: Identifier
    holder_name: str = Field(min_length=1, max_length=100, description="as the statement prints it")
    year: int = Field(ge=2000, le=2100)
    ordinal: int = Field(ge=0, description="how many statements the person was issued for the year before")
    by_channel: dict[Code, Hours] = Field(description="offline (集中) and online (网络) 学时")
    by_category: dict[Code, Hours] = Field(description="学时 earned in classes, by training category")
    requirements: list[RequirementFigures] = Field(default_factory=list)
    issued_at: Moment

    def identity(self) -> str:
        return self.statement_number


CERTIFICATE_EVENTS = (CertificateIssued, CertificateRevoked, CertificateReinstated, HoursStatementIssued)
