"""What agents can do to a ticket, and what each change means for the customer.

Transitions (an agent command not listed for a status is refused with a reason):

    open ──claim──▶ open (owned)        any ──priority──▶ same status
    open/pending ──pending──▶ pending   open/pending ──resolve──▶ resolved
    any but closed ──close──▶ closed    resolved/closed ──reopen──▶ open
    resolved ──customer writes──▶ open
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from intake.addresses import Address, Person
from intake.guides import GuideMatch


class Status(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Action(StrEnum):
    CLAIM = "claim"
    PENDING = "pending"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    PRIORITY = "priority"


_TRANSITIONS: dict[Action, dict[Status, Status]] = {
    Action.CLAIM: {Status.OPEN: Status.OPEN, Status.PENDING: Status.OPEN},
    Action.PENDING: {Status.OPEN: Status.PENDING},
    Action.RESOLVE: {Status.OPEN: Status.RESOLVED, Status.PENDING: Status.RESOLVED},
    Action.CLOSE: {s: Status.CLOSED for s in (Status.OPEN, Status.PENDING, Status.RESOLVED)},
    Action.REOPEN: {Status.RESOLVED: Status.OPEN, Status.CLOSED: Status.OPEN},
    Action.PRIORITY: {s: s for s in Status if s is not Status.CLOSED},
}


# What each action does, as "can't … a ticket that is closed" says it.
_DOING = {
    Action.CLAIM: "claim",
    Action.PENDING: "set to pending",
    Action.RESOLVE: "resolve",
    Action.CLOSE: "close",
    Action.REOPEN: "reopen",
    Action.PRIORITY: "change the priority of",
}


class Refused(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: str


def next_status(action: Action, status: Status) -> Status | Refused:
    target = _TRANSITIONS[action].get(status)
    if target is None:
        return Refused(reason=f"can't {_DOING[action]} a ticket that is {status.value}")
    return target


def actions_on(status: str) -> tuple[Action, ...]:
    """What agents can do to a ticket in ``status``, for its card's buttons (every action for
    a status this version doesn't know)."""
    try:
        current = Status(status)
    except ValueError:
        return tuple(Action)
    return tuple(action for action in Action if current in _TRANSITIONS[action])


def customer_notice(ticket_id: str, status: Status, reopened: bool = False) -> str | None:
    """What the customer hears when an agent changes the status (``reopened``: with
    !reopen, after the customer was told it was resolved or closed); None when nothing."""
    if status is Status.OPEN and reopened:
        return (
            f"Your ticket {ticket_id} is open again: the team is on it, and every update will "
            "come right here."
        )
    if status is Status.RESOLVED:
        return (
            f"Your ticket {ticket_id} has been marked resolved. If the problem is still there, "
            "just reply here and it will be reopened."
        )
    if status is Status.CLOSED:
        return (
            f"Your ticket {ticket_id} is now closed. Thank you for contacting support! Write here "
            "any time to start a new request."
        )
    return None


class TicketContent(BaseModel):
    """What a ticket says about the problem: drafted by the machine, stored as it was sent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    problem: str
    details: dict[str, str]
    missing: tuple[str, ...]
    consent: bool | None
    consent_at: datetime | None
    consent_terms: str | None = None
    """The customer's own words when their yes came with a condition ("only read access")."""
    guides: tuple[GuideMatch, ...]
    out_of_hours: bool
    due_at: datetime
    priority: Priority = Priority.NORMAL
    """High when the customer said it is urgent or their store is down; agents can change it."""


class Ticket(TicketContent):
    """A stored ticket as agents, admins and cards see it."""

    public_id: str
    status: Status
    assignee: str | None
    created_at: datetime
    customer: Person
    customer_address: Address
    team_address: Address | None
    team_message: str | None


class TicketEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    actor: str
    detail: str
    at: datetime


class TranscriptLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    direction: str
    author: str
    text: str
    at: datetime
