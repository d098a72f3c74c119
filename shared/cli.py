"""``python -m services.<name> serve|migrate``: the same two commands for every service."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from shared.migrations import upgrade
from shared.service import ServiceDefinition, create_app


def run(define: Callable[[], ServiceDefinition], argv: list[str] | None = None) -> None:
    definition = define()
    settings = definition.settings
    parser = argparse.ArgumentParser(prog=f"python -m services.{settings.service_name}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="HTTP API, Kafka consumers and outbox relay in one process")
    serve.add_argument("--host", default=settings.http_host)
    serve.add_argument("--port", type=int, default=settings.http_port)
    sub.add_parser("migrate", help="apply this service's database migrations, then exit")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        upgrade(settings.resolved_database_url, definition.migrations_dir)
        print(f"{settings.service_name}: database at head")
        return
    app: FastAPI = create_app(definition)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
