"""Logging for ``intake serve``: readable on a terminal, one JSON object per line otherwise.

Records carry ids (``ticket``, ``conversation_id``, ``outbox_id``) passed as ``extra``; message
text from customers or agents is only ever logged at DEBUG, because customers paste secrets.
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

# Attributes every LogRecord has; anything else on a record came in through ``extra``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}

# The Slack libraries decide whether to build a debug string for every request and event by
# ``logger.level <= DEBUG``: the level set on that very logger, NOTSET (0) unless someone sets
# one, so the strings (whole request and response bodies) are built even when DEBUG is off
# (slackapi/python-slack-sdk#1957). These loggers are given the configured level themselves.
# Bolt copies its base logger's level into the loggers it makes, so "slack_bolt" covers those.
_LEVEL_CHECKED_LOGGERS = (
    "slack_bolt",
    "slack_sdk.web.async_base_client",
    "slack_sdk.web.base_client",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(stream: TextIO = sys.stderr, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(stream)
    if stream.isatty():
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _LEVEL_CHECKED_LOGGERS:
        logging.getLogger(name).setLevel(level)
