"""A service killed between its database commit and its publish loses no event after restart."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from aiokafka import ConsumerRecord

from shared.auth import Role
from shared.events.contracts.register import CLASSES_TOPIC
from tests.conftest import CreateDatabase
from tests.e2e.system import ServiceProcess, System, free_port, service_environment
from tests.kafka import all_records, cloudevent_of, records_until
from tests.support import unique

pytestmark = pytest.mark.e2e


async def test_events_committed_before_a_crash_are_published_after_restart(
    kafka_bootstrap: str, create_postgres_database: CreateDatabase, tmp_path: Path
) -> None:
    database_url = await create_postgres_database("enrollment")
    environment = service_environment(
        "enrollment", kafka_bootstrap=kafka_bootstrap, database_url=database_url, group_suffix=unique("crash")
    )
    # The relay is held back, so the process dies with the event committed and not yet published.
    held_back = ServiceProcess(
        "enrollment", free_port(), {**environment, "DANGXIAO_OUTBOX_RELAY_ENABLED": "false"}, tmp_path / "1.log"
    )
    restarted = ServiceProcess("enrollment", held_back.port, environment, tmp_path / "2.log")
    class_id = unique("crash-class")

    def about_the_class(record: ConsumerRecord[bytes, bytes]) -> bool:
        return cloudevent_of(record).get("subject") == class_id

    try:
        system = System({"enrollment": held_back})
        await system.start()
        async with system.client("enrollment", Role.CLASS_MANAGER) as enrollment:
            response = await enrollment.post(
                "/classes",
                json={
                    "class_id": class_id,
                    "title": "纪检委员培训班",
                    "category": "discipline_inspection",
                    "year": 2026,
                    "required_hours": "16",
                },
            )
            assert response.status_code == 201, response.text
        held_back.kill()
        assert not [r for r in await all_records(kafka_bootstrap, CLASSES_TOPIC) if about_the_class(r)]

        system.services["enrollment"] = restarted
        await system.start()
        [published] = await records_until(kafka_bootstrap, CLASSES_TOPIC, about_the_class)
    finally:
        held_back.stop()
        restarted.stop()
    event = cloudevent_of(published)
    assert event["type"] == "dangxiao.enrollment.class_changed.v1"
    assert Decimal(event["data"]["completion"]["required_hours"]) == 16
    assert published.key == class_id.encode()
