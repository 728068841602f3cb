"""What adapters hand to the service: platform events translated into our own messages."""

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from intake.addresses import Address, Person
from intake.answers import clean_text
from intake.redaction import Redaction, redact


class _Inbound(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    message_id: str
    author: Person
    address: Address
    text: str
    at: datetime
    catch_up: bool = False
    """Set by platforms that read history after downtime (Slack, Discord): the service then
    keeps a cursor of the newest message handled per channel or thread."""
    edited: bool = False
    """A new version of a message the person sent earlier (its own ``message_id``)."""
    accepted: bool = False
    """Came through the inbox (accepted before it was acknowledged, as Slack events are): its
    handling transaction also marks the inbox event done."""


class CustomerMessage(_Inbound):
    """A customer wrote to the bot (DM, mention, or reply in their conversation thread).

    ``continuation`` marks a message the bot was not addressed in (a plain reply in a
    channel thread): it continues a conversation already there, and never starts one.
    """

    continuation: bool = False
    answers: str | None = None
    """A button click: the question the button answered (``intake.actions.clicked``)."""


class TeamMessage(_Inbound):
    """Someone wrote in a thread of the team channel; ``is_agent`` says if they may act."""

    is_agent: bool
    before: str | None = None
    """An edit's earlier words, when the platform says: a note edited into a plain message
    stays a note."""
    to_the_bot: bool = False
    """It opens with the bot's mention ("@intake what plan is this customer on?"): said to
    the bot, so never relayed to the customer (a command after the mention still runs)."""


def attachment_line(name: str, link: str) -> str:
    """How a file a person sent reads in the transcript and the ticket, on every platform."""
    return f"[attachment: {name} {link}]" if link else f"[attachment: {name}]"


def without_attachments(text: str) -> str:
    """What a person wrote, without the ``attachment_line`` of each file they sent."""
    return _ATTACHMENT_LINE.sub("", text).strip()


def carries_files(text: str) -> bool:
    return _ATTACHMENT_LINE.search(text) is not None


_ATTACHMENT_LINE = re.compile(r"^\[attachment: [^\n]*\]$", re.MULTILINE)
_EDIT_MARK = ":edit:"


def edit_id(message_id: str, stamp: str) -> str:
    """An edit's own message id: redelivered, the same edit is recognised; a later edit of the
    same message is new. Never a history position (cursors skip edits)."""
    return f"{message_id}{_EDIT_MARK}{stamp}"


def original_id(message_id: str) -> str:
    """The id of the message an ``edit_id`` is an edit of (an id that is no edit's, as is)."""
    return message_id.split(_EDIT_MARK, 1)[0]


def as_edit(text: str) -> str:
    """How an edited message reads in the transcript, the ticket and the other side's chat."""
    return f"(edited) {text}"


def as_stored(text: str) -> Redaction:
    """A message's words as they are kept and read, by the intake, the ticket and the guide
    search alike: cleaned of invisible and control characters, secrets removed."""
    return redact(clean_text(text))
