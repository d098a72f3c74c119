"""Certificates decided from the facts as they arrive: issued, revoked and reinstated at the exact boundary of each
of the class's criteria, whatever order the facts come in, and the same again when the topics are replayed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.certificates import views
from services.certificates.domain.numbers import parse_number
from services.certificates.domain.verification import PublicVerification, VerificationStatus
from services.certificates.handlers import certificate_handlers
from services.certificates.issuing import Issuing
from services.certificates.models import Certificate, CertificateStatus
from services.certificates.settings import Settings
from shared.consumer import Outcome
from shared.db import Database, execute, table_of
from shared.events.contracts import CONTRACTS
from shared.events.contracts.certificates import CertificateIssued, CertificateReinstated, CertificateRevoked
from shared.events.contracts.common import EventReference
from shared.events.contracts.evaluation import AssessmentRecorded, SurveyAnswered
from shared.events.contracts.hours import HoursCredited, HoursReversed, SessionAttendanceChanged
from shared.events.contracts.register import (
    ClassChanged,
    CompletionCriteria,
    EnrollmentChanged,
    PersonChanged,
    SessionChanged,
)
from shared.events.envelope import CloudEvent, EventData
from shared.outbox import OutboxMessage
from tests.support import (
    a_class,
    a_person,
    a_session,
    an_enrollment,
    consumer_for,
    event_of,
    migrated_database,
    outbox_events,
    structured_record,
    unique,
)

ISSUED = CertificateIssued.event_type
REVOKED = CertificateRevoked.event_type
REINSTATED = CertificateReinstated.event_type
MONDAY = datetime(2026, 3, 2, 8, tzinfo=UTC)  # a Monday, gone by: credentials are valid from it
ISSUING = Issuing.from_settings(Settings(environment="test"))


@dataclass
class Learner:
    """One learner in one class, with random ids, and the events the other services send about them."""

    person_id: str = field(default_factory=lambda: unique("person"))
    class_id: str = field(default_factory=lambda: unique("class"))
    enrollment_version: int = 1

    def class_created(self, required_hours: str = "24", *, version: int = 1, **criteria: Any) -> ClassChanged:
        completion = CompletionCriteria(required_hours=Decimal(required_hours), **criteria)
        return a_class(self.class_id, version=version).model_copy(update={"completion": completion})

    def registered(self) -> PersonChanged:
        return a_person(self.person_id)

    def enrolled(self, status: str = "approved") -> EnrollmentChanged:
        enrollment = an_enrollment(self.class_id, self.person_id, status=status, version=self.enrollment_version)
        self.enrollment_version += 1
        return enrollment

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
            channel="offline",
            category="development_targets",
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
            channel=credit.channel,
            category=credit.category,
        )

    def assessed(self, *, passed: bool, at: datetime = MONDAY, grade: str | None = None) -> AssessmentRecorded:
        return AssessmentRecorded(
            assessment_id=unique("assessment"),
            class_id=self.class_id,
            person_id=self.person_id,
            passed=passed,
            assessed_by="teacher-1",
            assessed_at=at,
            grade=grade,
        )

    def surveyed(self, purpose: str = "after_class") -> SurveyAnswered:
        return SurveyAnswered(
            form_id=unique("form"),
            class_id=self.class_id,
            person_id=self.person_id,
            purpose=purpose,
            answered_at=MONDAY,
        )

    def session(self, number: int, hours: str = "4", status: str = "scheduled", version: int = 1) -> SessionChanged:
        return a_session(
            f"{self.class_id}-{number:02d}",
            self.class_id,
            starts_at=MONDAY + timedelta(days=number),
            hours=hours,
            status=status,
            version=version,
        )

    def attended(self, number: int, status: str, revision: int = 1) -> SessionAttendanceChanged:
        return SessionAttendanceChanged(
            person_id=self.person_id,
            session_id=f"{self.class_id}-{number:02d}",
            class_id=self.class_id,
            status=status,
            hours=Decimal(0) if status in ("absent", "excused") else Decimal(4),
            revision=revision,
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
        self.consumer, self.dead_letters = consumer_for(certificate_handlers(ISSUING), database, "certificates")

    async def deliver(self, *facts: EventData) -> list[Outcome]:
        return [await self.deliver_event(event_of(fact, time=MONDAY)) for fact in facts]

    async def deliver_event(self, event: CloudEvent) -> Outcome:
        return await self.consumer.consume(structured_record(event, CONTRACTS[event.type].topic))

    async def events(self, event_type: str, learner: Learner) -> list[CloudEvent]:
        return [
            event
            for event in await outbox_events(self.database, event_type)
            if (event.data["person_id"], event.data["class_id"]) == (learner.person_id, learner.class_id)
        ]

    async def history(self, learner: Learner) -> list[tuple[str, str, int]]:
        """(type, number, revision) of every certificate event about the learner, in order."""
        return [
            (event.type.split(".")[-2], event.data["certificate_number"], event.data["revision"])
            for event in await outbox_events(self.database)
            if event.data.get("person_id") == learner.person_id and event.data.get("class_id") == learner.class_id
        ]

    async def verify(self, number: str) -> PublicVerification:
        parsed = parse_number(number)
        assert parsed is not None
        async with self.database.sessions() as session:
            return await views.verification_view(session, parsed)

    async def certificates(self) -> list[dict[str, Any]]:
        async with self.database.sessions() as session:
            rows = (await execute(session, select(table_of(Certificate)))).mappings().all()
        return sorted((dict(row) for row in rows), key=lambda row: row["certificate_number"])


@pytest.fixture
async def certificates(sqlite_database) -> Certificates:
    return Certificates(await sqlite_database("certificates"))


async def enrolled_learner(certificates: Certificates, learner: Learner, **criteria: Any) -> None:
    await certificates.deliver(learner.class_created(**criteria), learner.registered(), learner.enrolled())


# ── issuing once, whatever the order ─────────────────────────────────────────────────────────────────


async def test_a_learner_who_completes_gets_one_certificate_whatever_order_the_facts_arrive_in(certificates) -> None:
    learners = []
    for order in itertools.permutations(range(5)):
        learner = Learner()
        facts = learner.everything_to_complete()
        await certificates.deliver(*(facts[i] for i in order))
        learners.append(learner)

    for learner in learners:
        (issued,) = await certificates.events(ISSUED, learner)
        assert issued.data["hours"] == "24.00"
        assert issued.data["revision"] == 1
        assert issued.subject == learner.person_id
        verification = await certificates.verify(issued.data["certificate_number"])
        assert verification.status is VerificationStatus.VALID
        assert (verification.masked_name, verification.title, verification.hours) == (
            "李*",
            "2026年发展对象培训班",
            Decimal("24.00"),
        )
    assert certificates.dead_letters.letters == []


async def test_repeated_events_and_replayed_entries_neither_issue_twice_nor_count_twice(certificates) -> None:
    learner = Learner()
    await enrolled_learner(certificates, learner)
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
    assert len(await certificates.events(ISSUED, learner)) == 1


async def test_facts_heard_before_the_class_wait_for_it_and_then_issue(certificates) -> None:
    learner = Learner()

    outcomes = await certificates.deliver(
        learner.registered(), learner.enrolled(), learner.credited("24"), learner.assessed(passed=True)
    )

    assert outcomes == [Outcome.APPLIED] * 4
    assert await certificates.events(ISSUED, learner) == []
    assert await certificates.deliver(learner.class_created()) == [Outcome.APPLIED]
    assert len(await certificates.events(ISSUED, learner)) == 1


async def test_a_completed_learner_whose_name_is_not_known_yet_is_certified_once_it_is(certificates) -> None:
    learner = Learner()
    await certificates.deliver(
        learner.class_created(), learner.enrolled(), learner.credited("24"), learner.assessed(passed=True)
    )
    assert await certificates.events(ISSUED, learner) == []

    await certificates.deliver(learner.registered())

    (issued,) = await certificates.events(ISSUED, learner)
    assert (await certificates.verify(issued.data["certificate_number"])).masked_name == "李*"


async def test_hours_outside_any_class_are_kept_for_the_year_but_count_toward_no_certificate(certificates) -> None:
    learner = Learner()
    await certificates.deliver(
        learner.class_created(), learner.registered(), learner.enrolled(), learner.assessed(passed=True)
    )

    outcomes = await certificates.deliver(
        learner.credited("20", class_id=None), learner.credited("20", unique("class"))
    )

    assert outcomes == [Outcome.APPLIED] * 2  # kept: the second for a class not known yet
    assert await certificates.events(ISSUED, learner) == []


# ── each criterion at its boundary ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("credited", "issued"), [("23.99", False), ("24.00", True), ("24.01", True)])
async def test_hours_issue_exactly_at_the_required_hours(certificates, credited: str, issued: bool) -> None:
    learner = Learner()
    await enrolled_learner(certificates, learner)
    await certificates.deliver(learner.assessed(passed=True), learner.credited(credited))
    assert len(await certificates.events(ISSUED, learner)) == (1 if issued else 0)


async def test_hours_reversed_one_hundredth_below_the_line_revoke_and_the_credit_back_reinstates(
    certificates,
) -> None:
    learner = Learner()
    credit = learner.credited("0.01")
    await enrolled_learner(certificates, learner)
    await certificates.deliver(learner.credited("23.99"), credit, learner.assessed(passed=True))
    (issued,) = await certificates.events(ISSUED, learner)
    number = issued.data["certificate_number"]

    await certificates.deliver(learner.reversed(credit))
    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["reason"] == "no longer completes: 23.99 of 24 学时"
    revoked_view = await certificates.verify(number)
    assert (revoked_view.status, revoked_view.revoked_on) == (VerificationStatus.REVOKED, MONDAY.date())

    await certificates.deliver(learner.credited("0.01"))
    (reinstated,) = await certificates.events(REINSTATED, learner)
    assert reinstated.data["certificate_number"] == number
    assert reinstated.data["reason"].startswith("completes again: enrolled; 24 of 24 学时")
    assert await certificates.history(learner) == [
        ("issued", number, 1),
        ("revoked", number, 2),
        ("reinstated", number, 3),
    ]
    assert (await certificates.verify(number)).status is VerificationStatus.VALID


def absence_class(learner: Learner) -> list[EventData]:
    """Four sessions of 4 学时 (16 scheduled), at most a quarter of them missed."""
    return [
        learner.class_created("0", max_absence_share=Decimal("0.25"), assessment_required=False),
        *(learner.session(n) for n in range(1, 5)),
        learner.registered(),
        learner.enrolled(),
    ]


async def test_absence_exactly_at_the_limit_issues_and_one_session_more_revokes(certificates) -> None:
    learner = Learner()
    await certificates.deliver(*absence_class(learner))
    (issued,) = await certificates.events(ISSUED, learner)  # nothing missed yet

    await certificates.deliver(learner.attended(1, "excused"))  # 4 of 16 学时: exactly a quarter
    assert await certificates.events(REVOKED, learner) == []

    await certificates.deliver(learner.attended(2, "absent"))  # 8 of 16
    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["reason"] == (
        "no longer completes: absent 2 of 4 sessions (8 of 16 scheduled 学时, more than the 25% allowed)"
    )

    # The ledger corrects the second: the learner was there after all (a later revision of that attendance).
    await certificates.deliver(learner.attended(2, "present", revision=2))
    (reinstated,) = await certificates.events(REINSTATED, learner)
    assert reinstated.data["certificate_number"] == issued.data["certificate_number"]
    # An older revision arriving late changes nothing.
    assert await certificates.deliver(learner.attended(2, "absent", revision=1)) == [Outcome.IGNORED]


async def test_a_cancelled_session_schedules_nothing_so_the_same_absence_weighs_more(certificates) -> None:
    learner = Learner()
    await certificates.deliver(*absence_class(learner), learner.attended(1, "absent"))
    (issued,) = await certificates.events(ISSUED, learner)  # 4 of 16

    await certificates.deliver(learner.session(4, status="cancelled", version=2))  # 4 of 12: a third

    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["certificate_number"] == issued.data["certificate_number"]
    assert "absent 1 of 3 sessions (4 of 12 scheduled 学时" in revoked.data["reason"]


async def test_a_voided_attendance_counts_as_nothing_recorded(certificates) -> None:
    learner = Learner()
    await certificates.deliver(*absence_class(learner), learner.attended(1, "absent"), learner.attended(2, "absent"))
    (revoked,) = await certificates.events(REVOKED, learner)

    await certificates.deliver(learner.attended(2, "none", revision=2))

    (reinstated,) = await certificates.events(REINSTATED, learner)
    assert reinstated.data["certificate_number"] == revoked.data["certificate_number"]
    assert "absent 1 of 4 sessions" in reinstated.data["reason"]


async def test_a_later_failed_assessment_revokes_an_earlier_one_arriving_late_does_not_and_a_pass_reinstates(
    certificates,
) -> None:
    learner = Learner()
    await certificates.deliver(*learner.everything_to_complete())  # passed on MONDAY
    (issued,) = await certificates.events(ISSUED, learner)

    assert await certificates.deliver(learner.assessed(passed=False, at=MONDAY - timedelta(days=1))) == [
        Outcome.IGNORED
    ]
    assert await certificates.events(REVOKED, learner) == []

    await certificates.deliver(learner.assessed(passed=False, at=MONDAY + timedelta(days=1), grade="fail"))
    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["reason"] == "no longer completes: 结业考核 不合格 (not passed)"

    await certificates.deliver(learner.assessed(passed=True, at=MONDAY + timedelta(days=2), grade="pass"))  # 补考
    (reinstated,) = await certificates.events(REINSTATED, learner)
    assert reinstated.data["certificate_number"] == issued.data["certificate_number"]
    assert len(await certificates.events(ISSUED, learner)) == 1


async def test_the_after_class_survey_is_required_only_where_the_class_says_and_only_that_survey(
    certificates,
) -> None:
    learner = Learner()
    await enrolled_learner(certificates, learner, survey_required=True)
    await certificates.deliver(learner.credited("24"), learner.assessed(passed=True))

    assert await certificates.deliver(learner.surveyed("pre_class")) == [Outcome.IGNORED]
    assert await certificates.events(ISSUED, learner) == []

    await certificates.deliver(learner.surveyed())
    assert len(await certificates.events(ISSUED, learner)) == 1
    assert await certificates.deliver(learner.surveyed()) == [Outcome.IGNORED]  # answered already


async def test_a_class_that_needs_no_assessment_issues_without_one(certificates) -> None:
    learner = Learner()
    await enrolled_learner(certificates, learner, assessment_required=False)
    await certificates.deliver(learner.credited("24"))
    assert len(await certificates.events(ISSUED, learner)) == 1


async def test_withdrawal_revokes_and_approval_again_reinstates_the_same_number(certificates) -> None:
    learner = Learner()
    await certificates.deliver(*learner.everything_to_complete())
    (issued,) = await certificates.events(ISSUED, learner)

    await certificates.deliver(learner.enrolled("withdrawn"))
    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["reason"] == "no longer completes: withdrawn from the class"

    await certificates.deliver(learner.enrolled("approved"))
    (reinstated,) = await certificates.events(REINSTATED, learner)
    assert reinstated.data["certificate_number"] == issued.data["certificate_number"]
    assert reinstated.data["revision"] == 3


async def test_a_class_that_reissues_gives_a_new_number_and_keeps_the_old_one_revoked(certificates) -> None:
    learner = Learner()
    credit = learner.credited("8")
    await enrolled_learner(certificates, learner, reissue_after_revocation=True)
    await certificates.deliver(learner.credited("16"), credit, learner.assessed(passed=True))
    (first,) = await certificates.events(ISSUED, learner)

    await certificates.deliver(learner.reversed(credit), learner.credited("8"))

    first_again, second = await certificates.events(ISSUED, learner)
    assert first_again == first
    assert second.data["certificate_number"] != first.data["certificate_number"]
    assert await certificates.events(REINSTATED, learner) == []
    assert (await certificates.verify(first.data["certificate_number"])).status is VerificationStatus.REVOKED
    async with certificates.database.sessions() as session:
        listed = await views.certificates_of_view(session, learner.person_id)
    assert [(c.certificate_number, c.status) for c in listed] == [
        (second.data["certificate_number"], CertificateStatus.ISSUED),
        (first.data["certificate_number"], CertificateStatus.REVOKED),
    ]


async def test_raising_the_required_hours_revokes_and_lowering_them_again_reinstates(certificates) -> None:
    learner = Learner()
    await certificates.deliver(*learner.everything_to_complete())
    (issued,) = await certificates.events(ISSUED, learner)

    await certificates.deliver(learner.class_created("32", version=2))
    assert len(await certificates.events(REVOKED, learner)) == 1
    await certificates.deliver(learner.class_created("24", version=3))
    (reinstated,) = await certificates.events(REINSTATED, learner)
    assert reinstated.data["certificate_number"] == issued.data["certificate_number"]


# ── corrections of the ledger ────────────────────────────────────────────────────────────────────────


async def certified_with(certificates: Certificates, learner: Learner, credit: HoursCredited) -> CloudEvent:
    """The learner certified at exactly the 24 学时 required, ``credit`` among them; their certificate."""
    await enrolled_learner(certificates, learner)
    await certificates.deliver(learner.credited("16"), credit, learner.assessed(passed=True))
    (issued,) = await certificates.events(ISSUED, learner)
    return issued


@pytest.mark.parametrize("replacing_hours", ["8", "10"])
@pytest.mark.parametrize("replacement_first", [False, True], ids=["in-order", "replacement-first"])
async def test_a_correction_that_keeps_the_requirement_keeps_the_same_certificate(
    certificates, replacing_hours: str, replacement_first: bool
) -> None:
    learner = Learner()
    credit = learner.credited("8")
    issued = await certified_with(certificates, learner, credit)

    replacement = learner.credited(replacing_hours)
    reversal = learner.reversed(credit, replaced_by=replacement)
    # Half a correction counts for nothing until its other half arrives, whichever comes first.
    halves = (replacement, reversal) if replacement_first else (reversal, replacement)
    assert await certificates.deliver(*halves) == [Outcome.APPLIED] * 2

    assert await certificates.history(learner) == [("issued", issued.data["certificate_number"], 1)]
    assert await certificates.deliver(reversal, replacement) == [Outcome.DUPLICATE] * 2


async def test_a_correction_below_the_requirement_revokes_once_its_replacement_arrives(certificates) -> None:
    learner = Learner()
    credit = learner.credited("8")
    issued = await certified_with(certificates, learner, credit)
    replacement = learner.credited("4")  # the better attendance voided: a lesser one takes its place

    await certificates.deliver(learner.reversed(credit, replaced_by=replacement))
    assert await certificates.events(REVOKED, learner) == []

    await certificates.deliver(replacement)
    (revoked,) = await certificates.events(REVOKED, learner)
    assert revoked.data["certificate_number"] == issued.data["certificate_number"]
    assert revoked.data["reason"] == "no longer completes: 20 of 24 学时"


# ── replaying the topics decides the same ────────────────────────────────────────────────────────────


async def test_replaying_the_same_events_decides_the_same_numbers_places_and_events(tmp_path: Path) -> None:
    learners = [Learner() for _ in range(3)]
    facts: list[CloudEvent] = []
    for learner in learners:
        credit = learner.credited("8")
        for fact in [*learner.everything_to_complete(), credit, learner.reversed(credit), learner.credited("8")]:
            facts.append(event_of(fact, time=MONDAY + timedelta(minutes=len(facts))))
    live, replay = [
        Certificates(await migrated_database(f"sqlite:///{tmp_path / name}.db", "certificates"))
        for name in ("live", "replay")
    ]
    for event in facts:
        await live.deliver_event(event)
    for event in facts:
        await replay.deliver_event(event)

    assert await live.certificates() == await replay.certificates()
    assert [row["status_index"] for row in await live.certificates()] != [0, 0, 0]
    async with live.database.sessions() as one, replay.database.sessions() as other:
        published = select(OutboxMessage.payload).order_by(OutboxMessage.id)
        assert (await one.exec(published)).all() == (await other.exec(published)).all()
    for certificates in (live, replay):
        await certificates.database.dispose()
