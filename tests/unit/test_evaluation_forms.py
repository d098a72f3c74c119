"""Forms: when answers are taken, one per person, editable until closing, and who answered kept apart."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from services.evaluation.domain.forms import (
    Form,
    FormError,
    Participation,
    Purpose,
    Refusal,
    Response,
    Subject,
    SubmissionRefused,
    amend,
    receipt_digest,
    submit,
)
from services.evaluation.domain.questionnaires import (
    ONE_TO_FIVE,
    AnswerError,
    Item,
    ItemKind,
    Rating,
    Section,
    TemplateVersion,
)

TEMPLATE = TemplateVersion(
    "teaching-evaluation",
    1,
    "学员评教",
    (Section("总体", (Item("overall", "总体评价", ItemKind.RATING, scale=ONE_TO_FIVE),)),),
)
# 09:00 on 1 June to 18:00 on 30 June 2026, Beijing time
OPENS = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
CLOSES = datetime(2026, 6, 30, 10, 0, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
CLASS = Subject(group="development_targets", year=2026, class_id="class-2026-07")


def form(*, anonymous: bool = True, purpose: Purpose = Purpose.TEACHING_EVALUATION, subject: Subject = CLASS) -> Form:
    return Form(
        form_id="form-1",
        title="2026年发展对象培训班评教",
        purpose=purpose,
        template_id="teaching-evaluation",
        template_version=1,
        opens_at=OPENS,
        closes_at=CLOSES,
        anonymous=anonymous,
        subject=subject,
    )


def first_answer(the_form: Form, *, at: datetime, previous: Participation | None = None, receipt: str = "") -> Response:
    return submit(
        the_form,
        TEMPLATE,
        {"overall": 4},
        person_id="T2024001",
        previous=previous,
        now=at,
        response_id="response-9f3a",
        receipt=receipt or secrets.token_urlsafe(16),
    ).response


@pytest.mark.parametrize(
    ("now", "refusal", "message"),
    [
        (
            OPENS - MICROSECOND,
            Refusal.NOT_OPEN_YET,
            "opens at 2026-06-01 09:00 and takes answers until 2026-06-30 18:00",
        ),
        (CLOSES, Refusal.CLOSED, "closed at 2026-06-30 18:00 \\(Beijing time\\): answers can no longer be given"),
        (CLOSES + timedelta(days=1), Refusal.CLOSED, "closed at 2026-06-30 18:00"),
    ],
)
def test_answers_outside_the_window_are_refused_saying_when_it_is(
    now: datetime, refusal: Refusal, message: str
) -> None:
    with pytest.raises(SubmissionRefused, match=message) as refused:
        first_answer(form(), at=now)
    assert refused.value.refusal == refusal


@pytest.mark.parametrize("now", [OPENS, CLOSES - MICROSECOND])
def test_answers_are_taken_from_the_opening_moment_until_just_before_closing(now: datetime) -> None:
    assert first_answer(form(), at=now).answers.values == {"overall": Rating(4)}


def test_an_anonymous_answer_is_kept_apart_from_who_gave_it() -> None:
    receipt = secrets.token_urlsafe(16)
    submission = submit(
        form(),
        TEMPLATE,
        {"overall": 5},
        person_id="T2024001",
        previous=None,
        now=OPENS,
        response_id="response-9f3a",
        receipt=receipt,
    )
    assert submission.participation == Participation("form-1", "T2024001", OPENS)
    response = submission.response
    assert response.respondent_id is None
    assert response.receipt_digest == receipt_digest(receipt)
    # Nothing in the response is, or is made from, the person or the time: only its own random id and receipt.
    stored = repr(dataclasses.asdict(response))
    assert "T2024001" not in stored
    assert receipt not in stored
    assert "2026" not in stored


def test_a_named_answer_says_whose_it_is_and_needs_no_receipt() -> None:
    named = form(anonymous=False, purpose=Purpose.PRE_CLASS)
    response = submit(
        named,
        TEMPLATE,
        {"overall": 4},
        person_id="T2024001",
        previous=None,
        now=OPENS,
        response_id="response-1",
        receipt=None,
    ).response
    assert response.respondent_id == "T2024001"
    assert response.receipt_digest is None


def test_a_second_submission_is_refused_pointing_to_a_change_instead() -> None:
    earlier = Participation("form-1", "T2024001", datetime(2026, 6, 2, 2, 30, tzinfo=UTC))
    with pytest.raises(SubmissionRefused) as refused:
        first_answer(form(), at=OPENS + timedelta(days=3), previous=earlier)
    assert refused.value.refusal == Refusal.ALREADY_ANSWERED
    assert str(refused.value) == (
        "you already answered 「2026年发展对象培训班评教」 at 2026-06-02 10:30; one answer per person: "
        "change it with the receipt you were given until 2026-06-30 18:00 (Beijing time)"
    )


def test_an_anonymous_answer_without_an_unguessable_receipt_is_refused() -> None:
    with pytest.raises(FormError, match="needs a receipt of at least 22 random characters"):
        first_answer(form(), at=OPENS, receipt="a" * 21)
    with pytest.raises(FormError, match="needs a receipt"):
        submit(
            form(),
            TEMPLATE,
            {"overall": 4},
            person_id="T2024001",
            previous=None,
            now=OPENS,
            response_id="response-1",
            receipt=None,
        )
    assert first_answer(form(), at=OPENS, receipt="a" * 22).receipt_digest == receipt_digest("a" * 22)


def test_answers_that_do_not_fit_the_template_are_refused() -> None:
    with pytest.raises(AnswerError, match="item overall 「总体评价」: 9 is not on the scale 1–5"):
        submit(
            form(),
            TEMPLATE,
            {"overall": 9},
            person_id="T2024001",
            previous=None,
            now=OPENS,
            response_id="response-1",
            receipt=secrets.token_urlsafe(16),
        )


def test_an_anonymous_answer_is_changed_with_its_receipt_until_the_form_closes() -> None:
    receipt = secrets.token_urlsafe(16)
    the_form = form()
    current = first_answer(the_form, at=OPENS, receipt=receipt)
    participation = Participation("form-1", "T2024001", OPENS)

    def change(now: datetime, shown: str | None) -> Response:
        return amend(
            the_form,
            TEMPLATE,
            {"overall": 2},
            person_id="T2024001",
            participation=participation,
            current=current,
            receipt=shown,
            now=now,
        )

    changed = change(CLOSES - MICROSECOND, receipt)
    assert changed.answers.values == {"overall": Rating(2)}
    assert (changed.response_id, changed.receipt_digest, changed.respondent_id) == (
        current.response_id,
        current.receipt_digest,
        None,
    )
    with pytest.raises(SubmissionRefused, match="closed at 2026-06-30 18:00") as refused:
        change(CLOSES, receipt)
    assert refused.value.refusal == Refusal.CLOSED
    for wrong in (None, secrets.token_urlsafe(16)):
        with pytest.raises(
            SubmissionRefused, match="that is not your answer to 「2026年发展对象培训班评教」"
        ) as not_theirs:
            change(OPENS, wrong)
        assert not_theirs.value.refusal == Refusal.NOT_YOURS


def test_a_named_answer_is_changed_only_by_its_respondent() -> None:
    the_form = form(anonymous=False, purpose=Purpose.AFTER_CLASS)
    current = first_answer(the_form, at=OPENS)

    def change(person_id: str) -> Response:
        return amend(
            the_form,
            TEMPLATE,
            {"overall": 1},
            person_id=person_id,
            participation=Participation("form-1", person_id, OPENS),
            current=current,
            receipt=None,
            now=OPENS,
        )

    assert change("T2024001").answers.values == {"overall": Rating(1)}
    with pytest.raises(SubmissionRefused) as refused:
        change("T2024002")
    assert refused.value.refusal == Refusal.NOT_YOURS


def test_a_change_pointing_at_no_answer_is_not_theirs() -> None:
    """A receipt that matches no stored response (the store found nothing): refused like a wrong receipt."""
    with pytest.raises(SubmissionRefused, match="that is not your answer") as refused:
        amend(
            form(),
            TEMPLATE,
            {"overall": 1},
            person_id="T2024001",
            participation=Participation("form-1", "T2024001", OPENS),
            current=None,
            receipt=secrets.token_urlsafe(16),
            now=OPENS,
        )
    assert refused.value.refusal == Refusal.NOT_YOURS


def test_changing_an_answer_never_given_is_refused() -> None:
    with pytest.raises(SubmissionRefused, match="you have not answered 「2026年发展对象培训班评教」 yet") as refused:
        amend(
            form(),
            TEMPLATE,
            {"overall": 1},
            person_id="T2024001",
            participation=None,
            current=first_answer(form(), at=OPENS),
            receipt=None,
            now=OPENS,
        )
    assert refused.value.refusal == Refusal.NOT_ANSWERED_YET


def test_answers_are_checked_against_the_template_version_the_form_asks() -> None:
    version_2 = dataclasses.replace(TEMPLATE, version=2)
    with pytest.raises(
        FormError, match="asks template teaching-evaluation version 1, not teaching-evaluation version 2"
    ):
        submit(
            form(),
            version_2,
            {"overall": 4},
            person_id="T2024001",
            previous=None,
            now=OPENS,
            response_id="response-1",
            receipt=secrets.token_urlsafe(16),
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"closes_at": OPENS}, "would close \\(2026-06-01 09:00\\) no later than it opens \\(2026-06-01 09:00\\)"),
        ({"opens_at": datetime(2026, 6, 1, 9, 0)}, "needs opening and closing times with their time zone"),
        ({"anonymous": False}, "learners evaluate teaching \\(学员评教\\) anonymously"),
        ({"purpose": Purpose.ANNUAL_NEEDS}, "an annual needs survey asks about no class"),
        (
            {"purpose": Purpose.MID_CLASS, "subject": Subject("activists", 2026, "class-1", session_id="s-1")},
            "a needs survey asks about a class, not one of its sessions",
        ),
        ({"subject": Subject("activists", 2027)}, "every other form about one"),
    ],
)
def test_a_form_that_cannot_work_is_refused_saying_why(change: dict[str, object], message: str) -> None:
    with pytest.raises(FormError, match=message):
        dataclasses.replace(form(), **change)


def test_a_subject_names_its_group_and_the_class_of_a_session_or_teacher() -> None:
    with pytest.raises(FormError, match="asks one training group"):
        Subject(" ", 2026)
    with pytest.raises(FormError, match="names the class they belong to"):
        Subject("activists", 2026, teacher_id="teacher-1")
    annual = Subject("activists", 2027)
    assert form(anonymous=False, purpose=Purpose.ANNUAL_NEEDS, subject=annual).subject == annual
