"""xAPI 1.0.3 statements as attendance, built with an xAPI client nobody here wrote (the ``tincan`` package)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    Extensions,
    Group,
    LanguageMap,
    Result,
    Statement,
    StatementRef,
    Verb,
)

from services.hours.domain.xapi import (
    ATTENDED,
    COMPLETED,
    HOURS_EXTENSION,
    VOIDED,
    XapiActivity,
    XapiAttendance,
    XapiNotAttendance,
    XapiStatementError,
    XapiVersionError,
    XapiVoid,
    check_batch,
    check_version_header,
    duration_minutes,
    interpret,
    same_statement,
    statement_for_put,
)
from shared.events.contracts.attendance import AttendanceRecorded, AttendanceStatus

BEIJING = timezone(timedelta(hours=8))
SSO = "https://sso.shou.edu.cn"
LECTURE_AT = datetime(2026, 3, 1, 9, 0, tzinfo=BEIJING)


def learner(person_id: str = "20231234") -> Agent:
    return Agent(account=AgentAccount(name=person_id, home_page=SSO))


def sent(statement: Statement) -> dict[str, Any]:
    """The statement as the client puts it on the wire, read back as JSON."""
    body: dict[str, Any] = json.loads(statement.to_json("1.0.3"))
    return body


def attended_session(**changes: Any) -> Statement:
    parts: dict[str, Any] = {
        "id": uuid.uuid4(),
        "actor": learner(),
        "verb": Verb(id=ATTENDED, display=LanguageMap({"en-US": "attended"})),
        "object": Activity(id="urn:dangxiao:session:s-2026-03-01-am"),
        "result": Result(duration=timedelta(hours=2, minutes=30)),
        "timestamp": LECTURE_AT,
    }
    return Statement(**{**parts, **changes})


def online_course(**changes: Any) -> Statement:
    parts: dict[str, Any] = {
        "id": uuid.uuid4(),
        "actor": learner(),
        "verb": Verb(id=COMPLETED, display=LanguageMap({"zh-CN": "完成"})),
        "object": Activity(
            id="https://study.example.cn/courses/4711?chapter=2",
            definition=ActivityDefinition(name=LanguageMap({"en-US": "The Party Constitution", "zh-CN": "学习党章"})),
        ),
        "result": Result(duration=timedelta(minutes=65), extensions=Extensions({HOURS_EXTENSION: 1.5})),
        "context": Context(platform="干部网络学院"),
        "timestamp": LECTURE_AT,
    }
    return Statement(**{**parts, **changes})


# ── What a statement records ───────────────────────────────────────────────────────────────────────────────────


def test_attending_a_session_maps_to_the_attendance_contract() -> None:
    statement = attended_session()
    mapped = interpret(sent(statement), platform="智慧党建")
    assert mapped == XapiAttendance(
        statement_id=str(statement.id),
        person_id="20231234",
        session_id="s-2026-03-01-am",
        activity=None,
        minutes=150,
        hours=None,
        occurred_at=LECTURE_AT,
    )
    recorded = AttendanceRecorded.model_validate(mapped.event_data())
    assert (recorded.person_id, recorded.session_id, recorded.status, recorded.minutes) == (
        "20231234",
        "s-2026-03-01-am",
        AttendanceStatus.PRESENT,
        150,
    )


def test_completing_a_course_on_a_platform_maps_to_an_activity_with_the_platforms_hours() -> None:
    statement = online_course()
    mapped = interpret(sent(statement), platform="智慧党建")
    assert isinstance(mapped, XapiAttendance)
    assert mapped.activity is not None and mapped.activity.id.startswith("xapi-")
    assert mapped.activity == XapiActivity(id=mapped.activity.id, title="学习党章", platform="干部网络学院")
    assert (mapped.minutes, mapped.hours) == (65, Decimal("1.5"))
    recorded = AttendanceRecorded.model_validate(mapped.event_data())
    assert (recorded.activity, recorded.hours) == (
        recorded.activity.__class__(id=mapped.activity.id, title="学习党章", platform="干部网络学院"),
        Decimal("1.5"),
    )


def test_an_activity_keeps_its_iri_as_id_when_the_contract_can_hold_it_and_a_digest_otherwise() -> None:
    plain = interpret(sent(online_course(object=Activity(id="urn:course:4711"))), platform="智慧党建")
    long = interpret(sent(online_course()), platform="智慧党建")
    again = interpret(sent(online_course()), platform="智慧党建")
    assert isinstance(plain, XapiAttendance) and plain.activity is not None
    assert (plain.activity.id, plain.activity.title) == ("urn:course:4711", "urn:course:4711")  # no name: its IRI
    assert isinstance(long, XapiAttendance) and isinstance(again, XapiAttendance)
    assert long.activity == again.activity  # the same IRI is the same activity


def test_without_a_platform_in_context_the_senders_name_is_the_platform() -> None:
    mapped = interpret(sent(online_course(context=None)), platform="智慧党建")
    assert isinstance(mapped, XapiAttendance) and mapped.activity is not None
    assert mapped.activity.platform == "智慧党建"


def test_without_a_timestamp_or_duration_the_attendance_has_neither() -> None:
    mapped = interpret(sent(attended_session(timestamp=None, result=None)), platform="智慧党建")
    assert isinstance(mapped, XapiAttendance)
    assert (mapped.occurred_at, mapped.minutes) == (None, None)
    assert "minutes" not in mapped.event_data()


def test_a_voiding_statement_names_what_it_takes_back() -> None:
    original = attended_session()
    void = Statement(id=uuid.uuid4(), actor=learner("admin"), verb=Verb(id=VOIDED), object=StatementRef(id=original.id))
    mapped = interpret(sent(void), platform="智慧党建")
    assert mapped == XapiVoid(statement_id=str(void.id), voids_statement_id=str(original.id))
    assert mapped.reason == f"voided by xAPI statement {void.id}"


def test_other_verbs_are_valid_statements_that_record_no_attendance() -> None:
    statement = attended_session(verb=Verb(id="http://adlnet.gov/expapi/verbs/experienced"))
    mapped = interpret(sent(statement), platform="智慧党建")
    assert mapped == XapiNotAttendance(
        str(statement.id),
        "verb http://adlnet.gov/expapi/verbs/experienced records no attendance (only attended and completed do)",
    )


def test_a_statement_is_read_only_with_its_id() -> None:
    with pytest.raises(XapiStatementError, match="assigns an id"):
        interpret(sent(attended_session(id=None)), platform="智慧党建")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.update(actor=json.loads(Group(member=[learner()]).to_json())), "actor: must be one person"),
        (lambda s: s.update(actor={"mbox": "mailto:li@shou.edu.cn"}), "identified by mbox; this door needs"),
        (
            lambda s: s["actor"].update(mbox="mailto:li@shou.edu.cn"),
            "identified by mbox, account; this door needs exactly an account",
        ),
        (lambda s: s["actor"]["account"].update(name="20231234 李"), "is not a person id"),
        (lambda s: s["actor"]["account"].update(homePage="sso"), r"actor\.account\.homePage: 'sso' is not an IRI"),
        (lambda s: s.update(id="not-a-uuid"), "id: 'not-a-uuid' is not a UUID"),
        (lambda s: s.update(grade="A"), "statement: unknown grade"),
        (lambda s: s["result"].update(duration=None), r"statement\.result\.duration: null is not allowed"),
        (lambda s: s["result"].update(duration="P1M"), "counts years or months"),
        (lambda s: s["result"].update(duration="2h30m"), "is not an ISO 8601 duration"),
        (lambda s: s.update(timestamp="2026-03-01T09:00:00"), "has no time zone"),
        (lambda s: s.update(timestamp="yesterday"), "is not an ISO 8601 timestamp"),
        (lambda s: s.update(version="2.0.0"), "is not a 1.0.x version"),
        (lambda s: s["verb"].update(id="attended"), r"verb\.id: 'attended' is not an IRI"),
        (lambda s: s["object"].update(id="urn:dangxiao:session:a/b"), "does not name a session"),
        (
            lambda s: s.update(object={"objectType": "StatementRef", "id": str(uuid.uuid4())}),
            "attendance is at a session or an activity, not at a StatementRef object",
        ),
        (lambda s: s.update(object={"objectType": "Place", "id": "urn:x"}), "is not an xAPI object type"),
        (lambda s: s["result"].update(extensions={HOURS_EXTENSION: "1.5"}), "expected a number of 学时"),
        (lambda s: s["result"].update(extensions={HOURS_EXTENSION: 25}), "between 0 and 24"),
        (lambda s: s["result"].update(extensions={HOURS_EXTENSION: 1.555}), "at most two decimals"),
        (lambda s: s["result"].update(extensions={"hours": 1}), "is not an IRI"),
        (lambda s: s.pop("verb"), "verb: required"),
    ],
)
def test_a_statement_this_door_cannot_take_is_refused_naming_the_property(change: Any, message: str) -> None:
    statement = sent(attended_session())
    change(statement)
    with pytest.raises(XapiStatementError, match=message):
        interpret(statement, platform="智慧党建")


def test_nulls_inside_extensions_are_the_extensions_business() -> None:
    statement = sent(attended_session())
    statement["result"]["extensions"] = {"https://example.cn/xapi/notes": None}
    assert isinstance(interpret(statement, platform="智慧党建"), XapiAttendance)


def test_a_voiding_statement_must_name_a_statement() -> None:
    void = sent(attended_session(verb=Verb(id=VOIDED)))
    with pytest.raises(XapiStatementError, match="names the statement it voids"):
        interpret(void, platform="智慧党建")


@pytest.mark.parametrize(
    ("duration", "minutes"),
    [
        ("PT2H30M", 150),
        ("PT02H30M00S", 150),  # as tincan writes it
        ("PT59.99S", 0),  # whole minutes only
        ("PT60S", 1),
        ("PT1H0M0.5S", 60),
        ("PT90M", 90),
        ("PT1,5H", 90),  # ISO 8601 allows a decimal comma
        ("P1D", 1440),  # at most a day, the contract's bound
        ("P0D", 0),
    ],
)
def test_a_duration_gives_whole_minutes(duration: str, minutes: int) -> None:
    assert duration_minutes(duration) == minutes


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("P1DT1M", "more than one day"),
        ("P1Y", "years or months"),
        ("P2M", "years or months"),
        ("P", "not an ISO 8601 duration"),
        ("PT", "not an ISO 8601 duration"),
        ("P1DT", "not an ISO 8601 duration"),
        ("1H", "not an ISO 8601 duration"),
        ("-PT1H", "not an ISO 8601 duration"),
    ],
)
def test_a_duration_that_is_not_minutes_is_refused(duration: str, message: str) -> None:
    with pytest.raises(XapiStatementError, match=message):
        duration_minutes(duration)


# ── Statement ids: the same statement again, or a conflict ──────────────────────────────────────────────────────


def stored_by_the_lrs(statement: dict[str, Any]) -> dict[str, Any]:
    """What an LRS keeps: it adds stored and authority, and may restate the timestamp in UTC."""
    kept = {
        **statement,
        "stored": "2026-03-01T02:00:05.123Z",
        "authority": {"account": {"name": "lrs", "homePage": SSO}},
    }
    kept["timestamp"] = "2026-03-01T01:00:00.000Z"  # 09:00 in Beijing
    return kept


def test_the_same_statement_sent_again_is_the_same_whatever_the_lrs_added() -> None:
    statement = sent(attended_session())
    assert same_statement(stored_by_the_lrs(statement), statement)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["verb"].update(display={"zh-CN": "出席"}),  # a verb's display is not part of the statement
        lambda s: s["object"].update(definition={"name": {"zh-CN": "新标题"}}),  # nor an activity's definition
        lambda s: s.pop("timestamp"),  # the LRS fills in a missing timestamp
        lambda s: s.update(version="1.0.0"),
        lambda s: s["result"].update(duration="PT02H30M00.001S"),  # beyond 0.01 s
        lambda s: s.update(attachments=[]),
    ],
)
def test_differences_the_spec_ignores_leave_it_the_same_statement(change: Any) -> None:
    statement = sent(attended_session())
    again = json.loads(json.dumps(statement))
    change(again)
    assert same_statement(statement, again)
    assert same_statement(again, statement)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["result"].update(duration="PT150M"),  # the same time, written otherwise: compared as written
        lambda s: s["result"].update(duration="PT2H31M"),
        lambda s: s.update(timestamp="2026-03-01T09:00:01+08:00"),
        lambda s: s["actor"]["account"].update(name="20239999"),
        lambda s: s["object"].update(id="urn:dangxiao:session:s-other"),
        lambda s: s.update(context={"platform": "学习强国"}),
        lambda s: s["result"].update(extensions={HOURS_EXTENSION: 2}),
    ],
)
def test_any_other_difference_makes_it_another_statement_a_conflict(change: Any) -> None:
    statement = sent(attended_session())
    other = json.loads(json.dumps(statement))
    change(other)
    assert not same_statement(statement, other)


def test_a_group_is_the_same_whatever_the_order_of_its_members() -> None:
    first = sent(attended_session(verb=Verb(id="http://adlnet.gov/expapi/verbs/experienced")))
    first["actor"] = {"objectType": "Group", "member": [{"mbox": "mailto:a@x.cn"}, {"mbox": "mailto:b@x.cn"}]}
    second = json.loads(json.dumps(first))
    second["actor"]["member"].reverse()
    assert same_statement(first, second)


def test_a_batch_naming_one_id_twice_is_refused_whole() -> None:
    statement = sent(attended_session())
    shouting = {**sent(online_course()), "id": statement["id"].upper()}
    with pytest.raises(XapiStatementError, match=r"\[1\]\.id: .* appears twice in one batch"):
        check_batch([statement, shouting])
    check_batch([statement, sent(online_course()), sent(attended_session(id=None))])


def test_put_takes_the_id_of_its_parameter_which_the_statement_may_repeat_but_not_contradict() -> None:
    statement = sent(attended_session(id=None))
    statement_id = str(uuid.uuid4())
    assert statement_for_put(statement, statement_id)["id"] == statement_id
    with pytest.raises(XapiStatementError, match="differs from the statementId parameter"):
        statement_for_put({**statement, "id": str(uuid.uuid4())}, statement_id)
    with pytest.raises(XapiStatementError, match="statementId: 'abc' is not a UUID"):
        statement_for_put(statement, "abc")


@pytest.mark.parametrize("header", ["1.0.3", "1.0.0", "1.0", "1.0.9"])
def test_every_1_0_version_header_is_accepted(header: str) -> None:
    check_version_header(header)


@pytest.mark.parametrize(
    ("header", "message"),
    [(None, "is required"), ("0.95", "not supported"), ("1.1.0", "not supported"), ("2.0.0", "not supported")],
)
def test_a_missing_earlier_or_later_version_header_is_refused(header: str | None, message: str) -> None:
    with pytest.raises(XapiVersionError, match=message):
        check_version_header(header)


def test_timestamps_are_compared_as_instants_to_the_millisecond() -> None:
    statement = sent(attended_session())
    utc = {**statement, "timestamp": datetime(2026, 3, 1, 1, 0, 0, 400, tzinfo=UTC).isoformat()}  # +0.4 ms
    assert same_statement(statement, utc)
