"""Killing ``intake serve`` at random moments loses nothing and doubles nothing.

Thirty customers do a complete intake by DM (and write once more after their ticket is open)
while signed events reach the instances the way Slack reaches them through a load balancer:
each event to one instance, again to any instance until one acknowledges it, and a share of
them a second time with ``X-Slack-Retry-Num``. Meanwhile instances are SIGKILLed and started
again every second or two. On PostgreSQL two instances share the database; on SQLite one
instance runs (SQLite serves a single process).

Afterwards, read from the database and from what the Slack fake received:
- every customer message is in its transcript once, in the order it was sent;
- every reply in the outbox reached Slack, and the customer saw the replies in outbox order, once
  each: a message sent again after a crash mid-send carries the same outbox key in its metadata,
  and only such exact repeats are tolerated;
- each customer has exactly one ticket, and ticket numbers run from the first without gaps;
- each follow-up reached its ticket's thread, after the ticket's card.
"""

import asyncio
import json
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import Engine, create_engine, func, select

from storage.rows import (
    ConversationRow,
    InboxRow,
    MessageRow,
    OutboxRow,
    ProcessedInboundRow,
    TicketRow,
)
from tests.fakes.serve_process import EventsClient, ServeProcess
from tests.fakes.slack_api import Call, FakeSlack, event_envelope, message_event
from tests.integration.intake_driver import FULL_INTAKE

SEED = 20261126
CUSTOMERS = 30
TEAM = "C0FAULTTEAM"
FIRST_TICKET = 1001
REDELIVERED_SHARE = 0.2
SETTLE_SECONDS = 45.0


def script(n: int) -> list[str]:
    return [*FULL_INTAKE, f"One more thing: it also happens on my phone (store {n})"]


def dm(n: int) -> str:
    return f"D0FAULT{n:03d}"


def user(n: int) -> str:
    return f"U0FAULT{n:03d}"


@dataclass
class Chaos:
    kills: int = 0


async def test_killed_instances_lose_and_double_nothing(database_url: str, tmp_path: Path) -> None:
    instances = 2 if database_url.startswith("postgresql") else 1
    rng = random.Random(SEED)
    async with FakeSlack() as fake, aiohttp.ClientSession() as http:
        fake.set_members(TEAM, [])
        cluster = [
            ServeProcess(
                fake,
                tmp_path,
                database_url=database_url,
                team_channel=TEAM,
                log_file=tmp_path / f"serve-{i}.log",
            )
            for i in range(instances)
        ]
        for process in cluster:
            await process.start()
        try:
            for process in cluster:
                await process.wait_ready(http)
            traffic_done = asyncio.Event()
            chaos = asyncio.create_task(_kill_and_restart(cluster, http, rng, traffic_done))
            customers = [
                _converse(fake, http, cluster, n, random.Random(SEED + n)) for n in range(CUSTOMERS)
            ]
            try:
                await asyncio.gather(*customers)
            finally:
                traffic_done.set()
                chaos_done = await chaos
            engine = create_engine(database_url)
            try:
                await _settled(engine, CUSTOMERS * len(script(0)))
                _check_transcripts(engine)
                _check_replies(engine, fake)
                _check_tickets(engine)
            finally:
                engine.dispose()
        finally:
            for process in cluster:
                await process.stop()
    assert chaos_done.kills >= 4, f"only {chaos_done.kills} kills; the test proved little"


async def _converse(
    fake: FakeSlack,
    http: aiohttp.ClientSession,
    cluster: Sequence[ServeProcess],
    n: int,
    rng: random.Random,
) -> None:
    """One customer: each message once acknowledged, then a pause as a person takes."""
    fake.add_user(user(n), f"Customer {n}")
    events = EventsClient(http, cluster, rng)
    await asyncio.sleep(rng.uniform(0.0, 2.0))
    for text in script(n):
        ts = f"{time.time():.6f}"
        body = json.dumps(event_envelope(message_event(dm(n), user(n), text, ts)))
        first = rng.choice(cluster)
        sends = [events.deliver(body, first=first)]
        if rng.random() < REDELIVERED_SHARE:
            # Slack gave up waiting for the ack and tries again, here via the other instance.
            other = next((p for p in cluster if p is not first), first)
            sends.append(events.deliver(body, retry=1, first=other))
        await asyncio.gather(*sends)
        await asyncio.sleep(rng.uniform(0.3, 1.5))


async def _kill_and_restart(
    cluster: Sequence[ServeProcess],
    http: aiohttp.ClientSession,
    rng: random.Random,
    done: asyncio.Event,
) -> Chaos:
    """Every second or two, kill an instance that has been serving since it was last killed,
    at a random moment of its work. A victim still starting is waited for first: on a slow
    host killing it again would leave nothing serving and prove nothing."""
    chaos = Chaos()
    while True:
        victim = rng.choice(cluster)
        await victim.wait_ready(http)
        try:
            await asyncio.wait_for(done.wait(), rng.uniform(1.0, 2.0))
        except TimeoutError:
            pass
        else:
            return chaos
        await victim.kill()
        await victim.start()
        chaos.kills += 1


