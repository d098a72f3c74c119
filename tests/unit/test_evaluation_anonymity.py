"""Anonymity end to end in the service: after anonymous answers (given, changed, and a second one refused), no
respondent's id is in any report, any exported workbook or any log line; the only events naming them are
SurveyAnswered, which say who answered which form, never what; and the stored answers name nobody."""

from __future__ import annotations

import html
import logging
import zipfile
from io import BytesIO
from typing import Any

import pytest
import structlog
from sqlmodel import select
from structlog.testing import capture_logs

from services.evaluation.models import SurveyResponse
from shared.auth import Role
from shared.events.contracts.evaluation import SurveyAnswered
from tests.support import bearer, outbox_events, unique
from tests.unit.conftest import ServiceApi
from tests.unit.test_evaluation_api import ADMIN, MANAGER, TEACHER, Evaluation
from tests.unit.test_evaluation_surveys import NEEDS_ITEMS, TEACHING_ITEMS, answer, open_form, template


@pytest.fixture
async def evaluation(service_api: ServiceApi) -> Evaluation:
    return await Evaluation.open(service_api)


def workbook_text(content: bytes) -> str:
    """Everything an .xlsx holds, as text: every part of the archive (cells, shared strings, properties), with XML's
    character references (``&#24847;``) read as the characters they stand for."""
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return html.unescape("\n".join(archive.read(name).decode() for name in archive.namelist()))


async def test_no_report_export_event_or_log_line_leads_from_a_respondent_to_their_answers(
    evaluation: Evaluation, caplog: pytest.LogCaptureFixture
) -> None:
    client = evaluation.client
    caplog.set_level(logging.INFO)
    respondents = [unique("respondent") for _ in range(4)]
    # Each respondent writes a comment only they would: were answers linked to people, it would show beside them.
    comments = {person_id: f"意见-{unique('secret')}" for person_id in respondents}
    class_id = await evaluation.open_class(*respondents, category="activists")
    teaching, needs = await template(client, TEACHING_ITEMS), await template(client, NEEDS_ITEMS, title="训后调研")
    forms = [
        await open_form(client, teaching, class_id, session_id=f"{class_id}-01", title="专题评教"),
        await open_form(client, teaching, class_id, title="班级评教"),
        await open_form(client, needs, class_id, purpose="after_class", title="训后调研"),
    ]

    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as structured:
        receipts = {}
        for points, person_id in zip((5, 4, 4, 3), respondents, strict=True):
            for form_id in forms[:2]:
                taken = await answer(client, form_id, person_id, {"overall": points, "comment": comments[person_id]})
                assert taken.status_code == 201, taken.text
                receipts[form_id, person_id] = taken.json()["receipt"]
            needed = await answer(client, forms[2], person_id, {"topics": ["discipline"], "teaching_modes": ["case"]})
            assert needed.status_code == 201, needed.text
        again = await answer(client, forms[0], respondents[0], {"overall": 1})
        changed = await client.put(
            f"/forms/{forms[0]}/answers",
            json={
                "answers": {"overall": 2, "comment": comments[respondents[0]]},
                "receipt": receipts[forms[0], respondents[0]],
            },
            headers=bearer(Role.LEARNER, respondents[0]),
        )
        assert (again.status_code, changed.status_code) == (409, 200)
        for form_id in forms:
            assert (await client.post(f"/forms/{form_id}/close", headers=MANAGER)).status_code == 200
        reports: dict[str, Any] = {
            "class": await client.get(f"/classes/{class_id}/report", headers=MANAGER),
            "teacher": await client.get("/teachers/teacher-1/report", headers=TEACHER),
            "needs": await client.get("/needs", params={"year": 2026}, headers=ADMIN),
        }
        exports = {
            "class": await client.get(f"/classes/{class_id}/report.xlsx", headers=MANAGER),
            "teacher": await client.get("/teachers/teacher-1/report.xlsx", headers=TEACHER),
            "needs": await client.get("/needs.xlsx", params={"year": 2026}, headers=ADMIN),
        }
    log_lines = [repr(entry) for entry in structured] + [record.getMessage() for record in caplog.records]
    events = await outbox_events(evaluation.database)
    async with evaluation.database.sessions() as session:
        stored = (await session.exec(select(SurveyResponse))).all()

    report_texts = {name: response.text for name, response in reports.items()}
    export_texts = {name: workbook_text(response.content) for name, response in exports.items()}
    assert all(response.status_code == 200 for response in [*reports.values(), *exports.values()])
    # The search can find what is there: the comments are reported and exported (four answered), the forms logged.
    assert all(comment in report_texts["class"] for comment in comments.values())
    assert all(comment in export_texts["teacher"] for comment in comments.values())
    assert any(forms[0] in line for line in log_lines) and len(log_lines) > 10
    for person_id in respondents:
        for name, text in {**report_texts, **export_texts}.items():
            assert person_id not in text, f"respondent {person_id} named in the {name} report or export"
        assert not [line for line in log_lines if person_id in line], f"respondent {person_id} in a log line"
    # Events: the respondents appear only as who answered a form, in SurveyAnswered, with nothing of what.
    naming = [event for event in events if any(person_id in event.to_json().decode() for person_id in respondents)]
    assert len(naming) == len(respondents) * len(forms)
    assert {event.type for event in naming} == {SurveyAnswered.event_type}
    assert all(set(event.data) == {"form_id", "class_id", "person_id", "purpose", "answered_at"} for event in naming)
    everything_published = b"".join(event.to_json() for event in events).decode()
    assert not [comment for comment in comments.values() if comment in everything_published]
    # What is stored of the answers names nobody: no respondent id in any column of any response.
    assert len(stored) == 4 * len(forms)
    assert all(response.respondent_id is None and response.receipt_digest for response in stored)
    stored_text = repr([response.model_dump() for response in stored])
    assert not [person_id for person_id in respondents if person_id in stored_text]
