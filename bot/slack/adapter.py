"""Bolt's listeners: translate each event and store it durably before bolt acks it.

A customer's message is handled in the transaction that stores it (a few milliseconds), unless
an earlier message of that conversation still waits; a new customer's name is looked up first,
for a second at most. Everything else (agents' messages, a name Slack was slow to give) is
accepted into the inbox (one insert) and bolt acks; names, membership and the intake itself
run afterwards in the inbox worker, in arrival order per channel or thread. Either way an event
acked just before a crash is still handled when the bot is back. Redeliveries are harmless
twice over: the inbox and the service each recognise a message id they have seen.
"""

import asyncio
import functools
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import utc_now
from bot.inbox import InboxWorker
from bot.platform import Outbound
from bot.service import IntakeService
from bot.slack.history import recent, slack_ts
from bot.slack.translate import (
    CHOICE_ACTION,
    PLATFORM,
    TICKET_ACTION,
    Heard,
    customer_message,
    display_name,
    heard_action,
    heard_in_history,
    heard_mention,
    heard_message,
    team_message,
)
from bot.turns import KeyedLocks
from intake.addresses import Address
from storage.inbox import InboxEvent

log = logging.getLogger(__name__)

# How long a new customer's first event waits for their name before it is acknowledged; a slower
# Slack sends it the inbox way, well inside Slack's three seconds either way.
_NAME_WAIT = 1.0
# Seconds a display name, and the team channel's member list, are cached.
_NAME_TTL = 600.0
_MEMBERS_TTL = 60.0
# Customer messages handled at once, before their ack; more wait their turn in the inbox.
_ARRIVAL_THREADS = 4

HistoryReader = Callable[[Address, str], Awaitable[list[dict[str, Any]]]]
"""The messages at an address after a ``ts``, oldest first, as events (``bot.slack.history``)."""


class SlackDirectory:
    """Display names and who counts as an agent, from the Web API, cached for a short time."""

    def __init__(
        self,
        client: AsyncWebClient,
        team_channel: str | None,
        agent_ids: Iterable[str] = (),
    ) -> None:
        self._client = client
        self._team_channel = team_channel
        self._agent_ids = frozenset(agent_ids)
        self._names: dict[str, tuple[float, str]] = {}
        self._lookups: dict[str, asyncio.Task[str]] = {}
        self._members: tuple[float, frozenset[str]] | None = None
        self._members_lock = asyncio.Lock()

    def known_name(self, user_id: str) -> str | None:
        """The cached name, without asking Slack; None when it must be looked up."""
        cached = self._names.get(user_id)
        return cached[1] if cached and cached[0] > time.monotonic() else None

    async def names(
        self, fallbacks: dict[str, str | None], within: float | None = None
    ) -> dict[str, str]:
        """The names of several people (id to a name the event carried, or None), asked of
        Slack all at once. With ``within``, only those Slack gave in that many seconds: a slow
        lookup goes on in the background and fills the cache for the next message."""
        lookups = {
            user_id: self._lookup(user_id, fallback)
            for user_id, fallback in fallbacks.items()
            if self.known_name(user_id) is None
        }
        if lookups:
            await asyncio.wait(lookups.values(), timeout=within)
        named = {user_id: self.known_name(user_id) for user_id in fallbacks}
        return {user_id: name for user_id, name in named.items() if name is not None}

    def _lookup(self, user_id: str, fallback: str | None) -> "asyncio.Task[str]":
        """One lookup per person at a time, however many messages wait for it."""
        task = self._lookups.get(user_id)
        if task is None:
            task = asyncio.create_task(self.name(user_id, fallback))
            self._lookups[user_id] = task
            task.add_done_callback(lambda _: self._lookups.pop(user_id, None))
        return task

    async def name(self, user_id: str, fallback: str | None = None) -> str:
        """``fallback`` (a name the event carried) when Slack won't say, else the id."""
        known = self.known_name(user_id)
        if known is not None:
            return known
        try:
            response = await self._client.users_info(user=user_id)
            user = response.get("user")
            name = (display_name(user) if isinstance(user, dict) else None) or fallback or user_id
        except (TimeoutError, SlackApiError, OSError) as error:
            log.warning("users.info failed for %s: %s", user_id, type(error).__name__)
            # Remember the fallback briefly so a missing scope doesn't cost a call per message.
            self._names[user_id] = (time.monotonic() + _MEMBERS_TTL, fallback or user_id)
            return fallback or user_id
        self._names[user_id] = (time.monotonic() + _NAME_TTL, name)
        return name

    async def in_team_channel(self, user_id: str) -> bool:
        return self._team_channel is not None and user_id in await self._team_members(
            self._team_channel
        )

    async def team_channel_is_public(self) -> bool:
        """Whether membership of a public team channel is what makes agents (no
        ``INTAKE_AGENT_IDS``); False when Slack won't say."""
        if self._agent_ids or self._team_channel is None:
            return False
        try:
            response = await self._client.conversations_info(channel=self._team_channel)
        except (TimeoutError, SlackApiError, OSError):
            return False
        channel = response.get("channel")
        return isinstance(channel, dict) and channel.get("is_private") is False

    async def is_agent(self, user_id: str) -> bool:
        """``INTAKE_AGENT_IDS`` when set, else membership of the team channel; fails closed."""
        if self._agent_ids:
            return user_id in self._agent_ids
        return await self.in_team_channel(user_id)

    async def _team_members(self, channel: str) -> frozenset[str]:
        async with self._members_lock:
            if self._members and self._members[0] > time.monotonic():
                return self._members[1]
            members: set[str] = set()
            cursor: str | None = None
            try:
                while True:
                    response = await self._client.conversations_members(
                        channel=channel, limit=200, cursor=cursor
                    )
                    members.update(response.get("members") or [])
                    cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                    if not cursor:
                        break
            except (TimeoutError, SlackApiError, OSError) as error:
                log.warning("conversations.members failed: %s", type(error).__name__)
                return self._members[1] if self._members else frozenset()
            self._members = (time.monotonic() + _MEMBERS_TTL, frozenset(members))
            return self._members[1]


