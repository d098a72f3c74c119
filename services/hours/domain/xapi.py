"""xAPI 1.0.3 statements as attendance: the door for learning platforms that already speak xAPI.

What a statement means here
- ``actor``: one person, an Agent identified by an account; ``account.name`` is the person id (工号/学号).
- ``verb``: ``attended`` or ``completed`` (ADL's verbs) record attendance, status present; ``voided`` takes back
  what the statement it names credited. Any other verb is a valid statement that records no attendance.
- ``object``: the Activity ``urn:dangxiao:session:<session id>`` is a scheduled session of one of our classes;
  any other Activity is study outside a session: its IRI gives the activity id (the IRI itself when it is a
  plain identifier, otherwise ``xapi-`` and a digest of it), ``definition.name`` the title (Chinese first),
  ``context.platform`` the platform (or, without one, the name of the system that sent it).
- ``result.duration`` (ISO 8601, e.g. ``PT1H30M``) gives the whole minutes studied; the result extension
  ``urn:dangxiao:xapi:hours`` the 学时 the platform itself credits.
- ``timestamp`` is when it happened; without one, when the statement was stored (xAPI 2.4.7).

Statement ids (xAPI 1.0.3, Communication 2.1.1–2.1.2): a statement whose id is already known changes nothing;
if it is not the *same* statement (``same_statement``) the answer is 409 Conflict. A batch naming one id twice
is refused whole. Statements are checked (``check_statement``) against the parts of the data model this door
relies on; an error names the property, e.g. ``object.definition.name: expected a language map``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from shared.events.contracts.attendance import AttendanceStatus

ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ATTENDANCE_VERBS = frozenset({ATTENDED, COMPLETED})
SESSION_IRI_PREFIX = "urn:dangxiao:session:"
HOURS_EXTENSION = "urn:dangxiao:xapi:hours"  # result extension: 学时 credited by the platform itself
TITLE_LANGUAGES = ("zh-CN", "zh-Hans", "zh", "en-US", "en")  # which name of an activity to show first

STATEMENT_PROPERTIES = frozenset(
    {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"}
)
# Properties the LRS may assign or that are not part of the statement (xAPI Data 2.3.1): ignored when comparing.
ASSIGNED_PROPERTIES = ("id", "authority", "stored", "version", "attachments")
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")  # what the attendance contract takes as an id
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")  # best effort (xAPI Data 2.2.s4.b6): a scheme and no spaces
VERSION = re.compile(r"^1\.0(\.\d+)?$")
NUMBER = r"\d+(?:[.,]\d+)?"
DURATION = re.compile(
    rf"^P(?:(?P<weeks>{NUMBER})W)?(?:(?P<days>{NUMBER})D)?"
    rf"(?:T(?:(?P<hours>{NUMBER})H)?(?:(?P<minutes>{NUMBER})M)?(?:(?P<seconds>{NUMBER})S)?)?$"
)
MAX_MINUTES = 1440  # the attendance contract's bound: one day


class XapiStatementError(ValueError):
    """A statement this door cannot take; the message names the property (400 Bad Request)."""


class XapiVersionError(ValueError):
    """A request without an ``X-Experience-API-Version`` this LRS speaks (400 Bad Request)."""


def check_version_header(value: str | None) -> None:
    """xAPI Communication 3.3: 1.0 and any 1.0.x are accepted; none, earlier or 1.1 and later are not."""
    if value is None:
        raise XapiVersionError("the X-Experience-API-Version header is required (this LRS speaks 1.0.3)")
    if not VERSION.fullmatch(value.strip()):
        raise XapiVersionError(f"X-Experience-API-Version {value!r} is not supported; this LRS speaks 1.0.x (1.0.3)")


# ── What a statement records ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class XapiActivity:
    id: str
    title: str
    platform: str


@dataclass(frozen=True)
class XapiAttendance:
    """A statement that records attendance; ``event_data`` is the data of ``dangxiao.attendance.recorded.v1``."""

    statement_id: str
    person_id: str
    session_id: str | None
    activity: XapiActivity | None
    minutes: int | None
    hours: Decimal | None
    occurred_at: datetime | None  # None: the statement had no timestamp; use when it was stored

    def event_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"person_id": self.person_id, "status": AttendanceStatus.PRESENT.value}
        if self.session_id is not None:
            data["session_id"] = self.session_id
        if self.activity is not None:
            data["activity"] = {
                "id": self.activity.id,
                "title": self.activity.title,
                "platform": self.activity.platform,
            }
        if self.minutes is not None:
            data["minutes"] = self.minutes
        if self.hours is not None:
            data["hours"] = self.hours
        return data


@dataclass(frozen=True)
class XapiVoid:
    """A voiding statement: takes back what the statement it names credited.

    A statement that voids another cannot itself be voided (xAPI Data 2.3.2): only the LRS, which knows the
    statement named, can tell that this one voids nothing.
    """

    statement_id: str
    voids_statement_id: str

    @property
    def reason(self) -> str:
        return f"voided by xAPI statement {self.statement_id}"


@dataclass(frozen=True)
class XapiNotAttendance:
    """A valid statement that records no attendance (another verb): kept, and earns nothing."""

    statement_id: str
    reason: str


Interpretation = XapiAttendance | XapiVoid | XapiNotAttendance


def interpret(statement: object, *, platform: str) -> Interpretation:
    """What a statement records. It must carry its id: the LRS gives one to a statement sent without (xAPI 2.4.1).

    ``platform``: the name of the sending system, for activities whose statement names no ``context.platform``.
    """
    checked = check_statement(statement)
    if "id" not in checked:
        raise XapiStatementError("id: the LRS assigns an id to a statement sent without one before reading it")
    statement_id = str(checked["id"]).lower()
    verb = checked["verb"]["id"]
    target = checked["object"]
    object_type = target.get("objectType", "Activity")
    if verb == VOIDED:
        if object_type != "StatementRef":
            raise XapiStatementError("object: a voiding statement names the statement it voids (a StatementRef)")
        return XapiVoid(statement_id, target["id"].lower())
    if verb not in ATTENDANCE_VERBS:
        return XapiNotAttendance(statement_id, f"verb {verb} records no attendance (only attended and completed do)")
    if object_type != "Activity":
        raise XapiStatementError(f"object: attendance is at a session or an activity, not at a {object_type} object")
    result = checked.get("result", {})
    session_id, activity = _studied(target, checked.get("context", {}), platform)
    return XapiAttendance(
        statement_id=statement_id,
        person_id=_person_id(checked["actor"]),
        session_id=session_id,
        activity=activity,
        minutes=duration_minutes(result["duration"], "result.duration") if "duration" in result else None,
        hours=_reported_hours(result.get("extensions", {})),
        occurred_at=_moment(checked["timestamp"], "timestamp") if "timestamp" in checked else None,
    )


def _person_id(actor: Mapping[str, Any]) -> str:
    name = actor["account"]["name"]
    if not IDENTIFIER.fullmatch(name):
        raise XapiStatementError(
            f"actor.account.name: {name!r} is not a person id (工号/学号: letters, digits, '.', '_', ':' or '-', "
            "at most 64)"
        )
    return str(name)


def _studied(
    target: Mapping[str, Any], context: Mapping[str, Any], platform: str
) -> tuple[str | None, XapiActivity | None]:
    iri = target["id"]
    if iri.startswith(SESSION_IRI_PREFIX):
        session_id = iri.removeprefix(SESSION_IRI_PREFIX)
        if not IDENTIFIER.fullmatch(session_id):
            raise XapiStatementError(f"object.id: {iri!r} does not name a session (urn:dangxiao:session:<session id>)")
        return session_id, None
    names = target.get("definition", {}).get("name", {})
    title = next((names[language] for language in TITLE_LANGUAGES if language in names), None)
    if title is None:
        title = names[min(names)] if names else iri
    activity_id = iri if IDENTIFIER.fullmatch(iri) else f"xapi-{hashlib.sha256(iri.encode()).hexdigest()[:40]}"
    return None, XapiActivity(id=activity_id, title=title[:200], platform=context.get("platform", platform)[:100])


def _reported_hours(extensions: Mapping[str, Any]) -> Decimal | None:
    if HOURS_EXTENSION not in extensions:
        return None
    value = extensions[HOURS_EXTENSION]
    where = f"result.extensions[{HOURS_EXTENSION!r}]"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise XapiStatementError(f"{where}: expected a number of 学时, got {value!r}")
    hours = Decimal(str(value))
    if not 0 <= hours <= 24 or hours != hours.quantize(Decimal("0.01")):
        raise XapiStatementError(f"{where}: 学时 are between 0 and 24 with at most two decimals, got {value}")
    return hours


def duration_minutes(duration: str, where: str = "duration") -> int:
    """The whole minutes of an ISO 8601 duration (``PT1H30M``, ``PT02H30M00S``, ``P1D``); seconds left over are dropped.

    Years and months have no fixed length, so a duration in them cannot be minutes (xAPI Data 2.3.1.b8).
    """
    match = DURATION.fullmatch(duration)
    if match is None or duration in ("P", "PT") or duration.endswith("T"):
        if re.search(r"\d+(?:[.,]\d+)?[YM]", duration.partition("T")[0]):
            raise XapiStatementError(f"{where}: {duration!r} counts years or months, which have no fixed minutes")
        raise XapiStatementError(f"{where}: {duration!r} is not an ISO 8601 duration such as PT1H30M")
    seconds_per = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
    seconds = sum(
        (Decimal(value.replace(",", ".")) * seconds_per[unit] for unit, value in match.groupdict().items() if value),
        Decimal(0),
    )
    minutes = int((seconds / 60).to_integral_value(rounding=ROUND_FLOOR))
    if minutes > MAX_MINUTES:
        raise XapiStatementError(f"{where}: {duration} is {minutes} minutes, more than one day ({MAX_MINUTES})")
    return minutes


def _moment(text: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise XapiStatementError(f"{where}: {text!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        # The school's year ends at midnight in Beijing: a time without its zone could fall in either year.
        raise XapiStatementError(f"{where}: {text!r} has no time zone (e.g. +08:00 or Z)")
    return moment


# ── Checking a statement ───────────────────────────────────────────────────────────────────────────────────────


def check_statement(statement: object) -> Mapping[str, Any]:
    """The statement, if it is one this door can read; otherwise ``XapiStatementError`` naming what is wrong."""
    top = _object(statement, "statement")
    unknown = sorted(set(top) - STATEMENT_PROPERTIES)
    if unknown:
        raise XapiStatementError(f"statement: unknown {', '.join(unknown)} (xAPI 1.0.3 defines no such property)")
    _no_nulls(top, "statement")
    for required in ("actor", "verb", "object"):
        if required not in top:
            raise XapiStatementError(f"{required}: required")
    if "id" in top:
        _uuid(top["id"], "id")
    _check_actor(top["actor"])
    verb = _object(top["verb"], "verb")
    _iri(verb.get("id"), "verb.id")
    if "display" in verb:
        _language_map(verb["display"], "verb.display")
    _check_object(top["object"])
    if "result" in top:
        _check_result(top["result"])
    if "context" in top:
        context = _object(top["context"], "context")
        if "platform" in context:
            _text(context["platform"], "context.platform")
    if "timestamp" in top:
        _moment(_text(top["timestamp"], "timestamp"), "timestamp")
    if "version" in top and not VERSION.fullmatch(_text(top["version"], "version")):
        raise XapiStatementError(f"version: {top['version']!r} is not a 1.0.x version")
    return top


def _check_actor(value: object) -> None:
    actor = _object(value, "actor")
    if actor.get("objectType", "Agent") != "Agent":
        raise XapiStatementError("actor: must be one person (an Agent), not a group")
    identifiers = [key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in actor]
    if identifiers != ["account"]:
        raise XapiStatementError(
            f"actor: identified by {', '.join(identifiers) or 'nothing'}; this door needs exactly an account "
            "whose name is the person id"
        )
    account = _object(actor["account"], "actor.account")
    _iri(account.get("homePage"), "actor.account.homePage")
    _text(account.get("name"), "actor.account.name")


def _check_object(value: object) -> None:
    target = _object(value, "object")
    object_type = target.get("objectType", "Activity")
    if object_type in ("Activity", "StatementRef"):
        if object_type == "StatementRef":
            _uuid(target.get("id"), "object.id")
        else:
            _iri(target.get("id"), "object.id")
        if "definition" in target:
            definition = _object(target["definition"], "object.definition")
            if "name" in definition:
                _language_map(definition["name"], "object.definition.name")
    elif object_type not in ("Agent", "Group", "SubStatement"):
        raise XapiStatementError(f"object.objectType: {object_type!r} is not an xAPI object type")


def _check_result(value: object) -> None:
    result = _object(value, "result")
    if "duration" in result:
        _text(result["duration"], "result.duration")
    if "extensions" in result:
        for key in _object(result["extensions"], "result.extensions"):
            _iri(key, f"result.extensions[{key!r}]")


def _no_nulls(value: object, where: str) -> None:
    """xAPI Data 2.2.s4.b1: no null anywhere, except inside extensions."""
    if value is None:
        raise XapiStatementError(f"{where}: null is not allowed")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key != "extensions":
                _no_nulls(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_nulls(item, f"{where}[{index}]")


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise XapiStatementError(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise XapiStatementError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def _iri(value: object, where: str) -> None:
    if not IRI.fullmatch(_text(value, where)):
        raise XapiStatementError(f"{where}: {value!r} is not an IRI (it needs a scheme, e.g. https: or urn:)")


def _uuid(value: object, where: str) -> None:
    if not UUID.fullmatch(_text(value, where)):
        raise XapiStatementError(f"{where}: {value!r} is not a UUID in its standard form")


def _language_map(value: object, where: str) -> None:
    names = _object(value, where)
    if not all(isinstance(text, str) for text in names.values()):
        raise XapiStatementError(f'{where}: expected a language map such as {{"zh-CN": "…"}}')


# ── Statement ids: the same statement again, or a conflict ──────────────────────────────────────────────────────


def check_batch(statements: Sequence[object]) -> None:
    """xAPI Communication 2.1.2.s2.b6: a batch naming one id twice is refused whole."""
    seen: set[str] = set()
    for index, statement in enumerate(statements):
        statement_id = statement.get("id") if isinstance(statement, Mapping) else None
        if isinstance(statement_id, str):
            if statement_id.lower() in seen:
                raise XapiStatementError(f"[{index}].id: {statement_id} appears twice in one batch")
            seen.add(statement_id.lower())


def statement_for_put(statement: object, statement_id: str) -> Mapping[str, Any]:
    """PUT /xapi/statements?statementId=…: the statement with that id (one it names must be the same)."""
    _uuid(statement_id, "statementId")
    body = _object(statement, "statement")
    if "id" in body and str(body["id"]).lower() != statement_id.lower():
        raise XapiStatementError(f"id: {body['id']} differs from the statementId parameter {statement_id}")
    return {**body, "id": statement_id}


def same_statement(known: Mapping[str, Any], received: Mapping[str, Any]) -> bool:
    """Whether ``received`` is the statement already ``known`` under its id (xAPI Data 2.3.1, comparison).

    Ignored, as differences the LRS may have caused or that are not part of a statement: id, authority, stored,
    version and attachments; a timestamp one of them lacks (the LRS fills it in) or written in another time zone;
    a verb's display; activity definitions; the order of a group's members; a duration's precision beyond
    0.01 s. Every other difference, also in how a duration is written (PT1H against PT60M), makes another
    statement.
    """
    return _comparable(known, ignore_timestamp="timestamp" not in received) == _comparable(
        received, ignore_timestamp="timestamp" not in known
    )


def _comparable(statement: Mapping[str, Any], *, ignore_timestamp: bool) -> object:
    comparable = {key: value for key, value in statement.items() if key not in ASSIGNED_PROPERTIES}
    if ignore_timestamp:
        comparable.pop("timestamp", None)
    elif "timestamp" in comparable:
        comparable["timestamp"] = _instant(comparable["timestamp"])
    return _without_mutable_parts(comparable)


def _instant(timestamp: Any) -> Any:
    """The point in time, to the millisecond (xAPI Data 4.5), whatever zone it was written in."""
    try:
        moment = datetime.fromisoformat(timestamp).astimezone(UTC)
    except (TypeError, ValueError):
        return timestamp
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _without_mutable_parts(value: Any, key: str | None = None) -> Any:
    if isinstance(value, Mapping):
        cleaned = {}
        for name, item in value.items():
            if (key == "verb" and name == "display") or name == "definition":
                continue  # a verb's display and an activity's definition are not part of the statement
            # Extensions belong to whoever defined them: compared as they are.
            cleaned[name] = item if name == "extensions" else _without_mutable_parts(item, name)
        if key == "result" and isinstance(cleaned.get("duration"), str):
            cleaned["duration"] = _duration_to_centiseconds(cleaned["duration"])
        if cleaned.get("objectType") == "Group" and isinstance(cleaned.get("member"), list):
            cleaned["member"] = sorted(cleaned["member"], key=repr)
        return cleaned
    if isinstance(value, list):
        return [_without_mutable_parts(item, key) for item in value]
    return value


def _duration_to_centiseconds(duration: str) -> str:
    """Seconds to 0.01 s: precision beyond it is not compared (xAPI Data 4.6.s1.b5), the rest as written."""
    seconds = re.fullmatch(r"(.*T(?:.*[HM])?)(\d+(?:[.,]\d+)?)S", duration)
    if seconds is None:
        return duration
    written, number = seconds.groups()
    return f"{written}{Decimal(number.replace(',', '.')).quantize(Decimal('0.01'), rounding=ROUND_FLOOR)}S"
