"""What can happen to a conversation: the inputs of ``intake.machine.step``."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime


class CustomerSaid(_Event):
    """A customer's message (already redacted), or the value of a button they pressed."""

    text: str
    redacted: frozenset[str] = frozenset()
    edited: bool = False
    answers: str | None = None
    """For a button: the question it answers (``Choice.prompt``)."""


class TicketOpened(_Event):
    """The service stored the ticket that an ``OpenTicket`` action asked for."""

    ticket_id: str


class TicketLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket_id: str
    status: str
    problem: str


class TicketsFound(_Event):
    """The answer to a ``LookUpTickets`` action: the customer's own tickets started where they
    asked, newest first, and how many they started elsewhere (not listed: a DM's ticket must
    not show in a public channel)."""

    tickets: tuple[TicketLine, ...]
    elsewhere: int = 0


class TicketClosed(_Event):
    """An agent closed the ticket this conversation opened; the next message starts afresh."""


Event = CustomerSaid | TicketOpened | TicketsFound | TicketClosed
