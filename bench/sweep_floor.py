"""Bench: how close fetch_new comes to the least IMAP work a sweep needs, on 1,000 and 20,000 messages.

For each mailbox size it prints the floor (plain imapclient: login, EXAMINE, UID SEARCH, FETCH of the
headers a sweep reads) beside our `fetch_new` for: a first sweep of everything, a first sweep with
`since`, and an incremental sweep after 10 new messages in a new process; as a ratio, with peak RSS.
Every measurement runs in its own process (peak RSS is per process); times are the best of --repeat.

    .venv/bin/python bench/sweep_floor.py --sizes 1000,20000
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SINCE = datetime(2024, 6, 1, tzinfo=timezone.utc)
HEADER_FIELDS = ("MESSAGE-ID IN-REPLY-TO REFERENCES FROM SUBJECT DATE AUTO-SUBMITTED LIST-ID CONTENT-TYPE")
FLOOR_BATCH = 1000  # UIDs per FETCH for the floor (a 20,000-UID list would pass Dovecot's 64 KB line limit)
WORDS = ("order delivery refund account invoice thank you for your message we will get back to you "
         "within two working days please note that our support team reference number customer").split()


def realistic_message(i: int, rng: random.Random, when: datetime) -> bytes:
    """A 1-4 KB text mail as a shop's support system sends it (Received chain, DKIM, quoting)."""
    domain = rng.choice(["shop.example", "support.example", "mailer.example"])
    body_lines = [" ".join(rng.choices(WORDS, k=rng.randint(8, 14))) for _ in range(rng.randint(10, 40))]
    reply = rng.random() < 0.6
    headers = [
        f"Return-Path: <bounce-{i}@{domain}>",
        f"Received: from mx{i % 7}.{domain} (mx{i % 7}.{domain} [192.0.2.{i % 250}]) by mail.test with ESMTPS "
        f"id {i:08x}; {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
        f"Received: from app.{domain} by mx{i % 7}.{domain} with ESMTP id {rng.getrandbits(48):012x}",
        f"DKIM-Signature: v=1; a=rsa-sha256; d={domain}; s=s1; h=from:to:subject:date; "
        f"bh={rng.getrandbits(128):032x}=; b={rng.getrandbits(256):064x}",
        f"From: Customer Care <care@{domain}>",
        "To: shopper@mail.test",
        f"Subject: {'Re: ' if reply else ''}Your request #{i}",
        f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
        f"Message-ID: <{i}.{rng.getrandbits(32):08x}@{domain}>",
    ]
    if reply:
        headers += [f"In-Reply-To: <t{i}@mail.test>", f"References: <t{i}@mail.test>"]
    if rng.random() < 0.2:
        headers.append("Auto-Submitted: auto-replied")
    headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    return ("\r\n".join(headers) + "\r\n\r\n" + "\r\n".join(body_lines) + "\r\n").encode()


