"""What was written while no instance listened, read back from Slack's history.

Slack retries an undelivered event for a few minutes only; after a longer outage the messages
are only in the history. So when the bot connects, it reads every DM, customer thread and ticket
thread it has talked in, after the newest message it handled there, and takes each message as
the event Slack would have sent. Messages already handled are recognised by their ids.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from intake.addresses import Address

log = logging.getLogger(__name__)

# Places quiet for longer than this are not read: their conversations are long over.
HORIZON_SECONDS = 14 * 24 * 3600
_PAGE = 200
_MAX_PAGES = 5  # at most 1,000 messages per place
_RATE_LIMIT_RETRIES = 3


def slack_ts(message_id: str) -> str:
    """The ``ts`` in one of our Slack message ids (``channel:ts``) or a bare ``ts``."""
    return message_id.rpartition(":")[2]


def recent(ts: str) -> bool:
    try:
        return float(ts) > time.time() - HORIZON_SECONDS
    except ValueError:
        return False


async def messages_after(client: AsyncWebClient, address: Address, ts: str) -> list[dict[str, Any]]:
    """The messages at ``address`` after ``ts``, oldest first, shaped as ``message`` events."""
    found = [message async for page in pages(client, address, ts) for message in page]
    # History messages name neither their channel nor its kind; events do.
    kind = "im" if address.channel.startswith("D") else "channel"
    events = {
        str(m["ts"]): {**m, "channel": address.channel, "channel_type": kind}
        for m in found
        if _later(str(m.get("ts", "")), ts)
    }
    return [events[key] for key in sorted(events, key=_order)]


async def pages(
    client: AsyncWebClient, address: Address, oldest: str, **extra: Any
) -> AsyncIterator[list[dict[str, Any]]]:
    """The messages at ``address`` after ``oldest``, a page at a time, as Slack pages them: a
    DM (``conversations.history``) newest first, a thread (``conversations.replies``) oldest
    first; at most ``_MAX_PAGES``."""
    method: Callable[..., Awaitable[AsyncSlackResponse]] = client.conversations_history
    where: dict[str, Any] = {"channel": address.channel}
    if address.thread is not None:
        method, where["ts"] = client.conversations_replies, address.thread
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        response = await _read(method, **where, oldest=oldest, cursor=cursor, **extra)
        yield [m for m in response.get("messages") or [] if isinstance(m, dict)]
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return


async def _read(
    method: Callable[..., Awaitable[AsyncSlackResponse]], **args: Any
) -> AsyncSlackResponse:
    """One page, waiting out Slack's rate limit (history methods allow ~50 calls a minute)."""
    waited = 0
    while True:
        try:
            return await method(limit=_PAGE, **args)
        except SlackApiError as error:
            if error.response.status_code != 429 or waited == _RATE_LIMIT_RETRIES:
                raise
            waited += 1
            wait = float(error.response.headers.get("Retry-After", 1))
            log.info("slack history rate limited; waiting %s s", wait)
            await asyncio.sleep(wait)


def _order(ts: str) -> tuple[int, str]:
    return len(ts), ts


def _later(ts: str, than: str) -> bool:
    return bool(ts) and _order(ts) > _order(than)
