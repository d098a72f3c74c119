"""The domain's refusals as the answers the API gives: a rule broken is 422, a form's window or a second answer
409, an answer not one's own 403; the domain's message says what is wrong, and is passed on unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from services.evaluation.domain.forms import FormError, Refusal, SubmissionRefused
from services.evaluation.domain.needs import NeedsSurveyError
from services.evaluation.domain.questionnaires import AnswerError, TemplateError
from services.evaluation.domain.schemes import SchemeError
from services.evaluation.domain.tallies import TallyError
from shared.errors import CommandRejected, Conflict, Forbidden, NotFound

REFUSALS: dict[Refusal, type[CommandRejected]] = {
    Refusal.NOT_OPEN_YET: Conflict,
    Refusal.CLOSED: Conflict,
    Refusal.ALREADY_ANSWERED: Conflict,
    Refusal.NOT_ANSWERED_YET: NotFound,
    Refusal.NOT_YOURS: Forbidden,
}
RULE_ERRORS = (TemplateError, AnswerError, FormError, SchemeError, NeedsSurveyError, TallyError)


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except SubmissionRefused as refused:
        raise REFUSALS[refused.refusal](str(refused)) from refused
    except RULE_ERRORS as error:
        raise CommandRejected(str(error)) from error
