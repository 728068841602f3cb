"""Complete intakes through ``intake serve`` as it runs in production: two instances on PostgreSQL.

Run: ``.venv/bin/python -m bench.production_bench [--customers 60] [--rate 300] [--seconds 10]``
(``--sqlite`` for one instance on a SQLite file; ``--floor`` for the same load against
``bench/floor_server.py``, bolt answering each message with one post and storing nothing: the
machine's ceiling for any bolt service measured this way). PostgreSQL comes from
``INTAKE_BENCH_POSTGRES_URL`` or ``INTAKE_TEST_POSTGRES_URL``; the bench works in a private
schema it drops afterwards.

Each of ``--customers`` simulated customers does complete intakes, one after another, each as a
new Slack user in a new DM: it sends a message (signed, to a random instance, again until
acknowledged), waits for the bot's replies to reach the loopback Slack fake, then sends the next.
All customers together send at most ``--rate`` messages per second, ``rate x seconds`` in all.
They start one round apart (a round: each customer sends once) in turns of the script's length,
so at any moment they are spread over its steps, as a store's customers are. ``--together``
starts them all at once instead: they then keep step, and every customer sends the message that
opens a ticket in the same round.

Reported:
- complete conversations (ticket opened) and messages per second, over the time from the first
  send to the last reply;
- per-message latency, p50 and p99: from sending the signed event to the first reply arriving
  at the fake; and p99 for each message of the script, to show which steps make the tail;
- outbox lag, p50 and p99: ``created_at`` (the Slack message time) to ``done_at``, from the
  database;
- lost (a message whose replies did not all arrive within ``--drain`` seconds) and doubled
  (a post whose outbox key was posted before) counts.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import create_engine, select

from storage.rows import OutboxRow
from tests.fakes.postgres import private_schema
from tests.fakes.serve_process import EventsClient, ServeProcess
from tests.fakes.slack_api import Call, FakeSlack, event_envelope, message_event
from tests.integration.intake_driver import FULL_INTAKE, Customer, make_app

TEAM = "C0BENCHTEAM"
TARGET_RATE = 300.0
TARGET_P99_MS = 50.0


@dataclass
class Stats:
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    by_step: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    lost: int = 0
    completed: int = 0
    first_send: float = 0.0
    last_reply: float = 0.0


class Replies:
    """Posts per DM channel as the fake records them, with a wake-up per channel."""

    def __init__(self, fake: FakeSlack) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.keys: dict[str, int] = defaultdict(int)
        self._waiting: dict[str, tuple[int, asyncio.Future[None]]] = {}
        fake.listeners.append(self._heard)

    def _heard(self, call: Call) -> None:
        if call.method != "chat.postMessage" or not call.ok:
            return
        metadata: dict[str, Any] = call.args.get("metadata") or {}
        key = (metadata.get("event_payload") or {}).get("key")
        if key is not None:
            self.keys[str(key)] += 1
        channel = str(call.args.get("channel"))
        if call.args.get("thread_ts") is not None or not channel.startswith("D"):
            return
        self.times[channel].append(call.at)
        waiting = self._waiting.get(channel)
        if waiting and len(self.times[channel]) >= waiting[0] and not waiting[1].done():
            waiting[1].set_result(None)

    async def until(self, channel: str, count: int, timeout: float) -> bool:
        if len(self.times[channel]) >= count:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[channel] = (count, future)
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiting.pop(channel, None)


class Pace:
    """At most ``rate`` sends per second across every customer, ``budget`` in all."""

    def __init__(self, rate: float, budget: int) -> None:
        self._interval = 1.0 / rate
        self._next = time.monotonic()
        self.left = budget

    async def turn(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        slot = max(self._next, time.monotonic())
        self._next = slot + self._interval
        await asyncio.sleep(slot - time.monotonic())
        return True


def replies_per_message(script: Sequence[str]) -> list[int]:
    """How many DM replies each message of the script gets, from the service itself."""
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(f"sqlite:///{Path(folder) / 'calibrate.db'}", team=f"slack:{TEAM}")
        try:
            customer = Customer(app, start=datetime.now(UTC))
            channel = customer.address.channel
            counts = []
            for line in script:
                customer.say(line)
                with app.sessions() as session:
                    rows = session.scalars(select(OutboxRow.destination)).all()
                counts.append(
                    sum(1 for d in rows if (d.get("address") or {}).get("channel") == channel)
                )
        finally:
            app.close()
    return [b - a for a, b in zip([0, *counts], counts, strict=False)]


async def customer_loop(
    number: int,
    events: EventsClient,
    replies: Replies,
    pace: Pace,
    expected: Sequence[int],
    stats: Stats,
    fake: FakeSlack,
    drain: float,
    start_after: float,
) -> None:
    await asyncio.sleep(start_after)
    intake = 0
    while pace.left > 0:
        channel, user = f"D{number:04d}X{intake:04d}", f"U{number:04d}X{intake:04d}"
        fake.add_user(user, f"Customer {number}.{intake}")
        intake += 1
        total = 0
        for step, (line, count) in enumerate(zip(FULL_INTAKE, expected, strict=True)):
            if not await pace.turn():
                return
            ts = f"{time.time():.6f}"
            body = json.dumps(event_envelope(message_event(channel, user, line, ts)))
            began = time.monotonic()
            stats.first_send = stats.first_send or began
            await events.deliver(body)
            stats.sent += 1
            total += count
            if count == 0:
                continue
            if not await replies.until(channel, total, drain):
                stats.lost += 1
                return
            first_reply = replies.times[channel][total - count]
            stats.latencies.append((first_reply - began) * 1000)
            stats.by_step[step].append(stats.latencies[-1])
            stats.last_reply = max(stats.last_reply, replies.times[channel][-1])
        stats.completed += 1


def outbox_lag_ms(database_url: str) -> list[float]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(OutboxRow.created_at, OutboxRow.done_at)).all()
    finally:
        engine.dispose()
    return [(done - created).total_seconds() * 1000 for created, done in rows if done is not None]


async def run(args: argparse.Namespace, database_url: str, data: Path) -> int:
    expected = [1] * len(FULL_INTAKE) if args.floor else replies_per_message(FULL_INTAKE)
    floor_server = [sys.executable, str(Path(__file__).with_name("floor_server.py"))]
    instances = 1 if args.sqlite else args.instances
    budget = int(args.rate * args.seconds)
    stats = Stats()
    async with FakeSlack() as fake:
        fake.set_members(TEAM, [])
        replies = Replies(fake)
        cluster = [
            ServeProcess(
                fake,
                data,
                database_url=database_url,
                team_channel=TEAM,
                profile=args.profile / f"serve-{i}.prof" if args.profile else None,
                command=floor_server if args.floor else None,
            )
            for i in range(instances)
        ]
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            for process in cluster:
                await process.start()
            try:
                for process in cluster:
                    await process.wait_ready(http)
                rng = random.Random(7)
                pace = Pace(args.rate, budget)
                round_seconds = args.customers / args.rate
                await asyncio.gather(
                    *(
                        customer_loop(
                            n,
                            EventsClient(http, cluster, rng),
                            replies,
                            pace,
                            expected,
                            stats,
                            fake,
                            args.drain,
                            0.0 if args.together else (n % len(FULL_INTAKE)) * round_seconds,
                        )
                        for n in range(args.customers)
                    )
                )
            finally:
                for process in cluster:
                    await process.stop()
    lag = [] if args.floor else await asyncio.to_thread(outbox_lag_ms, database_url)
    doubled = sum(count - 1 for count in replies.keys.values() if count > 1)
    elapsed = max(stats.last_reply - stats.first_send, 1e-9)
    latency_p99 = percentile(stats.latencies, 99)
    rate = stats.sent / elapsed
    outbox_lag = (
        f"p50 {percentile(lag, 50):.1f} ms p99 {percentile(lag, 99):.1f} ms" if lag else "none"
    )
    where = "SQLite, 1 instance" if args.sqlite else f"PostgreSQL, {instances} instances"
    if args.floor:
        where = f"bolt floor (nothing stored), {instances} instances"
    print(
        f"{where}, {args.customers} customers, target {args.rate:g} msg/s: "
        f"{stats.sent} messages in {elapsed:.1f} s, {stats.completed} complete conversations "
        f"({stats.completed / elapsed:.1f}/s), {rate:.0f} messages/s; "
        f"latency p50 {percentile(stats.latencies, 50):.1f} ms p99 {latency_p99:.1f} ms; "
        f"outbox lag {outbox_lag}; "
        f"lost {stats.lost}, doubled {doubled}"
    )
    by_step = ", ".join(
        f"{step + 1}: {percentile(values, 99):.0f}"
        for step, values in sorted(stats.by_step.items())
    )
    print(f"latency p99 (ms) by message of the script: {by_step}")
    met = rate >= TARGET_RATE * 0.98 and latency_p99 < TARGET_P99_MS
    print(
        f"target {TARGET_RATE:g} messages/s with p99 < {TARGET_P99_MS:g} ms: "
        f"{'met' if met else 'MISSED'} (on {os.cpu_count()} cores, bench and fake included)"
    )
    return 0 if stats.lost == 0 and doubled == 0 else 1


def percentile(values: list[float], percent: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=60)
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="messages/s, at most")
    parser.add_argument("--seconds", type=float, default=10.0, help="rate x seconds messages")
    parser.add_argument("--instances", type=int, default=2, help="on PostgreSQL")
    parser.add_argument("--sqlite", action="store_true", help="one instance on a SQLite file")
    parser.add_argument("--floor", action="store_true", help="bolt alone, nothing stored")
    parser.add_argument("--together", action="store_true", help="start every customer at once")
    parser.add_argument("--drain", type=float, default=30.0, help="max wait for a reply")
    parser.add_argument("--profile", type=Path, help="run the instances under cProfile, here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        if args.sqlite or args.floor:
            return asyncio.run(run(args, f"sqlite:///{data / 'intake.db'}", data))
        base = os.environ.get("INTAKE_BENCH_POSTGRES_URL") or os.environ.get(
            "INTAKE_TEST_POSTGRES_URL"
        )
        if not base:
            raise SystemExit("set INTAKE_BENCH_POSTGRES_URL (or pass --sqlite)")
        with private_schema(base, prefix="bench") as url:
            return asyncio.run(run(args, url, data))


if __name__ == "__main__":
    sys.exit(main())
