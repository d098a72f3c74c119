"""What answers add up to, and what of it may be shown (the anonymity threshold).

The finest grain anything is reported at is one item of one form: a ``Tally``. A tally is shown only

- once its form has closed: nobody can watch a figure move as each answer comes in and tell the last one, and
- when at least ``MINIMUM_ANSWERS`` people answered the item.

Anything coarser (a teacher across classes, a group's needs in a year) adds up shown tallies only, never a
withheld one: a total that included it could be compared with the shown parts to recover it. Free text is
listed in sorted order, never in the order given. Tallies read ``AnswerSet``s, which say nothing of who
answered or when, so no figure here can lead back to a respondent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from services.evaluation.domain.forms import Form, beijing
from services.evaluation.domain.questionnaires import (
    AnswerSet,
    Choices,
    Item,
    ItemKind,
    Rating,
    TemplateVersion,
    Text,
)

MINIMUM_ANSWERS = 3
CENT = Decimal("0.01")


class TallyError(ValueError):
    """Answers that cannot be added up as given."""


class Withheld(StrEnum):
    """Why a tally is not shown."""

    OPEN = "still open"
    TOO_FEW = f"with fewer than {MINIMUM_ANSWERS} answers"


def to_cent(value: Decimal) -> Decimal:
    """Rounded half up (四舍五入) to two places, as the school rounds scores."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FormAnswers:
    """A form, the template version it asks, and every answer set given to it."""

    form: Form
    template: TemplateVersion
    answers: tuple[AnswerSet, ...]

    def __post_init__(self) -> None:
        asked = (self.form.template_id, self.form.template_version)
        version = f"template {self.form.template_id} version {self.form.template_version}"
        if (self.template.template_id, self.template.version) != asked:
            raise TallyError(
                f"form {self.form.form_id} asks {version}, not {self.template.template_id} version "
                f"{self.template.version}"
            )
        if any((answers.template_id, answers.version) != asked for answers in self.answers):
            raise TallyError(f"form {self.form.form_id} holds answers to another template version than {version}")


@dataclass(frozen=True)
class Tally:
    """The answers to one item of one form, added up."""

    form: Form
    item: Item
    answered: int
    points: int  # the ratings given, added up (rating items)
    counts: dict[str, int]  # how many gave each rating point ("5") or chose each code ("seminar")
    texts: tuple[str, ...]  # free text, sorted

    @property
    def key(self) -> tuple[str, str]:
        """Tallies with one key add up: versions of a template keep an item's kind and scale."""
        return (self.form.template_id, self.item.item_id)

    def withheld_because(self, now: datetime) -> Withheld | None:
        if now < self.form.closes_at:
            return Withheld.OPEN
        if self.answered < MINIMUM_ANSWERS:
            return Withheld.TOO_FEW
        return None


def tally(form_answers: FormAnswers) -> tuple[Tally, ...]:
    """One tally per item of the form's template, in the template's order."""
    tallies = []
    for item in form_answers.template.items:
        values = [answers.values[item.item_id] for answers in form_answers.answers if item.item_id in answers.values]
        ratings = [value.points for value in values if isinstance(value, Rating)]
        chosen = [code for value in values if isinstance(value, Choices) for code in value.codes]
        tallies.append(
            Tally(
                form=form_answers.form,
                item=item,
                answered=len(values),
                points=sum(ratings),
                counts=dict(Counter([str(points) for points in ratings] + chosen)),
                texts=tuple(sorted(value.text for value in values if isinstance(value, Text))),
            )
        )
    return tuple(tallies)


@dataclass(frozen=True)
class Summary:
    """What one item adds up to over some forms, counting only the tallies that may be shown."""

    item: Item  # as its latest version among the forms asks it
    answered: int | None  # None when nothing may be shown
    mean: Decimal | None  # rating items, rounded half up to two places
    counts: tuple[tuple[str, int], ...]  # best rating first, or choices in the template's order
    texts: tuple[str, ...]
    note: str  # why forms were left out, or why nothing is shown; empty when every form counted


def summarise(tallies: Sequence[Tally], now: datetime) -> Summary:
    """Add up the tallies of one item (one key) that may be shown, and say what was left out and why."""
    if not tallies or len({t.key for t in tallies}) != 1:
        raise TallyError("a summary adds up the tallies of exactly one item")
    item = max(tallies, key=lambda t: t.form.template_version).item
    reasons = {t.form.form_id: t.withheld_because(now) for t in tallies}
    shown = [t for t in tallies if reasons[t.form.form_id] is None]
    note = _note(tallies, [reason for reason in reasons.values() if reason is not None])
    if not shown:
        return Summary(item, None, None, (), (), note)
    answered = sum(t.answered for t in shown)
    counts: Counter[str] = Counter()
    for t in shown:
        counts.update(t.counts)
    mean = None
    if item.kind == ItemKind.RATING and answered:
        mean = to_cent(Decimal(sum(t.points for t in shown)) / answered)
    return Summary(
        item=item,
        answered=answered,
        mean=mean,
        counts=tuple((code, counts[code]) for code in _order(item, counts)),
        texts=tuple(sorted(text for t in shown for text in t.texts)),
        note=note,
    )


def _order(item: Item, counts: Counter[str]) -> Iterable[str]:
    if item.scale is not None:
        return (str(points) for points in range(item.scale.high, item.scale.low - 1, -1))
    offered = [choice.code for choice in item.choices]
    # Choices an earlier version offered and the latest no longer does come last.
    return [*offered, *sorted(code for code in counts if code not in offered)]


def _note(tallies: Sequence[Tally], reasons: list[Withheld]) -> str:
    if not reasons:
        return ""
    if len(tallies) == 1:
        if reasons[0] == Withheld.OPEN:
            return f"not shown: open until {beijing(tallies[0].form.closes_at)} (Beijing time)"
        return f"not shown: fewer than {MINIMUM_ANSWERS} answered, to keep answers anonymous"
    by_reason = Counter(reasons)
    left_out = ", ".join(
        f"{by_reason[reason]} {'form' if by_reason[reason] == 1 else 'forms'} {reason}"
        for reason in Withheld
        if reason in by_reason
    )
    if len(reasons) == len(tallies):
        return f"not shown: {left_out}"
    return f"{len(reasons)} of {len(tallies)} forms left out ({left_out})"
