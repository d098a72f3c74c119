"""Export every event contract as JSON Schema into ``docs/events/`` (a test keeps them in sync).

python -m shared.events.export            write the schemas
python -m shared.events.export --check    exit 1 if any is missing or stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.events.contracts import CONTRACTS
from shared.events.envelope import CloudEvent

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "events"
ENVELOPE_SCHEMA = "cloudevent.v1.schema.json"


def schema_documents() -> dict[str, str]:
    """File name -> JSON text, for the envelope and each event type's ``data``."""
    documents: dict[str, dict[str, Any]] = {ENVELOPE_SCHEMA: CloudEvent.model_json_schema()}
    for event_type, model in sorted(CONTRACTS.items()):
        schema = model.model_json_schema()
        schema["$id"] = f"urn:dangxiao:schema:{event_type}"
        schema["description"] = (model.__doc__ or "").strip()
        schema["x-topic"] = model.topic
        schema["x-key"] = model.key_field
        documents[f"{event_type}.schema.json"] = schema
    return {
        name: json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n" for name, doc in documents.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.events.export")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when docs/events is stale")
    args = parser.parse_args(argv)
    documents = schema_documents()
    stale = [
        name
        for name, text in documents.items()
        if not (SCHEMA_DIR / name).is_file() or (SCHEMA_DIR / name).read_text(encoding="utf-8") != text
    ]
    extra = (
        sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json") if p.name not in documents)
        if SCHEMA_DIR.is_dir()
        else []
    )
    if args.check:
        for name in [*stale, *extra]:
            print(f"stale or unexpected: docs/events/{name}", file=sys.stderr)
        return 1 if stale or extra else 0
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (SCHEMA_DIR / name).write_text(documents[name], encoding="utf-8")
    for name in extra:
        (SCHEMA_DIR / name).unlink()
    print(f"wrote {len(stale)} schema(s), removed {len(extra)} into {SCHEMA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
