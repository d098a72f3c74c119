"""A fresh start as campus IT sees it: every topic with its configured partitions, and no log line worth chasing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from shared.broker import partitions_of, topic_names
from shared.events.contracts import TOPICS
from tests.e2e.system import ServiceProcess, System, free_port, service_environment
from tests.kafka import dedicated_broker
from tests.support import SERVICES, unique

pytestmark = pytest.mark.e2e

PARTITIONS = 6


async def compaction_of(bootstrap: str, topics: list[str]) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, configs={"cleanup.policy": None}) for topic in topics]
        )
    finally:
        await admin.close()
    return {
        resource[3]: dict((entry[0], entry[1]) for entry in resource[4])["cleanup.policy"]
        for resource in response.resources
    }


def a_signing_key(path: Path) -> Path:
    """The certificates' signing key campus IT provides (without one, certificates warns it signs with a
    development key)."""
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path


async def test_a_first_start_creates_every_topic_as_configured_and_logs_nothing_to_chase(tmp_path: Path) -> None:
    signing_key = a_signing_key(tmp_path / "certificate-signing-key.pem")
    async with dedicated_broker(tmp_path / "broker") as bootstrap:
        system = System()
        for name in SERVICES:
            system.services[name] = ServiceProcess(
                name=name,
                port=free_port(),
                env=service_environment(
                    name,
                    kafka_bootstrap=bootstrap,
                    database_url=f"sqlite:///{tmp_path / name}.db",
                    group_suffix=unique("first"),
                    DANGXIAO_KAFKA_PARTITIONS=str(PARTITIONS),
                    DANGXIAO_CERTIFICATE_SIGNING_KEY_FILE=str(signing_key),
                ),
                log_path=tmp_path / f"{name}.log",
            )
        try:
            await system.start()  # all four at once, as ./dev up and docker compose do
            catalogue = topic_names(spec.name for spec in TOPICS)
            partitions = await partitions_of(bootstrap, catalogue)
            policies = await compaction_of(bootstrap, catalogue)
        finally:
            system.stop()

    assert {topic: len(numbers) for topic, numbers in partitions.items()} == dict.fromkeys(catalogue, PARTITIONS)
    compacted = {spec.name for spec in TOPICS if spec.compacted}
    assert {topic for topic, policy in policies.items() if policy == "compact"} == compacted
    noisy = []
    for name in SERVICES:
        for line in (tmp_path / f"{name}.log").read_text().splitlines():
            entry = json.loads(line)
            if entry.get("level") in ("warning", "error", "critical"):
                noisy.append(f"{name}: {entry.get('event')}")
    assert noisy == [], "\n".join(sorted(set(noisy)))