async def _settled(engine: Engine, customer_messages: int) -> None:
    """Every accepted event handled and every outbox row finished, or fail at the deadline."""

    def state() -> tuple[int, int, int]:
        with engine.connect() as db:
            handled = db.scalar(select(func.count()).select_from(ProcessedInboundRow)) or 0
            inbox = db.scalar(select(func.count()).where(InboxRow.done_at.is_(None))) or 0
            outbox = db.scalar(select(func.count()).where(OutboxRow.done_at.is_(None))) or 0
        return handled, inbox, outbox

    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        handled, inbox, outbox = await asyncio.to_thread(state)
        if handled >= customer_messages and inbox == 0 and outbox == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"not settled after {SETTLE_SECONDS}s: {handled}/{customer_messages} messages "
                f"handled, {inbox} inbox and {outbox} outbox rows unfinished"
            )
        await asyncio.sleep(0.2)


def _check_transcripts(engine: Engine) -> None:
    with engine.connect() as db:
        conversations = db.execute(select(ConversationRow.channel, ConversationRow.id)).all()
        lines = db.execute(
            select(ConversationRow.channel, MessageRow.text)
            .select_from(MessageRow)
            .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
            .where(MessageRow.direction == "customer")
            .order_by(MessageRow.id)
        ).all()
        inbox_errors = db.scalar(select(func.count()).where(InboxRow.last_error.is_not(None)))
    per_channel: dict[str, list[str]] = defaultdict(list)
    for channel, text in lines:
        per_channel[channel].append(text)
    assert sorted(channel for channel, _ in conversations) == sorted(
        dm(n) for n in range(CUSTOMERS)
    ), "one conversation per customer"
    for n in range(CUSTOMERS):
        assert per_channel[dm(n)] == script(n), f"transcript of customer {n}"
    assert inbox_errors == 0


def _check_replies(engine: Engine, fake: FakeSlack) -> None:
    with engine.connect() as db:
        rows = db.execute(
            select(
                OutboxRow.id,
                OutboxRow.destination,
                OutboxRow.last_error,
                OutboxRow.sent_ref,
            ).order_by(OutboxRow.id)
        ).all()
        bot_lines = db.execute(
            select(ConversationRow.channel, func.count())
            .select_from(MessageRow)
            .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
            .where(MessageRow.direction == "bot")
            .group_by(ConversationRow.channel)
        ).all()
    assert [row.id for row in rows if row.last_error or not row.sent_ref] == []
    expected: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for row in rows:
        destination: dict[str, Any] = row.destination
        address = destination.get("address")
        if address is not None:
            expected[(address["channel"], address.get("thread"))].append(f"outbox-{row.id}")
        else:
            expected[("ticket", destination["ticket_thread"])].append(f"outbox-{row.id}")
    for n in range(CUSTOMERS):
        keys = expected[(dm(n), None)]
        assert _shown(fake.posts(dm(n))) == keys, f"replies to customer {n}"
    transcribed = {channel: count for channel, count in bot_lines}
    assert transcribed == {dm(n): len(expected[(dm(n), None)]) for n in range(CUSTOMERS)}

    cards = {
        call.ts: _key(call) for call in fake.posts(TEAM) if _key(call) in expected[(TEAM, None)]
    }
    assert sorted(set(cards.values())) == sorted(expected[(TEAM, None)]), "one card per ticket"
    with engine.connect() as db:
        threads = db.execute(select(TicketRow.public_id, TicketRow.team_thread)).all()
    for public_id, thread in threads:
        assert thread in cards, f"{public_id}'s thread is one of the cards posted"
        assert _shown(fake.posts(TEAM, thread)) == expected[("ticket", public_id)], public_id


def _check_tickets(engine: Engine) -> None:
    with engine.connect() as db:
        tickets = db.execute(
            select(TicketRow.public_id, TicketRow.number, ConversationRow.channel)
            .select_from(TicketRow)
            .join(ConversationRow, ConversationRow.id == TicketRow.conversation_id)
        ).all()
    per_channel: dict[str, list[str]] = defaultdict(list)
    for public_id, _, channel in tickets:
        per_channel[channel].append(public_id)
    assert {channel: len(ids) for channel, ids in per_channel.items()} == {
        dm(n): 1 for n in range(CUSTOMERS)
    }
    numbers = sorted(number for _, number, _ in tickets)
    assert numbers == list(range(FIRST_TICKET, FIRST_TICKET + CUSTOMERS))
    assert sorted(public_id for public_id, _, _ in tickets) == sorted(
        f"MCP-{number}" for number in numbers
    )


def _key(call: Call) -> str:
    metadata: dict[str, Any] = call.args.get("metadata") or {}
    return str((metadata.get("event_payload") or {}).get("key", ""))


def _shown(posts: Sequence[Call]) -> list[str]:
    """The outbox keys in the order the customer first saw them; a repeat must be identical."""
    first: dict[str, Call] = {}
    for post in posts:
        seen = first.setdefault(_key(post), post)
        assert _content(seen) == _content(post), f"{_key(post)} sent twice with different content"
    return list(first)


def _content(call: Call) -> tuple[str, str]:
    return str(call.args.get("text", "")), json.dumps(call.args.get("blocks"), sort_keys=True)
