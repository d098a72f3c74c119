"""What integrators send with tools nobody here wrote: the official CloudEvents SDK (both Kafka modes) and kcat."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess

import pytest
from cloudevents.v1.http import CloudEvent as SdkEvent
from cloudevents.v1.kafka import KafkaMessage, to_binary, to_structured

from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from tests.e2e.system import System
from tests.e2e.test_one_class import open_class, total_reaches
from tests.kafka import producer

pytestmark = pytest.mark.e2e


def sdk_attendance(person_id: str, session_id: str) -> SdkEvent:
    return SdkEvent(
        {
            "type": "dangxiao.attendance.recorded.v1",
            "source": "urn:dangxiao:door:building-3",
            "time": "2026-12-01T12:00:00+08:00",
            "subject": person_id,
            "datacontenttype": "application/json",
        },
        {"person_id": person_id, "session_id": session_id, "minutes": 180},
    )


def kcat(bootstrap: str, key: str, value: bytes, headers: dict[str, str]) -> None:
    executable = shutil.which("kcat")
    assert executable, "kcat is not installed: apt-get install kcat (.ci/run installs it)"
    command = [executable, "-b", bootstrap, "-P", "-t", ATTENDANCE_TOPIC, "-k", key]
    for name, text in headers.items():
        command += ["-H", f"{name}={text}"]
    subprocess.run(command, input=value, check=True, timeout=30, capture_output=True)


async def send_sdk_message(bootstrap: str, message: KafkaMessage, key: str) -> None:
    async with producer(bootstrap) as client:
        await client.send_and_wait(
            ATTENDANCE_TOPIC, message.value, key=key.encode(), headers=list(message.headers.items())
        )


async def test_attendance_from_the_official_sdk_and_from_kcat_is_credited(system: System, kafka_bootstrap: str) -> None:
    cohort = await open_class(system, sessions=4)
    person = cohort.person_id
    first, second, third, fourth = cohort.session_ids

    # The SDK's structured mode labels the record plain application/json: read as the CloudEvent it is.
    structured = to_structured(sdk_attendance(person, first))
    assert structured.headers == {"content-type": b"application/json"}
    await send_sdk_message(kafka_bootstrap, structured, person)
    await send_sdk_message(kafka_bootstrap, to_binary(sdk_attendance(person, second)), person)

    # kcat, as a shell script at a card reader would use it: structured, and binary with ce_ headers.
    as_sent = {
        "specversion": "1.0",
        "id": f"kcat-{person}-1",
        "source": "urn:dangxiao:door:building-3",
        "type": "dangxiao.attendance.recorded.v1",
        "time": "2026-12-03T12:00:00+08:00",
        "subject": person,
        "data": {"person_id": person, "session_id": third, "minutes": 175},
    }
    await asyncio.to_thread(
        kcat, kafka_bootstrap, person, json.dumps(as_sent).encode(), {"content-type": "application/cloudevents+json"}
    )
    binary_headers = {
        "ce_specversion": "1.0",
        "ce_id": f"kcat-{person}-2",
        "ce_source": "urn:dangxiao:door:building-3",
        "ce_type": "dangxiao.attendance.recorded.v1",
        "ce_time": "2026-12-04T12:00:00+08:00",
        "content-type": "application/json",
    }
    data = {"person_id": person, "session_id": fourth, "minutes": 180}
    await asyncio.to_thread(kcat, kafka_bootstrap, person, json.dumps(data).encode(), binary_headers)

    await total_reaches(system, person, "16")
