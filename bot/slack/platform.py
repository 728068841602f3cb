"""Slack plugged into ``intake serve``: the Events API at ``/slack/events``, or Socket Mode.

Settings are checked here, before anything connects, so a missing or malformed one is a single
line naming it.
"""

import asyncio
import contextlib
import functools
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import SecretStr
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.app import App
from bot.delivery import Sender
from bot.errors import UserFacingError
from bot.platform import Outbound, Platform, PlatformBuilder
from bot.settings import Settings
from bot.slack.adapter import SlackAdapter, SlackDirectory
from bot.slack.history import messages_after
from bot.slack.sender import SlackSender, error_code
from bot.slack.translate import PLATFORM

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Answers to auth.test that waiting will not change: a wrong, revoked or wrong kind of token
# (an app-level xapp- token or a user token where the bot token belongs).
_AUTH_ERRORS = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "not_allowed_token_type",
    "missing_scope",
    "team_access_not_granted",
}
_RECONNECT_SECONDS = 5.0
_STAMP_DIGITS = 12  # Unix seconds for ages to come; far longer ones int() refuses to read


class SlackPlatform:
    """Slack as one ``Platform``: bolt receives, ``SlackAdapter`` routes, ``SlackSender`` posts."""

    name: str = PLATFORM

    def __init__(
        self,
        bolt: AsyncApp,
        client: AsyncWebClient,
        adapter: SlackAdapter,
        sender: SlackSender,
        *,
        app_token: str | None,
        signing_secret: str | None,
    ) -> None:
        self.sender: Sender = sender
        self._bolt = bolt
        self._client = client
        self._adapter = adapter
        self._app_token = app_token
        # Events over HTTP only with a secret to check them against; Socket Mode needs none.
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._ready = False
        self._stop_inbox = asyncio.Event()
        self._inbox_task: asyncio.Task[None] | None = None
        self._catching_up: asyncio.Task[None] | None = None

    def mount(self, web_app: web.Application) -> None:
        if self._verifier is not None:
            web_app.router.add_post(EVENTS_PATH, self._events)

    async def start(self, outbound: Outbound) -> None:
        # Events accepted before a restart are handled as soon as the worker runs.
        self._inbox_task = asyncio.create_task(self._adapter.inbox.run(self._stop_inbox))
        try:
            await self._connect(outbound)
        except SlackApiError as error:
            code = _error_code(error)
            if code in _AUTH_ERRORS:
                raise UserFacingError(f"SLACK_BOT_TOKEN was refused by Slack: {code}") from None
            self._retry_later(outbound, code)
        except (TimeoutError, OSError) as error:
            self._retry_later(outbound, type(error).__name__)

    async def stop(self) -> None:
        self._ready = False
        self._stop_inbox.set()
        if self._inbox_task is not None:
            await self._inbox_task
        self._adapter.close()
        for task in (self._connecting, self._catching_up):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        await _close_session(self._client)

    def ready(self) -> bool:
        return self._ready

    async def _connect(self, outbound: Outbound) -> None:
        if self._client.session is None or self._client.session.closed:
            # One pooled session for every Web API call instead of a connection per call.
            self._client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        identity = await self._client.auth_test()
        bot_user_id = identity.get("user_id")
        self._adapter.connected(bot_user_id if isinstance(bot_user_id, str) else None, outbound)
        await self._adapter.check_team_channel()
        if self._app_token and self._socket is None:
            self._socket = AsyncSocketModeHandler(self._bolt, self._app_token)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
        self._ready = True
        log.info("slack connected as %s", bot_user_id)
        # What was written while no instance listened (see bot.slack.history).
        read = functools.partial(messages_after, self._client)
        self._catching_up = asyncio.create_task(self._adapter.catch_up(read))

    def _retry_later(self, outbound: Outbound, reason: str) -> None:
        where = self._client.base_url
        log.warning("slack not reachable yet at %s (%s); retrying in the background", where, reason)

        async def keep_trying() -> None:
            while True:
                await asyncio.sleep(_RECONNECT_SECONDS)
                try:
                    await self._connect(outbound)
                    return
                except (TimeoutError, SlackApiError, OSError) as error:
                    log.warning("slack still not reachable at %s: %s", where, type(error).__name__)

        self._connecting = asyncio.create_task(keep_trying())

    async def _events(self, request: web.Request) -> web.Response:
        """A request from Slack, checked here before bolt sees it: bolt reads the body into its
        context before it checks the signature, so anyone's garbage (a JSON array, a form whose
        payload is a number) would be a 500 with a traceback."""
        assert self._verifier is not None  # mounted only with a signing secret
        body = _utf8(await request.read())
        if body is None or not signed_by_slack(self._verifier, body, request.headers):
            return web.Response(status=401, text="missing, stale or wrong Slack signature")
        payload = read_payload(body, request.content_type)
        if payload is None:
            return web.Response(status=400, text="the body is not a JSON object or a form")
        if payload.get("type") == "app_rate_limited":
            # Over 30,000 events an hour: Slack drops this minute's events. They stay in history,
            # which is read back only when an instance connects, so say so loudly.
            log.warning(
                "slack app_rate_limited: events of minute %s not delivered (team %s)",
                payload.get("minute_rate_limited"),
                payload.get("team_id"),
            )
            return web.Response(status=200)
        if not self._ready and payload.get("type") != "url_verification":
            # Slack's API hasn't answered yet (bolt would ask it, fail, and answer 500 with a
            # traceback): Slack delivers the event again later.
            return web.Response(status=503, text="not connected to Slack yet; try again")
        bolt_request = AsyncBoltRequest(
            body=body, query=request.query_string, headers=dict(request.headers)
        )
        response = await self._bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)


