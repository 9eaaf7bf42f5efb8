"""Three sweeps of the same mail at once into one store: each message stored once, and counted once in all."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from shopper.clock import ManualClock
from shopper.probes.imap import FetchedMessage, FolderBatch, FolderState
from shopper.store import open_store
from shopper.sweep import SweepResult, Sweeper

pytestmark = [pytest.mark.postgres]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
N = 120


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "s.db")
    return request.getfixturevalue("pg_url")


def test_three_concurrent_sweeps_store_and_count_each_message_once(store_url) -> None:
    open_store(store_url).close()   # migrated once, before the race
    raws = [f"From: shop{i}@shop.test\r\nSubject: offer {i}\r\nMessage-ID: <o{i}@shop.test>\r\n\r\nBuy {i}\r\n".encode()
            for i in range(N)]
    batch = FolderBatch("INBOX", tuple(FetchedMessage("INBOX", i + 1, 7, len(r), T0, r, False)
                                       for i, r in enumerate(raws)), FolderState("INBOX", 7, N), False)
    start = threading.Barrier(3)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def one_sweep() -> None:
        store = open_store(store_url)
        try:
            result = SweepResult(f"sweep-{threading.get_ident()}", ok=True)
            start.wait(timeout=30)
            Sweeper(store, None, ManualClock(T0)).ingest(batch, result)
            results.append(result)
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            errors.append(e)
        finally:
            store.close()

    threads = [threading.Thread(target=one_sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    store = open_store(store_url)
    try:
        stored = len(store.messages(limit=10 * N))
    finally:
        store.close()
    counted = sorted(r.new_messages for r in results)
    received = sum(sum(o.kind == "mail_received" for o in r.observations) for r in results)
    assert stored == N
    assert sum(counted) == N, f"the three sweeps claimed {counted} new messages"
    assert received == N   # each message observed (reported) by the one sweep that stored it
