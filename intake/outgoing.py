"""A message on its way out, in our own words; each adapter renders it for its platform."""

from pydantic import BaseModel, ConfigDict

from intake.actions import Choice


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TicketCard(_Frozen):
    """The summary agents see in the team channel; its thread is the ticket."""

    ticket_id: str
    kind: str
    customer: str
    platform: str
    problem: str
    details: tuple[tuple[str, str], ...]
    missing: tuple[str, ...]
    guides: tuple[str, ...]
    consent: str
    due: str
    out_of_hours: bool
    status: str
    priority: str
    assignee: str | None


class Outgoing(_Frozen):
    """``text`` is always complete on its own: it is the plain fallback of any rich rendering."""

    text: str
    choices: tuple[Choice, ...] = ()
    author: str | None = None
    card: TicketCard | None = None
