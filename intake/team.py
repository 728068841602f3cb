"""Reading what an agent writes in a ticket thread: a reply to relay, a note, or a command.

Shared by every platform's adapter: ``!resolve`` means the same in Slack and in Discord.
"""

import re

from pydantic import BaseModel, ConfigDict

from intake.tickets import Action, Priority

_NOTE = re.compile(r"^\s*(?:note:|!note\b)\s*", re.IGNORECASE)
_COMMAND = re.compile(r"^\s*!(\w+)\b\s*(.*)$", re.IGNORECASE | re.DOTALL)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RelayToCustomer(_Frozen):
    text: str


class InternalNote(_Frozen):
    text: str


class TicketCommand(_Frozen):
    action: Action
    priority: Priority | None = None


class Unclear(_Frozen):
    """An ``!word`` we don't know, or ``!priority`` without a valid level: told, never relayed."""

    reason: str


TeamInput = RelayToCustomer | InternalNote | TicketCommand | Unclear

COMMAND_HELP = (
    "Commands: !claim, !pending, !resolve, !close, !reopen, !priority low|normal|high|urgent, "
    "note: <text>"
)


def read_team_message(text: str) -> TeamInput:
    note = _NOTE.match(text)
    if note:
        return InternalNote(text=text[note.end() :].strip())
    command = _COMMAND.match(text)
    if command is None:
        return RelayToCustomer(text=text.strip())
    word, argument = command.group(1).lower(), command.group(2).strip().lower()
    try:
        action = Action(word)
    except ValueError:
        return Unclear(reason=f"unknown command !{word}. {COMMAND_HELP}")
    if action is not Action.PRIORITY:
        return TicketCommand(action=action)
    try:
        return TicketCommand(action=action, priority=Priority(argument))
    except ValueError:
        return Unclear(reason="use !priority low, normal, high or urgent")
