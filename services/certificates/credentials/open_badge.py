"""Open Badges 3.0 ``OpenBadgeCredential``s (W3C Verifiable Credentials 2.0) for a certificate (结业证书) and for an
annual 学时 statement (年度学时证明).

The recipient is named only by a salted SHA-256 of their person id (工号/学号): no name and no number in clear.
Whoever holds the credential proves it is theirs by showing their id, which hashes with the salt to the same value.
The salt is derived from the server secret and the credential's number, so the credential reads the same every
time it is made again.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.certificates.credentials.data_integrity import OB_V3_CONTEXT, VC_V2_CONTEXT, xsd_datetime
from services.certificates.credentials.keys import JsonObject
from services.certificates.credentials.status_list import StatusListEntry
from services.certificates.domain.completion import hours_text
from services.certificates.domain.statements import AnnualHoursStatement

SCHOOL_TIMEZONE = ZoneInfo("Asia/Shanghai")  # a class runs on Beijing dates


@dataclass(frozen=True)
class School:
    """The issuer: the Party school, identified by its did:web."""

    did: str
    name: str  # e.g. 中共上海开放大学委员会党校
    url: str  # its home page


@dataclass(frozen=True)
class PublicLinks:
    """Where the service publishes what a credential refers to (the routes the API must serve)."""

    base_url: str  # e.g. https://dangxiao.example.edu

    def verification_page(self, number: str) -> str:
        return f"{self.base_url}/verify/{number}"

    def credential(self, number: str) -> str:
        return f"{self.base_url}/credentials/{number}"

    def achievement(self, class_id: str) -> str:
        return f"{self.base_url}/achievements/{class_id}"

    def status_list(self, list_id: str) -> str:
        return f"{self.base_url}/status-lists/{list_id}"


@dataclass(frozen=True)
class CertificateClaim:
    """What a certificate says, as it was when issued."""

    number: str
    person_id: str
    class_id: str
    class_title: str
    category_label: str  # e.g. 发展对象培训
    criteria_narrative: str  # the class's criteria in words (describe_criteria)
    required_hours: Decimal  # 学时 the class offers: the achievement's creditsAvailable
    credited_hours: Decimal  # 学时 the learner was credited: creditsEarned
    starts_on: date
    ends_on: date
    issued_at: datetime


def recipient_salt(secret: bytes, number: str) -> str:
    return hmac.new(secret, f"recipient-salt:{number}".encode(), hashlib.sha256).hexdigest()[:32]


def recipient_identity(person_id: str, salt: str) -> JsonObject:
    """An OB 3.0 IdentityObject: ``sha256$`` and the hex SHA-256 of the person id followed by the salt."""
    return {
        "type": "IdentityObject",
        "identityHash": "sha256$" + hashlib.sha256((person_id + salt).encode()).hexdigest(),
        "identityType": "identifier",
        "hashed": True,
        "salt": salt,
    }


def certificate_credential(
    claim: CertificateClaim, school: School, links: PublicLinks, status: StatusListEntry, secret: bytes
) -> JsonObject:
    """The unsigned OpenBadgeCredential of a certificate; sign it with ``data_integrity.sign``."""
    return {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "id": links.credential(claim.number),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"结业证书：{claim.class_title}",
        "description": f"{school.name}{claim.category_label}结业证书，证书编号 {claim.number}",
        "issuer": _issuer(school),
        "validFrom": xsd_datetime(claim.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [recipient_identity(claim.person_id, recipient_salt(secret, claim.number))],
            "achievement": {
                "id": links.achievement(claim.class_id),
                "type": ["Achievement"],
                "achievementType": "CertificateOfCompletion",
                "name": claim.class_title,
                "description": f"{claim.category_label}：{claim.class_title}",
                "criteria": {"narrative": claim.criteria_narrative},
                "creditsAvailable": json_number(claim.required_hours),
                "tag": [claim.category_label],
                "inLanguage": "zh-CN",
            },
            "creditsEarned": json_number(claim.credited_hours),
            "activityStartDate": _beijing_midnight(claim.starts_on),
            "activityEndDate": _beijing_midnight(claim.ends_on),
        },
        "credentialStatus": status.credential_status(),
    }


def hours_statement_credential(
    statement: AnnualHoursStatement, school: School, links: PublicLinks, secret: bytes
) -> JsonObject:
    """The unsigned OpenBadgeCredential of an annual 学时 statement: the year's 学时 as results, by channel and by
    category, and the requirements it meets or not as the criteria; sign it with ``data_integrity.sign``.

    It has no status entry: it states the ledger's figures as of its issue date, which stays true whatever the
    ledger says later (a later statement states the later figures), so there is nothing to revoke."""
    credential_url = links.credential(statement.number)
    lines = [("channel", line) for line in statement.by_channel] + [
        ("category", line) for line in statement.by_category
    ]
    descriptions = [
        {
            "id": f"{credential_url}#{kind}-{position}",
            "type": ["ResultDescription"],
            "name": f"{line.label}学时",
            "resultType": "ext:TrainingHours",
        }
        for position, (kind, line) in enumerate(lines, 1)
    ]
    return {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "id": credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{statement.year}年度学时证明",
        "description": statement.conclusion,
        "issuer": _issuer(school),
        "validFrom": xsd_datetime(statement.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [recipient_identity(statement.person_id, recipient_salt(secret, statement.number))],
            "achievement": {
                "id": f"{credential_url}#achievement",
                "type": ["Achievement"],
                "achievementType": "ext:AnnualTrainingHoursStatement",
                "name": f"{statement.year}年度学时证明",
                "description": f"{statement.year}年度参加党校及各类学习培训的学时，按学习形式和培训类别统计。",
                "criteria": {"narrative": _requirements_narrative(statement)},
                **(
                    {"creditsAvailable": json_number(max(r.required_hours for r in statement.requirements))}
                    if statement.requirements
                    else {}
                ),
                "resultDescription": descriptions,
                "inLanguage": "zh-CN",
            },
            "creditsEarned": json_number(statement.total_hours),
            "result": [
                {"type": ["Result"], "resultDescription": description["id"], "value": hours_text(line.hours)}
                for description, (_, line) in zip(descriptions, lines, strict=True)
            ],
            "activityStartDate": _beijing_midnight(date(statement.year, 1, 1)),
            "activityEndDate": _beijing_midnight(date(statement.year, 12, 31)),
        },
    }


def _requirements_narrative(statement: AnnualHoursStatement) -> str:
    if not statement.requirements:
        return "无适用的年度学时要求。"
    return "；".join(f"{requirement.label}：{requirement.reason}" for requirement in statement.requirements)


def json_number(hours: Decimal) -> int | float:
    """学时 as a JSON number: an integer when whole, so every JSON-LD processor reads ``24`` and ``24.0`` alike."""
    return int(hours) if hours == hours.to_integral_value() else float(hours)


def _issuer(school: School) -> JsonObject:
    return {"id": school.did, "type": ["Profile"], "name": school.name, "url": school.url}


def _beijing_midnight(day: date) -> str:
    return datetime.combine(day, time(), SCHOOL_TIMEZONE).isoformat()
