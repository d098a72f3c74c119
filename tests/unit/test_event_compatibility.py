"""The public catalogue may only grow optional fields; anything else of a published type is refused."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from shared.events import compatibility
from shared.events.compatibility import breaking_changes, check
from shared.events.contracts.hours import HoursCredited

PUBLISHED: dict[str, Any] = HoursCredited.model_json_schema()


def changed(edit: Any) -> dict[str, Any]:
    schema = copy.deepcopy(PUBLISHED)
    edit(schema)
    return schema


def test_adding_an_optional_field_or_rewording_is_compatible() -> None:
    def add_optional(schema: dict[str, Any]) -> None:
        schema["properties"]["note"] = {"type": "string"}
        schema["properties"]["hours"]["description"] = "学时, reworded"

    assert breaking_changes(PUBLISHED, changed(add_optional)) == []


def test_removing_requiring_retyping_or_tightening_is_breaking() -> None:
    cases = {
        "removed": lambda s: s["properties"].pop("reason"),
        "newly required": lambda s: s["required"].append("class_id"),
        "no longer required": lambda s: s["required"].remove("rule"),
        "became": lambda s: s["properties"]["year"].update(type="string"),
        "pattern": lambda s: s["properties"]["hours"].update(pattern="^\\d+$"),
    }
    for expected, edit in cases.items():
        changes = breaking_changes(PUBLISHED, changed(edit))
        assert changes, expected
        assert any(expected in change or "pattern" in change for change in changes), (expected, changes)


def test_a_required_new_field_even_optional_elsewhere_is_breaking() -> None:
    def add_required(schema: dict[str, Any]) -> None:
        schema["properties"]["note"] = {"type": "string"}
        schema["required"].append("note")

    assert breaking_changes(PUBLISHED, changed(add_required)) == [
        ".note: newly required (events published before lack it)"
    ]


def test_the_catalogue_as_exported_breaks_nothing_published() -> None:
    assert check() == []


def test_a_type_published_before_and_untouched_since_is_held_to_what_was_published(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exported = compatibility.schema_documents()
    name = f"{HoursCredited.event_type}.schema.json"
    tightened = json.loads(exported[name])
    tightened["required"].append("trained_on")
    withdrawn = next(other for other in sorted(exported) if other != name)
    now = {**exported, name: json.dumps(tightened)}
    del now[withdrawn]
    monkeypatch.setattr(compatibility, "schema_documents", lambda: now)

    problems = check()

    assert any(p.startswith(name) and "trained_on: newly required" in p for p in problems), problems
    assert any(p.startswith(f"{withdrawn}: withdrawn") for p in problems), problems
