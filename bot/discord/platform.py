"""Discord as a ``Platform`` of ``intake serve``: log in, keep the gateway connected, stop.

A bad token or a missing Message Content intent ends ``start`` with one ``UserFacingError``
line; later disconnects are discord.py's to heal (it resumes, or starts a fresh session that
the client catches up after). A connection discord.py gives up on leaves its client closed for
good, so the lease holder logs in again with a fresh client, backing off when that keeps
failing.

Discord allows one gateway session per token, so with several instances only the holder of the
``discord-gateway`` lease connects; the others stand by (still sending over REST) and one of
them takes over within seconds when the holder dies.
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
from discord.backoff import ExponentialBackoff

from bot.discord.adapter import Audience, IntakeClient
from bot.discord.sender import DiscordSender
from bot.discord.translate import PLATFORM
from bot.errors import UserFacingError
from bot.platform import Outbound, PlatformBuilder
from bot.service import IntakeService
from bot.settings import Settings
from storage.leases import Lease

log = logging.getLogger(__name__)
# While Discord doesn't answer, tries to log in come further apart, up to this many seconds.
_MAX_UNREACHABLE_WAIT = 60.0

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
        lease: Lease,
        *,
        guild_ready_timeout: float = 2.0,
        identify_delay: float = 5.0,
        ready_timeout: float = 30.0,
        lease_poll_seconds: float = 2.0,
    ) -> None:
        if settings.discord_token is None:
            raise UserFacingError("DISCORD_TOKEN is not set")
        self.sender = DiscordSender()
        self._settings = settings
        self._service = service
        self._lease = lease
        self._guild_ready_timeout = guild_ready_timeout
        self._identify_delay = identify_delay
        self._ready_timeout = ready_timeout
        self._lease_poll_seconds = lease_poll_seconds
        self._client: IntakeClient | None = None
        self._connection: asyncio.Task[None] | None = None
        self._leadership: asyncio.Task[None] | None = None
        self._wake_relay: Callable[[], None] = lambda: None
        self._leading = False  # holds the lease, so it is only ready with the gateway open
        # Fresh clients come at once, then ever further apart (1,000 IDENTIFYs a day at most).
        self._backoff: ExponentialBackoff[bool] = ExponentialBackoff()
        self._restart_at = 0.0

    def mount(self, web_app: web.Application) -> None:
        """Discord comes over the gateway websocket: no HTTP routes."""

    async def start(self, outbound: Outbound) -> None:
        settings = self._settings
        configure_endpoints(settings.discord_api_base, settings.discord_gateway_url)
        self._wake_relay = outbound.wake
        try:
            await self._log_in()
        except DiscordUnreachable as error:
            # Like Slack: the other platforms serve meanwhile (sends to Discord fail at once,
            # for the relay to try later), and standing by logs in again until Discord answers.
            log.warning("Discord not reachable yet (%s); trying again in the background", error)
            self.sender.detach()
        else:
            if await asyncio.to_thread(self._lease.try_acquire):
                self._leading = True
                await self._open_gateway()
            else:
                log.info("another instance holds the Discord gateway; standing by")
        self._leadership = asyncio.create_task(self._follow_lease(), name="discord-lease")

    async def _log_in(self) -> None:
        """A fresh client, logged in for REST (sending works on a standby instance too)."""
        settings = self._settings
        assert settings.discord_token is not None
        team = settings.team_channel
        audience = Audience(
            team_channel=team.channel if team is not None and team.platform == PLATFORM else None,
            agent_ids=settings.agent_ids,
            agent_role=settings.discord_agent_role,
        )
        client = IntakeClient(
            self._service,
            audience,
            self._wake_relay,
            guild_ready_timeout=self._guild_ready_timeout,
            identify_delay=self._identify_delay,
        )
        self._client = client
        await _login(client, settings.discord_token.get_secret_value(), settings.discord_api_base)
        self.sender.attach(client.http)

    async def _open_gateway(self) -> None:
        assert self._client is not None
        self._connection = asyncio.create_task(_connect(self._client), name="discord-gateway")
        await self._first_ready(self._client, self._connection)
        self._connection.add_done_callback(_report_end)

    async def _follow_lease(self) -> None:
        """Stand by until the lease is ours; give the gateway up at once if the lease is lost;
        while it is ours, keep a gateway open."""
        unreachable: ExponentialBackoff[bool] | None = None  # while Discord doesn't answer
        while True:
            await asyncio.sleep(self._lease_poll_seconds)
            try:
                await self._check_lease()
            except DiscordUnreachable as error:
                unreachable = unreachable or ExponentialBackoff()
                wait = min(unreachable.delay(), _MAX_UNREACHABLE_WAIT)  # further apart
                log.warning("Discord still not reachable (%s); next try in %.0fs", error, wait)
                await asyncio.sleep(wait)
            except UserFacingError as error:
                log.error("Discord gateway: %s", error)
            else:
                unreachable = None

    async def _check_lease(self) -> None:
        if not self._leading:
            await self._stand_by()
        elif not await asyncio.to_thread(self._lease.held):
            log.error("Discord gateway lease lost; disconnecting so another instance takes over")
            self._leading = False
            await self._close_client()
            await self._log_in()
        elif self._gateway_ended() and asyncio.get_running_loop().time() >= self._restart_at:
            await self._reopen_gateway()

    async def _stand_by(self) -> None:
        """Keep a client logged in for REST (a failed login is tried again on the next poll),
        and take the gateway over once the lease is free."""
        if self._client is None or self._client.is_closed():
            await self._log_in()
        if await asyncio.to_thread(self._lease.try_acquire):
            log.info("Discord gateway lease taken over; connecting")
            self._leading = True
            await self._open_gateway()

    def _gateway_ended(self) -> bool:
        return self._connection is None or self._connection.done()

    async def _reopen_gateway(self) -> None:
        """A closed client never connects again: log in with a fresh one, and connect."""
        log.warning("Discord gateway connection ended; connecting again with a fresh client")
        self._restart_at = asyncio.get_running_loop().time() + self._backoff.delay()
        await self._close_client()
        await self._log_in()
        await self._open_gateway()

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
        if self._leadership is not None:
            self._leadership.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._leadership
            self._leadership = None
        await self._close_client()
        await asyncio.to_thread(self._lease.release)

    async def _close_client(self) -> None:
        self.sender.detach()
        if self._client is not None:
            await self._client.close()
        if self._connection is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._connection
        self._client = None
        self._connection = None

    def ready(self) -> bool:
        """Connected to the gateway, or standing by (not holding the lease) with REST sending
        ready. The lease holder between two clients is not ready."""
        client = self._client
        if client is None or client.is_closed():
            return False
        if not self._leading:
            return True
        return client.is_ready() and client.ws is not None and client.ws.open


def discord_platform(settings: Settings) -> PlatformBuilder:
    """Discord's settings are checked when it logs in (``start``); built on the app later."""
    return lambda app: DiscordPlatform(settings, app.service, app.lease("discord-gateway"))


class DiscordUnreachable(UserFacingError):
    """Discord's API didn't answer (network, 5xx): worth trying again, unlike a bad token."""


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
        raise DiscordUnreachable(f"could not log in to Discord at {api_base}: {error}") from None
    # A body labelled JSON that isn't (a proxy's error page), or a web page read as text and
    # then as Discord's user object: another server.
    except (ValueError, TypeError, KeyError):
        await client.close()
        raise UserFacingError(
            f"{api_base} did not answer like the Discord API: is DISCORD_API_BASE right?"
        ) from None


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
