"""End-to-end throughput of the hours service: attendance on Kafka -> 学时 ledger on PostgreSQL.

    ./dev bench hours_throughput [--events 200000] [--per-event 3000]

``./dev bench`` starts a fresh broker and a PostgreSQL with production durability (fsync and synchronous_commit
on) and names them in DANGXIAO_TEST_KAFKA_BOOTSTRAP and DANGXIAO_TEST_POSTGRES_URL.

N attendance events (half session attendance, half online study, 5 % exact duplicates) are published while the
hours service is stopped, with the register's persons, classes and sessions beside them; with ``--members``, that
share of the persons are Party members, whose requirements the service judges as their lines post. Then, in the
same run: a raw aiokafka consumer drains the topic, and again decoding each value with json.loads (the baselines);
the hours service starts as its own process and is timed until its ledger holds every attendance, noting the rate
and its peak RSS at N/10 and at N; and the hours service with batches of one (the per-event path) is timed over the
first ``--per-event`` events. Figures are only comparable within one run: the ratios are what travels.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.broker import ensure_topics
from shared.events.contracts.attendance import ATTENDANCE_TOPIC, Activity, AttendanceRecorded
from shared.events.contracts.common import Period
from shared.events.contracts.register import (
    CLASSES_TOPIC,
    PERSONS_TOPIC,
    SESSIONS_TOPIC,
    ClassChanged,
    CompletionCriteria,
    PersonChanged,
    SessionChanged,
)
from shared.events.envelope import CloudEvent, EventData
from tests.e2e.system import ServiceProcess, free_port, service_environment
from tests.support import event_of

PARTITIONS = 6
SESSIONS = 40
DUPLICATE_SHARE = 0.05
STRUCTURED = [("content-type", b"application/cloudevents+json")]
TERM_START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


@dataclass
class Figures:
    label: str
    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def register_events(persons: int, members: float = 0.0) -> list[tuple[str, CloudEvent]]:
    """The register as enrollment publishes it: persons (``members`` of them Party members), four classes, their
    sessions."""
    now = datetime.now(UTC)
    membership = [Period(code="full_member", since=date(2010, 7, 1))]
    published: list[tuple[str, EventData]] = [
        (
            PERSONS_TOPIC,
            PersonChanged(
                person_id=f"p{n:05d}",
                name="学员",
                statuses=membership if n < persons * members else [],
                version=1,
                changed_at=now,
            ),
        )
        for n in range(persons)
    ]
    for number in range(SESSIONS):
        class_id = f"bench-class-{number % 4}"
        if number < 4:
            completion = CompletionCriteria(required_hours=Decimal(40))
            published.append(
                (
                    CLASSES_TOPIC,
                    ClassChanged(
                        class_id=class_id,
                        title="基准测试培训班",
                        category="member_rotation",
                        year=2026,
                        completion=completion,
                        version=1,
                        changed_at=now,
                    ),
                )
            )
        starts = TERM_START + timedelta(days=number)
        published.append(
            (
                SESSIONS_TOPIC,
                SessionChanged(
                    session_id=f"bench-session-{number:02d}",
                    class_id=class_id,
                    title="专题讲授",
                    teaching_mode="lecture",
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=180),
                    hours=Decimal(4),
                    version=1,
                    changed_at=now,
                ),
            )
        )
    return [(topic, event_of(data, source="urn:dangxiao:enrollment")) for topic, data in published]


def attendance_events(count: int, persons: int, seed: int = 7) -> tuple[list[bytes], int]:
    """``count`` attendance records (values), and how many distinct events they carry."""
    randomness = random.Random(seed)
    distinct = int(count / (1 + DUPLICATE_SHARE))
    values: list[bytes] = []
    for n in range(distinct):
        person_id = f"p{randomness.randrange(persons):05d}"
        if n % 2 == 0:
            session = n // 2 % SESSIONS
            data = AttendanceRecorded(
                person_id=f"p{(n // 2 // SESSIONS) % persons:05d}",
                session_id=f"bench-session-{session:02d}",
                minutes=randomness.choice([180, 170, 120, 60]),
            )
            time_ = TERM_START + timedelta(days=session, hours=3)
        else:
            data = AttendanceRecorded(
                person_id=person_id,
                activity=Activity(id=f"course-{n}", title="网络学习课程", platform="shanghai-elearning"),
                minutes=randomness.choice([30, 45, 90]),
            )
            time_ = TERM_START + timedelta(minutes=n)
        event = event_of(data, source="urn:dangxiao:bench", id=str(uuid.UUID(int=randomness.getrandbits(128))))
        values.append(event.model_copy(update={"time": time_}).to_json())
    values.extend(randomness.choice(values) for _ in range(count - distinct))
    randomness.shuffle(values)
    return values, distinct


async def publish(bootstrap: str, records: list[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    try:
        pending = []
        for topic, value in records:
            key = json.loads(value)["subject"].encode()
            pending.append(await producer.send(topic, value, key=key, headers=STRUCTURED))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def drain(bootstrap: str, topic: str, decode: bool) -> Figures:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, n) for n in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        total = sum(ends.values())
        seen = 0
        started = time.perf_counter()
        while seen < total:
            for records in (await consumer.getmany(timeout_ms=500, max_records=10000)).values():
                seen += len(records)
                if decode:
                    for record in records:
                        json.loads(record.value)
        seconds = time.perf_counter() - started
    finally:
        await consumer.stop()
    return Figures("raw aiokafka consumer" + (" + json.loads" if decode else ""), total, seconds)


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def fresh_database(admin_url: str, name: str) -> str:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


async def run_hours(
    bootstrap: str,
    admin_url: str,
    label: str,
    until: int,
    marks: tuple[int, ...],
    batch_size: int,
    workdir: Path,
    profile: Path | None = None,
) -> tuple[Figures, dict[int, tuple[float, float]]]:
    """Start hours on a fresh database and group; time it until ``until`` attendances are applied.

    Returns the figures and, for each of ``marks``, (seconds until that many were applied, peak RSS in MiB then).
    """
    database_url = await fresh_database(admin_url, f"bench_hours_{batch_size}")
    service = ServiceProcess(
        name="hours",
        port=free_port(),
        env=service_environment(
            "hours",
            kafka_bootstrap=bootstrap,
            database_url=database_url,
            group_suffix=uuid.uuid4().hex[:8],
            DANGXIAO_CONSUMER_BATCH_SIZE=str(batch_size),
            DANGXIAO_KAFKA_PARTITIONS=str(PARTITIONS),
            DANGXIAO_LOG_LEVEL="WARNING",
        ),
        log_path=workdir / f"hours-{batch_size}.log",
    )
    connection = await asyncpg.connect(database_url)
    seen_at: dict[int, tuple[float, float]] = {}
    try:
        service.start()
        assert service.process is not None
        # Timed from readiness: migrating and joining the group are the same for any N.
        await service.wait_ready()
        started = time.perf_counter()
        if profile is not None:  # py-spy, from PyPI, samples the process without slowing it much
            spy = subprocess.Popen(  # noqa: ASYNC220 - started once, outside the timed loop
                [
                    "py-spy",
                    "record",
                    "--pid",
                    str(service.process.pid),
                    "--output",
                    str(profile),
                    "--format",
                    {".json": "speedscope", ".svg": "flamegraph"}.get(profile.suffix, "raw"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        pending = sorted(marks)
        applied = 0
        while applied < until:
            await asyncio.sleep(0.25)
            if service.process.poll() is not None:
                raise RuntimeError(f"hours exited:\n{service.log_tail()}")
            try:
                applied = await connection.fetchval("SELECT count(*) FROM attendance")
            except asyncpg.UndefinedTableError:
                continue  # not migrated yet
            while pending and applied >= pending[0]:
                seen_at[pending.pop(0)] = (time.perf_counter() - started, peak_rss_mib(service.process.pid))
        seconds = time.perf_counter() - started
        if profile is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
    finally:
        await connection.close()
        service.stop()
    return Figures(label, until, seconds), seen_at


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--per-event", type=int, default=3000, help="events the batch-of-one path is timed over")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--profile", type=Path, help="record a py-spy profile of the batched run into this file")
    parser.add_argument("--members", type=float, default=0.0, help="share of the persons who are Party members")
    args = parser.parse_args()
    bootstrap = os.environ["DANGXIAO_TEST_KAFKA_BOOTSTRAP"]
    admin_url = os.environ["DANGXIAO_TEST_POSTGRES_URL"]
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"dangxiao-bench-{uuid.uuid4().hex[:6]}"
    workdir.mkdir(parents=True)

    persons = max(100, args.events // 200)
    values, distinct = attendance_events(args.events, persons)
    await ensure_topics(bootstrap, [PERSONS_TOPIC, CLASSES_TOPIC, SESSIONS_TOPIC, ATTENDANCE_TOPIC], PARTITIONS)
    await publish(bootstrap, [(topic, event.to_json()) for topic, event in register_events(persons, args.members)])
    started = time.perf_counter()
    await publish(bootstrap, [(ATTENDANCE_TOPIC, value) for value in values])
    print(
        f"published {len(values):,} attendance records ({distinct:,} distinct) in {time.perf_counter() - started:.1f} s"
    )

    raw = await drain(bootstrap, ATTENDANCE_TOPIC, decode=False)
    decoded = await drain(bootstrap, ATTENDANCE_TOPIC, decode=True)
    tenth = distinct // 10
    batched, marks = await run_hours(
        bootstrap,
        admin_url,
        f"hours service, batches of {args.batch_size}",
        distinct,
        (tenth, distinct),
        args.batch_size,
        workdir,
        args.profile,
    )
    per_event_count = min(args.per_event, distinct)
    per_event, _ = await run_hours(
        bootstrap, admin_url, "hours service, batches of one", per_event_count, (), 1, workdir
    )

    rate_tenth = tenth / marks[tenth][0]
    rss_tenth = marks[tenth][1]
    rss_full = marks[distinct][1]
    print(f"\n{'path (same broker, same run)':<44} {'events':>9} {'seconds':>8} {'events/s':>10}")
    for figures in (raw, decoded, batched, per_event):
        print(f"{figures.label:<44} {figures.events:>9,} {figures.seconds:>8.1f} {figures.rate:>10,.0f}")
    print()
    print(f"hours / raw with json.loads        {batched.rate / decoded.rate:8.3f}   (target >= 0.1)")
    print(f"hours / batch-of-one path          {batched.rate / per_event.rate:8.1f}   (target >= 20)")
    print(
        f"rate at N/10 vs at N               {rate_tenth:8,.0f} vs {batched.rate:,.0f} events/s"
        f"   (target: within 20 %: {abs(batched.rate - rate_tenth) / rate_tenth:.1%})"
    )
    print(
        f"peak RSS at N/10 vs at N           {rss_tenth:8.0f} vs {rss_full:.0f} MiB"
        f"   (target: within 25 %: {abs(rss_full - rss_tenth) / rss_tenth:.1%})"
    )
    print(f"load average (1, 5, 15 min)        {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
