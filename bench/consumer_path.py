"""How many events a second the shared consumer path applies, against parsing alone in the same run.

    .venv/bin/python -m bench.consumer_path [--events 2000] [--database sqlite|postgresql://…]

The baseline (parse and validate only) is measured in the same run, so the ratio means something on a
shared, noisy machine; the absolute figures do not travel between machines.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from shared.consumer import EventHandlers
from shared.events.contracts import ENROLLMENT_TOPIC, PersonRegistered
from shared.events.envelope import CloudEvent, parse_data, parse_kafka_record
from shared.logging import configure_logging
from shared.unit_of_work import UnitOfWork
from tests.support import consumer_for, event_of, migrated_database, structured_record


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--database", default="sqlite", help="'sqlite' or a PostgreSQL URL of an empty database")
    args = parser.parse_args()
    configure_logging("bench", "WARNING")  # a log line per event would measure the terminal

    records = [
        structured_record(event_of(PersonRegistered(person_id=f"p{n}", name="学员")), ENROLLMENT_TOPIC, offset=n)
        for n in range(args.events)
    ]

    started = time.perf_counter()
    for record in records:
        parse_data(parse_kafka_record(record.value, record.headers), PersonRegistered)
    parse_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.db'}" if args.database == "sqlite" else args.database
        database = await migrated_database(url, "enrollment")
        handlers = EventHandlers()

        @handlers.on(PersonRegistered)
        async def emit_one(uow: UnitOfWork, event: CloudEvent, data: PersonRegistered) -> None:
            uow.emit(data)  # one outbox row per event, as a real handler writes at least

        consumer, dead_letters = consumer_for(handlers, database, service="bench")
        started = time.perf_counter()
        for record in records:
            await consumer.consume(record)
        consume_seconds = time.perf_counter() - started
        await database.dispose()
    assert not dead_letters.letters

    print(f"events                        {args.events}")
    print(f"parse + validate (baseline)   {args.events / parse_seconds:10.0f} events/s")
    print(f"consumer path ({args.database.split(':')[0]:<10})    {args.events / consume_seconds:10.0f} events/s")
    print(f"consumer path / baseline      {parse_seconds / consume_seconds:10.3f}")


if __name__ == "__main__":
    asyncio.run(main())
