"""Ack and reply latency of ``intake serve`` under a steady stream of signed Slack events.

Run: ``.venv/bin/python -m bench.slack_bench [--rates 50 200] [--seconds 5] [--redeliver 0.1]``

It starts the loopback Slack fake from ``tests/fakes``, runs ``intake serve`` as a child process
pointed at it (a fresh SQLite database in a temporary folder), then for each rate sends
``rate x seconds`` DM events, each from a new customer, at a fixed schedule. A share of them is
sent a second time with ``X-Slack-Retry-Num`` as Slack does after a slow ack.

- ack latency: from sending the request to its HTTP response (what Slack's 3 s limit measures);
- reply latency: from sending the event to the fake receiving the bot's ``chat.postMessage``;
- accounting: every customer must get exactly one reply (lost = none within the drain
  timeout, duplicated = more than one, redeliveries included).
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.fakes.serve_process import ServeProcess
from tests.fakes.slack_api import FakeSlack, event_envelope, message_event, signed_headers

SECRET = "bench-signing-secret"
TEAM = "C0BENCHTEAM"
TEXT = "Hi, my checkout page shows a blank screen since I updated the payment plugin yesterday."


@dataclass
class Round:
    rate: int
    sent: dict[str, float] = field(default_factory=dict)
    acks: list[float] = field(default_factory=list)
    failed_acks: int = 0
    redelivered: int = 0


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=5.0, help="sending time per rate")
    parser.add_argument("--redeliver", type=float, default=0.1, help="share sent twice")
    parser.add_argument("--drain", type=float, default=30.0, help="max wait for replies")
    args = parser.parse_args(argv)

    async with FakeSlack() as fake:
        with tempfile.TemporaryDirectory() as data:
            server = ServeProcess(fake, Path(data), team_channel=TEAM, secret=SECRET)
            await server.start()
            try:
                url = server.url
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                    await server.wait_ready(http)
                    results = []
                    for rate in args.rates:
                        count = int(rate * args.seconds)
                        result = await _run(
                            http, fake, url, rate, count, args.redeliver, args.drain
                        )
                        results.append(result)
                        print(result, flush=True)
            finally:
                await server.stop()
    passed = all(r.ok for r in results)
    target = next((r for r in results if r.rate == 200), None)
    if target is not None:
        verdict = "met" if target.ack_p99 < 100 else "MISSED"
        print(f"target ack p99 < 100 ms at 200 events/s: {verdict} ({target.ack_p99:.1f} ms)")
    return 0 if passed else 1


@dataclass
class Result:
    rate: int
    events: int
    redelivered: int
    failed_acks: int
    lost: int
    duplicated: int
    ack_p50: float
    ack_p99: float
    reply_p50: float
    reply_p99: float

    @property
    def ok(self) -> bool:
        return self.failed_acks == 0 and self.lost == 0 and self.duplicated == 0

    def __str__(self) -> str:
        return (
            f"{self.rate:>4} events/s: {self.events} events (+{self.redelivered} redelivered), "
            f"ack p50 {self.ack_p50:.1f} ms p99 {self.ack_p99:.1f} ms, "
            f"reply p50 {self.reply_p50:.0f} ms p99 {self.reply_p99:.0f} ms, "
            f"lost {self.lost}, duplicated {self.duplicated}, failed acks {self.failed_acks}"
        )


async def _run(
    http: aiohttp.ClientSession,
    fake: FakeSlack,
    url: str,
    rate: int,
    count: int,
    redeliver: float,
    drain: float,
) -> Result:
    bench = Round(rate)
    every = max(1, round(1 / redeliver)) if redeliver > 0 else 0
    start = time.monotonic()
    tasks = []
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        channel, user = f"D{rate}X{n:05d}", f"U{rate}X{n:05d}"
        fake.add_user(user, f"Customer {n}")
        ts = f"{int(time.time())}.{n:06d}"
        body = json.dumps(event_envelope(message_event(channel, user, TEXT, ts)))
        bench.sent[channel] = time.monotonic()
        tasks.append(asyncio.create_task(_post(http, url, body, bench, retry=None)))
        if every and n % every == 0:
            bench.redelivered += 1
            tasks.append(asyncio.create_task(_post(http, url, body, bench, retry=1)))
    await asyncio.gather(*tasks)

    def replies() -> dict[str, list[float]]:
        seen: dict[str, list[float]] = {}
        for call in fake.calls("chat.postMessage", ok=True):
            channel = str(call.args.get("channel"))
            if channel in bench.sent:
                seen.setdefault(channel, []).append(call.at)
        return seen

    deadline = time.monotonic() + drain
    while len(replies()) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # a late duplicate would show up here
    seen = replies()
    latencies = [(min(times) - bench.sent[channel]) * 1000 for channel, times in seen.items()]
    return Result(
        rate=rate,
        events=count,
        redelivered=bench.redelivered,
        failed_acks=bench.failed_acks,
        lost=count - len(seen),
        duplicated=sum(len(times) - 1 for times in seen.values()),
        ack_p50=_percentile(bench.acks, 50),
        ack_p99=_percentile(bench.acks, 99),
        reply_p50=_percentile(latencies, 50),
        reply_p99=_percentile(latencies, 99),
    )


async def _post(
    http: aiohttp.ClientSession, url: str, body: str, bench: Round, retry: int | None
) -> None:
    headers = {"Content-Type": "application/json", **signed_headers(SECRET, body, retry=retry)}
    began = time.monotonic()
    try:
        async with http.post(f"{url}/slack/events", data=body, headers=headers) as response:
            await response.read()
            if response.status != 200:
                bench.failed_acks += 1
                return
    except aiohttp.ClientError:
        bench.failed_acks += 1
        return
    bench.acks.append((time.monotonic() - began) * 1000)


def _percentile(values: list[float], percent: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
