"""``python -m services.<name> serve|migrate|topics|rebuild``: the same commands for every service."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from shared.logging import configure_logging
from shared.migrations import upgrade
from shared.rebuild import NotRebuildable, ServiceStillRunning, rebuild
from shared.service import ServiceDefinition, ServiceRuntime, create_app


def run(define: Callable[[], ServiceDefinition], argv: list[str] | None = None) -> None:
    definition = define()
    settings = definition.settings
    parser = argparse.ArgumentParser(prog=f"python -m services.{settings.service_name}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="HTTP API, Kafka consumers and outbox relay in one process")
    serve.add_argument("--host", default=settings.http_host)
    serve.add_argument("--port", type=int, default=settings.http_port)
    sub.add_parser("migrate", help="apply this service's database migrations, then exit")
    sub.add_parser(
        "topics",
        help="create the topics this service produces and consumes (and their .dlq twins) that the cluster lacks, "
        "with DANGXIAO_KAFKA_PARTITIONS partitions each",
    )
    sub.add_parser(
        "rebuild",
        help="drop this service's state and replay its input topics from the beginning (stop the service first; "
        "refused by a service that keeps facts first-hand)",
    )
    args = parser.parse_args(argv)

    if args.command == "migrate":
        upgrade(settings.resolved_database_url, definition.migrations_dir)
        print(f"{settings.service_name}: database at head")
        return
    if args.command == "topics":
        created = asyncio.run(ServiceRuntime(definition).create_topics())
        print(f"{settings.service_name}: created {', '.join(created) if created else 'no topics (all exist)'}")
        return
    if args.command == "rebuild":
        configure_logging(settings.service_name, "WARNING")  # the progress bar, not a log line per batch
        try:
            asyncio.run(rebuild(ServiceRuntime(definition)))
        except (ServiceStillRunning, NotRebuildable) as refusal:
            parser.exit(1, f"{settings.service_name}: {refusal}\n")
        return
    app: FastAPI = create_app(definition)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
