"""A polled batch is applied in the order the broker appended it, as a rebuild replays the topics."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from shared.broker import in_append_order


def record(topic: str, partition: int, offset: int, timestamp: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topic, partition, offset, timestamp, 0, None, b"{}", None, 0, 2, [])


def test_a_batch_polled_partition_by_partition_is_applied_as_the_broker_appended_it() -> None:
    # How a poll hands them over: the ledger's partition first, then the register's.
    credit = record("dangxiao.hours.v1", 2, 40, timestamp=1_000_300)
    later_credit = record("dangxiao.hours.v1", 2, 41, timestamp=1_000_500)
    the_class = record("dangxiao.enrollment.classes.v1", 0, 7, timestamp=1_000_100)

    assert in_append_order([credit, later_credit, the_class]) == [the_class, credit, later_credit]


def test_a_partition_keeps_its_offset_order_whatever_its_timestamps_say() -> None:
    # Producers set record timestamps: on one partition they may go backwards; the key's order must not.
    first = record("dangxiao.attendance.v1", 1, 10, timestamp=2_000)
    second = record("dangxiao.attendance.v1", 1, 11, timestamp=1_000)
    other = record("dangxiao.attendance.v1", 0, 3, timestamp=1_500)

    ordered = in_append_order([first, second, other])

    assert ordered.index(first) < ordered.index(second)
    assert ordered == [other, first, second]


def test_records_appended_in_the_same_millisecond_follow_topic_partition_and_offset() -> None:
    a, b = record("a", 1, 5, timestamp=7), record("a", 0, 9, timestamp=7)
    assert in_append_order([a, b]) == [b, a]
