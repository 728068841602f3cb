"""Delivers the outbox to Discord through discord.py's HTTP client.

Every message goes out with a nonce derived from its outbox key and ``enforce_nonce``, so a
send retried after a lost response returns the message already posted instead of a second one.
Mentions are always disabled: customer text reaches agents (and the reverse) without pinging
anyone. discord.py waits out short rate limits itself; longer ones, and every other failure,
become the relay's ``RateLimited``/``TemporaryFailure``/``PermanentFailure`` here.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
import discord
from discord.http import HTTPClient, handle_message_parameters

from bot.delivery import NotAllowedYet, PermanentFailure, RateLimited, TemporaryFailure
from bot.discord.translate import PLATFORM, Button, Part, nonce, render, thread_name
from intake.addresses import Address
from intake.outgoing import Outgoing

log = logging.getLogger(__name__)

T = TypeVar("T")

THREAD_ALREADY_EXISTS = 160004
UNKNOWN_MESSAGE = 10008
# Discord's codes for a channel the bot may post in but not start threads in.
_NO_THREADS = {50001, 50013}  # Missing Access, Missing Permissions
_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}


class DiscordSender:
    """The ``Sender`` for Discord. Usable once the platform has logged in (``attach``)."""

    platform = PLATFORM

    def __init__(self, wait_for_login: float = 30.0) -> None:
        self._http: HTTPClient | None = None
        self._logged_in = asyncio.Event()
        self._wait_for_login = wait_for_login

    def attach(self, http: HTTPClient) -> None:
        self._http = http
        self._logged_in.set()

    def detach(self) -> None:
        """Stopping: sends waiting for a login fail at once instead of delaying shutdown."""
        self._http = None
        self._logged_in.set()

    async def send(self, address: Address, message: Outgoing, key: str) -> str:
        http = await self._connected()
        channel = address.thread or address.channel
        first: str | None = None
        for index, part in enumerate(render(message)):
            posted = await self._post(http, channel, part, nonce(key, index))
            first = first or str(posted["id"])
        assert first is not None  # render always yields at least one part
        if message.card is not None and address.thread is None:
            await self._start_ticket_thread(http, channel, first, message)
        return first

    @staticmethod
    async def _post(http: HTTPClient, channel: str, part: Part, once: str) -> Any:
        """Post ``part`` once per nonce. Discord refuses a nonce whose message was deleted
        (a card taken back, below) with "Unknown Message" for a few minutes: that post goes
        again with a nonce of its own."""
        try:
            return await _mapped(http.send_message(channel, params=_params(part, nonce=once)))
        except PermanentFailure as failure:
            if _discord_code(failure) != UNKNOWN_MESSAGE:
                raise
            fresh = nonce(f"{once}:{time.time_ns()}", 0)
            return await _mapped(http.send_message(channel, params=_params(part, nonce=fresh)))

    async def edit(self, address: Address, message_ref: str, message: Outgoing) -> None:
        """Cards live in the channel (their thread shares the card's id), so edit there."""
        http = await self._connected()
        part = render(message)[0]
        await _mapped(http.edit_message(address.channel, message_ref, params=_params(part)))

    async def _start_ticket_thread(
        self, http: HTTPClient, channel: str, message_id: str, message: Outgoing
    ) -> None:
        card = message.card
        assert card is not None
        name = thread_name(f"{card.ticket_id}: {card.problem}")
        try:
            await _mapped(
                http.start_thread_with_message(
                    channel, message_id, name=name, auto_archive_duration=1440
                )
            )
        except PermanentFailure as failure:
            code = _discord_code(failure)
            if code in _NO_THREADS:
                # A card without its thread can't be worked: it is taken back and tried again,
                # so it goes through (thread and all) once the bot is allowed threads there.
                log.error(
                    "the bot may not start threads in the team channel %s: give it Create "
                    "Public Threads and Send Messages in Threads there; the card waits until then",
                    channel,
                )
                await _mapped(http.delete_message(channel, message_id))
                raise NotAllowedYet("no permission to start the ticket's thread") from failure
            # A retry after a lost response finds the thread there already: that is success.
            if code != THREAD_ALREADY_EXISTS:
                raise

    async def _connected(self) -> HTTPClient:
        try:
            await asyncio.wait_for(self._logged_in.wait(), self._wait_for_login)
        except TimeoutError:
            raise TemporaryFailure("not connected to Discord yet") from None
        if self._http is None:
            raise TemporaryFailure("Discord is disconnected")
        return self._http


def _params(part: Part, nonce: str | None = None) -> Any:
    return handle_message_parameters(
        content=part.content,
        embed=discord.Embed.from_dict(part.embed) if part.embed else None,
        view=_view(part.buttons),
        nonce=nonce,
        allowed_mentions=discord.AllowedMentions.none(),
    )


def _view(buttons: tuple[Button, ...]) -> discord.ui.View | None:
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(
            discord.ui.Button(
                label=button.label, custom_id=button.custom_id, style=_STYLES[button.style]
            )
        )
    return view


async def _mapped(call: Awaitable[T]) -> T:
    """Discord's failures as the relay's: what to retry, when, and what to give up on."""
    try:
        return await call
    except discord.RateLimited as limited:
        raise RateLimited(limited.retry_after) from limited
    except discord.HTTPException as error:
        if error.status == 429:
            raise RateLimited(_retry_after(error)) from error
        if error.status >= 500:
            raise TemporaryFailure(f"Discord answered {error.status}") from error
        raise PermanentFailure(f"Discord answered {error.status} (code {error.code})") from error
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        raise TemporaryFailure(f"could not reach Discord: {type(error).__name__}") from error


def _retry_after(error: discord.HTTPException) -> float:
    header = error.response.headers.get("Retry-After")
    try:
        return max(float(header), 1.0) if header else 5.0
    except ValueError:
        return 5.0


def _discord_code(failure: PermanentFailure) -> int | None:
    """Discord's JSON error code behind a refusal (10008 Unknown Message, 50013 …)."""
    code = getattr(failure.__cause__, "code", None)
    return code if isinstance(code, int) else None