def mailbox_messages(size: int, seed: int) -> list[tuple[bytes, datetime]]:
    """`size` messages: all but ~1% (at least 5) dated in the 90 days before SINCE, the rest after it."""
    rng = random.Random(seed)
    after = max(5, size // 100)
    dates = [SINCE - timedelta(seconds=rng.randint(60, 90 * 86400)) for _ in range(size - after)]
    dates += [SINCE + timedelta(seconds=rng.randint(60, 3 * 86400)) for _ in range(after)]
    return [(realistic_message(i, rng, when), when) for i, when in enumerate(dates)]


# -- measurements, each run in a child process ---------------------------------------------------
def peak_rss_kb() -> int:
    """This process's peak RSS. getrusage's ru_maxrss is the fallback only: on Linux it keeps the
    high-water mark of the parent's memory that fork+exec started from (here: the whole mailbox)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(args: dict) -> dict:
    from imapclient import IMAPClient

    from shopper.probes.imap import FolderState, ImapMailbox, ImapSettings
    from shopper.secrets import Secret

    mode = args["mode"]
    started = time.perf_counter()
    count = 0
    if mode.startswith("floor"):
        with IMAPClient("127.0.0.1", args["port"], ssl=False) as client:
            client.login(args["user"], args["password"])
            client.select_folder("INBOX", readonly=True)
            if mode == "floor_all":
                uids = client.search(["ALL"])
            elif mode == "floor_since":
                uids = client.search(["SINCE", SINCE.date()])
            else:
                uids = [u for u in client.search(["UID", f"{args['state']['last_uid'] + 1}:*"])
                        if u > args["state"]["last_uid"]]
            for i in range(0, len(uids), FLOOR_BATCH):
                got = client.fetch(uids[i:i + FLOOR_BATCH], [f"BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})]"])
                count += len(got)
    else:
        settings = ImapSettings("127.0.0.1", args["port"], security="none", user=args["user"],
                                password=Secret("SHOPPER_IMAP_PASSWORD", args["password"]))
        state = FolderState(**args["state"]) if args.get("state") else None
        since = SINCE if mode == "ours_since" else None
        with ImapMailbox(settings) as box:
            batch = box.fetch_new("INBOX", state, since=since)
        count = len(batch.messages)
        if mode == "ours_all":
            return {"seconds": time.perf_counter() - started, "count": count, "state": batch.state.__dict__,
                    "rss_kb": peak_rss_kb()}
    return {"seconds": time.perf_counter() - started, "count": count,
            "rss_kb": peak_rss_kb()}


def measure(mode: str, base: dict, repeat: int, **extra: object) -> dict:
    best: dict | None = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", json.dumps({**base, **extra, "mode": mode})],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    assert best is not None
    return best


def bench_size(server, size: int, repeat: int) -> None:
    login = server.add_user(f"bench{size}-{os.getpid()}", "bench-password")
    messages = mailbox_messages(size, seed=size)
    started = time.perf_counter()
    server.append_many(login, "INBOX", messages)
    built = time.perf_counter() - started
    print(f"\n== {size:,} messages ({sum(len(m) for m, _ in messages) / 1e6:.1f} MB, "
          f"{sum(1 for _, d in messages if d >= SINCE)} after since); built in {built:.2f} s "
          f"({size / built:,.0f} msg/s, MULTIAPPEND batches of 500)")
    base = {"port": server.port, "user": login, "password": "bench-password"}
    floor_all = measure("floor_all", base, repeat)
    ours_all = measure("ours_all", base, repeat)
    floor_since = measure("floor_since", base, repeat)
    ours_since = measure("ours_since", base, repeat)
    state = ours_all.pop("state")
    rng = random.Random(1)
    server.append_many(login, "INBOX", [(realistic_message(size + i, rng, SINCE + timedelta(days=4)), None)
                                        for i in range(10)])
    floor_inc = measure("floor_incremental", base, repeat, state=state)
    ours_inc = measure("ours_incremental", base, repeat, state=state)
    rows = [("first sweep, since=None", ours_all, floor_all),
            ("first sweep, since set", ours_since, floor_since),
            ("incremental, +10 (new process)", ours_inc, floor_inc)]
    print(f"{'':32}{'msgs':>7}{'fetch_new':>12}{'floor':>10}{'ratio':>8}{'RSS ours':>11}{'RSS floor':>11}")
    for name, ours, floor in rows:
        print(f"{name:32}{ours['count']:>7}{ours['seconds'] * 1000:>10.0f}ms{floor['seconds'] * 1000:>8.0f}ms"
              f"{ours['seconds'] / floor['seconds']:>7.1f}x{ours['rss_kb'] / 1024:>9.0f}MB{floor['rss_kb'] / 1024:>9.0f}MB")
        if ours["count"] != floor["count"]:
            print(f"  !! fetch_new returned {ours['count']} messages, the floor {floor['count']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     epilog="Floor: BODY.PEEK[HEADER.FIELDS (...)] of the headers a sweep uses; "
                                            "fetch_new reads whole messages (up to max_fetch_bytes).")
    parser.add_argument("--sizes", default="1000,20000", help="comma-separated mailbox sizes (default 1000,20000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, best kept (default 3)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    from demo.mailserver.dovecot import DovecotServer

    tmpdir = tempfile.mkdtemp(prefix="shopper-bench-")
    os.chmod(tmpdir, 0o755)
    try:
        with DovecotServer.start(tmpdir) as server:
            print(f"Dovecot on 127.0.0.1:{server.port} (maildir, mail_fsync=never); times: best of {args.repeat}, "
                  f"each in a new process (connect + login included)")
            for size in sizes:
                bench_size(server, size, args.repeat)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
