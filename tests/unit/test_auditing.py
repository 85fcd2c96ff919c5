"""The background audit writer: batches, keeps rows through a database outage, bounded."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from serve_app.contract.errors import DatabaseUnavailable
from serve_app.infra.auditing import Audit, Auditor
from serve_app.infra.auth import Caller
from serve_app.infra.outbox import Outbox, SharedOutbox
from serve_app.infra.store_interface import AnalysisRecord

CALLER = Caller(user_id="6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11", role="authenticated")
AT = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


class AuditTable:
    """The store's audit insert, as a list; it can be down for its first `down_for` calls."""

    def __init__(self, down_for: int = 0) -> None:
        self.rows: list[AnalysisRecord] = []
        self.calls, self.down_for = 0, down_for

    async def record_analyses(self, records: Sequence[AnalysisRecord]) -> None:
        self.calls += 1
        await asyncio.sleep(0.001)
        if self.calls <= self.down_for:
            raise DatabaseUnavailable("sqlite: OperationalError")
        self.rows.extend(records)


def auditor(table: AuditTable, **options: float) -> Auditor:
    return Auditor(table, retry_s=0.01, linger_s=0.0, **options)  # type: ignore[arg-type]


def entry(n: int) -> Audit:
    return Audit("fraud_score", None, "v1", {"scored": n}, 1.0, AT)


async def test_a_burst_is_written_in_a_few_transactions_in_order() -> None:
    table = AuditTable()
    writer = auditor(table)
    for n in range(1200):
        writer.later(CALLER, entry(n))
        if n % 100 == 0:
            await asyncio.sleep(0)  # requests keep arriving while the writer works
    await writer.drain()
    assert [r.summary["scored"] for r in table.rows] == list(range(1200))
    assert table.calls <= 1200 // 100 + 3


async def test_a_trickle_of_rows_shares_a_transaction() -> None:
    table = AuditTable()
    writer = Auditor(table, linger_s=0.05)  # type: ignore[arg-type]
    for n in range(5):
        writer.later(CALLER, entry(n))
        await asyncio.sleep(0.005)  # one request every 5 ms
    await writer.drain()
    assert (table.calls, len(table.rows)) == (1, 5)


async def test_rows_queued_during_an_outage_are_written_once_it_ends() -> None:
    table = AuditTable(down_for=5)
    writer = auditor(table)
    for n in range(50):
        writer.later(CALLER, entry(n))
    await writer.drain()
    assert [r.summary["scored"] for r in table.rows] == list(range(50))
    assert writer.pending == 0


async def test_queued_rows_are_bounded_and_the_drop_is_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    table = AuditTable(down_for=10**6)
    writer = auditor(table, max_pending=10)
    with caplog.at_level(logging.ERROR, logger="ai_backend"):
        for n in range(15):
            writer.later(CALLER, entry(n))
        assert writer.pending == 10
        await writer.drain(timeout_s=0.05)  # the database never comes back: give up, say so
    messages = [r.getMessage() for r in caplog.records]
    assert "audit rows dropped: 1 queued rows over the limit" in messages
    assert "audit rows not written at shutdown: 10 lost" in messages


async def test_awaited_record_writes_its_row_before_returning() -> None:
    table = AuditTable()
    await auditor(table).record(CALLER, entry(7))
    assert [r.summary for r in table.rows] == [{"scored": 7}]


class KeyedTable(AuditTable):
    """The database's insert: a row whose id is stored already is left alone (decided when the
    rows land, as ON CONFLICT DO NOTHING is, so inserts at once cannot both add a row)."""

    async def record_analyses(self, records: Sequence[AnalysisRecord]) -> None:
        self.calls += 1
        await asyncio.sleep(0.001)
        if self.calls <= self.down_for:
            raise DatabaseUnavailable("sqlite: OperationalError")
        known = {r.id for r in self.rows}
        self.rows.extend(r for r in records if r.id not in known)


async def test_rows_refused_in_an_outage_outlive_the_replica_and_are_stored_once(
    tmp_path: Path,
) -> None:
    down = KeyedTable(down_for=10**6)
    first = Auditor(down, Outbox(tmp_path), retry_s=0.01, linger_s=0.0)  # type: ignore[arg-type]
    for n in range(30):
        first.later(CALLER, entry(n))
    await first.record(CALLER, entry(99))  # awaited: kept too, not an error
    await asyncio.sleep(0.05)
    await first.drain()  # the replica stops with the database still down
    assert down.rows == [] and first.pending == 0
    kept = await Outbox(tmp_path).size()
    assert kept == 31

    back = KeyedTable()
    second = Auditor(back, Outbox(tmp_path), retry_s=0.01)  # type: ignore[arg-type]
    await second.resume()  # a restarted replica, the database back
    for _ in range(100):
        if not await Outbox(tmp_path).size():
            break
        await asyncio.sleep(0.01)
    await second.drain()
    assert sorted(r.summary["scored"] for r in back.rows) == [*range(30), 99]
    assert len({r.id for r in back.rows}) == 31