def signed_by_slack(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    """Slack's v0 signature over the body, from the last five minutes. The verifier raises on
    a timestamp ``int()`` can't read, so that is checked first."""
    stamp = headers.get("X-Slack-Request-Timestamp", "").strip()
    signature = headers.get("X-Slack-Signature")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= _STAMP_DIGITS and signature):
        return False
    return bool(verifier.is_valid(body=body, timestamp=stamp, signature=signature))


def read_payload(body: str, content_type: str) -> dict[str, Any] | None:
    """The body as bolt will read it (JSON, or a form with a JSON ``payload``), when that is an
    object and so is its ``event``, if any; None for anything bolt would choke on."""
    try:
        payload = parse_body(body, content_type)
    except ValueError:  # JSON that isn't, in the body or in a form's payload
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("event", {}), dict):
        return None
    return payload


def _utf8(body: bytes) -> str | None:
    """The body as text; None when it isn't UTF-8, which Slack always sends."""
    try:
        return body.decode()
    except UnicodeDecodeError:
        return None


def slack_platform(settings: Settings) -> PlatformBuilder:
    """Check the Slack settings now, so the first bad one is one line (``UserFacingError``)
    before any database is opened; the platform is built on the app afterwards."""
    bot_token = _secret(settings.slack_bot_token)
    signing_secret = _secret(settings.slack_signing_secret)
    app_token = _secret(settings.slack_app_token)
    if not bot_token:
        raise UserFacingError("SLACK_BOT_TOKEN is missing (the Bot User OAuth Token, xoxb-…)")
    if not bot_token.startswith("xoxb-"):
        raise UserFacingError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    if app_token and not app_token.startswith("xapp-"):
        raise UserFacingError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    if not signing_secret and not app_token:
        raise UserFacingError(
            "SLACK_SIGNING_SECRET is missing (Basic Information > Signing Secret), "
            "or set SLACK_APP_TOKEN for Socket Mode"
        )
    team = settings.team_channel
    team_channel = team.channel if team is not None and team.platform == PLATFORM else None

    def build(app: App) -> Platform:
        if team is None:
            log.warning("INTAKE_TEAM_CHANNEL is not set: tickets are stored but no agent sees them")
        base_url = settings.slack_api_base_url.rstrip("/") + "/"
        client = AsyncWebClient(token=bot_token, base_url=base_url)
        bolt = AsyncApp(
            client=client,
            signing_secret=signing_secret or "",
            # Listeners store each event (handling most at once) before the ack: milliseconds.
            process_before_response=True,
            # ``_events`` checks every HTTP request's signature before bolt sees it (Socket
            # Mode needs none): checking again would only cost time.
            request_verification_enabled=False,
            logger=_bolt_logger(),
        )
        directory = SlackDirectory(client, team_channel, settings.agent_ids)
        adapter = SlackAdapter(app.service, directory, team_channel)
        adapter.register(bolt)
        return SlackPlatform(
            bolt,
            client,
            adapter,
            SlackSender(client, team_channel),
            app_token=app_token or None,
            signing_secret=signing_secret or None,
        )

    return build


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value is not None else ""


async def _close_session(client: AsyncWebClient) -> None:
    session = client.session
    if session is not None and not session.closed:
        await session.close()
    client.session = None


class _TokenNotice(logging.Filter):
    """bolt reads ``SLACK_BOT_TOKEN`` for itself and, at every start, warns that it goes unused
    next to the client it is given here: true, expected, and noise in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_WITHOUT_TOKEN_NOTICE = _TokenNotice()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("slack_bolt")
    logger.addFilter(_WITHOUT_TOKEN_NOTICE)  # once: a filter already there is not added again
    return logger


def _error_code(error: SlackApiError) -> str:
    """Slack's error code; for an answer that isn't Slack's (a proxy's error page, a wrong
    ``SLACK_API_BASE_URL``), what it was instead."""
    response = error.response
    if isinstance(response, AsyncSlackResponse):
        return error_code(error) or f"HTTP {response.status_code}"
    status = getattr(response, "status", "?")
    return f"HTTP {status}, not a Slack API answer: is SLACK_API_BASE_URL right?"
