"""Logs off a terminal are JSON lines with the ids passed as extra fields."""

import io
import json
import logging

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
