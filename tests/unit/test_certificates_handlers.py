from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.certificates import views
from services.certificates.handlers import handlers
from services.certificates.models import CertificateStatus, RevokedCertificate, ValidCertificate
from shared.consumer import Outcome
from shared.db import Database
from shared.events.contracts import CONTRACTS
from shared.events.contracts.certificates import CertificateIssued, CertificateRevoked
from shared.events.contracts.common import EventReference
from shared.events.contracts.evaluation import AssessmentRecorded
from shared.events.contracts.hours import HoursCredited, HoursReversed
from shared.events.contracts.register import ClassChanged, EnrollmentChanged, PersonChanged
from shared.events.envelope import CloudEvent, EventData
from tests.support import (
    a_class,
    a_person,
    an_enrollment,
    consumer_for,
    event_of,
    outbox_events,
    structured_record,
    unique,
)

ISSUED = CertificateIssued.event_type
REVOKED = CertificateRevoked.event_type
MONDAY = datetime(2026, 12, 7, 8, tzinfo=UTC)


@dataclass
class Learner:
    """One learner in one class, with random ids, and the events the other services send about them."""

    person_id: str = field(default_factory=lambda: unique("person"))
    class_id: str = field(default_factory=lambda: unique("class"))

    def class_created(self, required_hours: str = "24") -> ClassChanged:
        return a_class(self.class_id, required_hours=required_hours)

    def registered(self) -> PersonChanged:
        return a_person(self.person_id)

    def enrolled(self) -> EnrollmentChanged:
        return an_enrollment(self.class_id, self.person_id)

    def credited(self, hours: str, class_id: str | None = "this class") -> HoursCredited:
        return HoursCredited(
            entry_id=unique("entry"),
            person_id=self.person_id,
            year=2026,
            hours=Decimal(hours),
            class_id=self.class_id if class_id == "this class" else class_id,
            rule="session-tolerance/v1",
            reason="attended in full",
            attendance=EventReference(source="urn:dangxiao:door:building-3", id=unique("attendance")),
        )

    def reversed(
        self, credit: HoursCredited, hours: str | None = None, replaced_by: HoursCredited | None = None
    ) -> HoursReversed:
        return HoursReversed(
            entry_id=unique("entry"),
            reverses_entry_id=credit.entry_id,
            replaced_by_entry_id=replaced_by.entry_id if replaced_by is not None else None,
            person_id=self.person_id,
            year=2026,
            hours=Decimal(hours) if hours is not None else credit.hours,
            class_id=credit.class_id,
            reason="attendance voided",
        )

    def assessed(self, *, passed: bool, at: datetime = MONDAY) -> AssessmentRecorded:
        return AssessmentRecorded(
            assessment_id=unique("assessment"),
            class_id=self.class_id,
            person_id=self.person_id,
            passed=passed,
            assessed_by="teacher-1",
            assessed_at=at,
        )

    def everything_to_complete(self) -> list[EventData]:
        return [
            self.class_created(),
            self.registered(),
            self.enrolled(),
            self.credited("24"),
            self.assessed(passed=True),
        ]


