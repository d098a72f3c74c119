"""The JSON Schemas in docs/events are what the code validates against, and events validate against them."""

from __future__ import annotations

import json
import re

import jsonschema

from shared.events.contracts import CONTRACTS
from shared.events.contracts.attendance import AttendanceRecorded
from shared.events.export import ENVELOPE_SCHEMA, SCHEMA_DIR, main, schema_documents
from shared.events.refusals import Refusal


def test_docs_events_holds_the_current_schemas() -> None:
    assert main(["--check"]) == 0, "run: python -m shared.events.export"


def test_every_contract_has_a_schema_naming_its_topic_and_key() -> None:
    documents = schema_documents()
    assert set(documents) == {ENVELOPE_SCHEMA, *(f"{t}.schema.json" for t in CONTRACTS)}
    for event_type, model in CONTRACTS.items():
        schema = json.loads(documents[f"{event_type}.schema.json"])
        assert (schema["x-topic"], schema["x-key"]) == (model.topic, model.key_field)


def test_an_outside_systems_attendance_validates_against_the_published_schema() -> None:
    schema = json.loads((SCHEMA_DIR / f"{AttendanceRecorded.event_type}.schema.json").read_text())
    good = {"person_id": "20260001", "session_id": "s-1", "status": "late", "minutes": 150, "hours": 2.5}
    jsonschema.validate(good, schema)
    bad = {**good, "minutes": -1}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError as error:
        assert "minimum" in str(error.schema)
    else:
        raise AssertionError("a negative minutes value passed the published schema")


def test_docs_events_lists_every_refusal_code_and_no_other() -> None:
    """One vocabulary of refusals: the table integrators read is the enum the doors use."""
    text = (SCHEMA_DIR.parent / "events.md").read_text(encoding="utf-8")
    table = text.split("### Refusals", 1)[1].split("\n\n", 2)[2]
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", table, re.MULTILINE))
    assert documented == {refusal.value for refusal in Refusal}
