"""Reading what an agent writes in a ticket thread: a reply to relay, a note, or a command.

Shared by every platform's adapter: ``!resolve`` means the same in Slack and in Discord.
"""

import re

from pydantic import BaseModel, ConfigDict

from intake.tickets import Action, Priority

# "note: …", "Note : …", "internal: …", "!note …": for the team only. A near miss here would
# reach the customer, so the ways agents actually write it are all taken.
_NOTE = re.compile(
    r"^\s*(?:(?:internal |private |team )?notes?|internal|private|team only|nb|n\.b\.)\s*[:\-–]|"
    r"^\s*note to self\b\s*[:\-–]?|^\s*[\[(](?:internal|private|note|team only)[\])]|"
    r"^\s*!\s*note\b",
    re.IGNORECASE,
)
_COMMAND = re.compile(r"^\s*!+\s*(\w+)\b[ \t:,.!-]*(.*)$", re.IGNORECASE | re.DOTALL)
# A command word alone ("claim", "Resolve.") is a command without its "!": said to a
# customer it would mean nothing.
_BARE_COMMAND = re.compile(r"^\s*(\w+)[.!]?\s*()$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RelayToCustomer(_Frozen):
    text: str


class InternalNote(_Frozen):
    text: str


class TicketCommand(_Frozen):
    """``note``: words written after the command ("!pending waiting for their logs"), kept
    for the team; commands never send words to the customer."""

    action: Action
    priority: Priority | None = None
    note: str | None = None


class Unclear(_Frozen):
    """An ``!word`` we don't know, or ``!priority`` without a valid level: told, never relayed."""

    reason: str


TeamInput = RelayToCustomer | InternalNote | TicketCommand | Unclear

COMMAND_HELP = (
    "Commands: !claim, !pending, !resolve, !close, !reopen, !priority low|normal|high|urgent "
    "(words after a command are kept as a note for the team), note: <text> for the team only; "
    "anything else goes to the customer."
)


def read_team_message(text: str) -> TeamInput:
    note = _NOTE.match(text)
    if note:
        return InternalNote(text=text[note.end() :].strip())
    command = _COMMAND.match(text) or _bare_command(text)
    if command is None:
        return RelayToCustomer(text=text.strip())
    word, rest = command.group(1).lower(), command.group(2).strip()
    if word == "help":
        return Unclear(reason=COMMAND_HELP)
    try:
        action = Action(word)
    except ValueError:
        return Unclear(reason=f"unknown command !{word}. {COMMAND_HELP}")
    if action is not Action.PRIORITY:
        return TicketCommand(action=action, note=rest or None)
    level, _, after = rest.partition(" ")
    try:
        priority = Priority(level.lower().strip(".,!"))
    except ValueError:
        return Unclear(reason="use !priority low, normal, high or urgent")
    return TicketCommand(action=action, priority=priority, note=after.strip() or None)


def _bare_command(text: str) -> re.Match[str] | None:
    bare = _BARE_COMMAND.match(text)
    return bare if bare is not None and bare.group(1).lower() in _COMMAND_WORDS else None


_COMMAND_WORDS = frozenset(action.value for action in Action) - {Action.PRIORITY.value}
