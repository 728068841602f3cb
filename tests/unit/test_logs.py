"""Logs off a terminal are JSON lines with the ids passed as extra fields."""

import asyncio
import contextlib
import io
import json
import logging
from typing import Any

from bot.logs import configure_logging


def test_log_lines_are_json_with_ids_when_not_a_terminal() -> None:
    stream = io.StringIO()
    configure_logging(stream)
    try:
        logging.getLogger("bot.service").info("ticket opened", extra={"ticket": "MCP-1001"})
    finally:
        logging.getLogger().handlers.clear()
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "ticket opened" and entry["ticket"] == "MCP-1001"
    assert entry["level"] == "info" and entry["logger"] == "bot.service"


def _slack_request_debug_lines(level: int) -> list[str]:
    """What the Slack Web API client logs for one call, with logging configured at ``level``."""
    from slack_sdk.web.async_client import AsyncWebClient

    stream = io.StringIO()
    configure_logging(stream, level)
    client = AsyncWebClient(token="xoxb-test", base_url="http://127.0.0.1:9/", retry_handlers=[])
    try:
        asyncio.run(_call_quietly(client))
    finally:
        logging.getLogger().handlers.clear()
        configure_logging(io.StringIO())  # back to INFO for the tests after this one
        logging.getLogger().handlers.clear()
    return [line for line in stream.getvalue().splitlines() if "Sending a request" in line]


async def _call_quietly(client: Any) -> None:
    with contextlib.suppress(OSError):  # nothing listens there: only the request's log counts
        await client.auth_test()


def test_slack_request_bodies_are_built_and_logged_at_debug_only() -> None:
    # slack_sdk builds this line (the whole request) when its logger's own level is at most
    # DEBUG, whatever the root logger's level: configured at INFO, that test must say no.
    configure_logging(io.StringIO(), logging.INFO)
    logging.getLogger().handlers.clear()
    assert not logging.getLogger("slack_sdk.web.async_base_client").level <= logging.DEBUG
    assert not logging.getLogger("slack_bolt").level <= logging.DEBUG
    assert _slack_request_debug_lines(logging.DEBUG) != []
