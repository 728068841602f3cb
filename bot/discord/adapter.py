"""The discord.py client: gateway events in, service calls out, and catch-up after downtime.

Rules this module keeps:
- Messages of one channel are handled one at a time, in the order the gateway sent them (a
  lock per channel, taken before the first await that could reorder them).
- The service's database work runs in a worker thread (``asyncio.to_thread``), never on the
  event loop, so heartbeats are never late.
- After every fresh session (READY: a start, or a resume the gateway refused) the history of
  each channel and thread with earlier traffic is read from the last message handled there, and
  each message goes through the same handler as a live one; the service drops what it has seen.
  Live messages wait until that catch-up is done, so nothing is handled out of order.
- A brand-new customer's first DM sent while the bot was offline cannot be found: bots cannot
  list DM channels. Their next message starts the conversation.
- One gateway event discord.py cannot parse is logged by its type and skipped; it never ends
  the connection.
"""

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord

from bot.discord.sender import THREAD_ALREADY_EXISTS
from bot.discord.translate import (
    PLATFORM,
    FromCustomer,
    FromTeam,
    OpenThread,
    Seen,
    agent_allowed,
    forwarded,
    parse_custom_id,
    readable,
    route,
    thread_name,
    written,
)
from bot.service import IntakeService
from bot.turns import KeyedLocks
from intake.actions import clicked
from intake.addresses import Address, Person
from intake.inbound import CustomerMessage, TeamMessage, attachment_line, edit_id

log = logging.getLogger(__name__)

_REGULAR = {discord.MessageType.default, discord.MessageType.reply}
# Said under a mention where no thread can be started, so the customer knows where to look.
_MOVED_TO_DMS = "Threads can't be started in this channel, so I've sent you a direct message."


@dataclass(frozen=True)
class Audience:
    """Who the bot serves: where the team works and who counts as an agent."""

    team_channel: str | None
    agent_ids: frozenset[str]
    agent_role: str | None


