"""What the machine asks the outside world to do. Replies are data; nothing sends itself."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from intake.tickets import TicketContent


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Action):
    """A button; ``value`` is exactly what typing would send, so both paths are one.
    ``prompt`` names the question it answers, so a click on an old message is recognised."""

    label: str
    value: str
    prompt: str | None = None

    def button_value(self) -> str:
        """What a platform button carries: the value, and the question it answers."""
        return f"{self.value}{_PROMPT_MARK}{self.prompt}" if self.prompt else self.value


_PROMPT_MARK = "|"


def clicked(button_value: str) -> tuple[str, str | None]:
    """A clicked button's (value, question it answers) from ``Choice.button_value``."""
    value, mark, prompt = button_value.rpartition(_PROMPT_MARK)
    return (value, prompt) if mark else (button_value, None)


class Reply(_Action):
    text: str
    choices: tuple[Choice, ...] = ()


class TicketDraft(TicketContent):
    """The ticket the customer asked to send; the service stores it and gives it an id."""


class OpenTicket(_Action):
    """Store the ticket, then feed ``TicketOpened`` back to the machine."""

    draft: TicketDraft


class LookUpTickets(_Action):
    """Load the customer's tickets, then feed ``TicketsFound`` back to the machine."""


class ForwardToTicket(_Action):
    """The customer wrote after the ticket opened: add it to the ticket and show the agents.
    ``reopens``: a resolved ticket opens again (not for a mere "thanks, that fixed it")."""

    ticket_id: str
    text: str
    reopens: bool = True


class AmendTicket(_Action):
    """After the ticket opened, the customer gave what it lacked: the problem (a ticket opened
    before it was described) and the kind of help it needs, details recognised in their
    message (a quoted error, a "System: …" line), or the access answer."""

    ticket_id: str
    problem: str | None = None
    kind: str | None = None
    details: dict[str, str] = {}
    consent: bool | None = None
    consent_terms: str | None = None


class SelfServed(_Action):
    guide_id: str | None


class RecordGap(_Action):
    """A problem no guide solved: what admins should write a guide for next."""

    text: str
    kind: str | None
    reason: Literal["no_match", "not_helpful"]


Action = Reply | OpenTicket | LookUpTickets | ForwardToTicket | AmendTicket | SelfServed | RecordGap
