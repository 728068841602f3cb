"""Posting what the relay delivers, with Slack's errors mapped to the relay's three failures.

The SDK's own retry handlers stay off: the relay owns retries, so order per conversation and
delivery after a restart hold, and a 429 becomes ``RateLimited`` with Slack's ``Retry-After``.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import PermanentFailure, RateLimited, TemporaryFailure
from bot.slack.translate import PLATFORM, post_kwargs, update_kwargs
from intake.addresses import Address
from intake.outgoing import Outgoing

# Error codes Slack answers with a 200 or 5xx that are worth trying again.
_TEMPORARY_ERRORS = {
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
}
_DEFAULT_RETRY_AFTER = 1.0


class SlackSender:
    """Delivers outgoing messages with ``chat.postMessage`` and edits cards with ``chat.update``."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, team_channel: str | None) -> None:
        self._client = client
        self._team_channel = team_channel

    async def send(self, address: Address, message: Outgoing, key: str) -> str:
        # Slack has no idempotency key for chat.postMessage; the outbox id travels in metadata
        # so a duplicate after a crash mid-send can at least be traced.
        kwargs = post_kwargs(address, message, self._team_channel)
        kwargs["metadata"] = {"event_type": "intake_outbox", "event_payload": {"key": key}}
        async with mapped_errors():
            response = await self._client.chat_postMessage(**kwargs)
        ts = response.get("ts")
        if not isinstance(ts, str):
            raise PermanentFailure("chat.postMessage answered without a ts")
        return ts

    async def edit(self, address: Address, message_ref: str, message: Outgoing) -> None:
        kwargs = update_kwargs(address, message_ref, message, self._team_channel)
        async with mapped_errors():
            await self._client.chat_update(**kwargs)


@asynccontextmanager
async def mapped_errors() -> AsyncIterator[None]:
    """Turn the SDK's and aiohttp's exceptions into ``RateLimited``/``Temporary``/``Permanent``."""
    try:
        yield
    except SlackApiError as error:
        raise failure_for(error) from error
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        raise TemporaryFailure(f"slack unreachable: {type(error).__name__}") from error
    except SlackClientError as error:
        raise TemporaryFailure(f"slack client error: {type(error).__name__}") from error


def failure_for(error: SlackApiError) -> Exception:
    response = error.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = getattr(response, "data", None)
    code = str(data.get("error", "")) if isinstance(data, Mapping) else ""
    if status == 429 or code == "ratelimited":
        return RateLimited(retry_after(getattr(response, "headers", None)))
    if status >= 500 or code in _TEMPORARY_ERRORS:
        return TemporaryFailure(f"slack answered {status} {code}".strip())
    return PermanentFailure(f"slack refused: {code or status}")


def retry_after(headers: Any) -> float:
    """Seconds from a ``Retry-After`` header, looked up case-insensitively."""
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if str(name).lower() == "retry-after":
                raw = value[0] if isinstance(value, list) and value else value
                try:
                    return max(float(raw), 0.0)
                except (TypeError, ValueError):
                    break
    return _DEFAULT_RETRY_AFTER
