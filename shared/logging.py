"""Structured JSON logs: every line names the service and, inside event handling, the event and correlation id.

Libraries that log through the standard library (uvicorn, alembic, aiokafka, FastStream) go through the same
JSON renderer, so one line is one JSON object whatever wrote it.
"""

from __future__ import annotations

import logging
import sys

import structlog
from structlog.typing import Processor

# Conditions the Kafka client meets in normal operation and retries by itself, which it reports as warnings or
# errors all the same: on a first start (a topic's leader still settling) and whenever a group rebalances (an
# instance joins or leaves). Nobody need act on them, so they are logged at INFO; anything else stays as it is.
RETRIED_BY_THE_CLIENT = {
    ("aiokafka.consumer.fetcher", "Failed fetch offsets from %s: %s"),
    ("aiokafka.consumer.group_coordinator", "Group Coordinator Request failed: %s"),
    ("aiokafka.consumer.group_coordinator", "Heartbeat failed for group %s because it is rebalancing"),
}


class RetriedByTheClient(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if (
            isinstance(record.msg, str)
            and (record.name, record.msg) in RETRIED_BY_THE_CLIENT
            and _retriable(record.args)
        ):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def _retriable(arguments: object) -> bool:
    """A Kafka error among the arguments says whether retrying helps; a message without one is a rebalance."""
    errors = (
        [argument for argument in arguments if isinstance(argument, Exception)] if isinstance(arguments, tuple) else []
    )
    return all(getattr(error, "retriable", False) for error in errors)


def configure_logging(service: str, level: str = "INFO") -> None:
    shared_processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared_processors,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared_processors,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        )
    )
    handler.addFilter(RetriedByTheClient())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "alembic"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
