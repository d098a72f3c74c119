"""Log lines: what the Kafka client retries by itself is not reported as a problem; everything else is."""

from __future__ import annotations

import logging

from aiokafka.errors import NotLeaderForPartitionError, TopicAuthorizationFailedError

from shared.logging import RetriedByTheClient


def filtered(name: str, level: int, message: str, *args: object) -> str:
    record = logging.LogRecord(name, level, __file__, 1, message, args, None)
    assert RetriedByTheClient().filter(record)
    return record.levelname


def test_retried_client_conditions_are_info_and_the_rest_keep_their_level() -> None:
    fetcher, coordinator = "aiokafka.consumer.fetcher", "aiokafka.consumer.group_coordinator"
    assert (
        filtered(fetcher, logging.ERROR, "Failed fetch offsets from %s: %s", 1, NotLeaderForPartitionError()) == "INFO"
    )
    assert (
        filtered(coordinator, logging.WARNING, "Heartbeat failed for group %s because it is rebalancing", "g") == "INFO"
    )
    # Not retriable: somebody must act (a missing ACL), so it stays an error.
    refused = TopicAuthorizationFailedError()
    assert filtered(fetcher, logging.ERROR, "Failed fetch offsets from %s: %s", 1, refused) == "ERROR"
    assert filtered("dangxiao.consumer", logging.WARNING, "event dead-lettered") == "WARNING"
