"""What campus IT watches: liveness, readiness, Prometheus metrics and the AsyncAPI document of every service."""

from __future__ import annotations

import pytest

from tests.e2e.system import System
from tests.support import SERVICES

pytestmark = pytest.mark.e2e

OUR_METRICS = (
    "dangxiao_events_processed_total",
    "dangxiao_event_processing_seconds",
    "dangxiao_events_dead_lettered_total",
    "dangxiao_outbox_backlog",
    "dangxiao_outbox_oldest_age_seconds",
)


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_is_alive_ready_measured_and_documented(system: System, service: str) -> None:
    async with system.client(service) as client:
        alive = await client.get("/healthz")
        ready = await client.get("/readyz")
        metrics = (await client.get("/metrics")).text
        asyncapi = (await client.get("/asyncapi.json")).json()

    assert alive.json() == {"status": "alive", "service": service}
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "database": "ok", "broker": "ok"}
    for name in OUR_METRICS:
        assert f"# TYPE {name}" in metrics, name
    assert 'dangxiao_outbox_backlog{service="' + service + '"}' in metrics
    # FastStream's own Prometheus middleware is installed beside ours.
    assert "# TYPE faststream_received_messages_total counter" in metrics
    assert asyncapi["asyncapi"].startswith("3.")
    assert any(name.endswith(":publish") for name in asyncapi["channels"])