class Certificates:
    """The certificates service's consumer on a fresh database, and what it recorded."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.consumer, self.dead_letters = consumer_for(handlers, database, "certificates")

    async def deliver(self, *facts: EventData) -> list[Outcome]:
        return [await self.deliver_event(event_of(fact)) for fact in facts]

    async def deliver_event(self, event: CloudEvent) -> Outcome:
        return await self.consumer.consume(structured_record(event, CONTRACTS[event.type].topic))

    async def events(self, event_type: str, learner: Learner) -> list[CloudEvent]:
        return [
            event
            for event in await outbox_events(self.database, event_type)
            if (event.data["person_id"], event.data["class_id"]) == (learner.person_id, learner.class_id)
        ]

    async def verify(self, number: str) -> ValidCertificate | RevokedCertificate | None:
        async with self.database.sessions() as session:
            return await views.verification_view(session, number)


async def test_a_learner_who_completes_gets_one_certificate_whatever_order_the_facts_arrive_in(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learners = []
    for order in itertools.permutations(range(5)):
        learner = Learner()
        facts = learner.everything_to_complete()
        await certificates.deliver(*(facts[i] for i in order))
        learners.append(learner)

    for learner in learners:
        (issued,) = await certificates.events(ISSUED, learner)
        assert issued.data["hours"] == "24.00"
        assert issued.subject == learner.person_id
        assert await certificates.verify(issued.data["certificate_number"]) == ValidCertificate(
            number=issued.data["certificate_number"],
            holder_name="李四",
            class_title="2026年发展对象培训班",
            category_label="发展对象培训",
            hours=Decimal("24.00"),
            issued_at=datetime.fromisoformat(issued.data["issued_at"]),
        )
    assert certificates.dead_letters.letters == []


async def test_hours_before_the_pass_and_the_pass_before_the_hours_both_issue_once(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    hours_first, pass_first = Learner(), Learner()
    for learner in (hours_first, pass_first):
        await certificates.deliver(learner.class_created(), learner.registered(), learner.enrolled())

    assert await certificates.deliver(hours_first.credited("16"), hours_first.credited("8")) == [Outcome.APPLIED] * 2
    assert await certificates.events(ISSUED, hours_first) == []
    await certificates.deliver(hours_first.assessed(passed=True))

    await certificates.deliver(pass_first.assessed(passed=True), pass_first.credited("16"))
    assert await certificates.events(ISSUED, pass_first) == []
    await certificates.deliver(pass_first.credited("8"))

    for learner in (hours_first, pass_first):
        assert len(await certificates.events(ISSUED, learner)) == 1
    # Hours past the requirement do not issue again.
    await certificates.deliver(pass_first.credited("2"))
    assert len(await certificates.events(ISSUED, pass_first)) == 1


async def test_repeated_events_and_replayed_entries_neither_issue_twice_nor_count_twice(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()
    await certificates.deliver(learner.class_created(), learner.registered(), learner.enrolled())
    credit = learner.credited("12")
    credit_event = event_of(credit)

    assert await certificates.deliver_event(credit_event) == Outcome.APPLIED
    assert await certificates.deliver_event(credit_event) == Outcome.DUPLICATE  # same event: the inbox
    assert await certificates.deliver(credit) == [Outcome.DUPLICATE]  # same ledger entry, another event id
    await certificates.deliver(learner.assessed(passed=True))
    assert await certificates.events(ISSUED, learner) == []  # 12 of 24 学时, not 36

    completing = event_of(learner.credited("12"))
    await certificates.deliver_event(completing)
    await certificates.deliver_event(completing)
    # The register's states again (same versions, new event ids): older than or as old as what is kept.
    assert (
        await certificates.deliver(learner.class_created(), learner.registered(), learner.enrolled())
        == [Outcome.IGNORED] * 3
    )
    (issued,) = await certificates.events(ISSUED, learner)
    assert issued.data["hours"] == "24.00"


async def test_hours_reversed_below_the_requirement_revoke_and_completing_again_issues_a_new_number(
    sqlite_database,
) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()
    credit = learner.credited("8")
    await certificates.deliver(
        learner.class_created(), learner.registered(), learner.enrolled(), learner.credited("16"), credit
    )
    await certificates.deliver(learner.assessed(passed=True))
    (first,) = await certificates.events(ISSUED, learner)

    await certificates.deliver(learner.reversed(credit, "4"))

    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["certificate_number"] == first.data["certificate_number"]
    assert revoked.data["reason"] == "only 20.00 of 24.00 学时"
    verification = await certificates.verify(first.data["certificate_number"])
    assert verification == RevokedCertificate(
        number=first.data["certificate_number"],
        revoked_at=datetime.fromisoformat(revoked.data["revoked_at"]),
        reason="only 20.00 of 24.00 学时",
    )

    await certificates.deliver(learner.credited("4"))

    first_again, second = await certificates.events(ISSUED, learner)
    assert first_again == first
    assert second.data["certificate_number"] != first.data["certificate_number"]
    assert isinstance(await certificates.verify(second.data["certificate_number"]), ValidCertificate)
    assert isinstance(await certificates.verify(first.data["certificate_number"]), RevokedCertificate)
    async with certificates.database.sessions() as session:
        listed = await views.certificates_of_view(session, learner.person_id)
    assert [(c.certificate_number, c.status) for c in listed] == [
        (second.data["certificate_number"], CertificateStatus.ISSUED),
        (first.data["certificate_number"], CertificateStatus.REVOKED),
    ]


async def certified_with(certificates: Certificates, learner: Learner, credit: HoursCredited) -> CloudEvent:
    """The learner certified at exactly the 24 学时 required, ``credit`` among them; their certificate."""
    await certificates.deliver(*learner.everything_to_complete()[:3], learner.credited("16"), credit)
    await certificates.deliver(learner.assessed(passed=True))
    (issued,) = await certificates.events(ISSUED, learner)
    return issued


@pytest.mark.parametrize("replacing_hours", ["8", "10"])
@pytest.mark.parametrize("replacement_first", [False, True], ids=["in-order", "replacement-first"])
async def test_a_correction_that_keeps_the_requirement_keeps_the_same_certificate(
    sqlite_database, replacing_hours: str, replacement_first: bool
) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()
    credit = learner.credited("8")
    issued = await certified_with(certificates, learner, credit)

    replacement = learner.credited(replacing_hours)
    reversal = learner.reversed(credit, replaced_by=replacement)
    # Half a correction counts for nothing until its other half arrives, whichever comes first.
    halves = (replacement, reversal) if replacement_first else (reversal, replacement)
    assert await certificates.deliver(*halves) == [Outcome.APPLIED] * 2

    assert await certificates.events(REVOKED, learner) == []
    assert await certificates.events(ISSUED, learner) == [issued]
    assert isinstance(await certificates.verify(issued.data["certificate_number"]), ValidCertificate)
    # Either half delivered again counts once and changes nothing.
    assert await certificates.deliver(reversal, replacement) == [Outcome.DUPLICATE] * 2
    assert await certificates.events(REVOKED, learner) == []


async def test_a_correction_below_the_requirement_revokes_once_its_replacement_arrives(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()
    credit = learner.credited("8")
    issued = await certified_with(certificates, learner, credit)
    replacement = learner.credited("4")  # the better attendance voided: a lesser one takes its place

    await certificates.deliver(learner.reversed(credit, replaced_by=replacement))
    assert await certificates.events(REVOKED, learner) == []

    await certificates.deliver(replacement)
    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["certificate_number"] == issued.data["certificate_number"]
    assert revoked.data["reason"] == "only 20.00 of 24.00 学时"
    assert await certificates.events(ISSUED, learner) == [issued]


async def test_other_facts_arriving_mid_correction_do_not_see_half_of_it(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()
    credit = learner.credited("8")
    issued = await certified_with(certificates, learner, credit)
    replacement = learner.credited("8")

    await certificates.deliver(learner.reversed(credit, replaced_by=replacement))
    await certificates.deliver(learner.assessed(passed=True, at=MONDAY + timedelta(hours=1)))  # decides in between
    await certificates.deliver(replacement)

    assert await certificates.events(REVOKED, learner) == []
    assert await certificates.events(ISSUED, learner) == [issued]


async def test_a_reversal_nothing_replaces_revokes_at_once(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()
    credit = learner.credited("8")
    issued = await certified_with(certificates, learner, credit)

    assert await certificates.deliver(learner.reversed(credit)) == [Outcome.APPLIED]

    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["certificate_number"] == issued.data["certificate_number"]
    assert revoked.data["reason"] == "only 16.00 of 24.00 学时"


async def test_a_later_failed_assessment_revokes_but_an_earlier_one_arriving_late_does_not(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()
    await certificates.deliver(*learner.everything_to_complete())  # passed on MONDAY

    assert await certificates.deliver(learner.assessed(passed=False, at=MONDAY - timedelta(days=1))) == [
        Outcome.IGNORED
    ]
    assert await certificates.events(REVOKED, learner) == []

    await certificates.deliver(learner.assessed(passed=False, at=MONDAY + timedelta(days=1)))
    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["reason"] == "结业考核 failed"

    await certificates.deliver(learner.assessed(passed=True, at=MONDAY + timedelta(days=2)))  # the 补考 passed
    assert len(await certificates.events(ISSUED, learner)) == 2


async def test_facts_heard_before_the_class_wait_for_it_and_then_issue(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()

    outcomes = await certificates.deliver(
        learner.registered(), learner.enrolled(), learner.credited("24"), learner.assessed(passed=True)
    )

    assert outcomes == [Outcome.APPLIED, Outcome.APPLIED, Outcome.PARKED, Outcome.PARKED]
    assert await certificates.events(ISSUED, learner) == []
    assert await certificates.deliver(learner.class_created()) == [Outcome.APPLIED]
    assert len(await certificates.events(ISSUED, learner)) == 1


async def test_a_completed_learner_whose_name_is_not_known_yet_is_certified_once_it_is(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()
    await certificates.deliver(
        learner.class_created(), learner.enrolled(), learner.credited("24"), learner.assessed(passed=True)
    )
    assert await certificates.events(ISSUED, learner) == []

    await certificates.deliver(learner.registered())

    (issued,) = await certificates.events(ISSUED, learner)
    verification = await certificates.verify(issued.data["certificate_number"])
    assert isinstance(verification, ValidCertificate) and verification.holder_name == "李四"


async def test_hours_outside_any_class_or_for_another_class_count_toward_none(sqlite_database) -> None:
    certificates = Certificates(await sqlite_database("certificates"))
    learner = Learner()
    await certificates.deliver(
        learner.class_created(), learner.registered(), learner.enrolled(), learner.assessed(passed=True)
    )

    outcomes = await certificates.deliver(
        learner.credited("20", class_id=None), learner.credited("20", unique("class"))
    )

    assert outcomes == [Outcome.IGNORED, Outcome.PARKED]
    assert await certificates.events(ISSUED, learner) == []
