"""Forms (a questionnaire put to people for a while): when answers are taken, one per person, and anonymity.

Who answered and what they answered are kept as two separate records with nothing joining them:

- ``Participation`` says that a person answered a form, and when; never what.
- ``Response`` says what was answered; on an anonymous form never by whom, nor when (a time would match the
  participation's), and its id is random, so neither its id nor its place among others tells its author.

A respondent to an anonymous form changes their answer with the receipt handed to them on submitting: a random
secret only they hold. The response keeps a digest of the receipt, which is no function of the person, so
nothing stored leads from a person to their answers. Reports read ``AnswerSet``s only, which carry neither.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.evaluation.domain.questionnaires import AnswerSet, RawAnswer, TemplateVersion, validate_answers

# The school keeps its books, and states its deadlines, in Beijing time.
SCHOOL_TIMEZONE = ZoneInfo("Asia/Shanghai")
# A receipt of 22 URL-safe characters (``secrets.token_urlsafe(16)``) or more holds 128 random bits or more.
SHORTEST_RECEIPT = 22


class FormError(ValueError):
    """A form that cannot be set up as defined."""


class Refusal(StrEnum):
    NOT_OPEN_YET = "not_open_yet"
    CLOSED = "closed"
    ALREADY_ANSWERED = "already_answered"  # a second submission: change the answer instead
    NOT_ANSWERED_YET = "not_answered_yet"  # a change with nothing to change
    NOT_YOURS = "not_yours"  # a change to an answer the person cannot show to be theirs


class SubmissionRefused(ValueError):
    """An answer not taken; ``refusal`` says which rule refused it, so the API can choose its status code."""

    def __init__(self, refusal: Refusal, message: str) -> None:
        self.refusal = refusal
        super().__init__(message)


class Purpose(StrEnum):
    """What a form is for; a needs survey (需求调研) says when it is taken. The codes are those ``SurveyAnswered``
    carries, so certificates can tell an after-class survey (训后调研) from the rest."""

    PRE_CLASS = "pre_class"  # 训前需求调研
    MID_CLASS = "mid_class"  # 训中需求调研
    AFTER_CLASS = "after_class"  # 训后需求调研
    ANNUAL_NEEDS = "annual_needs"  # 年度需求调研: a unit's needs ahead of next year's plan, not about a class
    TEACHING_EVALUATION = "teaching_evaluation"  # 学员评教: learners evaluate the class, a session, a teacher


PURPOSE_LABELS: dict[Purpose, str] = {
    Purpose.PRE_CLASS: "训前需求调研",
    Purpose.MID_CLASS: "训中需求调研",
    Purpose.AFTER_CLASS: "训后需求调研",
    Purpose.ANNUAL_NEEDS: "年度需求调研",
    Purpose.TEACHING_EVALUATION: "学员评教",
}
NEEDS_PURPOSES = frozenset(
    {Purpose.PRE_CLASS, Purpose.MID_CLASS, Purpose.AFTER_CLASS, Purpose.ANNUAL_NEEDS},
)


@dataclass(frozen=True)
class Subject:
    """What a form asks about, as reports group it.

    A needs survey asks one training group (培训类别, the register's code); a unit's annual survey is opened as
    one form per group, since each group is asked about its own topics.
    """

    group: str
    year: int  # the class's year (培训年度); for an annual needs survey, the year being planned
    class_id: str | None = None
    session_id: str | None = None
    teacher_id: str | None = None
    course: str | None = None  # the session's topic (专题), as a teacher gives it across classes

    def __post_init__(self) -> None:
        if not self.group.strip():
            raise FormError("a form asks one training group (培训类别)")
        if self.class_id is None and (self.session_id is not None or self.teacher_id is not None):
            raise FormError("a form about a session or a teacher names the class they belong to")


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str
    purpose: Purpose
    template_id: str
    template_version: int
    opens_at: datetime
    closes_at: datetime  # the first moment answers are no longer taken
    anonymous: bool
    subject: Subject

    def __post_init__(self) -> None:
        if self.opens_at.tzinfo is None or self.closes_at.tzinfo is None:
            raise FormError(f"form 「{self.title}」 needs opening and closing times with their time zone")
        if self.opens_at >= self.closes_at:
            raise FormError(
                f"form 「{self.title}」 would close ({beijing(self.closes_at)}) "
                f"no later than it opens ({beijing(self.opens_at)})"
            )
        if self.purpose == Purpose.TEACHING_EVALUATION and not self.anonymous:
            raise FormError(f"form 「{self.title}」: learners evaluate teaching (学员评教) anonymously")
        if (self.purpose == Purpose.ANNUAL_NEEDS) != (self.subject.class_id is None):
            raise FormError(
                f"form 「{self.title}」: an annual needs survey asks about no class, every other form about one"
            )
        if self.purpose in NEEDS_PURPOSES and self.subject.session_id is not None:
            raise FormError(f"form 「{self.title}」: a needs survey asks about a class, not one of its sessions")


@dataclass(frozen=True)
class Participation:
    """That a person answered a form, and when: never what."""

    form_id: str
    person_id: str
    answered_at: datetime


@dataclass(frozen=True)
class Response:
    """What was answered on a form: by whom only on a named form, and never when."""

    response_id: str  # random (``shared.ids.new_id``), never derived from the person or the time
    form_id: str
    answers: AnswerSet
    respondent_id: str | None  # named forms only
    receipt_digest: str | None  # anonymous forms only


@dataclass(frozen=True)
class Submission:
    participation: Participation
    response: Response


def beijing(moment: datetime) -> str:
    return moment.astimezone(SCHOOL_TIMEZONE).strftime("%Y-%m-%d %H:%M")


def receipt_digest(receipt: str) -> str:
    """What a response keeps of its receipt: enough to recognise it, not to recover it."""
    return hashlib.sha256(receipt.encode()).hexdigest()


def submit(
    form: Form,
    template: TemplateVersion,
    answers: Mapping[str, RawAnswer],
    *,
    person_id: str,
    previous: Participation | None,
    now: datetime,
    response_id: str,
    receipt: str | None,
) -> Submission:
    """Take a person's first answer to a form, or refuse it saying why.

    ``previous`` is the person's participation in this form, if any; ``response_id`` is fresh and random. An
    anonymous form needs a ``receipt``, a fresh random secret (``secrets.token_urlsafe(16)``) handed to the
    respondent and kept nowhere else; on a named form the respondent changes their answer as themselves.
    """
    _check_template(form, template)
    _check_window(form, now)
    if previous is not None:
        how = "with the receipt you were given" if form.anonymous else "instead"
        raise SubmissionRefused(
            Refusal.ALREADY_ANSWERED,
            f"you already answered 「{form.title}」 at {beijing(previous.answered_at)}; one answer per person: "
            f"change it {how} until {beijing(form.closes_at)} (Beijing time)",
        )
    if form.anonymous and (receipt is None or len(receipt) < SHORTEST_RECEIPT):
        raise FormError(
            f"an anonymous answer needs a receipt of at least {SHORTEST_RECEIPT} random characters, to be unguessable"
        )
    return Submission(
        Participation(form.form_id, person_id, now),
        Response(
            response_id=response_id,
            form_id=form.form_id,
            answers=validate_answers(template, answers),
            respondent_id=None if form.anonymous else person_id,
            receipt_digest=receipt_digest(receipt) if form.anonymous and receipt is not None else None,
        ),
    )


def amend(
    form: Form,
    template: TemplateVersion,
    answers: Mapping[str, RawAnswer],
    *,
    person_id: str,
    participation: Participation | None,
    current: Response | None,
    receipt: str | None,
    now: datetime,
) -> Response:
    """Replace a person's answer while the form is open: on an anonymous form, the receipt shows it is theirs.

    ``current`` is the response the person points at (by their receipt, or as its named respondent): None when
    nothing matches.
    """
    _check_template(form, template)
    _check_window(form, now)
    if participation is None:
        raise SubmissionRefused(
            Refusal.NOT_ANSWERED_YET, f"you have not answered 「{form.title}」 yet: submit an answer first"
        )
    if current is not None and current.form_id == form.form_id and _is_theirs(form, current, person_id, receipt):
        return Response(
            response_id=current.response_id,
            form_id=form.form_id,
            answers=validate_answers(template, answers),
            respondent_id=current.respondent_id,
            receipt_digest=current.receipt_digest,
        )
    raise SubmissionRefused(Refusal.NOT_YOURS, f"that is not your answer to 「{form.title}」")


def _is_theirs(form: Form, response: Response, person_id: str, receipt: str | None) -> bool:
    if not form.anonymous:
        return response.respondent_id == person_id
    return (
        receipt is not None
        and response.receipt_digest is not None
        and hmac.compare_digest(receipt_digest(receipt), response.receipt_digest)
    )


def _check_template(form: Form, template: TemplateVersion) -> None:
    if (template.template_id, template.version) != (form.template_id, form.template_version):
        raise FormError(
            f"form 「{form.title}」 asks template {form.template_id} version {form.template_version}, "
            f"not {template.template_id} version {template.version}"
        )


def _check_window(form: Form, now: datetime) -> None:
    """Answers are taken from ``opens_at`` (included) until ``closes_at`` (excluded)."""
    if now < form.opens_at:
        raise SubmissionRefused(
            Refusal.NOT_OPEN_YET,
            f"「{form.title}」 opens at {beijing(form.opens_at)} and takes answers until "
            f"{beijing(form.closes_at)} (Beijing time)",
        )
    if now >= form.closes_at:
        raise SubmissionRefused(
            Refusal.CLOSED,
            f"「{form.title}」 closed at {beijing(form.closes_at)} (Beijing time): answers can no longer be given "
            "or changed",
        )