class SlackAdapter:
    """Routes bolt's listeners to the service; never touches the database or renders replies."""

    def __init__(
        self, service: IntakeService, directory: SlackDirectory, team_channel: str | None
    ) -> None:
        self._service = service
        self._directory = directory
        self._team_channel = team_channel
        self._outbound: Outbound | None = None
        self._bot_user_id: str | None = None
        self.inbox = InboxWorker(service, PLATFORM, self._process, utc_now)
        self._handling: set[asyncio.Task[None]] = set()
        # Arrivals run on threads of their own, so an ack never waits behind the inbox worker.
        # Handling on arrival takes at most _ARRIVAL_THREADS at once; past that (a burst, an
        # overload) events go the inbox way, whose quick insert keeps acks fast.
        self._arriving = ThreadPoolExecutor(_ARRIVAL_THREADS, thread_name_prefix="slack-arrive")
        self._in_flight = 0
        self._turns = KeyedLocks()
        self._accepting = ThreadPoolExecutor(2, thread_name_prefix="slack-accept")

    def close(self) -> None:
        self._arriving.shutdown(wait=False, cancel_futures=True)
        self._accepting.shutdown(wait=False, cancel_futures=True)

    def connected(self, bot_user_id: str | None, outbound: Outbound) -> None:
        self._bot_user_id = bot_user_id
        self._outbound = outbound

    async def check_team_channel(self) -> None:
        """Say at start, loudly, when the bot is not in the team channel: no ticket card can be
        posted there until someone invites it (the most common first-time setup mistake)."""
        if self._team_channel is None or self._bot_user_id is None:
            return
        if not await self._directory.in_team_channel(self._bot_user_id):
            log.error(
                "the bot is not in the team channel %s: invite it there (/invite in the "
                "channel); ticket cards wait until it is",
                self._team_channel,
            )
        elif await self._directory.team_channel_is_public():
            log.warning(
                "the team channel %s is public and INTAKE_AGENT_IDS is not set: anyone in the "
                "workspace who joins it can answer customers and close tickets; make the "
                "channel private or set INTAKE_AGENT_IDS",
                self._team_channel,
            )

    async def catch_up(self, read: HistoryReader) -> None:
        """Take what was written while no instance listened, oldest first across every place,
        so a customer's message is handled before the agent's reply to it.

        Live events are taken meanwhile: one that arrives in a place while history is being
        read may go before the older messages read back there.
        """
        points = await asyncio.to_thread(self._service.resume_points, PLATFORM)
        points = [(a, slack_ts(last)) for a, last in points if recent(slack_ts(last))]
        log.info("slack catch-up over %s conversations and threads", len(points))
        missed: list[dict[str, Any]] = []
        for address, last_seen in points:
            try:
                missed += await read(address, last_seen)
            except (TimeoutError, SlackApiError, OSError) as error:
                log.warning("catch-up skipped %s (%s)", address.key, type(error).__name__)
        for event in sorted(missed, key=_written_at):
            await self.accept(heard_in_history(event, self._bot_user_id, self._team_channel))

    def register(self, bolt: AsyncApp) -> None:
        async def on_message(event: dict[str, Any], context: AsyncBoltContext) -> None:
            bot = context.bot_user_id or self._bot_user_id
            await self.accept(heard_message(event, bot, self._team_channel))

        async def on_mention(event: dict[str, Any], context: AsyncBoltContext) -> None:
            bot = context.bot_user_id or self._bot_user_id
            await self.accept(heard_mention(event, bot, self._team_channel))

        async def on_action(ack: AsyncAck, body: dict[str, Any]) -> None:
            await self.accept(heard_action(body, self._team_channel))
            await ack()

        bolt.event("message")(on_message)
        bolt.event("app_mention")(on_mention)
        bolt.action(re.compile(f"^({CHOICE_ACTION}|{TICKET_ACTION})"))(on_action)

    async def accept(self, heard: Heard | None) -> None:
        """Store the event durably before bolt acks it.

        A customer's message is handled in that same transaction (their name looked up first,
        for a second at most) when nothing of their conversation waits before it and a thread
        for it is free. Anything else goes to the inbox: handled right after the ack when first
        in its conversation's line, else by the worker in turn.
        """
        if heard is None:
            return
        event = InboxEvent(
            platform=PLATFORM,
            message_id=heard.message_id,
            ordering_key=heard.address.key,
            payload=heard.model_dump(mode="json"),
            at=heard.at,
        )
        # Events of one conversation reaching this instance are stored in the order they came,
        # whichever way each goes (a name lookup or a full thread pool can't let one overtake).
        async with self._turns.hold(event.ordering_key):
            if await self._handled_on_arrival(heard, event):
                return
            accept = functools.partial(self._service.accept, event, self.inbox.lease)
            leased = await asyncio.get_running_loop().run_in_executor(self._accepting, accept)
        if leased is None:
            self.inbox.queued()
            return
        task = asyncio.create_task(self.inbox.handle(leased))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def _handled_on_arrival(self, heard: Heard, event: InboxEvent) -> bool:
        """True when the event was handled or queued at once; False sends it the inbox way
        (an agent to recognise, a name Slack was slow to give, or handling that failed)."""
        if heard.audience != "customer" or self._in_flight >= _ARRIVAL_THREADS:
            return False
        self._in_flight += 1
        try:
            names = await self._directory.names(_people(heard), within=_NAME_WAIT)
            if heard.user_id not in names:
                return False
            arrive = functools.partial(
                self._service.handle_arrival,
                customer_message(_named(heard, names), names[heard.user_id], accepted=False),
                event,
                self._outbound.lease_until if self._outbound else None,
            )
            arrival = await asyncio.get_running_loop().run_in_executor(self._arriving, arrive)
        except Exception:
            log.warning("event %s failed on arrival; queueing", heard.message_id, exc_info=True)
            return False
        finally:
            self._in_flight -= 1
        if arrival.outcome == "queued":
            self.inbox.queued()
        if arrival.replies and self._outbound:
            self._outbound.send_now(arrival.replies)
        if arrival.for_relay:
            self._wake()
        return True

    async def _process(self, payload: dict[str, Any]) -> None:
        heard = Heard.model_validate(payload)
        names = await self._directory.names(_people(heard))
        name = names[heard.user_id]
        heard = _named(heard, names)
        if heard.audience == "team":
            is_agent = await self._directory.is_agent(heard.user_id)
            message = team_message(heard, name, is_agent)
            handled = await asyncio.to_thread(self._service.handle_team, message)
        else:
            customer = customer_message(heard, name)
            handled = await asyncio.to_thread(self._service.handle_customer, customer)
        if handled:
            self._wake()

    def _wake(self) -> None:
        if self._outbound is not None:
            self._outbound.wake()


def _written_at(event: dict[str, Any]) -> float:
    try:
        return float(event.get("ts") or 0)
    except (TypeError, ValueError):
        return 0.0


def _people(heard: Heard) -> dict[str, str | None]:
    """Whose names a message needs: its author's (the event may carry one) and everyone's it
    mentions."""
    return {heard.user_id: heard.profile_name} | {
        user_id: None for user_id in heard.mentions if user_id != heard.user_id
    }


def _named(heard: Heard, names: dict[str, str]) -> Heard:
    """The people it mentions by name ("@Dana", not "@U0DANA"), as far as Slack said in time;
    an id Slack won't name stays as it is."""
    if not heard.mentions:  # most messages: nothing to copy
        return heard
    text = heard.text
    for user_id in heard.mentions:
        if user_id in names:
            text = _by_name(text, user_id, names[user_id])
    return heard.model_copy(update={"text": text})


def _by_name(text: str, user_id: str, name: str) -> str:
    return re.sub(rf"@{re.escape(user_id)}\b", lambda _: f"@{name}", text)
