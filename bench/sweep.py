#!/usr/bin/env python3
"""Bench: the product's sweep (fetch, classify, match, store, resolve) beside the least IMAP work it needs.

Builds Dovecot mailboxes of 1,000 and 20,000 messages (older ones before the shopper's first journey,
~1% after it) and prints, each beside its floor measured in the same run (plain imapclient: login,
select, UID SEARCH, FETCH of the headers used — see bench/sweep_floor.py):
  - the first sweep (goal <= 3x the floor of reading all headers),
  - an incremental sweep in a new process after 10 new messages (goal <= 1.5x floor; 20k <= 1.5x 1k),
  - the median time from APPEND to a resolved expectation under watch (goal < 1 s),
  - peak RSS of a sweep process (goal < 300 MB).
Needs root (Dovecot). Usage: .venv/bin/python bench/sweep.py [--sizes 1000,20000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sweep_floor import SINCE, mailbox_messages, measure, peak_rss_kb, realistic_message  # noqa: E402


def seeded_store(path: Path, login: str) -> None:
    """A store whose shopper started writing at SINCE (so older mail is never classified)."""
    from shopper.store import open_store

    store = open_store(str(path))
    store.record_sent("bench", "bench", 0, "ms-aaaaaaaaaaaa", "<ms-aaaaaaaaaaaa.bench@mail.test>", login,
                      "support@shop.example", "Question [ms-aaaaaaaaaaaa]", SINCE.isoformat(), True, {})
    store.close()


def product_child(args: dict) -> dict:
    from shopper.clock import SystemClock
    from shopper.probes.imap import ImapSettings
    from shopper.secrets import Secret
    from shopper.store import open_store
    from shopper.sweep import Sweeper

    store = open_store(args["store"])
    settings = ImapSettings("127.0.0.1", args["port"], security="none", user=args["user"],
                            password=Secret("SHOPPER_IMAP_PASSWORD", args["password"]), folders=("INBOX",))
    started = time.perf_counter()   # like the floor: from connecting to done (imports and store open excluded)
    result = Sweeper(store, settings, SystemClock()).sweep()
    store.close()
    assert result.ok, result.error
    seconds = time.perf_counter() - started
    if args.get("profile"):
        import cProfile
        import pstats
        store = open_store(args["store"])
        cProfile.runctx("Sweeper(store, settings, SystemClock()).sweep()", globals(), locals(), "/tmp/sweep.prof")
        pstats.Stats("/tmp/sweep.prof", stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    return {"seconds": seconds, "count": result.new_messages, "rss_kb": peak_rss_kb()}


def run_product(args: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(args)], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def watch_latency(server, login: str, store_path: Path, rounds: int) -> list[float]:
    """APPEND a reply to a fresh expectation, wait until watch resolves it; the time each took."""
    from demo.mailserver.messages import person_reply
    from shopper.clock import SystemClock
    from shopper.expectations import Expectation
    from shopper.mail.outgoing import compose, new_token
    from shopper.probes.imap import ImapSettings
    from shopper.secrets import Secret
    from shopper.store import open_store
    from shopper.sweep import Sweeper

    store = open_store(str(store_path))
    settings = ImapSettings("127.0.0.1", server.port, security="none", user=login,
                            password=Secret("SHOPPER_IMAP_PASSWORD", "bench-password"), folders=("INBOX",))
    sweeper = Sweeper(store, settings, SystemClock())
    stop, resolved = threading.Event(), threading.Event()

    def on_result(result) -> None:
        if any(o.kind == "expectation" and "met" in o.data["changes"] for o in result.observations):
            resolved.set()

    t = threading.Thread(target=sweeper.watch, args=(stop, on_result), daemon=True)
    t.start()
    latencies = []
    now = datetime.now(timezone.utc)
    for i in range(rounds):
        token = new_token()
        msg = compose(from_addr=login, from_name="Bench", to="support@shop.example", subject="Q", body="?",
                      token=token, journey="bench", now=now)
        store.record_sent("bench", "bench", 0, token, msg["Message-ID"], login, "support@shop.example", "Q",
                          now.isoformat(), True, {})
        store.add_expectation(Expectation(token=token, journey="bench", channel="email", target="support@shop.example",
                                          created_at=now, answer_deadline=now + timedelta(days=2)))
        resolved.clear()
        reply = person_reply(bytes(msg), sender="ann@shop.example", text="ok", when=now)
        t0 = time.perf_counter()
        server.append(login, "INBOX", reply)
        if not resolved.wait(15):
            raise SystemExit("watch did not resolve a reply within 15 s")
        latencies.append(time.perf_counter() - t0)
    stop.set()
    t.join(10)
    store.close()
    return latencies


def bench_size(server, size: int, repeat: int, tmp: Path) -> dict:
    login = server.add_user(f"sweep{size}-{os.getpid()}", "bench-password")
    messages = mailbox_messages(size, seed=size)
    t0 = time.perf_counter()
    server.append_many(login, "INBOX", messages)
    print(f"\n== {size:,} messages, {sum(1 for _, d in messages if d >= SINCE)} after the first journey; "
          f"built in {time.perf_counter() - t0:.1f} s", flush=True)
    base = {"port": server.port, "user": login, "password": "bench-password"}
    floor_all = measure("floor_all", base, repeat)
    firsts = []
    for i in range(repeat):
        store = tmp / f"first-{size}-{i}.db"
        seeded_store(store, login)
        firsts.append(run_product({**base, "store": str(store)}))
    first = min(firsts, key=lambda r: r["seconds"])
    state_store = tmp / f"first-{size}-0.db"
    from shopper.store import open_store
    st = open_store(str(state_store))
    folder_state = next(iter(st.folder_states(f"{login}@127.0.0.1:{server.port}").values())).__dict__
    st.close()
    rng = random.Random(7)
    server.append_many(login, "INBOX", [(realistic_message(size + i, rng, SINCE + timedelta(days=5)), None)
                                        for i in range(10)])
    floor_inc = measure("floor_incremental", base, repeat, state=folder_state)
    incs = []
    for i in range(repeat):
        copy = tmp / f"inc-{size}-{i}.db"
        shutil.copy(state_store, copy)
        incs.append(run_product({**base, "store": str(copy)}))
    inc = min(incs, key=lambda r: r["seconds"])
    print(f"{'':38}{'msgs':>6}{'sweep':>10}{'floor':>10}{'ratio':>8}{'goal':>8}{'RSS':>8}")
    for name, ours, floor, goal in (("first sweep (floor: all headers)", first, floor_all, "<= 3x"),
                                    ("incremental +10, new process", inc, floor_inc, "<= 1.5x")):
        print(f"{name:38}{ours['count']:>6}{ours['seconds'] * 1000:>8.0f}ms{floor['seconds'] * 1000:>8.0f}ms"
              f"{ours['seconds'] / floor['seconds']:>7.2f}x{goal:>8}{ours['rss_kb'] / 1024:>6.0f}MB")
    return {"login": login, "inc": inc, "rss": max(first["rss_kb"], inc["rss_kb"]), "store": state_store}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,20000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--watch-rounds", type=int, default=10)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(product_child(json.loads(args.child))))
        return 0
    from demo.mailserver.dovecot import DovecotServer

    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    os.chmod(tmp, 0o755)
    server = DovecotServer.start(str(tmp))
    try:
        results = {size: bench_size(server, size, args.repeat, tmp) for size in map(int, args.sizes.split(","))}
        sizes = sorted(results)
        if len(sizes) > 1:
            small, big = results[sizes[0]]["inc"], results[sizes[-1]]["inc"]
            print(f"\nincremental {sizes[-1]:,} / {sizes[0]:,}: {big['seconds'] / small['seconds']:.2f}x (goal <= 1.5x)")
        r = results[sizes[0]]
        lat = watch_latency(server, r["login"], r["store"], args.watch_rounds)
        print(f"watch: APPEND -> resolved expectation, median {statistics.median(lat) * 1000:.0f} ms "
              f"(max {max(lat) * 1000:.0f} ms, {len(lat)} rounds; goal < 1000 ms)")
        print(f"peak RSS of a sweep process: {max(x['rss'] for x in results.values()) / 1024:.0f} MB (goal < 300 MB)")
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
