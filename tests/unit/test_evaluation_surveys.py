"""Questionnaires over HTTP: template versions, forms and their windows, one answer per learner (editable until
closing), SurveyAnswered for certificates, and reports with their Excel exports behind the anonymity threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from shared.auth import Role
from shared.events.contracts.evaluation import SurveyAnswered
from shared.events.contracts.register import TeacherChanged
from tests.support import REGISTERED_AT, bearer, outbox_events, unique
from tests.unit.conftest import ServiceApi
from tests.unit.test_evaluation_api import ADMIN, MANAGER, OTHER_MANAGER, OTHER_TEACHER, TEACHER, Evaluation

TEACHING_ITEMS = [
    {"item_id": "overall", "prompt": "总体满意度", "kind": "rating", "scale": {"low": 1, "high": 5}},
    {"item_id": "comment", "prompt": "意见建议", "kind": "free_text", "required": False},
]
NEEDS_ITEMS = [
    {
        "item_id": "topics",
        "prompt": "希望学习的专题",
        "kind": "multiple_choice",
        "choices": [
            {"code": "party_history", "label": "党史"},
            {"code": "discipline", "label": "纪律建设"},
            {"code": "governance", "label": "基层治理"},
        ],
    },
    {
        "item_id": "teaching_modes",
        "prompt": "希望的教学形式",
        "kind": "multiple_choice",
        "choices": [
            {"code": "seminar", "label": "研讨式"},
            {"code": "case", "label": "案例式"},
            {"code": "mobile", "label": "移动学习"},
        ],
    },
]


@pytest.fixture
async def evaluation(service_api: ServiceApi) -> Evaluation:
    return await Evaluation.open(service_api)


def moment(**offset: float) -> str:
    return (datetime.now(UTC) + timedelta(**offset)).isoformat()


async def template(client: httpx.AsyncClient, items: list[dict[str, Any]], title: str = "学员评教") -> str:
    created = await client.post("/templates", json={"title": title, "sections": [{"items": items}]}, headers=ADMIN)
    assert created.status_code == 201, created.text
    template_id: str = created.json()["template_id"]
    return template_id


async def open_form(client: httpx.AsyncClient, template_id: str, class_id: str | None, **fields: Any) -> str:
    """A form open from a minute ago for an hour, unless told otherwise."""
    body = {
        "title": fields.pop("title", "学员评教"),
        "purpose": fields.pop("purpose", "teaching_evaluation"),
        "template_id": template_id,
        "opens_at": fields.pop("opens_at", moment(minutes=-1)),
        "closes_at": fields.pop("closes_at", moment(hours=1)),
        "anonymous": fields.pop("anonymous", True),
        "class_id": class_id,
        **fields,
    }
    created = await client.post("/forms", json=body, headers=fields.pop("headers", MANAGER))
    assert created.status_code == 201, created.text
    form_id: str = created.json()["form_id"]
    return form_id


async def answer(client: httpx.AsyncClient, form_id: str, person_id: str, answers: dict[str, Any]) -> httpx.Response:
    return await client.post(
        f"/forms/{form_id}/answers", json={"answers": answers}, headers=bearer(Role.LEARNER, person_id)
    )


async def test_a_template_is_edited_in_place_until_a_form_uses_it_then_changes_as_a_new_version(
    evaluation: Evaluation,
) -> None:
    client = evaluation.client
    class_id = await evaluation.open_class()
    template_id = await template(client, TEACHING_ITEMS)
    renamed = [{**TEACHING_ITEMS[0], "prompt": "对本班的总体满意度"}, TEACHING_ITEMS[1]]

    unused = await client.put(
        f"/templates/{template_id}", json={"title": "学员评教", "sections": [{"items": renamed}]}, headers=ADMIN
    )
    await open_form(client, template_id, class_id)
    used = await client.put(
        f"/templates/{template_id}",
        json={"title": "学员评教（修订）", "sections": [{"items": renamed}]},
        headers=MANAGER,
    )
    reshaped = await client.put(
        f"/templates/{template_id}",
        json={"title": "学员评教", "sections": [{"items": [{**TEACHING_ITEMS[0], "scale": {"low": 1, "high": 10}}]}]},
        headers=ADMIN,
    )

    assert (unused.json()["version"], unused.json()["new_version"]) == (1, False)
    assert unused.json()["reason"] == "version 1 is used by no form yet: edited in place"
    assert (used.json()["version"], used.json()["new_version"]) == (2, True)
    assert reshaped.status_code == 422
    assert "was a rating 1–5 item and would become a rating 1–10 one; give it a new id" in reshaped.json()["detail"]
    latest = (await client.get(f"/templates/{template_id}", headers=TEACHER)).json()
    first = (await client.get(f"/templates/{template_id}", params={"version": 1}, headers=TEACHER)).json()
    assert (latest["version"], latest["title"]) == (2, "学员评教（修订）")
    assert (first["version"], first["sections"][0]["items"][0]["prompt"]) == (1, "对本班的总体满意度")
    assert (await client.post("/templates", json={"title": "x", "sections": []}, headers=TEACHER)).status_code == 403


async def test_a_form_is_set_up_by_the_classs_managers_on_what_the_class_is(evaluation: Evaluation) -> None:
    client = evaluation.client
    class_id = await evaluation.open_class()
    teaching = await template(client, TEACHING_ITEMS)
    needs = await template(client, NEEDS_ITEMS, title="训后需求调研")
    base = {
        "title": "学员评教",
        "purpose": "teaching_evaluation",
        "template_id": teaching,
        "opens_at": moment(minutes=-1),
        "closes_at": moment(hours=1),
        "anonymous": True,
        "class_id": class_id,
    }

    session_form = await client.post("/forms", json={**base, "session_id": f"{class_id}-01"}, headers=MANAGER)
    refusals = {
        "named 学员评教": await client.post("/forms", json={**base, "anonymous": False}, headers=MANAGER),
        "needs on a teaching template": await client.post(
            "/forms", json={**base, "purpose": "after_class"}, headers=MANAGER
        ),
        "closing before opening": await client.post(
            "/forms", json={**base, "closes_at": base["opens_at"]}, headers=MANAGER
        ),
        "a teacher not of the session": await client.post(
            "/forms", json={**base, "session_id": f"{class_id}-01", "teacher_id": "teacher-2"}, headers=MANAGER
        ),
        "annual without a group": await client.post(
            "/forms", json={**base, "purpose": "annual_needs", "template_id": needs, "class_id": None}, headers=ADMIN
        ),
    }
    forbidden = {
        "another class's manager": await client.post("/forms", json=base, headers=OTHER_MANAGER),
        "an annual survey by a manager": await client.post(
            "/forms",
            json={**base, "purpose": "annual_needs", "class_id": None, "training_group": "activists", "year": 2027},
            headers=MANAGER,
        ),
    }
    unknown_session = await client.post("/forms", json={**base, "session_id": "no-such-session"}, headers=MANAGER)

    assert session_form.status_code == 201, session_form.text
    created = session_form.json()
    assert (created["teacher_id"], created["training_group"], created["year"], created["purpose_label"]) == (
        "teacher-1",  # the session's only teacher
        "development_targets",
        2026,
        "学员评教",
    )
    assert {what: answer.status_code for what, answer in refusals.items()} == dict.fromkeys(refusals, 422)
    assert "learners evaluate teaching (学员评教) anonymously" in refusals["named 学员评教"].json()["detail"]
    assert "needs a choice item with id 'topics'" in refusals["needs on a teaching template"].json()["detail"]
    assert "would close" in refusals["closing before opening"].json()["detail"]
    assert "teacher teacher-2 does not teach session" in refusals["a teacher not of the session"].json()["detail"]
    assert {what: answer.status_code for what, answer in forbidden.items()} == dict.fromkeys(forbidden, 403)
    assert unknown_session.status_code == 404
    annual = await client.post(
        "/forms",
        json={
            **base,
            "purpose": "annual_needs",
            "template_id": needs,
            "anonymous": False,
            "class_id": None,
            "training_group": "activists",
            "year": 2027,
        },
        headers=ADMIN,
    )
    assert (annual.status_code, annual.json()["training_group"], annual.json()["year"]) == (201, "activists", 2027)


async def test_one_answer_per_learner_editable_until_the_form_closes_and_refused_with_reasons(
    evaluation: Evaluation,
) -> None:
    client = evaluation.client
    learner, stranger = unique("person"), unique("person")
    class_id = await evaluation.open_class(learner)
    teaching = await template(client, TEACHING_ITEMS)
    form_id = await open_form(client, teaching, class_id, title="第一期评教")
    later = await open_form(
        client, teaching, class_id, title="第二期评教", opens_at=moment(hours=1), closes_at=moment(hours=2)
    )

    first = await answer(client, form_id, learner, {"overall": 4})
    second = await answer(client, form_id, learner, {"overall": 5})
    receipt = first.json()["receipt"]
    changed = await client.put(
        f"/forms/{form_id}/answers",
        json={"answers": {"overall": 5}, "receipt": receipt},
        headers=bearer(Role.LEARNER, learner),
    )
    wrong_receipt = await client.put(
        f"/forms/{form_id}/answers",
        json={"answers": {"overall": 1}, "receipt": "not-the-receipt-given-to-me"},
        headers=bearer(Role.LEARNER, learner),
    )
    too_early = await answer(client, later, learner, {"overall": 3})
    not_enrolled = await answer(client, form_id, stranger, {"overall": 1})
    off_scale = await answer(client, later, learner, {"overall": 6})

    assert first.status_code == 201 and len(receipt) >= 22
    assert (second.status_code, second.json()["detail"].split(" at ")[0]) == (
        409,
        "you already answered 「第一期评教」",
    )
    assert "one answer per person: change it with the receipt you were given until" in second.json()["detail"]
    assert changed.status_code == 200 and changed.json()["receipt"] is None
    assert (wrong_receipt.status_code, wrong_receipt.json()["detail"]) == (
        403,
        "that is not your answer to 「第一期评教」",
    )
    assert too_early.status_code == 409 and "「第二期评教」 opens at" in too_early.json()["detail"]
    assert not_enrolled.status_code == 403
    assert not_enrolled.json()["detail"].startswith(
        f"only the learners of class {class_id} may answer 「第一期评教」, and evaluation knows of no approved "
        f"enrollment of {stranger} in it"
    )
    listed = await client.get(f"/classes/{class_id}/forms", headers=bearer(Role.LEARNER, learner))
    assert [form["title"] for form in listed.json()] == ["第一期评教", "第二期评教"]
    shown = await client.get(f"/forms/{form_id}", headers=bearer(Role.LEARNER, learner))
    assert [item["item_id"] for item in shown.json()["questions"]["sections"][0]["items"]] == ["overall", "comment"]
    for path in (f"/classes/{class_id}/forms", f"/forms/{form_id}"):
        assert (await client.get(path, headers=bearer(Role.LEARNER, stranger))).status_code == 403
    assert off_scale.status_code == 409  # the window is judged first: it is not open yet

    assert (await client.post(f"/forms/{form_id}/close", headers=MANAGER)).status_code == 200
    late = await answer(client, form_id, unique("late"), {"overall": 3})
    too_late = await client.put(
        f"/forms/{form_id}/answers",
        json={"answers": {"overall": 3}, "receipt": receipt},
        headers=bearer(Role.LEARNER, learner),
    )
    assert late.status_code == 403  # not enrolled: who may answer is judged before when
    assert too_late.status_code == 409
    assert "closed at" in too_late.json()["detail"]
    assert "answers can no longer be given or changed" in too_late.json()["detail"]
    closed_again = await client.post(f"/forms/{form_id}/close", headers=MANAGER)
    assert closed_again.status_code == 409 and "closed already" in closed_again.json()["detail"]


async def test_answers_that_do_not_fit_the_template_are_refused_item_by_item(evaluation: Evaluation) -> None:
    client = evaluation.client
    learner = unique("person")
    class_id = await evaluation.open_class(learner)
    form_id = await open_form(client, await template(client, TEACHING_ITEMS), class_id)

    refused = await answer(client, form_id, learner, {"overall": 6, "comment": ["a", "list"], "extra": "x"})
    boolean = await answer(client, form_id, learner, {"overall": True})

    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "there is no item extra in this template" in detail
    assert "item overall 「总体满意度」: 6 is not on the scale 1–5" in detail
    assert "item comment 「意见建议」: expected text" in detail
    assert boolean.status_code == 422  # true is no rating
    assert (await answer(client, form_id, learner, {"overall": 5})).status_code == 201  # nothing was kept


async def test_answering_a_classs_form_tells_certificates_who_answered_which_form_never_what(
    evaluation: Evaluation,
) -> None:
    client = evaluation.client
    learner = unique("person")
    class_id = await evaluation.open_class(learner)
    needs = await template(client, NEEDS_ITEMS, title="训后需求调研")
    form_id = await open_form(client, needs, class_id, purpose="after_class", anonymous=False, title="训后调研")

    taken = await answer(client, form_id, learner, {"topics": ["party_history"], "teaching_modes": ["case"]})
    await client.put(
        f"/forms/{form_id}/answers",
        json={"answers": {"topics": ["discipline"], "teaching_modes": ["seminar"]}},
        headers=bearer(Role.LEARNER, learner),
    )

    assert taken.status_code == 201 and taken.json()["receipt"] is None  # a named answer is changed as oneself
    (event,) = await outbox_events(evaluation.database, SurveyAnswered.event_type)  # a change is no new answer
    assert event.data == {
        "form_id": form_id,
        "class_id": class_id,
        "person_id": learner,
        "purpose": "after_class",
        "answered_at": event.data["answered_at"],
    }
    assert datetime.fromisoformat(event.data["answered_at"]) == datetime.fromisoformat(taken.json()["answered_at"])


async def test_reports_show_an_item_only_once_three_answered_on_a_closed_form_and_export_the_same(
    evaluation: Evaluation,
) -> None:
    client = evaluation.client
    learners = [unique("person") for _ in range(4)]
    class_id = await evaluation.open_class(*learners, category="activists", year=2026)
    await evaluation.learn(
        TeacherChanged(teacher_id="teacher-1", name="王老师", internal=True, version=1, changed_at=REGISTERED_AT)
    )
    teaching = await template(client, TEACHING_ITEMS)
    needs = await template(client, NEEDS_ITEMS, title="训后需求调研")
    session_form = await open_form(client, teaching, class_id, session_id=f"{class_id}-01", title="专题一评教")
    class_form = await open_form(client, teaching, class_id, title="班级评教")
    needs_form = await open_form(client, needs, class_id, purpose="after_class", title="训后调研")
    for points, person_id in zip((5, 4, 4), learners[:3], strict=True):
        await answer(client, session_form, person_id, {"overall": points, "comment": f"讲得好 {points}"})
    for person_id in learners[:2]:
        await answer(client, class_form, person_id, {"overall": 1, "comment": "太少人答，不应显示"})
    for topics, person_id in zip(
        (["governance"], ["governance", "discipline"], ["discipline"]), learners[:3], strict=True
    ):
        await answer(client, needs_form, person_id, {"topics": topics, "teaching_modes": ["case"]})

    still_open = (await client.get(f"/classes/{class_id}/report", headers=MANAGER)).json()
    for form_id in (session_form, class_form, needs_form):
        assert (await client.post(f"/forms/{form_id}/close", headers=MANAGER)).status_code == 200
    report = (await client.get(f"/classes/{class_id}/report", headers=MANAGER)).json()
    teacher = (await client.get("/teachers/teacher-1/report", headers=TEACHER)).json()
    planning = (await client.get("/needs", params={"year": 2026, "group": "activists"}, headers=ADMIN)).json()

    whole_class, each_session, each_teacher, comments = report
    assert still_open[1]["rows"][0][-1].startswith("not shown: open until")
    assert whole_class["rows"][0][-1] == "not shown: fewer than 3 answered, to keep answers anonymous"
    overall = each_session["rows"][0]
    assert overall[each_session["header"].index("作答人数 (answered)")] == 3
    assert overall[each_session["header"].index("平均分 (mean)")] == "4.33"
    assert overall[each_session["header"].index("分布 (distribution)")] == "5分: 1; 4分: 2; 3分: 0; 2分: 0; 1分: 0"
    assert each_teacher["rows"][0][:2] == ["王老师", "总体满意度"]  # by the name the register gives
    assert [row[-1] for row in comments["rows"]] == ["讲得好 4", "讲得好 4", "讲得好 5"]
    assert "太少人答，不应显示" not in str(report)
    assert teacher[0]["rows"][0][:4] == [2026, "2026年发展对象培训班", "党章专题讲授", "总体满意度"]
    topics, modes = planning
    assert [(row[2], row[3], row[4]) for row in topics["rows"]] == [
        (1, "纪律建设", 2),
        (1, "基层治理", 2),
        (3, "党史", 0),
    ]
    assert topics["rows"][0][1] == "入党积极分子培训"
    assert (modes["rows"][0][3], modes["rows"][0][5]) == ("案例式", "100.0")

    exported = await client.get(f"/classes/{class_id}/report.xlsx", headers=MANAGER)
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    workbook = load_workbook(BytesIO(exported.content))
    assert len(workbook.worksheets) == len(report)
    cells = [[cell for cell in row] for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    assert ["讲得好 4" in row for row in cells].count(True) == 2
    assert "太少人答，不应显示" not in str(cells)
    needs_book = load_workbook(BytesIO((await client.get("/needs.xlsx", params={"year": 2026}, headers=ADMIN)).content))
    assert needs_book.worksheets[0]["D3"].value == "纪律建设"

    assert (await client.get(f"/classes/{class_id}/report", headers=TEACHER)).status_code == 403
    assert (await client.get(f"/classes/{class_id}/report", headers=OTHER_MANAGER)).status_code == 403
    assert (await client.get("/teachers/teacher-1/report", headers=OTHER_TEACHER)).status_code == 403
    assert (await client.get("/needs", params={"year": 2026}, headers=TEACHER)).status_code == 403
