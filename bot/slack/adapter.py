"""Bolt's listeners: translate each event, look up names, hand it to the service.

Bolt acks an event before its listener runs (``process_before_response=False``), so all the work
here happens after Slack has its 200. Redeliveries are harmless: the service claims each message
id in the database and ignores the second copy. Messages in one channel or thread are handled
one at a time, in the order they arrived, so a quick second message never overtakes the first.
"""

import asyncio
import logging
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.service import IntakeService
from bot.slack.translate import (
    CHOICE_ACTION,
    TICKET_ACTION,
    Heard,
    customer_message,
    display_name,
    heard_action,
    heard_mention,
    heard_message,
    team_message,
)

log = logging.getLogger(__name__)

_ATTEMPTS = 3


class SlackDirectory:
    """Display names and who counts as an agent, from the Web API, cached for a short time."""

    def __init__(
        self,
        client: AsyncWebClient,
        team_channel: str | None,
        agent_ids: Iterable[str] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
        name_ttl: float = 600.0,
        members_ttl: float = 60.0,
    ) -> None:
        self._client = client
        self._team_channel = team_channel
        self._agent_ids = frozenset(agent_ids)
        self._clock = clock
        self._name_ttl = name_ttl
        self._members_ttl = members_ttl
        self._names: dict[str, tuple[float, str]] = {}
        self._members: tuple[float, frozenset[str]] | None = None
        self._members_lock = asyncio.Lock()

    async def name(self, user_id: str) -> str:
        cached = self._names.get(user_id)
        if cached and cached[0] > self._clock():
            return cached[1]
        try:
            response = await self._client.users_info(user=user_id)
            user = response.get("user")
            name = (display_name(user) if isinstance(user, dict) else None) or user_id
        except (TimeoutError, SlackApiError, OSError) as error:
            log.warning("users.info failed for %s: %s", user_id, type(error).__name__)
            # Remember the fallback briefly so a missing scope doesn't cost a call per message.
            self._names[user_id] = (self._clock() + self._members_ttl, user_id)
            return user_id
        self._names[user_id] = (self._clock() + self._name_ttl, name)
        return name

    async def is_agent(self, user_id: str) -> bool:
        """``INTAKE_AGENT_IDS`` when set, else membership of the team channel; fails closed."""
        if self._agent_ids:
            return user_id in self._agent_ids
        if self._team_channel is None:
            return False
        return user_id in await self._team_members(self._team_channel)

    async def _team_members(self, channel: str) -> frozenset[str]:
        async with self._members_lock:
            if self._members and self._members[0] > self._clock():
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
            self._members = (self._clock() + self._members_ttl, frozenset(members))
            return self._members[1]


class SlackAdapter:
    """Routes bolt's listeners to the service; knows nothing of storage or rendering."""

    def __init__(
        self, service: IntakeService, directory: SlackDirectory, team_channel: str | None
    ) -> None:
        self._service = service
        self._directory = directory
        self._team_channel = team_channel
        self._wake: Callable[[], None] = lambda: None
        self._bot_user_id: str | None = None
        self._order: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def connected(self, bot_user_id: str | None, wake_relay: Callable[[], None]) -> None:
        self._bot_user_id = bot_user_id
        self._wake = wake_relay

    def register(self, bolt: AsyncApp) -> None:
        async def on_message(event: dict[str, Any], context: AsyncBoltContext) -> None:
            bot = context.bot_user_id or self._bot_user_id
            await self.handle(heard_message(event, bot, self._team_channel))

        async def on_mention(event: dict[str, Any], context: AsyncBoltContext) -> None:
            bot = context.bot_user_id or self._bot_user_id
            await self.handle(heard_mention(event, bot, self._team_channel))

        async def on_action(ack: AsyncAck, body: dict[str, Any]) -> None:
            await ack()
            await self.handle(heard_action(body, self._team_channel))

        bolt.event("message")(on_message)
        bolt.event("app_mention")(on_mention)
        bolt.action(re.compile(f"^({CHOICE_ACTION}|{TICKET_ACTION})"))(on_action)

    async def handle(self, heard: Heard | None) -> None:
        if heard is None:
            return
        lock = self._order.get(heard.address.key)
        if lock is None:
            lock = self._order[heard.address.key] = asyncio.Lock()
        async with lock:
            handled = await _with_retries(heard.message_id, lambda: self._dispatch(heard))
        if handled:
            self._wake()

    async def _dispatch(self, heard: Heard) -> bool:
        name = await self._directory.name(heard.user_id)
        if heard.audience == "team":
            is_agent = await self._directory.is_agent(heard.user_id)
            message = team_message(heard, name, is_agent)
            return await asyncio.to_thread(self._service.handle_team, message)
        return await asyncio.to_thread(self._service.handle_customer, customer_message(heard, name))


async def _with_retries(message_id: str, attempt: Callable[[], Awaitable[bool]]) -> bool:
    """The event is already acked, so a passing failure (a locked database) is retried here.

    Each attempt is one transaction that either committed or rolled back, so a retry never
    doubles anything.
    """
    for number in range(1, _ATTEMPTS + 1):
        try:
            return await attempt()
        except Exception:
            if number == _ATTEMPTS:
                log.exception("slack message %s dropped after %s attempts", message_id, number)
                return False
            log.warning("slack message %s failed; retrying", message_id, exc_info=True)
            await asyncio.sleep(0.2 * 2**number)
    return False
