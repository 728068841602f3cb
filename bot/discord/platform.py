"""Discord as a ``Platform`` of ``intake serve``: log in, keep the gateway connected, stop.

A bad token or a missing Message Content intent ends ``start`` with one ``UserFacingError``
line; later disconnects are discord.py's to heal (it resumes, or starts a fresh session that
the client catches up after).
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import web

from bot.app import App
from bot.discord.adapter import Audience, IntakeClient
from bot.discord.sender import DiscordSender
from bot.discord.translate import PLATFORM
from bot.errors import UserFacingError
from bot.service import IntakeService
from bot.settings import Settings

log = logging.getLogger(__name__)

INTENT_HELP = (
    "Discord refused the connection (close code 4014): turn on the Message Content intent "
    "(Developer Portal → your application → Bot → Privileged Gateway Intents)"
)


def configure_endpoints(api_base: str, gateway_url: str) -> None:
    """Point discord.py at Discord or a compatible server. Version 2.7 has no constructor option
    for either, so both class attributes are set here, and only here, before a client starts."""
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class DiscordPlatform:
    name = PLATFORM

    def __init__(
        self,
        settings: Settings,
        service: IntakeService,
        *,
        guild_ready_timeout: float = 2.0,
        identify_delay: float = 5.0,
        ready_timeout: float = 30.0,
    ) -> None:
        if settings.discord_token is None:
            raise UserFacingError("DISCORD_TOKEN is not set")
        self.sender = DiscordSender()
        self._settings = settings
        self._service = service
        self._guild_ready_timeout = guild_ready_timeout
        self._identify_delay = identify_delay
        self._ready_timeout = ready_timeout
        self._client: IntakeClient | None = None
        self._connection: asyncio.Task[None] | None = None

    def mount(self, web_app: web.Application) -> None:
        """Discord comes over the gateway websocket: no HTTP routes."""

    async def start(self, wake_relay: Callable[[], None]) -> None:
        settings = self._settings
        assert settings.discord_token is not None
        configure_endpoints(settings.discord_api_base, settings.discord_gateway_url)
        team = settings.team_channel
        audience = Audience(
            team_channel=team.channel if team is not None and team.platform == PLATFORM else None,
            agent_ids=settings.agent_ids,
            agent_role=settings.discord_agent_role,
        )
        client = IntakeClient(
            self._service,
            audience,
            wake_relay,
            guild_ready_timeout=self._guild_ready_timeout,
            identify_delay=self._identify_delay,
        )
        self._client = client
        await _login(client, settings.discord_token.get_secret_value(), settings.discord_api_base)
        self.sender.attach(client.http)
        self._connection = asyncio.create_task(_connect(client), name="discord-gateway")
        await self._first_ready(client, self._connection)
        self._connection.add_done_callback(_report_end)

    async def _first_ready(self, client: IntakeClient, connection: asyncio.Task[None]) -> None:
        """Wait for the first session, so a refused connection fails ``intake serve`` at once."""
        ready = asyncio.ensure_future(client.wait_until_ready())
        try:
            await asyncio.wait(
                {ready, connection},
                timeout=self._ready_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            ready.cancel()
        if connection.done():
            connection.result()  # raises the UserFacingError that ended it
            raise UserFacingError("the Discord gateway closed the connection")
        if not client.is_ready():
            log.warning("Discord gateway not ready after %ss; still trying", self._ready_timeout)

    async def stop(self) -> None:
        self.sender.detach()
        if self._client is not None:
            await self._client.close()
        if self._connection is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._connection
        self._client = None
        self._connection = None

    def ready(self) -> bool:
        client = self._client
        return (
            client is not None
            and client.is_ready()
            and not client.is_closed()
            and client.ws is not None
            and client.ws.open
        )


def discord_platform(settings: Settings, app: App) -> DiscordPlatform:
    return DiscordPlatform(settings, app.service)


async def _login(client: IntakeClient, token: str, api_base: str) -> None:
    try:
        await client.login(token)
    except discord.LoginFailure:
        await client.close()
        raise UserFacingError(
            "DISCORD_TOKEN was rejected by Discord: copy the bot token again "
            "(Developer Portal → your application → Bot → Reset Token)"
        ) from None
    except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
        await client.close()
        raise UserFacingError(f"could not log in to Discord at {api_base}: {error}") from None


async def _connect(client: IntakeClient) -> None:
    try:
        await client.connect(reconnect=True)
    except discord.PrivilegedIntentsRequired:
        raise UserFacingError(INTENT_HELP) from None
    except discord.ConnectionClosed as closed:
        raise UserFacingError(
            f"Discord closed the gateway connection (code {closed.code}): {closed.reason}"
        ) from None
    finally:
        await client.close()


def _report_end(task: asyncio.Task[None]) -> None:
    """A connection that ends after start-up: /readyz turns false, and this says why."""
    if not task.cancelled() and task.exception() is not None:
        log.error("Discord connection ended: %s", task.exception())
