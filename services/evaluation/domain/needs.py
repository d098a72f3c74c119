"""Needs surveys (需求调研): the topics and teaching modes each training group asks for, ranked, per year.

A needs-survey template asks for topics in an item with id ``topics`` and for teaching modes in one with id
``teaching_modes`` (both single or multiple choice), so that surveys taken before, during and after classes and
ahead of a year's plan add up. Only tallies that may be shown count (see ``tallies``): a form that is still open,
or whose item fewer than three answered, is left out and the row says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from services.evaluation.domain.forms import NEEDS_PURPOSES
from services.evaluation.domain.questionnaires import CHOICE_KINDS, TemplateVersion
from services.evaluation.domain.reports import CellValue, Table
from services.evaluation.domain.tallies import FormAnswers, Tally, summarise, tally
from shared.vocabulary import TEACHING_MODE_LABELS

TOPICS_ITEM = "topics"
TEACHING_MODES_ITEM = "teaching_modes"
# Teaching modes (教学形式) a survey may offer: the school's vocabulary, and learning on a phone.
TEACHING_MODES: Mapping[str, str] = {**TEACHING_MODE_LABELS, "mobile": "移动学习"}
PERCENT_STEP = Decimal("0.1")


class NeedsSurveyError(ValueError):
    """A template that cannot serve as a needs survey."""


def check_needs_template(template: TemplateVersion) -> None:
    """Refuse a template whose answers could not be added up as needs."""
    for item_id in (TOPICS_ITEM, TEACHING_MODES_ITEM):
        item = template.item(item_id)
        if item is None or item.kind not in CHOICE_KINDS:
            raise NeedsSurveyError(
                f"「{template.title}」 version {template.version} needs a choice item with id {item_id!r}"
            )
    modes = template.item(TEACHING_MODES_ITEM)
    assert modes is not None
    unknown = [choice.code for choice in modes.choices if choice.code not in TEACHING_MODES]
    if unknown:
        raise NeedsSurveyError(
            f"「{template.title}」 offers teaching modes {', '.join(unknown)}, which are none of "
            f"{', '.join(TEACHING_MODES)}"
        )


@dataclass(frozen=True)
class Ranked:
    rank: int  # 1 for the most asked; equal counts share a rank (1, 2, 2, 4)
    code: str
    label: str
    chosen_by: int
    share: Decimal  # per cent of those who answered the item, rounded half up to one place


@dataclass(frozen=True)
class Ranking:
    answered: int | None  # None when nothing may be shown
    ranked: tuple[Ranked, ...]  # every choice offered, even those nobody chose
    note: str  # forms left out and why; empty when every form counted


@dataclass(frozen=True)
class GroupNeeds:
    """What one training group (培训类别) asked for, for one year."""

    group: str
    year: int
    topics: Ranking
    modes: Ranking


def aggregate_needs(answered: Sequence[FormAnswers], now: datetime) -> tuple[GroupNeeds, ...]:
    """Rank the topics and teaching modes asked for, per group and year, from every needs-survey form given."""
    needs = [form_answers for form_answers in answered if form_answers.form.purpose in NEEDS_PURPOSES]
    for form_answers in needs:
        check_needs_template(form_answers.template)
    by_group: dict[tuple[str, int], list[Tally]] = {}
    for form_answers in needs:
        subject = form_answers.form.subject
        by_group.setdefault((subject.group, subject.year), []).extend(tally(form_answers))
    return tuple(
        GroupNeeds(group, year, _ranking(tallies, TOPICS_ITEM, now), _ranking(tallies, TEACHING_MODES_ITEM, now))
        for (group, year), tallies in sorted(by_group.items(), key=lambda entry: (entry[0][1], entry[0][0]))
    )


def _ranking(tallies: Sequence[Tally], item_id: str, now: datetime) -> Ranking:
    """One ranking of the item's choices over every form; different templates add up by the codes they share."""
    of_item = [t for t in tallies if t.item.item_id == item_id]
    summaries = [summarise([t for t in of_item if t.key == key], now) for key in dict.fromkeys(t.key for t in of_item)]
    note = "; ".join(summary.note for summary in summaries if summary.note)
    shown = [summary for summary in summaries if summary.answered is not None]
    if not shown:
        return Ranking(None, (), note)
    answered = sum(summary.answered or 0 for summary in shown)
    chosen: dict[str, int] = {}
    labels: dict[str, str] = {}
    for summary in shown:
        for code, count in summary.counts:
            chosen[code] = chosen.get(code, 0) + count
            labels.setdefault(code, summary.item.choice_label(code))
    ordered = sorted(chosen, key=lambda code: -chosen[code])  # a stable sort: ties keep the template's order
    return Ranking(
        answered,
        tuple(
            Ranked(
                rank=1 + sum(1 for other in chosen.values() if other > chosen[code]),
                code=code,
                label=labels[code],
                chosen_by=chosen[code],
                share=(Decimal(100 * chosen[code]) / answered).quantize(PERCENT_STEP, rounding=ROUND_HALF_UP),
            )
            for code in ordered
        ),
        note,
    )


def needs_tables(needs: Sequence[GroupNeeds], group_labels: Mapping[str, str]) -> tuple[Table, ...]:
    """Two tables for planning, topics and teaching modes, ranked within each group and year.

    ``group_labels`` gives a group's display name by code (``development_targets`` → 发展对象培训).
    """
    return (
        _ranking_table(
            "需求专题 (topics asked for)", "专题 (topic)", [(row, row.topics) for row in needs], group_labels
        ),
        _ranking_table(
            "教学形式 (teaching modes asked for)",
            "教学形式 (teaching mode)",
            [(row, row.modes) for row in needs],
            group_labels,
        ),
    )


def _ranking_table(
    title: str, what: str, rankings: Sequence[tuple[GroupNeeds, Ranking]], group_labels: Mapping[str, str]
) -> Table:
    rows: list[tuple[CellValue, ...]] = []
    for needs, ranking in rankings:
        group = group_labels.get(needs.group, needs.group)
        note = ranking.note or None
        if not ranking.ranked:
            rows.append((needs.year, group, None, None, None, None, None, note))
        rows.extend(
            (needs.year, group, r.rank, r.label, r.chosen_by, r.share, ranking.answered, note) for r in ranking.ranked
        )
    header = (
        "年度 (year)",
        "培训类别 (group)",
        "排名 (rank)",
        what,
        "选择人数 (chosen by)",
        "占比% (share)",
        "作答人数 (answered)",
        "说明 (note)",
    )
    return Table(title, header, tuple(rows))