def intents() -> discord.Intents:
    """Exactly what the bot reads: guilds and threads, channel and DM messages, their text."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    return wanted


class IntakeClient(discord.Client):
    def __init__(
        self,
        service: IntakeService,
        audience: Audience,
        wake_relay: Callable[[], None],
        *,
        guild_ready_timeout: float = 2.0,
        identify_delay: float = 5.0,
    ) -> None:
        # The bot never joins voice: discord.py's warnings about missing voice libraries are
        # noise in every start-up log.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
            max_ratelimit_timeout=30.0,
            chunk_guilds_at_startup=False,
            max_messages=None,
        )
        self._service = service
        self._audience = audience
        self._wake_relay = wake_relay
        self._locks = KeyedLocks()
        self._caught_up = asyncio.Event()
        self._parents: dict[int, int | None] = {}
        self._identify_delay = identify_delay
        _skip_unreadable_events(self._connection.parsers)

    # ── gateway events ──────────────────────────────────────────────────────────────────

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord allows one IDENTIFY per 5 s; a loopback server in tests needs no pause."""
        if not initial:
            await asyncio.sleep(self._identify_delay)

    async def on_connect(self) -> None:
        # A fresh session: hold live messages until the history before them is handled.
        self._caught_up.clear()

    async def on_ready(self) -> None:
        try:
            await self._catch_up()
        finally:
            self._caught_up.set()

    async def on_resumed(self) -> None:
        log.info("discord session resumed")

    async def on_message(self, message: discord.Message) -> None:
        await self._caught_up.wait()
        async with self._locks.hold(str(message.channel.id)):
            await self._handle(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """An edited message, read as a message of its own. Discord also sends updates when it
        adds a link preview; only a person's edit carries an ``edited_timestamp``."""
        if not payload.data.get("edited_timestamp"):
            return
        message = payload.message
        cached = payload.cached_message  # the earlier words, when discord.py still has them
        before = cached.content if cached is not None else None
        await self._caught_up.wait()
        async with self._locks.hold(str(message.channel.id)):
            await self._handle(message, edited=True, before=before)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.component or interaction.data is None:
            return
        custom_id = interaction.data.get("custom_id")
        click = parse_custom_id(custom_id) if isinstance(custom_id, str) else None
        if click is None or interaction.channel_id is None:
            return
        with contextlib.suppress(discord.HTTPException):
            await interaction.response.defer()
        await self._caught_up.wait()
        person = _person(interaction.user)
        channel = str(interaction.channel_id)
        if click.kind == "choice":
            text, answers = clicked(click.value)
            customer = CustomerMessage(
                message_id=str(interaction.id),
                author=person,
                address=Address(platform=PLATFORM, channel=channel),
                text=text,
                at=interaction.created_at,
                continuation=True,
                answers=answers,
            )
            async with self._locks.hold(channel):
                await self._deliver(customer)
            return
        if interaction.message is None:
            return
        thread = str(interaction.message.id)
        team = TeamMessage(
            message_id=str(interaction.id),
            author=person,
            address=Address(platform=PLATFORM, channel=channel, thread=thread),
            text=click.value,
            at=interaction.created_at,
            is_agent=await self._is_agent(interaction.user, interaction.guild),
        )
        async with self._locks.hold(thread):
            await self._deliver(team)

    # ── one message ─────────────────────────────────────────────────────────────────────

    async def _handle(
        self, message: discord.Message, *, edited: bool = False, before: str | None = None
    ) -> None:
        if self.user is None:
            return
        seen = await self._seen(message)
        routed = route(seen, bot_id=str(self.user.id), team_channel=self._audience.team_channel)
        if routed is None or (edited and isinstance(routed, OpenThread)):
            return  # an edit never starts a conversation
        message_id, at = seen.message_id, seen.at
        if edited:
            at = message.edited_at or at
            message_id = edit_id(message_id, f"{at.timestamp():.6f}")
        person = _person(message.author)
        if isinstance(routed, FromTeam):
            guild = message.guild
            guild_id = _guild_id(message)
            if guild is None and guild_id is not None:
                guild = self.get_guild(guild_id)
            inbound: CustomerMessage | TeamMessage = TeamMessage(
                message_id=message_id,
                author=person,
                address=routed.address,
                text=routed.text,
                at=at,
                is_agent=await self._is_agent(message.author, guild),
                catch_up=True,
                edited=edited,
                before=before,
                to_the_bot=_opens_with_the_bot(message, self.user.id),
            )
        else:
            if isinstance(routed, OpenThread):
                address = await self._open_thread(message)
                if address is None:
                    return
                text, continuation = routed.text, False
            else:
                assert isinstance(routed, FromCustomer)
                address, text, continuation = routed.address, routed.text, routed.continuation
            inbound = CustomerMessage(
                message_id=message_id,
                author=person,
                address=address,
                text=text,
                at=at,
                continuation=continuation,
                catch_up=True,
                edited=edited,
            )
        await self._deliver(inbound)

    async def _deliver(self, inbound: CustomerMessage | TeamMessage) -> None:
        if isinstance(inbound, CustomerMessage):
            handled = await asyncio.to_thread(self._service.handle_customer, inbound)
        else:
            handled = await asyncio.to_thread(self._service.handle_team, inbound)
        if handled:
            self._wake_relay()
        log.debug("discord message %s handled=%s", inbound.message_id, handled)

    async def _seen(self, message: discord.Message) -> Seen:
        channel = message.channel
        parent: int | None = None
        if isinstance(channel, discord.Thread):
            parent = channel.parent_id
        elif isinstance(channel, discord.PartialMessageable) and channel.guild_id is not None:
            parent = await self._parent_of(channel.id)
        bot_id = self.user.id if self.user else 0
        text = _text(message, bot_id)
        return Seen(
            message_id=str(message.id),
            channel_id=str(channel.id),
            author_id=str(message.author.id),
            author_is_bot=message.author.bot or message.webhook_id is not None,
            regular=message.type in _REGULAR,
            text=text,
            at=message.created_at,
            in_dm=isinstance(channel, discord.DMChannel),
            thread_parent=str(parent) if parent is not None else None,
            mentions_bot=_mentions_bot(message, bot_id),
        )

    async def _parent_of(self, channel_id: int) -> int | None:
        """The parent of a thread the cache doesn't know (None for a channel, not a thread)."""
        if channel_id not in self._parents:
            try:
                channel = await self.fetch_channel(channel_id)
            except discord.HTTPException:
                return None
            self._parents[channel_id] = (
                channel.parent_id if isinstance(channel, discord.Thread) else None
            )
        return self._parents[channel_id]

    async def _open_thread(self, message: discord.Message) -> Address | None:
        """A thread from the mention, or the customer's DMs where threads aren't allowed."""
        try:
            thread = await self.http.start_thread_with_message(
                message.channel.id,
                message.id,
                name=thread_name(message.author.display_name),
                auto_archive_duration=1440,
            )
            return Address(platform=PLATFORM, channel=str(thread["id"]))
        except discord.HTTPException as error:
            if error.code == THREAD_ALREADY_EXISTS:  # a redelivery of the same mention
                return Address(platform=PLATFORM, channel=str(message.id))
            log.info("no thread in channel %s (%s); using DMs", message.channel.id, error.status)
        try:
            dm = await message.author.create_dm()
        except discord.HTTPException:
            log.warning("could not reach %s in a thread or DMs", message.author.id)
            return None
        try:
            await message.reply(_MOVED_TO_DMS, mention_author=False)
        except discord.HTTPException as error:  # no right to write here either
            log.info("no note in channel %s (%s)", message.channel.id, error.status)
        return Address(platform=PLATFORM, channel=str(dm.id))

    async def _is_agent(
        self, user: discord.User | discord.Member, guild: discord.Guild | None
    ) -> bool:
        audience = self._audience
        roles: frozenset[str] = frozenset()
        if audience.agent_role and str(user.id) not in audience.agent_ids:
            member = user if isinstance(user, discord.Member) else None
            if member is None and guild is not None:
                with contextlib.suppress(discord.HTTPException):
                    member = guild.get_member(user.id) or await guild.fetch_member(user.id)
            if member is not None:
                roles = frozenset(str(role.id) for role in member.roles)
        return agent_allowed(
            str(user.id),
            roles,
            agent_ids=audience.agent_ids,
            agent_role=audience.agent_role,
        )

    # ── catch-up ────────────────────────────────────────────────────────────────────────

    async def _catch_up(self) -> None:
        points = [
            (address.thread or address.channel, last_seen)
            for address, last_seen in await asyncio.to_thread(self._service.resume_points, PLATFORM)
        ]
        points += self._unread_ticket_threads({channel for channel, _ in points})
        log.info("discord catch-up over %s channels", len(points))
        missed: list[discord.Message] = []
        for channel_id, last_seen in points:
            try:
                missed += await self._written_since(int(channel_id), int(last_seen))
            except discord.HTTPException as error:
                log.warning("catch-up skipped channel %s (%s)", channel_id, error.status)
        # Oldest first across every channel (ids grow with time): a customer's message is
        # handled before the agent's reply to it. Live messages wait until this is done.
        for message in sorted(missed, key=lambda message: message.id):
            async with self._locks.hold(str(message.channel.id)):
                await self._handle(message)

    def _unread_ticket_threads(self, known: set[str]) -> list[tuple[str, str]]:
        """Active ticket threads nobody has written in yet have no resume point: read them
        from their start (a thread's id is that of its card, so "after the card")."""
        team = self._audience.team_channel
        channel = self.get_channel(int(team)) if team else None
        if not isinstance(channel, discord.TextChannel) or self.user is None:
            return []
        return [
            (str(thread.id), str(thread.id))
            for thread in channel.threads
            if thread.owner_id == self.user.id and str(thread.id) not in known
        ]

    async def _written_since(self, channel_id: int, last_seen: int) -> list[discord.Message]:
        channel = self.get_channel(channel_id) or await self.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return []
        after = discord.Object(id=last_seen)
        return [m async for m in channel.history(limit=None, after=after, oldest_first=True)]


def _skip_unreadable_events(parsers: dict[str, Callable[[Any], None]]) -> None:
    """discord.py parses each event inside the gateway's read loop, so one payload it cannot
    parse (a poll without an expiry, a field Discord changed) would end the connection for
    good. Each parser is wrapped so that event is logged and skipped instead."""
    parsers.update({event: _skipping(event, parse) for event, parse in parsers.items()})


def _skipping(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
    def parse_or_skip(data: Any) -> None:
        try:
            parse(data)
        except Exception as error:
            # The error's type and where it was raised, never its text: it may quote the message.
            frame = traceback.extract_tb(error.__traceback__)[-1]
            log.error(
                "Discord %s event %s could not be read (%s at %s:%s); skipped",
                event,
                data.get("id") if isinstance(data, dict) else None,
                type(error).__name__,
                Path(frame.filename).name,
                frame.lineno,
            )

    return parse_or_skip


def _mentions_bot(message: discord.Message, bot_id: int) -> bool:
    """The bot named, or the role Discord made for it (autocomplete offers both)."""
    own_role = _own_role(message)
    named = any(user.id == bot_id for user in message.mentions)
    return named or (own_role is not None and own_role in message.role_mentions)


def _opens_with_the_bot(message: discord.Message, bot_id: int) -> bool:
    """Written to the bot: its mention (or its role's) comes first."""
    return _content(message, bot_id).lstrip().startswith((f"<@{bot_id}>", f"<@!{bot_id}>"))


def _content(message: discord.Message, bot_id: int) -> str:
    """The message's markup with the bot's role read as the bot's own mention."""
    own_role = _own_role(message)
    if own_role is None:
        return message.content
    return message.content.replace(f"<@&{own_role.id}>", f"<@{bot_id}>")


def _own_role(message: discord.Message) -> discord.Role | None:
    return message.guild.self_role if message.guild is not None else None


def _text(message: discord.Message, bot_id: int) -> str:
    """The message's words (mentions by name) and files, then each message it forwards: a
    forward has no content of its own, Discord sends the original in a snapshot."""
    names = {str(user.id): user.display_name for user in message.mentions if user.id != bot_id}
    names |= {str(role.id): role.name for role in message.role_mentions}
    names |= {str(channel.id): channel.name for channel in message.channel_mentions}
    own = written(readable(_content(message, bot_id), names), _files(message.attachments))
    quoted = [forwarded(s.content, _files(s.attachments)) for s in message.message_snapshots]
    return "\n".join(part for part in (own, *quoted) if part)


def _files(attachments: Sequence[discord.Attachment]) -> list[str]:
    return [attachment_line(a.filename, a.url) for a in attachments]


def _guild_id(message: discord.Message) -> int | None:
    channel = message.channel
    return channel.guild_id if isinstance(channel, discord.PartialMessageable) else None


def _person(user: discord.User | discord.Member) -> Person:
    return Person(platform=PLATFORM, user_id=str(user.id), display_name=user.display_name)
