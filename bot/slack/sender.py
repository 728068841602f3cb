"""Posting what the relay delivers, with Slack's errors mapped to the relay's three failures.

The SDK's own retry handlers stay off: the relay owns retries, so order per conversation and
delivery after a restart hold, and a 429 becomes ``RateLimited`` with Slack's ``Retry-After``.

Slack has no idempotency key for ``chat.postMessage``. Every post carries its outbox key in
message metadata instead (``outbox-7``; ``outbox-7#0``, ``outbox-7#1``… for the parts of a long
message). Before posting a message in parts, the sender reads the place's recent history, with
metadata, and skips the parts an earlier attempt already posted, so a retry after part 2 of 3
failed (or after a crash) posts only what is missing. A message in one part is not looked up
(a read per message would double the calls): if Slack's answer to it is lost, the retry posts
it again, with the same key.
"""

import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import NotAllowedYet, PermanentFailure, RateLimited, TemporaryFailure
from bot.slack.history import HORIZON_SECONDS, pages
from bot.slack.translate import PLATFORM, post_parts, update_kwargs
from intake.addresses import Address
from intake.outgoing import Outgoing

log = logging.getLogger(__name__)

# Error codes Slack answers with a 200 or 5xx that are worth trying again.
_TEMPORARY_ERRORS = {
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
}
# What Slack answers for the team channel before the bot is invited (a private channel it
# isn't in is "not found"): the card waits for the invitation, and the ticket's messages,
# which wait behind their card, follow.
_NOT_INVITED = {"not_in_channel", "channel_not_found"}
_DEFAULT_RETRY_AFTER = 1.0
_METADATA_TYPE = "intake_outbox"


class SlackSender:
    """Delivers outgoing messages with ``chat.postMessage`` and edits cards with ``chat.update``."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, team_channel: str | None) -> None:
        self._client = client
        self._team_channel = team_channel

    async def send(self, address: Address, message: Outgoing, key: str) -> str:
        """Post every part of ``message`` not posted yet; the ``ts`` of its first part."""
        parts = post_parts(address, message, self._team_channel)
        keys = part_keys(key, len(parts))
        posted = await self._posted_before(address, set(keys)) if len(parts) > 1 else {}
        refs = [
            posted.get(part_key) or await self._post(kwargs, part_key)
            for kwargs, part_key in zip(parts, keys, strict=True)
        ]
        return refs[0]

    async def edit(self, address: Address, message_ref: str, message: Outgoing) -> None:
        kwargs = update_kwargs(address, message_ref, message, self._team_channel)
        async with mapped_errors():
            await self._client.chat_update(**kwargs)

    async def _post(self, kwargs: dict[str, Any], key: str) -> str:
        metadata = {"event_type": _METADATA_TYPE, "event_payload": {"key": key}}
        try:
            async with mapped_errors():
                response = await self._client.chat_postMessage(**kwargs, metadata=metadata)
        except PermanentFailure as failure:
            code = error_code(failure.__cause__)
            if kwargs.get("channel") == self._team_channel and code in _NOT_INVITED:
                log.error(
                    "slack refused the team channel %s (%s): invite the bot there (/invite); "
                    "the card is tried again every few minutes",
                    self._team_channel,
                    code,
                )
                raise NotAllowedYet(f"slack refused: {code}") from failure
            raise
        ts = response.get("ts")
        if not isinstance(ts, str):
            raise PermanentFailure("chat.postMessage answered without a ts")
        return ts

    async def _posted_before(self, address: Address, keys: set[str]) -> dict[str, str]:
        """The ``ts`` of each of ``keys`` already at ``address``, read back from its history.

        A history Slack won't show (a missing scope) means posting every part, as before; one
        it can't show now (a 429, a 5xx) fails this attempt before anything is posted.
        """
        found: dict[str, str] = {}
        oldest = f"{time.time() - HORIZON_SECONDS:.6f}"
        try:
            async with mapped_errors():
                async for page in pages(self._client, address, oldest, include_all_metadata=True):
                    for message in page:
                        key = outbox_key(message)
                        if key in keys and isinstance(message.get("ts"), str):
                            found[key] = message["ts"]
                    if len(found) == len(keys):
                        break
        except PermanentFailure as failure:
            log.warning("no history to check at %s (%s); posting every part", address.key, failure)
        return found


def part_keys(key: str, count: int) -> list[str]:
    """The stable key of each part: the outbox key itself for a message in one part."""
    return [key] if count == 1 else [f"{key}#{n}" for n in range(count)]


def outbox_key(message: Mapping[str, Any]) -> str | None:
    """The key a message from history carries in our metadata, if it is one of ours."""
    metadata = message.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != _METADATA_TYPE:
        return None
    payload = metadata.get("event_payload")
    key = payload.get("key") if isinstance(payload, Mapping) else None
    return key if isinstance(key, str) else None


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


def error_code(error: BaseException | None) -> str:
    """The ``error`` Slack answered with, "" for anything else."""
    data = getattr(getattr(error, "response", None), "data", None)
    return str(data.get("error", "")) if isinstance(data, Mapping) else ""


def failure_for(error: SlackApiError) -> Exception:
    response = error.response
    status = int(getattr(response, "status_code", 0) or 0)
    code = error_code(error)
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