async def test_a_replay_cut_short_adds_nothing_when_run_again(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    table = KeyedTable()
    rows = [
        Auditor(table)._logged(CALLER, entry(n))  # type: ignore[arg-type]
        for n in range(3)
    ]
    await outbox.put(rows)
    await table.record_analyses(rows[:2])  # written, then the replica died before `done`
    replayer = Auditor(table, outbox, retry_s=0.01)  # type: ignore[arg-type]
    await replayer.resume()
    for _ in range(100):
        if not await outbox.size():
            break
        await asyncio.sleep(0.01)
    assert [r.summary["scored"] for r in table.rows] == [0, 1, 2]
    await replayer.drain()


@pytest.fixture
def redis_url() -> Iterator[str]:
    from tests.support.services import RedisServer

    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.destroy()


async def stored(table: AuditTable, rows: int) -> None:
    """Until `rows` rows are in the table (or 3 s)."""
    for _ in range(300):
        if len(table.rows) >= rows:
            return
        await asyncio.sleep(0.01)


async def test_rows_refused_in_an_outage_wait_in_redis_not_on_the_pods_disk(
    tmp_path: Path, redis_url: str
) -> None:
    """Pod A's rows the database refused go to the shared outbox at once; rows still queued in
    memory when SIGTERM comes are handed off at exit, and so is what the node's file held while
    Redis was away. Pod A's disk then goes; pod B, the database back, stores each row once."""
    import shutil

    shared = SharedOutbox(redis_url)
    down = KeyedTable(down_for=10**6)
    pod_a = Auditor(down, Outbox(tmp_path / "a"), shared, retry_s=0.01, linger_s=0.0)  # type: ignore[arg-type]
    for n in range(30):
        pod_a.later(CALLER, entry(n))
    for _ in range(300):  # the writer meets the outage and keeps the rows in Redis
        if shared.size_now() == 30:
            break
        await asyncio.sleep(0.01)
    assert shared.size_now() == 30 and await Outbox(tmp_path / "a").size() == 0
    Outbox(tmp_path / "a").put_now([pod_a._logged(CALLER, entry(30))])  # kept while Redis was away
    for n in range(31, 35):
        pod_a._queue(pod_a._logged(CALLER, entry(n)))  # still queued when SIGTERM comes
    assert pod_a.hand_off() == 5  # at exit: no event loop needed
    await pod_a.drain(timeout_s=0.1)
    assert pod_a.hand_off() == 0  # nothing left to hand off twice
    shutil.rmtree(tmp_path / "a")  # the pod's disk is gone
    assert shared.size_now() == 35 and down.rows == []

    back = KeyedTable()
    pod_b = Auditor(back, Outbox(tmp_path / "b"), shared, retry_s=0.01)  # type: ignore[arg-type]
    await pod_b.resume()  # its health refresher's round
    await stored(back, 35)
    await asyncio.sleep(0.05)  # a second replay of any row would show now
    await pod_b.drain()
    assert sorted(r.summary["scored"] for r in back.rows) == list(range(35))
    assert len({r.id for r in back.rows}) == 35
    assert shared.size_now() == 0


async def test_two_replicas_replaying_at_once_store_every_row_once(
    tmp_path: Path, redis_url: str
) -> None:
    shared = SharedOutbox(redis_url)
    writer = Auditor(KeyedTable(), Outbox(tmp_path / "w"), shared)  # type: ignore[arg-type]
    shared.push_now([writer._logged(CALLER, entry(n)) for n in range(1200)])
    table = KeyedTable()
    first = Auditor(table, Outbox(tmp_path / "1"), SharedOutbox(redis_url), retry_s=0.01)  # type: ignore[arg-type]
    second = Auditor(table, Outbox(tmp_path / "2"), SharedOutbox(redis_url), retry_s=0.01)  # type: ignore[arg-type]
    await asyncio.gather(first.resume(), second.resume())
    await stored(table, 1200)
    await asyncio.sleep(0.05)
    await asyncio.gather(first.drain(), second.drain())
    assert sorted(r.summary["scored"] for r in table.rows) == list(range(1200))
    assert shared.size_now() == 0


async def test_with_redis_down_refused_rows_wait_on_the_node_and_stay_there_at_exit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from testkit.ports import free_port

    shared = SharedOutbox(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    writer = Auditor(KeyedTable(down_for=10**6), Outbox(tmp_path), shared, retry_s=0.01)  # type: ignore[arg-type]
    writer.later(CALLER, entry(1))
    for _ in range(1000):  # up to 10 s: the table's refusal, then Redis's, then the file
        if await Outbox(tmp_path).size() == 1:
            break
        await asyncio.sleep(0.01)
    assert await Outbox(tmp_path).size() == 1
    writer._queue(writer._logged(CALLER, entry(2)))
    with caplog.at_level(logging.ERROR, logger="ai_backend"):
        assert writer.hand_off() == 0
    assert await Outbox(tmp_path).size() == 2
    assert any("left in the node's outbox" in r.getMessage() for r in caplog.records)
    await writer.drain(timeout_s=0.05)


def test_a_replica_stopping_gracefully_hands_off_after_draining() -> None:
    from serve_app.components import Components

    names = Components.close.__code__.co_names
    assert names.index("drain") < names.index("hand_off")


async def test_what_waits_is_told_by_place(tmp_path: Path, redis_url: str) -> None:
    shared = SharedOutbox(redis_url)
    writer = Auditor(KeyedTable(down_for=10**6), Outbox(tmp_path), shared, linger_s=60)  # type: ignore[arg-type]
    shared.push_now([writer._logged(CALLER, entry(n)) for n in range(3)])
    Outbox(tmp_path).put_now([writer._logged(CALLER, entry(9))])
    writer.later(CALLER, entry(10))  # queued for a minute
    assert await writer.waiting() == {"shared": 3, "node": 1, "memory": 1}
    await writer.drain(timeout_s=0.01)
