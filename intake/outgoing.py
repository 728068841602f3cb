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

    def facts(self) -> list[tuple[str, str]]:
        """Who asked, where the ticket stands and when it is due: the short lines every form
        of the card shows before the problem, in this order."""
        return [
            ("Customer", f"{self.customer} ({self.platform})"),
            ("Status", self.status),
            ("Priority", self.priority),
            ("Owner", self.assignee or "nobody yet"),
            ("Due", self.due + (" (arrived out of hours)" if self.out_of_hours else "")),
        ]

    def particulars(self) -> list[tuple[str, str]]:
        """What the customer told beyond the problem, and what is missing: the lines every
        form of the card shows after it, in this order."""
        lines = list(self.details)
        if self.missing:
            lines.append(("Missing", ", ".join(self.missing)))
        lines.append(("Access consent", self.consent))
        lines.append(("Suggested guides", ", ".join(self.guides) or "none"))
        return lines


class Outgoing(_Frozen):
    """``text`` is always complete on its own: it is the plain fallback of any rich rendering."""

    text: str
    choices: tuple[Choice, ...] = ()
    author: str | None = None
    card: TicketCard | None = None
